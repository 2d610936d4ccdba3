import { defineRule, type CalendarPart, type InspectContext } from '../inspect-types.ts';

// RFC 5545 §3.1: every content line ends with CRLF. Most clients also read LF-only calendars, so
// this is a warning. For messages, only line endings that are surely the sender's count: saving an
// email to disk (git checkouts, mbox exports, "Save as .eml" on Unix) routinely turns every CRLF
// into LF, which would make this fire on nearly every real-world .eml file. So a 7bit, 8bit or
// quoted-printable calendar part is only judged when the message's own header lines still end in
// CRLF (the file was not converted); a base64 part always is, since conversion cannot reach inside
// the encoding. A standalone .ics is always judged. Bare CR line ends are reported here too.
export const bareLf = defineRule({
  id: 'bare-lf',
  category: 'syntax',
  severity: 'warning',
  summary: 'Calendar lines end in a bare LF (or CR) instead of CRLF.',
  fix: 'End every calendar line with CRLF (\\r\\n), including the last one.',
  source: 'RFC 5545 §3.1',
  *check(context) {
    const part = context.primary;
    if (part === undefined || !lineEndsAsSent(context, part)) return;
    for (const problem of part.scan.problems) {
      if (problem.code !== 'bare-lf') continue;
      yield { message: problem.message, path: part.path, ...lineOf(problem.line) };
    }
  },
});

/** Whether the part's line endings are the sender's (not possibly converted when saved). */
function lineEndsAsSent(context: InspectContext, part: CalendarPart): boolean {
  if (context.kind === 'calendar' || part.node?.transferEncoding === 'base64') return true;
  const lf = context.raw.indexOf(0x0a);
  return lf > 0 && context.raw[lf - 1] === 0x0d;
}

function lineOf(line: number): { line?: number } {
  return line > 0 ? { line } : {};
}
