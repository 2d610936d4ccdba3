import { addressOf, paramValue } from '../calendar-model.ts';
import { defineRule } from '../inspect-types.ts';
import { headerAddresses } from '../mail-address-header.ts';
import { headerValue } from '../mime-model.ts';
import { eventPath, first, methodOf, primaryEvents } from '../rule-helpers.ts';

// An organizer's message (REQUEST, ADD, CANCEL, DECLINECOUNTER) whose From — and Sender, if any —
// is neither the ORGANIZER nor the ORGANIZER's SENT-BY: as far as the recipient can tell, someone
// else is changing the organizer's event. RFC 5545 §3.2.18 SENT-BY is how iCalendar names the one
// "acting on behalf of" the organizer, and RFC 5546 §6.1 lists spoofing the organizer among iTIP's
// threats; a booking service sending for the organizer, or a delegate, is legitimate exactly when
// the calendar says so. Not for REPLY/COUNTER/REFRESH (attendees send those) nor PUBLISH (nobody
// answers it; a store's "add to calendar" mail from noreply@ is normal).
//
// What clients are known to do (researched for this rule):
// - Tuta's calendar ignores updates and cancellations whose sender is not the ORGANIZER
//   (github.com/tutao/tutanota issue 3907, "In this case we do not process the calendar event
//   update"; issue 5785 keeps "updates that do not come from the original inviting email address
//   are still ignored"), and Cronofy's Smart Invite docs warn that "some calendar services and
//   clients can refuse to process invites where the sender of the email does not match the
//   organizer" (docs.cronofy.com/developers/smart-invites/organizer-email). Hence a warning.
// - Thunderbird does not compare them: calItipUtils.sys.mjs finds the item by UID for REQUEST and
//   CANCEL, and uses the From address only to find the replying attendee of a REPLY/COUNTER
//   (getAttendeesBySender, which accepts SENT-BY); the banner names the ORGANIZER's CN
//   (calInvitationUtils getItipHeader). No effect.
// - Outlook/Exchange match updates by UID (PidLidGlobalObjectId, MS-OXCICAL) and show "Sender on
//   behalf of From" for a Sender header (MS-OXOMSG PidTagSender* / PidTagSentRepresenting*);
//   nothing documented drops a message for From ≠ ORGANIZER. Gmail's "only if the sender is
//   known" setting decides whether an invitation is added by itself, without documenting whether
//   "sender" means From or ORGANIZER; Apple documents nothing. So no effect is claimed for them.
const FROM_ORGANIZER = new Set(['REQUEST', 'ADD', 'CANCEL', 'DECLINECOUNTER']);
const SHOWN = 80;

export const fromNotOrganizer = defineRule({
  id: 'from-not-organizer',
  category: 'client',
  severity: 'warning',
  summary:
    'Neither From nor Sender is the ORGANIZER or its SENT-BY: some clients ignore such updates as not from the organizer.',
  fix: 'Send as the ORGANIZER, or name the sending address in ORGANIZER;SENT-BY="mailto:…" (smtp-invite --service or --sender).',
  source:
    'RFC 5545 §3.2.18 (SENT-BY); RFC 5546 §6.1; tutao/tutanota issues 3907 and 5785; docs.cronofy.com smart-invites organizer-email; Thunderbird calItipUtils.sys.mjs (no check)',
  *check(context) {
    const root = context.root;
    const method = methodOf(context);
    if (root === undefined || method === undefined || !FROM_ORGANIZER.has(method)) return;
    const from = headerAddresses(headerValue(root, 'From'));
    // No readable From at all is not this rule's business (nothing to compare).
    if (from.length === 0) return;
    const sender = headerAddresses(headerValue(root, 'Sender'));
    for (const event of primaryEvents(context)) {
      const organizer = first(event.vevent, 'ORGANIZER');
      if (organizer === undefined) continue;
      const address = addressOf(organizer.value);
      // A non-mailto ORGANIZER is organizer-not-mailto's finding, not a mismatch.
      if (!address.includes('@')) return;
      const sentBy = paramValue(organizer, 'SENT-BY');
      const allowed = new Set([address, ...(sentBy === undefined ? [] : [addressOf(sentBy)])]);
      if ([...from, ...sender].some((a) => allowed.has(a))) return;
      const shown = (list: string[]) =>
        list
          .slice(0, 3)
          .map((a) => (a.length > SHOWN ? `${a.slice(0, SHOWN - 3)}...` : a))
          .join(', ');
      yield {
        message:
          `the ${method} is From ${shown(from)}${sender.length > 0 ? ` (Sender ${shown(sender)})` : ''}, ` +
          `not the ORGANIZER ${shown([address])}${sentBy === undefined ? ' (no SENT-BY)' : ` nor its SENT-BY ${shown([addressOf(sentBy)])}`}`,
        path: eventPath(event, 'ORGANIZER'),
        line: organizer.line,
      };
      // One finding per message: every VEVENT of an iTIP message has the same organizer.
      return;
    }
  },
});
