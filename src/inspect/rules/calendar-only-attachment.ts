import { defineRule } from '../inspect-types.ts';

// Outlook acts only on a text/calendar part in the message body (multipart/alternative); an .ics
// that is only attached is a file to open (Microsoft: "meeting requests must be sent as
// text/calendar body parts"). Gmail does parse an application/ics attachment, Apple Mail and
// Thunderbird offer to import it but show no invitation bar.
export const calendarOnlyAttachment = defineRule({
  id: 'calendar-only-attachment',
  category: 'mime',
  severity: 'error',
  summary:
    'The calendar is only attached, not inline in multipart/alternative: Outlook shows a file, not an invitation.',
  fix: 'Put the calendar in a text/calendar part inside multipart/alternative (the attachment may stay as a copy).',
  source: 'RFC 6047 §2.4; Outlook/Exchange iMIP handling',
  effects: [
    { client: 'outlook', outcome: 'attachment' },
    { client: 'apple', outcome: 'attachment' },
    { client: 'thunderbird', outcome: 'attachment' },
  ],
  *check(context) {
    if (context.kind !== 'message' || context.calendarParts.length === 0) return;
    if (context.calendarParts.every((p) => p.placement === 'attachment')) {
      const paths = context.calendarParts.map((p) => p.path).join(', ');
      yield {
        message: `the only calendar part${context.calendarParts.length > 1 ? 's are' : ' is'} an attachment (${paths})`,
        path: context.calendarParts[0]?.path ?? 'message',
      };
    }
  },
});
