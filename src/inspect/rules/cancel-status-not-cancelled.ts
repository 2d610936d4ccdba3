import { defineRule } from '../inspect-types.ts';
import { eventPath, first, methodOf, primaryEvents } from '../rule-helpers.ts';

// RFC 5546 §3.2.5 (CANCEL table, STATUS row): "MUST be set to CANCELLED to cancel the entire event.
// If uninviting specific Attendees, then MUST NOT be included." A STATUS other than CANCELLED is a
// table violation that itip-presence reports (its CHECKED_COMMENTS include this comment), so this
// rule only covers the other half: STATUS absent. From one message it cannot be told whether the
// CANCEL uninvites some attendees (then no STATUS is right) or cancels the event (then it is a MUST),
// hence a warning. Outlook and Thunderbird act on the METHOD, not on STATUS (Outlook derives the
// message class from METHOD, [MS-OXCICAL] METHOD property; Thunderbird's calItipUtils.sys.mjs
// processFoundItems deletes the item on any CANCEL), so no client effect is claimed.
export const cancelStatusNotCancelled = defineRule({
  id: 'cancel-status-not-cancelled',
  category: 'client',
  severity: 'warning',
  summary:
    'A CANCEL VEVENT without STATUS:CANCELLED: required when the whole event (or occurrence) is cancelled.',
  fix: 'Write STATUS:CANCELLED in every VEVENT of a CANCEL that cancels the event; leave it out only when uninviting some attendees.',
  source: 'RFC 5546 §3.2.5',
  *check(context) {
    if (methodOf(context) !== 'CANCEL') return;
    let hits = 0;
    let more = 0;
    for (const event of primaryEvents(context)) {
      if (first(event.vevent, 'STATUS') !== undefined) continue;
      if (hits >= 20) {
        more++;
        continue;
      }
      hits++;
      yield {
        message: `CANCEL VEVENT ${event.index} has no STATUS (STATUS:CANCELLED unless it only uninvites attendees)`,
        path: eventPath(event),
        line: event.vevent.line,
      };
    }
    if (more > 0) {
      yield {
        message: `…and ${more} more CANCEL VEVENTs without STATUS`,
        path: context.primary?.path ?? 'calendar',
      };
    }
  },
});
