/**
 * Parameterised header values (Content-Type, Content-Disposition): `value; name=token;
 * name="quoted \"string\""`, RFC 2045 §5.1 and RFC 2183, with RFC 2231 continuations and charsets.
 * Tolerant like the clients (spaces around `=`, missing or trailing `;`, comments, unterminated
 * quotes), but every deviation a client might read differently is reported. One pass, no
 * backtracking: linear in the header length, which may be megabytes in hostile input.
 */
import { decodeCharset } from './mime-charset.ts';

export interface ParsedHeaderValue {
  /** The leading value (`text/calendar`, `attachment`) as written, trimmed, comments removed. */
  readonly value: string;
  /** Lower-case names; values unquoted and RFC 2231-decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly problems: readonly string[];
}

const SP = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const LF = 0x0a;
const QUOTE = 0x22;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const OPEN_PAREN = 0x28;
const CLOSE_PAREN = 0x29;
const BACKSLASH = 0x5c;

// Hostile headers can hold a million broken parameters; a handful of messages says enough.
const MAX_PROBLEMS = 10;

function note(problems: Set<string>, message: string): void {
  if (problems.size < MAX_PROBLEMS) problems.add(message);
}

function isSpace(c: number): boolean {
  return c === SP || c === TAB || c === CR || c === LF;
}

interface RawParam {
  readonly name: string;
  value: string;
}

export function parseHeaderParams(header: string): ParsedHeaderValue {
  const problems = new Set<string>();
  const n = header.length;
  let i = 0;

  /** Skips white space and RFC 822 comments `(…)` (nested, with quoted-pairs). */
  const skipCfws = (): void => {
    while (i < n) {
      const c = header.charCodeAt(i);
      if (isSpace(c)) i++;
      else if (c === OPEN_PAREN) {
        let depth = 0;
        while (i < n) {
          const d = header.charCodeAt(i);
          if (d === BACKSLASH) i++;
          else if (d === OPEN_PAREN) depth++;
          else if (d === CLOSE_PAREN && --depth === 0) break;
          i++;
        }
        if (i >= n) note(problems, 'unterminated comment "("');
        i++;
      } else return;
    }
  };

  /** Characters up to a delimiter: `;`, white space, `(`, `"`, and `=` when reading a name. */
  const readToken = (stopAtEquals: boolean): string => {
    const start = i;
    while (i < n) {
      const c = header.charCodeAt(i);
      if (
        c === SEMICOLON ||
        isSpace(c) ||
        c === OPEN_PAREN ||
        c === QUOTE ||
        (stopAtEquals && c === EQUALS)
      )
        break;
      i++;
    }
    return header.slice(start, i);
  };

  /** A quoted-string starting at `"`: backslash escapes any character (RFC 822 quoted-pair). */
  const readQuoted = (): string => {
    const start = ++i;
    let escaped = false;
    while (i < n) {
      const c = header.charCodeAt(i);
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        escaped = true;
        i++;
      }
      i++;
    }
    const quoted = header.slice(start, Math.min(i, n));
    if (i >= n)
      note(problems, 'unterminated quoted string; the value runs to the end of the header');
    else i++;
    return escaped ? unescapeQuotedPairs(quoted) : quoted;
  };

  skipCfws();
  // The leading value: normally one token; several words are kept joined by a space for the caller
  // to judge (`text / plain` is legal RFC 822 spacing, `attachment foo` is not).
  let value = '';
  while (i < n && header.charCodeAt(i) !== SEMICOLON) {
    const word = readToken(true);
    if (word === '') break;
    const before = i;
    skipCfws();
    // "text/calendar method=REQUEST": a word followed by "=" starts a parameter, not the value.
    if (header.charCodeAt(i) === EQUALS) {
      i = before - word.length;
      break;
    }
    value += value === '' ? word : ' ' + word;
  }

  const raw: RawParam[] = [];
  let separated = value === '';
  let lastUnquoted: RawParam | undefined;
  while (i < n) {
    skipCfws();
    if (i >= n) break;
    const c = header.charCodeAt(i);
    if (c === SEMICOLON) {
      separated = true;
      lastUnquoted = undefined;
      i++;
      continue;
    }
    if (c === QUOTE || c === EQUALS) {
      note(problems, `unexpected ${JSON.stringify(header[i])} where a parameter name was expected`);
      if (c === QUOTE) readQuoted();
      else i++;
      continue;
    }
    const name = readToken(true);
    skipCfws();
    if (header.charCodeAt(i) !== EQUALS) {
      if (lastUnquoted !== undefined) {
        // `filename=my file.ics`: unquoted value with a space. Clients read up to the `;`.
        lastUnquoted.value += ' ' + name;
        note(problems, 'an unquoted parameter value contains white space');
      } else {
        note(problems, `parameter ${JSON.stringify(name.slice(0, 40))} has no "=value"`);
      }
      continue;
    }
    if (!separated) note(problems, 'parameters not separated by ";"');
    i++;
    skipCfws();
    let param: RawParam;
    if (header.charCodeAt(i) === QUOTE) {
      param = { name: name.toLowerCase(), value: readQuoted() };
      lastUnquoted = undefined;
    } else {
      param = { name: name.toLowerCase(), value: readToken(false) };
      lastUnquoted = param;
    }
    raw.push(param);
    separated = false;
  }
  const params = assembleParams(raw, problems);
  return { value, params, problems: [...problems] };
}

/**
 * Drops the backslash of each quoted-pair. Built in a code-unit array: a regex replace costs
 * ~100 ns per escape, which a hostile header of a million backslashes turns into seconds.
 */
function unescapeQuotedPairs(quoted: string): string {
  const units = new Uint16Array(quoted.length);
  let written = 0;
  for (let i = 0; i < quoted.length; i++) {
    if (quoted.charCodeAt(i) === BACKSLASH) i++;
    if (i < quoted.length) units[written++] = quoted.charCodeAt(i);
  }
  let out = '';
  for (let k = 0; k < written; k += 8192)
    out += String.fromCharCode(...units.subarray(k, Math.min(written, k + 8192)));
  return out;
}

interface Segment {
  readonly value: string;
  readonly extended: boolean;
}

interface Rfc2231Param {
  single?: Segment;
  readonly parts: Map<number, Segment>;
}

// `name*3` / `name*3*`: a continuation (RFC 2231 §3). Digits bounded so the index stays exact.
const CONTINUATION = /^([^*]+)\*(\d{1,6})$/;

/**
 * Merges RFC 2231 continuations (`name*0`, `name*1*`…) and decodes extended values
 * (`charset'language'%XX`). An RFC 2231 form wins over a plain parameter of the same name, as in
 * RFC 2231-aware clients. Duplicates keep the first occurrence.
 */
function assembleParams(raw: readonly RawParam[], problems: Set<string>): Record<string, string> {
  const plain = new Map<string, string>();
  const reported = new Set<string>();
  const duplicate = (name: string): void => {
    if (reported.has(name)) return;
    reported.add(name);
    note(problems, `duplicate parameter "${name.slice(0, 40)}"; the first is used`);
  };
  const extended = new Map<string, Rfc2231Param>();
  for (const { name, value } of raw) {
    if (name === '') continue;
    const isExtended = name.endsWith('*');
    const core = isExtended ? name.slice(0, -1) : name;
    const continuation = core.includes('*') ? CONTINUATION.exec(core) : null;
    if (continuation === null && !isExtended) {
      if (plain.has(name)) duplicate(name);
      else plain.set(name, value);
      continue;
    }
    const base = continuation?.[1] ?? core;
    let entry = extended.get(base);
    if (entry === undefined) {
      entry = { parts: new Map() };
      extended.set(base, entry);
    }
    const segment = { value, extended: isExtended };
    if (continuation === null) {
      if (entry.single === undefined) entry.single = segment;
      else duplicate(name);
    } else {
      const index = Number(continuation[2]);
      if (entry.parts.has(index)) duplicate(name);
      else entry.parts.set(index, segment);
    }
  }
  const result = new Map(plain);
  for (const [base, entry] of extended) {
    const indices = [...entry.parts.keys()].sort((a, b) => a - b);
    let segments: Segment[];
    if (indices.length > 0) {
      if (indices.some((index, position) => index !== position))
        note(
          problems,
          `RFC 2231 continuations of "${base.slice(0, 40)}" are not numbered 0, 1, 2…`,
        );
      segments = indices.map((index) => entry.parts.get(index) ?? { value: '', extended: false });
    } else segments = entry.single === undefined ? [] : [entry.single];
    result.set(base, decodeRfc2231(segments, problems));
  }
  return toParams(result);
}

/**
 * A record without a prototype: a parameter named `__proto__` stays data, and looking up
 * `params['constructor']` finds nothing unless the header says so.
 */
export function toParams(
  entries: Iterable<readonly [string, string]> = [],
): Record<string, string> {
  const params = Object.create(null) as Record<string, string>;
  for (const [name, value] of entries) params[name] = value;
  return params;
}

/** Joins the segments' octets, then applies the charset of the first (RFC 2231 §4). */
function decodeRfc2231(segments: readonly Segment[], problems: Set<string>): string {
  let charset: string | undefined;
  const chunks: Buffer[] = [];
  let rawText = '';
  segments.forEach((segment, position) => {
    let text = segment.value;
    if (segment.extended && position === 0) {
      const first = text.indexOf("'");
      const second = first === -1 ? -1 : text.indexOf("'", first + 1);
      if (second === -1) {
        note(problems, "an RFC 2231 extended value lacks its charset'language' prefix");
      } else {
        charset = text.slice(0, first);
        text = text.slice(second + 1);
      }
    }
    rawText += text;
    chunks.push(segment.extended ? percentDecode(text) : Buffer.from(text, 'utf8'));
  });
  const bytes = Buffer.concat(chunks);
  if (charset === undefined || charset === '') return bytes.toString('utf8');
  return decodeCharset(bytes, charset) ?? rawText;
}

function percentDecode(text: string): Buffer {
  if (!/[%\x80-\uffff]/.test(text)) return Buffer.from(text, 'latin1');
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25 && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) out.push(c);
    else out.push(...Buffer.from(text[i] ?? '', 'utf8'));
  }
  return Buffer.from(out);
}
