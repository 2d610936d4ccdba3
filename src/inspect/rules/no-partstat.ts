import { addressOf, paramValue, propertiesNamed } from '../calendar-model.ts';
import type { RuleHit } from '../inspect-types.ts';
import { defineRule } from '../inspect-types.ts';
import { eventPath, first, methodOf, primaryEvents, capped } from '../rule-helpers.ts';
import { expectsAnswer } from './no-rsvp.ts';

// RFC 5545 §3.2.12: PARTSTAT defaults to NEEDS-ACTION, so leaving it out is valid. Apple's calendar
// stack, however, only files an invitation as a pending "inbox item" (the invitation to answer in
// Calendar's notifications) when the attendee says PARTSTAT=NEEDS-ACTION; CalDAV servers add it to
// incoming invitations for that reason (sabre-io/vobject#144). Thunderbird is not affected
// (CalAttendee.sys.mjs defaults participationStatus to NEEDS-ACTION); no effect is documented for
// Outlook or Gmail.
//
// With a known recipient only the recipient's own ATTENDEE counts; without one, every ATTENDEE that
// is asked to answer (see no-rsvp: not NON-PARTICIPANT, not ROOM/RESOURCE, not the organizer listed
// as an attendee). One finding per VEVENT, at most MAX_HITS of them.
const MAX_HITS = 20;
const MAX_LISTED = 3;

export const noPartstat = defineRule({
  id: 'no-partstat',
  category: 'client',
  severity: 'warning',
  summary:
    'An ATTENDEE of a REQUEST has no PARTSTAT: Apple Calendar does not list it as an invitation to answer.',
  fix: 'Write PARTSTAT=NEEDS-ACTION on every ATTENDEE of a new invitation.',
  source: 'RFC 5545 §3.2.12; Apple Calendar inbox items (sabre-io/vobject#144)',
  effects: [{ client: 'apple', outcome: 'degraded' }],
  *check(context) {
    if (methodOf(context) !== 'REQUEST') return;
    const recipient =
      context.options.recipient === undefined ? undefined : addressOf(context.options.recipient);
    const all = function* (): Generator<RuleHit> {
      for (const event of primaryEvents(context)) {
        const organizer = first(event.vevent, 'ORGANIZER');
        const organizerAddress = organizer === undefined ? undefined : addressOf(organizer.value);
        const missing = propertiesNamed(event.vevent, 'ATTENDEE').filter((a) => {
          const address = addressOf(a.value);
          if (paramValue(a, 'PARTSTAT') !== undefined || address === organizerAddress) return false;
          return recipient === undefined ? expectsAnswer(a) : address === recipient;
        });
        const line = missing[0]?.line;
        if (line === undefined) continue;
        const named = missing.slice(0, MAX_LISTED).map((a) => addressOf(a.value).slice(0, 80));
        const rest = missing.length - named.length;
        const hit: RuleHit = {
          message: `ATTENDEE${missing.length === 1 ? '' : 's'} ${named.join(', ')}${rest > 0 ? ` and ${rest} more` : ''} ${missing.length === 1 ? 'has' : 'have'} no PARTSTAT`,
          path: eventPath(event, 'ATTENDEE'),
          line,
        };
        yield hit;
      }
    };
    yield* capped(all(), MAX_HITS, (more, first) => ({
      message: `…and ${more} more VEVENTs with ATTENDEEs without PARTSTAT`,
      path: first.path,
    }));
  },
});
