import { isUtf8 } from 'node:buffer';
import { firstInvalidUtf8, joinSplitSequences, lineAtOffset } from '../calendar-utf8.ts';
import { defineRule } from '../inspect-types.ts';

// RFC 5545 §3.1.4: the default charset of an iCalendar stream is UTF-8, and RFC 6047 §2.4 makes
// UTF-8 the charset of iMIP in practice. Bytes that are not UTF-8 reach the user as U+FFFD
// replacement characters (or as mojibake, in a client that guesses a legacy charset).
// Coordination with the MIME rule invalid-charset: that rule owns every part with a charset=
// parameter whose decoding failed (charset=UTF-8 included); this one owns standalone .ics files
// and parts without a charset parameter (or an empty one), which are read as UTF-8 by default.
// Exactly one of the two fires for the same bytes.
export const invalidUtf8 = defineRule({
  id: 'invalid-utf8',
  category: 'syntax',
  severity: 'error',
  summary: 'The calendar is not valid UTF-8: clients show replacement characters or mojibake.',
  fix: 'Encode the calendar as UTF-8 (or declare its real charset with charset=…).',
  source: 'RFC 5545 §3.1.4; RFC 6047 §2.4',
  *check(context) {
    const part = context.primary;
    if (part === undefined || (part.charset?.trim() ?? '') !== '') return;
    if (part.charset === undefined) {
      for (const problem of part.scan.problems) {
        if (problem.code !== 'invalid-utf8') continue;
        yield { message: problem.message, path: part.path, ...lineOf(problem.line) };
      }
      return;
    }
    // An empty charset= is read as UTF-8 too, but the engine scanned the decoded text, so check
    // the bytes here the way the scanner does (a fold may split a character).
    if (isUtf8(part.bytes)) return;
    const joined = joinSplitSequences(part.bytes);
    const offset = firstInvalidUtf8(joined);
    if (offset < 0) return;
    const line = lineAtOffset(joined, offset);
    yield {
      message: `Invalid UTF-8 (byte 0x${(joined[offset] ?? 0).toString(16).toUpperCase().padStart(2, '0')}), first at line ${line}, in a part with an empty charset parameter`,
      path: part.path,
      line,
    };
  },
});

function lineOf(line: number): { line?: number } {
  return line > 0 ? { line } : {};
}
