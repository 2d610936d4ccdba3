import { defineRule } from '../inspect-types.ts';
import { eventPath, first, primaryEvents } from '../rule-helpers.ts';

// RFC 5545 §3.6.1: "either 'dtend' or 'duration' MAY appear in a 'eventprop', but 'dtend' and
// 'duration' MUST NOT occur in the same 'eventprop'" (RFC 5546's tables say the same; this rule owns
// it). With both, clients pick one — Outlook imports DURATION only when DTEND is missing
// ([MS-STANOICAL] V0133) — and disagree when they differ.
const MAX_HITS = 20;

export const dtendAndDuration = defineRule({
  id: 'dtend-and-duration',
  category: 'icalendar',
  severity: 'error',
  summary: 'A VEVENT has both DTEND and DURATION.',
  fix: 'Keep DTEND and remove DURATION (or the reverse).',
  source: 'RFC 5545 §3.6.1; RFC 5546 §3.2',
  *check(context) {
    let emitted = 0;
    let more = 0;
    for (const event of primaryEvents(context)) {
      const end = first(event.vevent, 'DTEND');
      const duration = first(event.vevent, 'DURATION');
      if (end === undefined || duration === undefined) continue;
      if (emitted === MAX_HITS) {
        more++;
        continue;
      }
      emitted++;
      yield {
        message: `VEVENT ${event.index} has DTEND:${end.value} and DURATION:${duration.value}`,
        path: eventPath(event, 'DURATION'),
        line: duration.line,
      };
    }
    if (more > 0)
      yield {
        message: `…and ${more} more VEVENTs with both DTEND and DURATION`,
        path: context.primary?.path ?? '',
      };
  },
});
