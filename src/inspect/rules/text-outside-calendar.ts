import { defineRule } from '../inspect-types.ts';

// RFC 5545 §3.4: an iCalendar stream is only VCALENDAR objects (icalstream = 1*icalobject), so
// nothing may come before the first BEGIN:VCALENDAR or after the last END:VCALENDAR. Typical
// causes: a signature or mail footer appended to the part, a byte-order mark written as text, a
// template header. Lenient clients ignore the text; ical.js rejects the whole stream ("invalid
// line"). One
// rule for both scanner codes (text-before-begin, text-after-end); trailing blank lines are not
// reported (see empty-line).
export const textOutsideCalendar = defineRule({
  id: 'text-outside-calendar',
  category: 'syntax',
  severity: 'warning',
  summary: 'Text before BEGIN:VCALENDAR or after END:VCALENDAR.',
  fix: 'Send only the BEGIN:VCALENDAR … END:VCALENDAR object in the calendar part; put other text in the text/plain part.',
  source: 'RFC 5545 §3.4',
  *check(context) {
    const part = context.primary;
    if (part === undefined) return;
    for (const problem of part.scan.problems) {
      if (problem.code !== 'text-before-begin' && problem.code !== 'text-after-end') continue;
      yield { message: problem.message, path: part.path, ...lineOf(problem.line) };
    }
  },
});

function lineOf(line: number): { line?: number } {
  return line > 0 ? { line } : {};
}
