/**
 * The raw structure of an iCalendar text as the inspector sees it: components and content lines with
 * their physical line numbers, values still escaped. Deliberately not ical.js's model: lint rules
 * need what was written (quoting, escaping, duplicates, line positions), which a parser normalises
 * away. Produced by scan-calendar.ts; read by the rules.
 */

export interface ParamValue {
  /** The value with surrounding quotes removed and RFC 6868 ^-escapes decoded. */
  readonly value: string;
  readonly quoted: boolean;
}

export interface Param {
  /** Upper-case parameter name. */
  readonly name: string;
  /** Comma-separated values (e.g. MEMBER="a","b"); usually one. */
  readonly values: readonly ParamValue[];
}

export interface ContentLine {
  /** Upper-case property name (without a group prefix). */
  readonly name: string;
  readonly group?: string;
  readonly params: readonly Param[];
  /** The value after unfolding, escapes intact (`a\,b` stays `a\,b`). */
  readonly value: string;
  /** 1-based physical line on which the content line starts. */
  readonly line: number;
}

export interface Component {
  /** Upper-case component name: VCALENDAR, VEVENT, VTIMEZONE, STANDARD, VALARM… */
  readonly name: string;
  readonly properties: readonly ContentLine[];
  readonly components: readonly Component[];
  /** Physical line of BEGIN. */
  readonly line: number;
}

export interface SyntaxProblem {
  /**
   * bare-lf | line-too-long | invalid-utf8 | control-character | missing-final-crlf |
   * malformed-line | unbalanced-component | empty-line | text-before-begin | text-after-end |
   * no-calendar | nesting-too-deep (components nested beyond MAX_COMPONENT_DEPTH, ignored) |
   * unreadable (input beyond what can be decoded at all; line 0).
   * Per-line codes are listed at most MAX_PROBLEMS_PER_CODE times (calendar-problem-log.ts), then
   * once more as "…and N more".
   */
  readonly code: string;
  /** 1-based physical line (0 when not tied to a line). */
  readonly line: number;
  readonly message: string;
}

export interface CalendarScan {
  /** Top-level components, normally a single VCALENDAR. */
  readonly components: readonly Component[];
  readonly problems: readonly SyntaxProblem[];
  /** Number of physical lines. */
  readonly lines: number;
}

/** First value of a parameter, case-insensitive name. */
export function paramValue(line: ContentLine, name: string): string | undefined {
  const upper = name.toUpperCase();
  return line.params.find((p) => p.name === upper)?.values[0]?.value;
}

/** Properties of a component with the given (case-insensitive) name. */
export function propertiesNamed(component: Component, name: string): ContentLine[] {
  const upper = name.toUpperCase();
  return component.properties.filter((p) => p.name === upper);
}

/** Direct sub-components with the given name. */
export function componentsNamed(component: Component, name: string): Component[] {
  const upper = name.toUpperCase();
  return component.components.filter((c) => c.name === upper);
}

/** `mailto:Alice@Example.com` → `alice@example.com` (calendar addresses compare case-insensitively). */
export function addressOf(value: string): string {
  return value
    .replace(/^mailto:/i, '')
    .trim()
    .toLowerCase();
}
