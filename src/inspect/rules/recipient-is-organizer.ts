import { addressOf } from '../calendar-model.ts';
import type { RuleEffect } from '../inspect-types.ts';
import { defineRule } from '../inspect-types.ts';
import { eventPath, first, methodOf, primaryEvents } from '../rule-helpers.ts';

// Messages that go from the organizer to the attendees. REPLY, COUNTER and REFRESH go the other
// way (RFC 5546 §3.2.3, §3.2.6, §3.2.7): there the organizer IS the right recipient. PUBLISH has no
// one to answer.
const TO_ATTENDEES = new Set(['REQUEST', 'ADD', 'CANCEL', 'DECLINECOUNTER']);

// When the mailbox that receives a REQUEST is the ORGANIZER, Outlook files it as the organizer's own
// meeting: the InfoBar says "As the meeting organizer, you do not need to respond to the meeting"
// and there are no Accept/Tentative/Decline buttons. Usually the sender put the organizer on the
// envelope by mistake (a Bcc copy to self, or the organizer address used as the "from" and "to" of
// a test). Only a REQUEST changes Outlook's outcome (Outlook shows ADD and DECLINECOUNTER as
// attachments anyway, see method-param-unsupported); for CANCEL the client behaviour is not
// documented, so those findings carry no client effect.
const OUTLOOK_NO_BUTTONS: readonly RuleEffect[] = [
  { client: 'outlook', outcome: 'invitation-without-buttons' },
];

export const recipientIsOrganizer = defineRule({
  id: 'recipient-is-organizer',
  category: 'client',
  severity: 'warning',
  summary:
    'The recipient is the ORGANIZER: Outlook says "you are the organizer" and shows no response buttons.',
  fix: 'Send the invitation to the attendees, not to the ORGANIZER address (or pick the right ORGANIZER).',
  source:
    'RFC 5546 §3.2.2; Outlook meeting InfoBar ("As the meeting organizer, you do not need to respond")',
  effects: OUTLOOK_NO_BUTTONS,
  *check(context) {
    const recipient = context.options.recipient;
    const method = methodOf(context);
    if (recipient === undefined || method === undefined || !TO_ATTENDEES.has(method)) return;
    const address = addressOf(recipient);
    for (const event of primaryEvents(context)) {
      const organizer = first(event.vevent, 'ORGANIZER');
      if (organizer === undefined || addressOf(organizer.value) !== address) continue;
      yield {
        message: `the recipient ${address} is the ORGANIZER of this ${method}`,
        path: eventPath(event, 'ORGANIZER'),
        line: organizer.line,
        effects: method === 'REQUEST' ? OUTLOOK_NO_BUTTONS : [],
      };
      // One finding per message: every VEVENT of an iTIP message has the same organizer.
      return;
    }
  },
});
