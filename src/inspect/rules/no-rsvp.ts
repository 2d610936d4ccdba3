import { addressOf, paramValue, propertiesNamed, type ContentLine } from '../calendar-model.ts';
import type { RuleEffect, RuleHit } from '../inspect-types.ts';
import { defineRule } from '../inspect-types.ts';
import { eventPath, first, methodOf, primaryEvents, capped } from '../rule-helpers.ts';

// RFC 5545 §3.2.17: RSVP defaults to FALSE, "no reply expected". Clients differ in what they make
// of that:
// - Outlook/Exchange set the meeting's ResponseRequested from RSVP: TRUE if any ATTENDEE has
//   RSVP=TRUE, FALSE if none has ([MS-OXCICAL] §2.1.3.1.1.20.2.5, [MS-OXOCAL] PidTagResponseRequested);
//   with FALSE the client does not send the answer to the organizer ([MS-OXOCAL] §3.1.4.8.4), so
//   the organizer never learns who comes.
// - Apple Calendar/Mail show no Accept/Decline for an attendee without RSVP=TRUE; adding RSVP=TRUE
//   brings them back (nextcloud/calendar#102, macOS Calendar).
// - Thunderbird shows the buttons whatever RSVP says (calItipUtils.sys.mjs getOptionsText), and so
//   does Gmail (adamgibbons/ics#285): no effect for them.
// Attendees that are not asked to answer are left out: ROLE=NON-PARTICIPANT (copied for
// information, RFC 5545 §3.2.16) and CUTYPE=ROOM/RESOURCE (booked by a server, not a person).
const MAX_HITS = 20;

/** Whether an ATTENDEE is asked to answer at all (also used by no-partstat). */
export function expectsAnswer(attendee: ContentLine): boolean {
  const role = paramValue(attendee, 'ROLE')?.toUpperCase();
  const cutype = paramValue(attendee, 'CUTYPE')?.toUpperCase();
  return role !== 'NON-PARTICIPANT' && cutype !== 'ROOM' && cutype !== 'RESOURCE';
}

const rsvpTrue = (attendee: ContentLine) => paramValue(attendee, 'RSVP')?.toUpperCase() === 'TRUE';

const APPLE: RuleEffect = { client: 'apple', outcome: 'invitation-without-buttons' };
const OUTLOOK: RuleEffect = { client: 'outlook', outcome: 'degraded' };

export const noRsvp = defineRule({
  id: 'no-rsvp',
  category: 'client',
  severity: 'warning',
  summary:
    'No RSVP=TRUE on the ATTENDEE: Apple shows no Accept/Decline, Outlook sends no answer when no attendee has it.',
  fix: 'Write RSVP=TRUE on every ATTENDEE that is expected to answer (RFC 5545 §3.2.17 defaults to FALSE).',
  source:
    'RFC 5545 §3.2.17; [MS-OXCICAL] §2.1.3.1.1.20.2.5; [MS-OXOCAL] §3.1.4.8.4; Apple Calendar (nextcloud/calendar#102)',
  effects: [OUTLOOK, APPLE],
  *check(context) {
    if (methodOf(context) !== 'REQUEST') return;
    const recipient =
      context.options.recipient === undefined ? undefined : addressOf(context.options.recipient);
    const all = function* (): Generator<RuleHit> {
      for (const event of primaryEvents(context)) {
        const attendees = propertiesNamed(event.vevent, 'ATTENDEE');
        const organizer = first(event.vevent, 'ORGANIZER');
        const organizerAddress = organizer === undefined ? undefined : addressOf(organizer.value);
        // Outlook's ResponseRequested looks at every ATTENDEE, rooms included.
        const effects = attendees.some(rsvpTrue) ? [APPLE] : [OUTLOOK, APPLE];
        let hit: RuleHit | undefined;
        if (recipient !== undefined) {
          // The recipient's own ATTENDEE decides; when the recipient is the organizer or not listed,
          // recipient-is-organizer / recipient-not-attendee say so instead.
          if (recipient === organizerAddress) continue;
          const own = attendees.find((a) => addressOf(a.value) === recipient);
          if (own === undefined || !expectsAnswer(own) || rsvpTrue(own)) continue;
          hit = {
            message: `the recipient's ATTENDEE ${recipient} has ${describe(own)}`,
            path: eventPath(event, 'ATTENDEE'),
            line: own.line,
            effects,
          };
        } else {
          const asked = attendees.filter(
            (a) => expectsAnswer(a) && addressOf(a.value) !== organizerAddress,
          );
          if (asked.length === 0 || asked.some(rsvpTrue)) continue;
          hit = {
            message:
              asked.length === 1
                ? `the only ATTENDEE expected to answer (${addressOf(asked[0]?.value ?? '').slice(0, 80)}) has no RSVP=TRUE`
                : `none of the ${asked.length} ATTENDEEs expected to answer has RSVP=TRUE`,
            path: eventPath(event, 'ATTENDEE'),
            line: asked[0]?.line ?? event.vevent.line,
            effects,
          };
        }
        yield hit;
      }
    };
    // The client effects were already given by the listed hits.
    yield* capped(all(), MAX_HITS, (more, first) => ({
      message: `…and ${more} more VEVENTs without RSVP=TRUE`,
      path: first.path,
      effects: [],
    }));
  },
});

function describe(attendee: ContentLine): string {
  const rsvp = paramValue(attendee, 'RSVP');
  return rsvp === undefined ? 'no RSVP parameter (default FALSE)' : `RSVP=${rsvp}`;
}
