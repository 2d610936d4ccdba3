import { defineRule } from '../inspect-types.ts';

// RFC 5545 §3.1: a content line is `name … ":" value CRLF`, so the last line (END:VCALENDAR) ends
// with CRLF too. Parsers that read line by line can drop or mangle an unterminated last line.
// In a message the end of a 7bit/8bit/quoted-printable part is ambiguous: the CRLF before the
// next boundary belongs to the delimiter (RFC 2046 §5.1.1), yet nearly every writer puts
// END:VCALENDAR directly before it and every client reads it as the calendar's line break. So
// only base64 parts are judged, where the encoded bytes are exactly what was written; standalone
// .ics files always are. Independent of bare-lf: converting LF to CRLF does not add a missing
// final line break, so a file can need both fixes and both are reported.
export const missingFinalCrlf = defineRule({
  id: 'missing-final-crlf',
  category: 'syntax',
  severity: 'warning',
  summary: 'The calendar does not end with a line break after its last line.',
  fix: 'End the calendar with CRLF after END:VCALENDAR.',
  source: 'RFC 5545 §3.1',
  *check(context) {
    const part = context.primary;
    if (part === undefined) return;
    if (context.kind === 'message' && part.node?.transferEncoding !== 'base64') return;
    for (const problem of part.scan.problems) {
      if (problem.code !== 'missing-final-crlf') continue;
      yield { message: problem.message, path: part.path, ...lineOf(problem.line) };
    }
  },
});

function lineOf(line: number): { line?: number } {
  return line > 0 ? { line } : {};
}
