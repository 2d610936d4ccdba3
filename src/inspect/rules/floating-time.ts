import { paramValue } from '../calendar-model.ts';
import { dateValueKind } from '../calendar-value-checks.ts';
import { defineRule } from '../inspect-types.ts';
import { isItipMethod } from '../itip-presence.ts';
import { eventPath, methodOf, primaryEvents } from '../rule-helpers.ts';

// RFC 5545 §3.3.5 form #1: a DATE-TIME without "Z" and without TZID is a "floating" time, the same
// wall-clock time wherever the reader is. That suits a published "New Year's party at 20:00", not
// a meeting: an attendee in another zone sees the meeting at the wrong hour. Reported for scheduling
// methods (every iTIP method but PUBLISH). DATE values (all-day events) are not times and never
// count. How each client shows it depends on the reader's zone, so no verdict changes.
const PROPERTIES = ['DTSTART', 'DTEND', 'RECURRENCE-ID', 'EXDATE', 'RDATE'];
const MAX_HITS = 20;

export const floatingTime = defineRule({
  id: 'floating-time',
  category: 'icalendar',
  severity: 'warning',
  summary:
    'A meeting time has neither "Z" nor TZID (floating): every attendee sees it in their own zone.',
  fix: 'Give DTSTART/DTEND a TZID (with its VTIMEZONE) or write them in UTC (…Z).',
  source: 'RFC 5545 §3.3.5 (form #1, floating time)',
  *check(context) {
    const method = methodOf(context);
    if (method === undefined || !isItipMethod(method) || method === 'PUBLISH') return;
    const events = primaryEvents(context);
    let emitted = 0;
    let more = 0;
    for (const event of events) {
      const floating = event.vevent.properties.filter(
        (line) =>
          PROPERTIES.includes(line.name) &&
          paramValue(line, 'TZID') === undefined &&
          dateValueKind(line) === 'date-time',
      );
      const first = floating[0];
      if (first === undefined) continue;
      if (emitted === MAX_HITS) {
        more++;
        continue;
      }
      emitted++;
      const names = [...new Set(floating.map((l) => l.name))].join(', ');
      yield {
        message: `${names} of VEVENT ${event.index} ${floating.length === 1 ? 'is a floating time' : 'are floating times'} (${first.name}:${first.value}) in a ${method}`,
        path: eventPath(event, first.name),
        line: first.line,
      };
    }
    if (more > 0)
      yield {
        message: `…and ${more} more VEVENTs with floating times`,
        path: context.primary?.path ?? '',
      };
  },
});
