import { defineRule } from '../inspect-types.ts';
import { eventPath, first, primaryEvents } from '../rule-helpers.ts';

// RFC 5545 §3.8.7.2: DTSTAMP "MUST be specified in the UTC time format". Clients compare DTSTAMPs
// to order messages with the same SEQUENCE; a local time makes that comparison wrong.
export const dtstampNotUtc = defineRule({
  id: 'dtstamp-not-utc',
  category: 'icalendar',
  severity: 'error',
  summary: 'DTSTAMP is not a UTC date-time (…Z).',
  fix: 'Write DTSTAMP as the UTC time the object was created, e.g. DTSTAMP:20261121T090000Z.',
  source: 'RFC 5545 §3.8.7.2',
  *check(context) {
    for (const event of primaryEvents(context)) {
      const line = first(event.vevent, 'DTSTAMP');
      if (line === undefined) continue;
      if (!/^\d{8}T\d{6}Z$/.test(line.value.trim()) || line.params.some((p) => p.name === 'TZID')) {
        yield {
          message: `DTSTAMP "${line.value}" is not in UTC`,
          path: eventPath(event, 'DTSTAMP'),
          line: line.line,
        };
      }
    }
  },
});
