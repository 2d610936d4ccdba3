import { paramValue, type ContentLine } from '../calendar-model.ts';
import { dateValueKind, parseDurationValue } from '../calendar-value-checks.ts';
import { defineRule, type TimeInfo } from '../inspect-types.ts';
import { eventPath, first, primaryEvents } from '../rule-helpers.ts';

// RFC 5545 §3.8.2.2: DTEND's "value MUST be later in time than the value of the DTSTART property"
// — so DTEND equal to DTSTART is invalid too, for all-day events (DTEND is exclusive: the next day)
// as for timed ones. A negative DURATION (§3.3.6 allows the sign for alarm triggers) puts the end
// before the start the same way, as does a zero DURATION on an all-day event. In one zone the
// values as written are compared; across zones the instants, when both resolve (VTIMEZONE, or an
// IANA/Windows name, as the event summaries do); otherwise nothing is said. DTSTART and DTEND of different value types
// are mixed-date-types' finding.
const MAX_HITS = 20;

type Kind = 'date' | 'floating' | 'utc' | 'zoned';

function kindOf(line: ContentLine): Kind | undefined {
  switch (dateValueKind(line)) {
    case 'date':
      return 'date';
    case 'date-time':
      return paramValue(line, 'TZID') === undefined ? 'floating' : 'zoned';
    case 'date-time-utc':
      return 'utc';
    case 'period':
    case 'invalid':
      return undefined;
  }
}

/** Negative: end before start; 0: same; undefined: cannot tell. */
function compare(
  start: ContentLine,
  end: ContentLine,
  startInfo: TimeInfo | undefined,
  endInfo: TimeInfo | undefined,
): number | undefined {
  const startKind = kindOf(start);
  const endKind = kindOf(end);
  if (startKind === undefined || endKind === undefined) return undefined;
  if ((startKind === 'date') !== (endKind === 'date')) return undefined;
  const sameFrame =
    startKind === endKind &&
    (startKind !== 'zoned' || paramValue(start, 'TZID') === paramValue(end, 'TZID'));
  if (sameFrame) {
    // Same zone (or both UTC, both floating, both dates): the values as written compare directly,
    // whatever a possibly broken VTIMEZONE would make of them.
    const a = start.value;
    const b = end.value;
    return a === b ? 0 : b < a ? -1 : 1;
  }
  if (startInfo?.utc === undefined || endInfo?.utc === undefined) return undefined;
  return Math.sign(Date.parse(endInfo.utc) - Date.parse(startInfo.utc));
}

export const endNotAfterStart = defineRule({
  id: 'end-not-after-start',
  category: 'icalendar',
  severity: 'error',
  summary: 'The event ends before (or when) it starts: DTEND ≤ DTSTART, or a negative DURATION.',
  fix: 'Make DTEND later than DTSTART (for all-day events: the day after the last day), or use a positive DURATION.',
  source: 'RFC 5545 §3.8.2.2, §3.6.1',
  *check(context) {
    let emitted = 0;
    let more = 0;
    for (const event of primaryEvents(context)) {
      const start = first(event.vevent, 'DTSTART');
      if (start === undefined) continue;
      const info = event.part.events[event.index];
      const end = first(event.vevent, 'DTEND');
      const duration = first(event.vevent, 'DURATION');
      let problem: { message: string; line: ContentLine } | undefined;
      if (end !== undefined) {
        const order = compare(start, end, info?.start, info?.end);
        if (order !== undefined && order <= 0) {
          problem = {
            message: `DTEND ${end.value} is ${order === 0 ? 'equal to' : 'before'} DTSTART ${start.value}`,
            line: end,
          };
        }
      }
      if (problem === undefined && duration !== undefined) {
        const seconds = parseDurationValue(duration.value.trim());
        if (seconds !== undefined && (seconds < 0 || (seconds === 0 && kindOf(start) === 'date'))) {
          problem = {
            message: `DURATION ${duration.value.trim()} ${seconds < 0 ? 'is negative' : 'is zero for an all-day event'}`,
            line: duration,
          };
        }
      }
      if (problem === undefined) continue;
      if (emitted === MAX_HITS) {
        more++;
        continue;
      }
      emitted++;
      yield {
        message: `VEVENT ${event.index}: ${problem.message}`,
        path: eventPath(event, problem.line.name),
        line: problem.line.line,
      };
    }
    if (more > 0)
      yield {
        message: `…and ${more} more VEVENTs that end before they start`,
        path: context.primary?.path ?? '',
      };
  },
});
