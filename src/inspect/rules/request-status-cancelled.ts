import { defineRule } from '../inspect-types.ts';
import { eventPath, first, methodOf, primaryEvents } from '../rule-helpers.ts';

// RFC 5546 §3.2.5: an event is cancelled with METHOD:CANCEL; a REQUEST may only say STATUS
// TENTATIVE or CONFIRMED (§3.2.2 table). Clients dispatch on the METHOD: Outlook turns a REQUEST into
// a meeting request or update ([MS-OXCICAL] METHOD mapping), Thunderbird into an invitation or update
// (calItipUtils.sys.mjs processFoundItems), so a "cancellation" sent as REQUEST+STATUS:CANCELLED
// leaves the event in every calendar — at best shown as cancelled, often with Accept buttons.
// This rule owns that case; the generic RFC 5546 table check (itip-presence) should not report the
// same STATUS value again.
export const requestStatusCancelled = defineRule({
  id: 'request-status-cancelled',
  category: 'client',
  severity: 'error',
  summary:
    'METHOD:REQUEST with STATUS:CANCELLED used as a cancellation: clients keep the event in the calendar.',
  fix: 'Cancel with METHOD:CANCEL (same UID, higher SEQUENCE, STATUS:CANCELLED), not with a REQUEST.',
  source: 'RFC 5546 §3.2.2, §3.2.5',
  effects: [
    { client: 'outlook', outcome: 'degraded' },
    { client: 'gmail', outcome: 'degraded' },
    { client: 'apple', outcome: 'degraded' },
    { client: 'thunderbird', outcome: 'degraded' },
  ],
  *check(context) {
    if (methodOf(context) !== 'REQUEST') return;
    for (const event of primaryEvents(context)) {
      const status = first(event.vevent, 'STATUS');
      if (status?.value.trim().toUpperCase() !== 'CANCELLED') continue;
      yield {
        message: `a REQUEST with STATUS:CANCELLED does not cancel the event (VEVENT ${event.index})`,
        path: eventPath(event, 'STATUS'),
        line: status.line,
      };
      // One finding is enough: the whole message is the wrong way to cancel.
      return;
    }
  },
});
