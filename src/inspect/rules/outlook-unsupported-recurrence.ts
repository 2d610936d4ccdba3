import { FREQUENCIES } from '../../model/invite.ts';
import { propertiesNamed, type ContentLine } from '../calendar-model.ts';
import type { RuleHit } from '../inspect-types.ts';
import { defineRule } from '../inspect-types.ts';
import { eventPath, primaryEvents, type LocatedEvent, capped } from '../rule-helpers.ts';

// Outlook stores a recurrence as one AppointmentRecurrencePattern and imports only the RRULEs that
// fit the templates of [MS-OXCICAL] §2.1.3.2.2 (daily, weekly, monthly on one day, monthly on the
// nth weekday, yearly, yearly on the nth weekday; each BY part with a single value, BYHOUR/BYMINUTE
// at most once, no BYSECOND/BYWEEKNO/BYYEARDAY, no SECONDLY/MINUTELY/HOURLY). A meeting request
// whose recurrence does not fit cannot be converted and arrives as a plain message with an attachment
// named "not supported calendar message.ics" (Microsoft KB 2643084, which names "every month on the
// nth day and the nth day", "the nth weekday and the nth weekday", and RDATE without RRULE). RDATE
// needs an RRULE in the same VEVENT ([MS-OXCICAL] §2.1.3.1.1.20.18); an event has one RRULE
// ([MS-OXCICAL] §2.1.3.1.1.20.19, "Number of Instances Allowed: 0, 1").
//
// A malformed RRULE (no FREQ, unknown FREQ) is left to invalid-rrule. The rule looks at every VEVENT
// of the calendar clients act on, whatever the METHOD: on .ics import Outlook skips such an event
// ("contains a recurrence pattern that Outlook does not support", w3c/calendar#25).
const RFC_FREQUENCIES: ReadonlySet<string> = new Set(FREQUENCIES);
const SINGLE_VALUED = ['BYMONTHDAY', 'BYMONTH', 'BYSETPOS', 'BYHOUR', 'BYMINUTE'] as const;
const MAX_HITS = 20;

const shorten = (value: string) => (value.length > 120 ? `${value.slice(0, 120)}…` : value);

/** Why Outlook cannot represent one RRULE value; empty when it can (or the RRULE is malformed). */
function outlookRecurrenceProblems(value: string): string[] {
  const parts = new Map<string, string>();
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim().toUpperCase();
    if (!parts.has(key)) parts.set(key, part.slice(eq + 1).trim());
  }
  const freq = parts.get('FREQ')?.toUpperCase();
  if (freq === undefined || !RFC_FREQUENCIES.has(freq)) return [];
  const problems: string[] = [];
  if (freq === 'SECONDLY' || freq === 'MINUTELY' || freq === 'HOURLY')
    problems.push(`FREQ=${freq}`);
  for (const key of ['BYSECOND', 'BYWEEKNO', 'BYYEARDAY']) {
    if (parts.has(key)) problems.push(key);
  }
  const list = (key: string) =>
    (parts.get(key) ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
  for (const key of SINGLE_VALUED) {
    const values = list(key);
    if (values.length > 1)
      problems.push(`${key}=${shorten(values.join(','))} (more than one value)`);
  }
  const byday = list('BYDAY');
  if (parts.has('BYMONTHDAY') && byday.length > 0) problems.push('BYMONTHDAY together with BYDAY');
  if (freq === 'MONTHLY' || freq === 'YEARLY') {
    const nth = byday.filter((d) => /^[+-]?\d/.test(d));
    if (nth.length > 1 || (nth.length === 1 && byday.length > 1))
      problems.push(`BYDAY=${shorten(byday.join(','))} (more than one nth weekday)`);
  }
  return problems;
}

export const outlookUnsupportedRecurrence = defineRule({
  id: 'outlook-unsupported-recurrence',
  category: 'client',
  severity: 'error',
  summary:
    'A recurrence Outlook cannot represent: it shows a "not supported calendar message.ics" attachment.',
  fix: 'Use one RRULE with a single BYMONTHDAY / nth BYDAY / BYMONTH / BYSETPOS value (split other patterns into several events); never RDATE without RRULE.',
  source: '[MS-OXCICAL] §2.1.3.2.2, §2.1.3.1.1.20.18, §2.1.3.1.1.20.19; Microsoft KB 2643084',
  effects: [{ client: 'outlook', outcome: 'attachment' }],
  *check(context) {
    yield* capped(primaryEvents(context).flatMap(eventProblems), MAX_HITS, (more, first) => ({
      message: `…and ${more} more recurrences Outlook cannot represent`,
      path: first.path,
    }));
  },
});

function eventProblems(event: LocatedEvent): RuleHit[] {
  const rrules = propertiesNamed(event.vevent, 'RRULE');
  const hits: RuleHit[] = [];
  const hitAt = (line: ContentLine, message: string) =>
    hits.push({ message, path: eventPath(event, line.name), line: line.line });
  const second = rrules[1];
  if (second !== undefined) {
    hitAt(
      second,
      `VEVENT ${event.index} has ${rrules.length} RRULEs; Outlook takes one recurrence pattern`,
    );
  }
  for (const rrule of rrules) {
    const problems = outlookRecurrenceProblems(rrule.value);
    if (problems.length > 0) hitAt(rrule, `RRULE:${shorten(rrule.value)} — ${problems.join('; ')}`);
  }
  const rdate = propertiesNamed(event.vevent, 'RDATE')[0];
  if (rdate !== undefined && rrules.length === 0) {
    hitAt(rdate, `VEVENT ${event.index} has RDATE without RRULE`);
  }
  return hits;
}
