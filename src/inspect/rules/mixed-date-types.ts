import { paramValue, type ContentLine } from '../calendar-model.ts';
import { dateValueKind } from '../calendar-value-checks.ts';
import { defineRule } from '../inspect-types.ts';
import { eventPath, first, primaryEvents } from '../rule-helpers.ts';

// RFC 5545 §3.8.2.2: DTEND's value type "MUST be the same as the DTSTART property", and it "MUST be
// specified as a date with local time if and only if the DTSTART property is also specified as a
// date with local time". An all-day DTSTART with a timed DTEND (or the reverse), or a floating
// start with a UTC/TZID end, has no one meaning: clients disagree on whether the event is all-day
// and how long it lasts.
const MAX_HITS = 20;

function describe(line: ContentLine): 'date' | 'floating' | 'fixed' | undefined {
  switch (dateValueKind(line)) {
    case 'date':
      return 'date';
    case 'date-time':
      return paramValue(line, 'TZID') === undefined ? 'floating' : 'fixed';
    case 'date-time-utc':
      return 'fixed';
    case 'period':
    case 'invalid':
      return undefined;
  }
}

const WORDS = {
  date: 'a DATE (all-day)',
  floating: 'a floating DATE-TIME (no Z, no TZID)',
  fixed: 'a DATE-TIME in UTC or with TZID',
} as const;

export const mixedDateTypes = defineRule({
  id: 'mixed-date-types',
  category: 'icalendar',
  severity: 'error',
  summary:
    'DTSTART and DTEND have different value types (DATE vs DATE-TIME, or floating vs UTC/TZID).',
  fix: 'Write DTEND like DTSTART: both VALUE=DATE for all-day events, both with the same kind of time otherwise.',
  source: 'RFC 5545 §3.8.2.2',
  *check(context) {
    let emitted = 0;
    let more = 0;
    for (const event of primaryEvents(context)) {
      const start = first(event.vevent, 'DTSTART');
      const end = first(event.vevent, 'DTEND');
      if (start === undefined || end === undefined) continue;
      const startKind = describe(start);
      const endKind = describe(end);
      if (startKind === undefined || endKind === undefined || startKind === endKind) continue;
      if (emitted === MAX_HITS) {
        more++;
        continue;
      }
      emitted++;
      yield {
        message: `VEVENT ${event.index}: DTSTART is ${WORDS[startKind]} but DTEND is ${WORDS[endKind]}`,
        path: eventPath(event, 'DTEND'),
        line: end.line,
      };
    }
    if (more > 0)
      yield {
        message: `…and ${more} more VEVENTs with mixed DTSTART/DTEND types`,
        path: context.primary?.path ?? '',
      };
  },
});
