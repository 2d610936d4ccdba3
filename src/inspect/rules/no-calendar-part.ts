import { defineRule } from '../inspect-types.ts';

// RFC 6047 §2.4: an iMIP message carries the iCalendar object as a text/calendar body part. Without
// one, every client shows a plain email.
export const noCalendarPart = defineRule({
  id: 'no-calendar-part',
  category: 'mime',
  severity: 'error',
  summary: 'The message has no text/calendar (or application/ics) part: it is not an invitation.',
  fix: 'Add the iCalendar object as a text/calendar; method=…; charset=UTF-8 part inside multipart/alternative.',
  source: 'RFC 6047 §2.4',
  *check(context) {
    if (context.kind === 'message' && context.calendarParts.length === 0) {
      yield { message: 'no calendar part was found in the message', path: 'message' };
    }
  },
});
