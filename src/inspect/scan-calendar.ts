/**
 * The inspector's iCalendar scanner: bytes → physical lines → unfolded content lines → BEGIN/END
 * tree, recording what was written and every syntax problem on the way (RFC 5545 §3.1, §3.4, §3.6).
 * ical.js handles semantics elsewhere; lint rules need the raw view (quoting, escaping, duplicates,
 * physical line numbers, damage), which a parser normalises away.
 *
 * Never throws and stays linear: one pass over the text with charCodeAt, slices instead of
 * per-character strings, folded pieces joined once, and per-line problems capped so a broken
 * 20 MB attachment yields a short report rather than a million entries.
 */
import { isUtf8 } from 'node:buffer';
import type { CalendarScan } from './calendar-model.ts';
import {
  MAX_PROBLEMS_PER_CODE,
  createProblemLog,
  type ProblemLog,
} from './calendar-problem-log.ts';
import { createTreeBuilder } from './calendar-tree-builder.ts';
import {
  firstInvalidUtf8,
  joinSplitSequences,
  lineAtOffset,
  measureLongLines,
} from './calendar-utf8.ts';

export {
  AT_MOST_ONCE,
  TEXT_LIST_PROPERTIES,
  TEXT_PROPERTIES,
  checkTextValue,
  dateValueKind,
  parseDateValue,
  parseDurationValue,
  splitTextList,
  unescapeText,
  type DateValue,
  type DateValueKind,
} from './calendar-value-checks.ts';

export { MAX_PROBLEMS_PER_CODE } from './calendar-problem-log.ts';
export { MAX_COMPONENT_DEPTH } from './calendar-tree-builder.ts';

/** RFC 5545 §3.1: "Lines of text SHOULD NOT be longer than 75 octets, excluding the line break." */
export const MAX_LINE_OCTETS = 75;

/**
 * Scans an iCalendar text. A Buffer is checked as UTF-8 (RFC 5545 §3.1.4 makes UTF-8 the default
 * charset) and decoded with replacement; a string is taken as already decoded. Never throws.
 */
export function scanCalendar(input: Buffer | string): CalendarScan {
  try {
    return scan(input);
  } catch (error) {
    // Only reachable for inputs beyond V8's string limit (~512 MiB); the engine caps sizes well below.
    return {
      components: [],
      problems: [{ code: 'unreadable', line: 0, message: `Could not scan: ${String(error)}` }],
      lines: 0,
    };
  }
}

function scan(input: Buffer | string): CalendarScan {
  const problems = createProblemLog();
  const decoded = typeof input === 'string' ? fromString(input) : fromBytes(input, problems);
  const { text, start } = decoded;
  const builder = createTreeBuilder(problems);

  let lineNumber = 0;
  let bareLf = 0;
  let bareCr = 0;
  let firstBareLine = 0;
  let longLines = decoded.longLines?.count ?? 0;
  let firstLong = decoded.longLines?.firstLine ?? 0;
  let firstLongOctets = decoded.longLines?.firstOctets ?? 0;
  const measure = decoded.longLines === undefined;

  // The logical (unfolded) line being assembled.
  let logicalLine = 0;
  let firstStart = 0;
  let firstEnd = 0;
  let pieces: string[] | undefined;
  let orphan = false;
  // Blank lines are only reported once something follows them: trailing blank lines after the
  // last END are what MIME decoders and editors leave behind, and no client minds them.
  const pendingBlank: number[] = [];
  let pendingBlankCount = 0;
  let firstUnlistedBlank = 0;

  const finishLogical = (): void => {
    if (logicalLine === 0) return;
    if (pieces === undefined) {
      builder.addLine(text, firstStart, firstEnd, logicalLine, orphan);
    } else {
      const joined = pieces.join('');
      builder.addLine(joined, 0, joined.length, logicalLine, orphan);
    }
    logicalLine = 0;
    pieces = undefined;
    orphan = false;
  };
  const flushBlank = (): void => {
    for (const line of pendingBlank) {
      problems.add('empty-line', line, 'Blank line: not a content line (RFC 5545 §3.1); ignored');
    }
    problems.suppressed('empty-line', pendingBlankCount - pendingBlank.length, firstUnlistedBlank);
    pendingBlank.length = 0;
    pendingBlankCount = 0;
  };

  const n = text.length;
  let pos = start;
  while (pos < n) {
    lineNumber++;
    const lineStart = pos;
    let octets = 0;
    let control = -1;
    let i = pos;
    let c = 0;
    for (; i < n; i++) {
      c = text.charCodeAt(i);
      if (c < 0x80) {
        if (c < 0x20) {
          if (c === 0x0a || c === 0x0d) break;
          if (c !== 0x09 && control < 0) control = c;
        } else if (c === 0x7f && control < 0) control = c;
        octets++;
      } else {
        // UTF-8 length per UTF-16 unit: a surrogate pair (4 octets) is two units of 2.
        octets += c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdfff ? 2 : 3;
      }
    }
    const lineEnd = i;
    if (i < n) {
      if (c === 0x0d && text.charCodeAt(i + 1) === 0x0a) {
        pos = i + 2;
      } else {
        if (c === 0x0d) bareCr++;
        else bareLf++;
        if (firstBareLine === 0) firstBareLine = lineNumber;
        pos = i + 1;
      }
    } else {
      pos = n;
    }

    if (measure && octets > MAX_LINE_OCTETS) {
      if (longLines === 0) {
        firstLong = lineNumber;
        firstLongOctets = octets;
      }
      longLines++;
    }
    if (control >= 0) {
      const found = control;
      problems.add(
        'control-character',
        lineNumber,
        () => `Control character ${codePoint(found)} in content (RFC 5545 §3.1 allows only HTAB)`,
      );
    }

    if (lineEnd === lineStart) {
      finishLogical();
      if (pendingBlank.length < MAX_PROBLEMS_PER_CODE) pendingBlank.push(lineNumber);
      else if (pendingBlankCount === pendingBlank.length) firstUnlistedBlank = lineNumber;
      pendingBlankCount++;
      continue;
    }
    const first = text.charCodeAt(lineStart);
    if ((first === 0x20 || first === 0x09) && logicalLine !== 0) {
      // RFC 5545 §3.1: unfolding removes the line break and the one whitespace character after it.
      (pieces ??= [text.slice(firstStart, firstEnd)]).push(text.slice(lineStart + 1, lineEnd));
      continue;
    }
    finishLogical();
    if (pendingBlankCount > 0) flushBlank();
    logicalLine = lineNumber;
    orphan = first === 0x20 || first === 0x09;
    firstStart = orphan ? lineStart + 1 : lineStart;
    firstEnd = lineEnd;
  }
  finishLogical();

  if (bareLf + bareCr > 0) {
    const kinds = [
      bareLf > 0 ? `${bareLf} bare LF` : '',
      bareCr > 0 ? `${bareCr} bare CR` : '',
    ].filter((s) => s !== '');
    problems.add(
      'bare-lf',
      firstBareLine,
      `Lines end in ${kinds.join(' and ')} instead of CRLF (RFC 5545 §3.1); first at line ${firstBareLine}`,
    );
  }
  if (longLines > 0) {
    problems.add(
      'line-too-long',
      firstLong,
      `${longLines} line${longLines === 1 ? '' : 's'} longer than ${MAX_LINE_OCTETS} octets (RFC 5545 §3.1 folds at 75); first at line ${firstLong} (${firstLongOctets} octets)`,
    );
  }
  if (n > start) {
    const last = text.charCodeAt(n - 1);
    if (last !== 0x0a && last !== 0x0d) {
      problems.add(
        'missing-final-crlf',
        lineNumber,
        'The last line has no line break (RFC 5545 §3.1: every content line ends with CRLF)',
      );
    }
  }
  const components = builder.finish();
  return { components, problems: problems.list(), lines: lineNumber };
}

interface Decoded {
  readonly text: string;
  /** Index where content starts (after a BOM). */
  readonly start: number;
  /** Long-line counts measured on the bytes (slow path); undefined: measure on the text. */
  readonly longLines?: { count: number; firstLine: number; firstOctets: number };
}

function fromString(input: string): Decoded {
  return { text: input, start: input.charCodeAt(0) === 0xfeff ? 1 : 0 };
}

function fromBytes(input: Uint8Array, problems: ProblemLog): Decoded {
  // A UTF-8 BOM is tolerated: Windows tools write one and every client skips it.
  const bytes =
    input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf ? input.subarray(3) : input;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Fast path: valid as a whole means no fold splits a character (a split leaves an incomplete
  // sequence before the line break), so decoding the whole text at once is exact.
  if (isUtf8(buffer)) return { text: buffer.toString('utf8'), start: 0 };
  const longLines = measureLongLines(bytes, MAX_LINE_OCTETS);
  const joined = joinSplitSequences(bytes);
  const invalidAt = firstInvalidUtf8(joined);
  if (invalidAt >= 0) {
    const line = lineAtOffset(joined, invalidAt);
    const byte = (joined[invalidAt] ?? 0).toString(16).toUpperCase().padStart(2, '0');
    problems.add(
      'invalid-utf8',
      line,
      `Invalid UTF-8 (byte 0x${byte}), first at line ${line}; decoded with U+FFFD replacement characters`,
    );
  }
  const text = Buffer.from(joined.buffer, joined.byteOffset, joined.byteLength).toString('utf8');
  return { text, start: 0, longLines };
}

function codePoint(c: number): string {
  return `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
}
