import {
  componentsNamed,
  paramValue,
  type Component,
  type ContentLine,
} from '../calendar-model.ts';
import { dateValueKind, parseDateValue } from '../calendar-value-checks.ts';
import { defineRule } from '../inspect-types.ts';

// RFC 5545 §3.3.10 (with verified erratum 4414): FREQ is REQUIRED; every rule part MUST NOT occur
// more than once; UNTIL and COUNT MUST NOT occur together; UNTIL MUST have DTSTART's value type —
// a DATE for an all-day DTSTART, a local time for a floating one, UTC when DTSTART is UTC or has a
// TZID, and always UTC in a VTIMEZONE's STANDARD/DAYLIGHT. Part values have fixed ranges. A broken
// rule is dropped or expanded differently by each client, so the series shows other occurrences
// (or none). Parts of RFC 7529 (RSCALE, SKIP) and X- parts are accepted.
const MAX_HITS = 20;
const MAX_LISTED = 5;

const FREQS = new Set(['SECONDLY', 'MINUTELY', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY']);
const WEEKDAY = '(SU|MO|TU|WE|TH|FR|SA)';

/** Value checks per part: a test of each comma-separated item. */
const PARTS: ReadonlyMap<string, ((item: string) => boolean) | undefined> = new Map<
  string,
  ((item: string) => boolean) | undefined
>([
  ['FREQ', undefined],
  ['UNTIL', undefined],
  ['COUNT', positive],
  ['INTERVAL', positive],
  ['BYSECOND', range(0, 60)],
  ['BYMINUTE', range(0, 59)],
  ['BYHOUR', range(0, 23)],
  ['BYDAY', (item) => byDay(item)],
  ['BYMONTHDAY', signedRange(31)],
  ['BYYEARDAY', signedRange(366)],
  ['BYWEEKNO', signedRange(53)],
  ['BYMONTH', range(1, 12)],
  ['BYSETPOS', signedRange(366)],
  ['WKST', (item) => new RegExp(`^${WEEKDAY}$`, 'i').test(item)],
  ['RSCALE', undefined],
  ['SKIP', (item) => /^(OMIT|BACKWARD|FORWARD)$/i.test(item)],
]);

function positive(item: string): boolean {
  return /^\d{1,9}$/.test(item) && Number(item) >= 1;
}
function range(min: number, max: number) {
  return (item: string) => /^\d{1,2}$/.test(item) && Number(item) >= min && Number(item) <= max;
}
function signedRange(max: number) {
  return (item: string) => {
    const m = /^[+-]?(\d{1,3})$/.exec(item);
    return m !== null && Number(m[1]) >= 1 && Number(m[1]) <= max;
  };
}
function byDay(item: string): boolean {
  const m = new RegExp(`^([+-]?\\d{1,2})?${WEEKDAY}$`, 'i').exec(item);
  if (m === null) return false;
  return m[1] === undefined || (Math.abs(Number(m[1])) >= 1 && Math.abs(Number(m[1])) <= 53);
}

type StartKind = 'date' | 'floating' | 'utc-or-zoned' | undefined;

function startKind(dtstart: ContentLine | undefined): StartKind {
  if (dtstart === undefined) return undefined;
  switch (dateValueKind(dtstart)) {
    case 'date':
      return 'date';
    case 'date-time':
      return paramValue(dtstart, 'TZID') === undefined ? 'floating' : 'utc-or-zoned';
    case 'date-time-utc':
      return 'utc-or-zoned';
    case 'period':
    case 'invalid':
      return undefined;
  }
}

/** Problems of one RRULE value; [] when fine. `inTimezone`: in STANDARD/DAYLIGHT. */
function rruleProblems(value: string, start: StartKind, inTimezone: boolean): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const raw of value.trim().split(';')) {
    if (raw === '') continue;
    const eq = raw.indexOf('=');
    if (eq <= 0) {
      problems.push(`"${raw}" is not NAME=VALUE`);
      continue;
    }
    const name = raw.slice(0, eq).toUpperCase();
    const partValue = raw.slice(eq + 1);
    if (seen.has(name)) {
      problems.push(`${name} appears twice`);
      continue;
    }
    seen.set(name, partValue);
    if (name.startsWith('X-')) continue;
    if (!PARTS.has(name)) {
      problems.push(`unknown part ${name}`);
      continue;
    }
    const test = PARTS.get(name);
    const bad = test === undefined ? [] : partValue.split(',').filter((item) => !test(item));
    if (bad.length > 0) problems.push(`${name}=${partValue} is invalid ("${bad[0] ?? ''}")`);
  }
  const freq = seen.get('FREQ');
  if (freq === undefined) problems.push('no FREQ');
  else if (!FREQS.has(freq.toUpperCase())) problems.push(`FREQ=${freq} is not a frequency`);
  const until = seen.get('UNTIL');
  if (until !== undefined && seen.has('COUNT')) problems.push('both UNTIL and COUNT');
  if (until !== undefined) {
    const parsed = parseDateValue(until);
    if (parsed === undefined) problems.push(`UNTIL=${until} is not a date or date-time`);
    else {
      const wanted: StartKind = inTimezone ? 'utc-or-zoned' : start;
      const got: StartKind =
        parsed.kind === 'date' ? 'date' : parsed.utc ? 'utc-or-zoned' : 'floating';
      if (wanted !== undefined && wanted !== got)
        problems.push(`UNTIL=${until} ${UNTIL_WORDS[wanted]}`);
    }
  }
  return problems;
}

const UNTIL_WORDS = {
  date: 'must be a DATE like DTSTART',
  floating: 'must be a local (floating) date-time like DTSTART',
  'utc-or-zoned': 'must be a UTC date-time (…Z)',
} as const;

export const invalidRrule = defineRule({
  id: 'invalid-rrule',
  category: 'icalendar',
  severity: 'error',
  summary:
    'An RRULE is malformed: no FREQ, unknown or repeated parts, COUNT with UNTIL, or UNTIL of the wrong type.',
  fix: 'Write the RRULE as RFC 5545 §3.3.10 says, e.g. FREQ=WEEKLY;BYDAY=MO;UNTIL=20270101T000000Z.',
  source: 'RFC 5545 §3.3.10 (erratum 4414), §3.8.5.3',
  *check(context) {
    const part = context.primary;
    const vcalendar = part?.vcalendar;
    if (part === undefined || vcalendar === undefined) return;
    const targets: { component: Component; path: string; inTimezone: boolean }[] = [];
    for (const [index, vevent] of componentsNamed(vcalendar, 'VEVENT').entries())
      targets.push({ component: vevent, path: `${part.path}/VEVENT[${index}]`, inTimezone: false });
    for (const [index, zone] of componentsNamed(vcalendar, 'VTIMEZONE').entries()) {
      const counts = new Map<string, number>();
      for (const rule of zone.components) {
        if (rule.name !== 'STANDARD' && rule.name !== 'DAYLIGHT') continue;
        const n = counts.get(rule.name) ?? 0;
        counts.set(rule.name, n + 1);
        targets.push({
          component: rule,
          path: `${part.path}/VTIMEZONE[${index}]/${rule.name}[${n}]`,
          inTimezone: true,
        });
      }
    }
    let emitted = 0;
    let more = 0;
    for (const target of targets) {
      const start = startKind(target.component.properties.find((p) => p.name === 'DTSTART'));
      for (const rrule of target.component.properties) {
        if (rrule.name !== 'RRULE') continue;
        const problems = rruleProblems(rrule.value, start, target.inTimezone);
        if (problems.length === 0) continue;
        if (emitted === MAX_HITS) {
          more++;
          continue;
        }
        emitted++;
        const listed =
          problems.length > MAX_LISTED
            ? [...problems.slice(0, MAX_LISTED), `…and ${problems.length - MAX_LISTED} more`]
            : problems;
        yield {
          message: `RRULE:${rrule.value.length > 120 ? `${rrule.value.slice(0, 120)}…` : rrule.value} — ${listed.join('; ')}`,
          path: `${target.path}/RRULE`,
          line: rrule.line,
        };
      }
    }
    if (more > 0) yield { message: `…and ${more} more invalid RRULEs`, path: part.path };
  },
});
