import { propertiesNamed } from '../calendar-model.ts';
import { defineRule } from '../inspect-types.ts';
import { eventPath, methodOf, primaryEvents } from '../rule-helpers.ts';

// RFC 6047 §2.3: in an iCalendar object sent by iMIP the ORGANIZER and ATTENDEE calendar addresses
// MUST be email addresses, i.e. mailto: URIs (RFC 5545 §3.3.3 CAL-ADDRESS). Replies go to the
// ORGANIZER's mailto: address and attendees are matched to mailboxes by theirs (Thunderbird:
// calItipUtils.sys.mjs getAttendeesBySender compares "mailto:" + sender); a bare address, an
// http:/urn:uuid: value or a mailto: without "@" leaves the client nobody to answer or no attendee
// to match. Which button or banner each client then drops is not documented, so no effect is
// claimed. PUBLISH is not checked: nobody replies to it. A missing ORGANIZER is no-organizer's.
const MAX_HITS = 20;

export const organizerNotMailto = defineRule({
  id: 'organizer-not-mailto',
  category: 'client',
  severity: 'warning',
  summary:
    'An ORGANIZER or ATTENDEE value is not a mailto: address: replies cannot be sent or matched.',
  fix: 'Write calendar addresses as mailto:name@example.com (CN="…" for the display name).',
  source: 'RFC 6047 §2.3; RFC 5545 §3.3.3',
  *check(context) {
    const method = methodOf(context);
    if (method === undefined || method === 'PUBLISH') return;
    let hits = 0;
    let more = 0;
    let firstPath = '';
    for (const event of primaryEvents(context)) {
      for (const name of ['ORGANIZER', 'ATTENDEE']) {
        for (const line of propertiesNamed(event.vevent, name)) {
          const value = line.value.trim();
          if (/^mailto:[^\s@]+@[^\s@]+$/i.test(value)) continue;
          if (hits >= MAX_HITS) {
            more++;
            continue;
          }
          hits++;
          const path = eventPath(event, name);
          firstPath ||= path;
          const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
          yield {
            message: `${name} "${shown}" is not a mailto: email address`,
            path,
            line: line.line,
          };
        }
      }
    }
    if (more > 0) {
      yield {
        message: `…and ${more} more calendar addresses that are not mailto:`,
        path: firstPath,
      };
    }
  },
});
