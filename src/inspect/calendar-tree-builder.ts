/** BEGIN/END nesting of content lines into components, with the recovery lenient clients apply. */
import type { Component, ContentLine } from './calendar-model.ts';
import { explainContentLineFailure, parseContentLine } from './calendar-content-line.ts';
import type { ProblemLog } from './calendar-problem-log.ts';

/**
 * Deepest component nesting kept. Real calendars nest three or four deep (VCALENDAR > VEVENT >
 * VALARM; RFC 9073 adds VLOCATION/PARTICIPANT under VEVENT); deeper is hostile or garbage, and a
 * 20 MB run of BEGIN lines would otherwise cost hundreds of megabytes of empty components.
 */
export const MAX_COMPONENT_DEPTH = 32;

interface MutableComponent {
  readonly name: string;
  readonly properties: ContentLine[];
  readonly components: MutableComponent[];
  readonly line: number;
}

export interface TreeBuilder {
  /** Adds the content line `text[start, end)` that starts on physical line `line`. */
  addLine(text: string, start: number, end: number, line: number, orphan: boolean): void;
  finish(): Component[];
}

/** BEGIN/END nesting (RFC 5545 §3.4, §3.6) with recovery: what a lenient client would build. */
export function createTreeBuilder(problems: ProblemLog): TreeBuilder {
  const top: MutableComponent[] = [];
  const stack: MutableComponent[] = [];
  // Runs of content outside any component: one problem per run, not per line.
  let outside: { line: number; count: number } | undefined;
  let seenEnd = false;
  // BEGINs beyond MAX_COMPONENT_DEPTH still open: everything up to their END is dropped.
  let skippedDepth = 0;

  const flushOutside = (): void => {
    if (outside === undefined) return;
    const lines = outside.count === 1 ? 'A line' : `${outside.count} lines`;
    if (seenEnd) {
      problems.add(
        'text-after-end',
        outside.line,
        `${lines} outside any component after an END (RFC 5545 §3.4: nothing may follow END:VCALENDAR); ignored`,
      );
    } else {
      problems.add(
        'text-before-begin',
        outside.line,
        `${lines} before the first BEGIN (RFC 5545 §3.4: a stream is only VCALENDAR objects); ignored`,
      );
    }
    outside = undefined;
  };
  const addOutside = (line: number): void => {
    if (outside === undefined) outside = { line, count: 1 };
    else outside.count++;
  };
  // Inside an ignored, too-deep component only BEGIN/END matter, and only to find its end.
  const skipTooDeep = (text: string, start: number, end: number): void => {
    const parsed = parseContentLine(text, start, end, 0);
    if ('failure' in parsed) return;
    if (parsed.name === 'BEGIN') skippedDepth++;
    else if (parsed.name === 'END') skippedDepth--;
  };

  const closeComponent = (name: string, line: number): void => {
    // The stack is at most MAX_COMPONENT_DEPTH deep, so this search is bounded.
    if (!stack.some((open) => open.name === name)) {
      problems.add(
        'unbalanced-component',
        line,
        () => `END:${name} without a matching BEGIN:${name}; ignored`,
      );
      return;
    }
    // END:VEVENT while a VALARM is still open: close the inner ones too, as lenient parsers do.
    for (let open = stack.pop(); open !== undefined && open.name !== name; open = stack.pop()) {
      const inner = open;
      problems.add(
        'unbalanced-component',
        inner.line,
        () =>
          `BEGIN:${inner.name} (line ${inner.line}) is closed by END:${name} at line ${line} without its own END:${inner.name}`,
      );
    }
    if (stack.length === 0) seenEnd = true;
  };

  return {
    addLine(text, start, end, line, orphan) {
      if (skippedDepth > 0) {
        skipTooDeep(text, start, end);
        return;
      }
      const parent = stack.at(-1);
      if (orphan) {
        if (parent === undefined) addOutside(line);
        else {
          problems.add(
            'malformed-line',
            line,
            'Malformed content line: it starts with whitespace but there is no line to continue (blank line before it?); skipped',
          );
        }
        return;
      }
      const parsed = parseContentLine(text, start, end, line);
      if ('failure' in parsed) {
        if (parent === undefined) addOutside(line);
        else {
          problems.add(
            'malformed-line',
            line,
            () =>
              `Malformed content line: ${explainContentLineFailure(parsed, text, start, end)}; skipped`,
          );
        }
        return;
      }
      if (parsed.name !== 'BEGIN' && parsed.name !== 'END') {
        if (parent === undefined) addOutside(line);
        else parent.properties.push(parsed);
        return;
      }
      const name = parsed.value.trim().toUpperCase();
      if (!/^[A-Z0-9-]+$/.test(name)) {
        if (parent === undefined) addOutside(line);
        else {
          problems.add(
            'malformed-line',
            line,
            `Malformed content line: ${parsed.name} without a valid component name; skipped`,
          );
        }
        return;
      }
      if (parsed.name === 'END') {
        closeComponent(name, line);
        return;
      }
      if (parent === undefined) flushOutside();
      if (stack.length >= MAX_COMPONENT_DEPTH) {
        skippedDepth = 1;
        problems.add(
          'nesting-too-deep',
          line,
          () =>
            `BEGIN:${name} is nested more than ${MAX_COMPONENT_DEPTH} components deep; it is ignored up to its END`,
        );
        return;
      }
      const component: MutableComponent = { name, properties: [], components: [], line };
      (parent?.components ?? top).push(component);
      stack.push(component);
    },
    finish() {
      flushOutside();
      for (let open = stack.pop(); open !== undefined; open = stack.pop()) {
        const { name, line } = open;
        problems.add(
          'unbalanced-component',
          line,
          () => `BEGIN:${name} (line ${line}) has no END:${name}; closed at the end of the text`,
        );
      }
      if (!top.some((c) => c.name === 'VCALENDAR')) {
        problems.add('no-calendar', 0, 'No BEGIN:VCALENDAR component found');
      }
      return top;
    },
  };
}
