import { addressOf, propertiesNamed } from '../calendar-model.ts';
import { defineRule } from '../inspect-types.ts';
import { eventPath, first, methodOf, primaryEvents } from '../rule-helpers.ts';

// A REQUEST (or ADD) whose recipient is not among the ATTENDEEs is a forwarded or Bcc'd invitation
// as far as the client can tell. Thunderbird shows the Accept/Decline buttons but, on a click, cannot
// find "the invited attendee" and asks which identity to answer as, then adds that identity to the
// event itself (calItipUtils.sys.mjs promptInvitedAttendee, the "party crashing" dialog) — the
// organizer then gets a reply from someone they never invited. What Outlook, Gmail and Apple do is
// not documented, so no effect is claimed for them, nor for an ADD (Thunderbird does not process
// ADD at all).
//
// Not for CANCEL: RFC 5546 §3.2.5 lets a CANCEL list only "some" of the attendees, so a recipient
// missing from it is legitimate. Not for REPLY/COUNTER/REFRESH, which go to the organizer. Not when
// the recipient is the ORGANIZER (recipient-is-organizer owns that) and not when the VEVENTs have no
// ATTENDEE at all (a REQUEST without ATTENDEE violates the RFC 5546 §3.2.2 table: itip-presence).
const TO_ATTENDEES = new Set(['REQUEST', 'ADD']);

export const recipientNotAttendee = defineRule({
  id: 'recipient-not-attendee',
  category: 'client',
  severity: 'warning',
  summary:
    'The recipient is not an ATTENDEE: clients treat the invitation as forwarded (Thunderbird asks who is answering).',
  fix: 'Add the recipient as an ATTENDEE (RSVP=TRUE, PARTSTAT=NEEDS-ACTION) or send the invitation only to the listed attendees.',
  source: 'RFC 5546 §3.2.2; Thunderbird calItipUtils.sys.mjs (promptInvitedAttendee)',
  effects: [{ client: 'thunderbird', outcome: 'degraded' }],
  *check(context) {
    const recipient = context.options.recipient;
    const method = methodOf(context);
    if (recipient === undefined || method === undefined || !TO_ATTENDEES.has(method)) return;
    const address = addressOf(recipient);
    const events = primaryEvents(context);
    let attendees = 0;
    for (const event of events) {
      const organizer = first(event.vevent, 'ORGANIZER');
      if (organizer !== undefined && addressOf(organizer.value) === address) return;
      for (const attendee of propertiesNamed(event.vevent, 'ATTENDEE')) {
        if (addressOf(attendee.value) === address) return;
        attendees++;
      }
    }
    const firstEvent = events[0];
    if (attendees === 0 || firstEvent === undefined) return;
    yield {
      message: `the recipient ${address} is not among the ${attendees} ATTENDEE${attendees === 1 ? '' : 's'} of this ${method}`,
      path: eventPath(firstEvent),
      line: firstEvent.vevent.line,
      ...(method === 'ADD' ? { effects: [] } : {}),
    };
  },
});
