import { defineRule } from '../inspect-types.ts';
import { eventPath, first, methodOf, primaryEvents } from '../rule-helpers.ts';

// RFC 5546 §3.2.2 requires ORGANIZER in a REQUEST (and in CANCEL, REPLY, COUNTER…). Gmail shows
// such an invitation as from an "Unknown organizer" and cannot send a reply; Outlook cannot reply
// either.
const NEEDS_ORGANIZER = new Set([
  'REQUEST',
  'CANCEL',
  'REPLY',
  'ADD',
  'COUNTER',
  'DECLINECOUNTER',
  'REFRESH',
]);

const INVITATIONS = new Set(['REQUEST', 'ADD']);

export const noOrganizer = defineRule({
  id: 'no-organizer',
  category: 'client',
  severity: 'error',
  summary:
    'A scheduling message without ORGANIZER: Gmail shows "Unknown organizer", nobody can reply.',
  fix: 'Add ORGANIZER;CN="Name":mailto:organizer@example.com to every VEVENT.',
  source: 'RFC 5546 §3.2.2; Gmail invitation card',
  effects: [
    { client: 'gmail', outcome: 'invitation-without-buttons' },
    { client: 'outlook', outcome: 'invitation-without-buttons' },
  ],
  *check(context) {
    const method = methodOf(context);
    if (method === undefined || !NEEDS_ORGANIZER.has(method)) return;
    for (const event of primaryEvents(context)) {
      if (first(event.vevent, 'ORGANIZER') === undefined) {
        yield {
          // The documented client reactions are to invitations; for a REPLY, CANCEL… it is a
          // violation of RFC 5546 whose effect is not documented, so no verdict changes.
          ...(INVITATIONS.has(method) ? {} : { effects: [] }),
          message: `${method} VEVENT ${event.index} has no ORGANIZER`,
          path: eventPath(event),
          line: event.vevent.line,
        };
      }
    }
  },
});
