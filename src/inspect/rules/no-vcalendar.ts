import { defineRule } from '../inspect-types.ts';

// RFC 5545 §3.4: an iCalendar stream is one or more VCALENDAR objects, and RFC 6047 §2.4 carries
// exactly one in the text/calendar part. A part without BEGIN:VCALENDAR (a bare VEVENT, an HTML
// page or an error text sent as text/calendar, an empty body) holds no event any client can show,
// so at best the part stays a file attached to the mail. This rule owns the scanner codes
// `no-calendar` and `unreadable` (text beyond what can be decoded at all: only reachable past V8's
// string limit, far above the engine's size cap); a message with no calendar part at all is
// no-calendar-part's, which never co-fires because then there is no part to scan.
export const noVcalendar = defineRule({
  id: 'no-vcalendar',
  category: 'syntax',
  severity: 'error',
  summary: 'The calendar part holds no BEGIN:VCALENDAR object: there is no event to show.',
  fix: 'Send one complete BEGIN:VCALENDAR … END:VCALENDAR object as the text/calendar body.',
  source: 'RFC 5545 §3.4; RFC 6047 §2.4',
  effects: [
    { client: 'outlook', outcome: 'attachment' },
    { client: 'gmail', outcome: 'attachment' },
    { client: 'apple', outcome: 'attachment' },
    { client: 'thunderbird', outcome: 'attachment' },
  ],
  *check(context) {
    const part = context.primary;
    if (part === undefined) return;
    for (const problem of part.scan.problems) {
      if (problem.code === 'unreadable') {
        yield { message: problem.message, path: part.path };
      } else if (problem.code === 'no-calendar') {
        yield {
          message: describeMissing(part.path, part.scan.components, part.text),
          path: part.path,
        };
      }
    }
  },
});

function describeMissing(
  path: string,
  components: readonly { readonly name: string }[],
  text: string,
): string {
  if (text.trim() === '') return `calendar part ${path} is empty: no BEGIN:VCALENDAR`;
  const found = [...new Set(components.map((c) => c.name))].slice(0, 5);
  return found.length === 0
    ? `calendar part ${path} has no BEGIN:VCALENDAR (no component at all)`
    : `calendar part ${path} has no BEGIN:VCALENDAR; it starts with BEGIN:${found.join(', BEGIN:')} instead`;
}
