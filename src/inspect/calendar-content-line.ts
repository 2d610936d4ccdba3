/**
 * One unfolded iCalendar content line → name, parameters and raw value (RFC 5545 §3.1):
 *
 *   contentline = [group "."] name *(";" param) ":" value
 *   param       = param-name "=" param-value *("," param-value)
 *   param-value = paramtext / quoted-string
 *
 * Strict on purpose: this is what lint rules see, so anything a strict parser would choke on is
 * reported rather than guessed at. (Groups come from vCard, RFC 6350 §3.3; Apple writes them.)
 *
 * Hot path: a 20 MB calendar can hold millions of lines, so the parser works on index ranges of
 * the whole text (no per-line slice), shares upper-cased names, and describes a failure only when
 * the scanner is going to list it (explainContentLineFailure).
 */
import type { ContentLine, Param, ParamValue } from './calendar-model.ts';

/** Why a line did not parse; turned into words only when reported. */
export interface ContentLineFailure {
  readonly failure:
    | 'no-name'
    | 'no-name-after-group'
    | 'bad-param-name'
    | 'param-without-equals'
    | 'unclosed-quote'
    | 'after-quote'
    | 'space-before-quote'
    | 'quote-in-paramtext'
    | 'no-colon'
    | 'unexpected-after-name';
  /** Index in the text where parsing stopped. */
  readonly at: number;
  /** The property or parameter name involved, when there is one. */
  readonly name: string;
}

const NO_PARAMS: readonly Param[] = Object.freeze([]);

const COLON = 0x3a;
const SEMICOLON = 0x3b;
const COMMA = 0x2c;
const EQUALS = 0x3d;
const DQUOTE = 0x22;
const DOT = 0x2e;

// Upper-cased names, shared between lines: real calendars repeat a few dozen names, and one string
// per name instead of one per line matters with millions of lines. Bounded so junk cannot grow it.
const upperNames = new Map<string, string>();
const MAX_CACHED_NAMES = 2048;

/** Parses `text[start, end)` as a content line on physical line `lineNumber`. */
export function parseContentLine(
  text: string,
  start: number,
  end: number,
  lineNumber: number,
): ContentLine | ContentLineFailure {
  let i = nameEnd(text, start, end);
  if (i === start) return { failure: 'no-name', at: start, name: '' };
  let groupEnd = -1;
  let nameStart = start;
  if (i < end && text.charCodeAt(i) === DOT) {
    const after = nameEnd(text, i + 1, end);
    if (after === i + 1) {
      return { failure: 'no-name-after-group', at: i + 1, name: text.slice(start, i) };
    }
    groupEnd = i;
    nameStart = i + 1;
    i = after;
  }
  const name = upperName(text.slice(nameStart, i));
  let params: Param[] | undefined;
  while (i < end && text.charCodeAt(i) === SEMICOLON) {
    const parsed = parseParam(text, i + 1, end);
    if ('failure' in parsed) return parsed;
    (params ??= []).push(parsed.param);
    i = parsed.end;
  }
  if (i >= end) return { failure: 'no-colon', at: i, name };
  if (text.charCodeAt(i) !== COLON) return { failure: 'unexpected-after-name', at: i, name };
  const value = text.slice(i + 1, end);
  const line = params ?? NO_PARAMS;
  return groupEnd < 0
    ? { name, params: line, value, line: lineNumber }
    : { name, group: text.slice(start, groupEnd), params: line, value, line: lineNumber };
}

function parseParam(
  text: string,
  start: number,
  end: number,
): { param: Param; end: number } | ContentLineFailure {
  const nameStop = nameEnd(text, start, end);
  if (nameStop === start) return { failure: 'bad-param-name', at: start, name: '' };
  const name = upperName(text.slice(start, nameStop));
  if (nameStop >= end || text.charCodeAt(nameStop) !== EQUALS) {
    return { failure: 'param-without-equals', at: nameStop, name };
  }
  const values: ParamValue[] = [];
  let i = nameStop + 1;
  for (;;) {
    if (i < end && text.charCodeAt(i) === DQUOTE) {
      let close = i + 1;
      while (close < end && text.charCodeAt(close) !== DQUOTE) close++;
      if (close >= end) return { failure: 'unclosed-quote', at: i, name };
      values.push({ value: decodeCaretEscapes(text.slice(i + 1, close)), quoted: true });
      i = close + 1;
      const after = i < end ? text.charCodeAt(i) : -1;
      if (after !== COMMA && after !== SEMICOLON && after !== COLON) {
        return { failure: 'after-quote', at: i, name };
      }
    } else {
      const valueStart = i;
      for (; i < end; i++) {
        const c = text.charCodeAt(i);
        if (c === SEMICOLON || c === COLON || c === COMMA) break;
        if (c === DQUOTE) {
          // Typically a fold continued with two spaces (`DELEGATED-TO=` / `  "mailto:…"`):
          // unfolding removes only one (RFC 5545 §3.1), so the quote no longer opens the value.
          const blank = text.slice(valueStart, i).trim() === '';
          return { failure: blank ? 'space-before-quote' : 'quote-in-paramtext', at: i, name };
        }
      }
      values.push({ value: decodeCaretEscapes(text.slice(valueStart, i)), quoted: false });
    }
    if (i >= end || text.charCodeAt(i) !== COMMA) return { param: { name, values }, end: i };
    i++;
  }
}

/** Words for a failure, with an excerpt of the line (`text[start, end)`). */
export function explainContentLineFailure(
  failure: ContentLineFailure,
  text: string,
  start: number,
  end: number,
): string {
  const { name, at } = failure;
  const why = ((): string => {
    switch (failure.failure) {
      case 'no-name':
        return `it does not start with a property name (${describeChar(text, at, end)})`;
      case 'no-name-after-group':
        return `no property name after the group "${name}."`;
      case 'bad-param-name':
        return `a parameter has no valid name (${describeChar(text, at, end)})`;
      case 'param-without-equals':
        return `parameter ${name} has no "="`;
      case 'unclosed-quote':
        return `the quoted value of parameter ${name} is never closed`;
      case 'after-quote':
        return `${describeChar(text, at, end)} after the closing quote of parameter ${name}`;
      case 'space-before-quote':
        return `whitespace before the opening quote of parameter ${name} (a fold continued with two spaces?)`;
      case 'quote-in-paramtext':
        return `a '"' inside the unquoted value of parameter ${name}`;
      case 'no-colon':
        return `there is no ":" before the value of ${name}`;
      case 'unexpected-after-name':
        return `unexpected ${describeChar(text, at, end)} where ";" or ":" should follow ${name}`;
    }
  })();
  const excerpt = end - start > 40 ? `${text.slice(start, start + 40)}…` : text.slice(start, end);
  return `${why}: ${JSON.stringify(excerpt)}`;
}

/**
 * RFC 6868 §3: `^n` → newline, `^^` → `^`, `^'` → `"`; any other `^x` is left as written. Applies
 * to quoted and unquoted parameter values alike (that is how CN=George ^'Babe^' Ruth is meant).
 */
export function decodeCaretEscapes(value: string): string {
  if (!value.includes('^')) return value;
  return value.replace(/\^([n^'])/g, (_, c: string) => (c === 'n' ? '\n' : c === '^' ? '^' : '"'));
}

function upperName(raw: string): string {
  const cached = upperNames.get(raw);
  if (cached !== undefined) return cached;
  const upper = raw.toUpperCase();
  if (upperNames.size < MAX_CACHED_NAMES) upperNames.set(raw, upper);
  return upper;
}

/** End of an iana-token / x-name (`[A-Za-z0-9-]+`, RFC 5545 §3.1) starting at `start`. */
function nameEnd(text: string, start: number, end: number): number {
  let i = start;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    const ok =
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x61 && c <= 0x7a) ||
      (c >= 0x30 && c <= 0x39) ||
      c === 0x2d;
    if (!ok) break;
  }
  return i;
}

function describeChar(text: string, i: number, end: number): string {
  if (i >= end) return 'the end of the line';
  const c = text.charCodeAt(i);
  return c < 0x20 || c === 0x7f
    ? `U+${c.toString(16).toUpperCase().padStart(4, '0')}`
    : `"${text.charAt(i)}"`;
}
