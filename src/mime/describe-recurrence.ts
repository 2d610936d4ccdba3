/**
 * Plain English for the recurrence rules people actually use (`Weekly on Tuesday, 10 times`,
 * `Monthly on the last Friday`). Anything else is shown as the raw RRULE value rather than as a
 * guess: a wrong sentence in an invitation is worse than a technical one, and the calendar part is
 * what clients act on anyway.
 */
import { DateTime } from 'luxon';
import {
  formatLongDate,
  monthName,
  toEventZone,
  weekdayName,
  type EventTiming,
} from './format-when.ts';

const DAY_CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
const KNOWN_PARTS = new Set([
  'FREQ',
  'INTERVAL',
  'COUNT',
  'UNTIL',
  'BYDAY',
  'BYMONTHDAY',
  'BYMONTH',
  'BYSETPOS',
  // WKST only changes which weeks count for INTERVAL>1 with several days; the sentence holds.
  'WKST',
]);
const ORDINALS: Readonly<Record<string, string>> = {
  '1': 'first',
  '2': 'second',
  '3': 'third',
  '4': 'fourth',
  '5': 'fifth',
  '-1': 'last',
  '-2': 'second-to-last',
};
const EVERY_WEEKDAY = 'Every weekday (Monday to Friday)';
const UNITS = { DAILY: 'day', WEEKLY: 'week', MONTHLY: 'month', YEARLY: 'year' } as const;
const ADVERBS = { DAILY: 'Daily', WEEKLY: 'Weekly', MONTHLY: 'Monthly', YEARLY: 'Yearly' } as const;

/** `rrule` is an RRULE value without the `RRULE:` prefix; `timing` gives the implied parts. */
export function describeRecurrence(rrule: string, timing: EventTiming): string {
  return describeKnown(rrule, timing) ?? rrule;
}

function describeKnown(rrule: string, timing: EventTiming): string | undefined {
  const parts = new Map<string, string>();
  for (const part of rrule.split(';')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).toUpperCase();
    if (eq <= 0 || !KNOWN_PARTS.has(key) || parts.has(key)) return undefined;
    parts.set(key, part.slice(eq + 1).toUpperCase());
  }
  const freq = parts.get('FREQ');
  if (freq !== 'DAILY' && freq !== 'WEEKLY' && freq !== 'MONTHLY' && freq !== 'YEARLY') {
    return undefined;
  }
  const intervalText = parts.get('INTERVAL') ?? '1';
  if (!/^[1-9]\d*$/.test(intervalText)) return undefined;
  const interval = Number(intervalText);
  const every = interval === 1 ? ADVERBS[freq] : `Every ${interval} ${UNITS[freq]}s`;

  const start = toEventZone(timing.start, timing);
  const pattern = describePattern(freq, parts, start, interval);
  if (pattern === undefined) return undefined;
  const limit = describeLimit(parts, timing);
  if (limit === undefined) return undefined;
  // The weekday pattern is a complete phrase of its own ("Every weekday", not "Weekly every …").
  return (pattern === EVERY_WEEKDAY ? pattern : every + pattern) + limit;
}

/** ` on Tuesday`, ` on the first Monday`, … (after `Weekly`/`Every 2 months`), or undefined. */
function describePattern(
  freq: keyof typeof UNITS,
  parts: ReadonlyMap<string, string>,
  start: DateTime,
  interval: number,
): string | undefined {
  const byDay = parts.get('BYDAY');
  const byMonthDay = parts.get('BYMONTHDAY');
  const byMonth = parts.get('BYMONTH');
  const bySetPos = parts.get('BYSETPOS');
  switch (freq) {
    case 'DAILY':
      return byDay === undefined &&
        byMonthDay === undefined &&
        byMonth === undefined &&
        bySetPos === undefined
        ? ''
        : undefined;
    case 'WEEKLY': {
      if (byMonthDay !== undefined || byMonth !== undefined || bySetPos !== undefined) {
        return undefined;
      }
      // RFC 5545 §3.3.10: without BYDAY the weekday is DTSTART's.
      const days: number[] = [];
      for (const code of byDay === undefined ? [] : byDay.split(',')) {
        const day = plainWeekday(code);
        if (day === undefined) return undefined;
        days.push(day);
      }
      if (byDay === undefined) days.push(start.weekday);
      if (interval === 1 && days.length === 5 && [1, 2, 3, 4, 5].every((d) => days.includes(d))) {
        return EVERY_WEEKDAY;
      }
      const names = days.map(weekdayName);
      return ' on ' + joinList(names);
    }
    case 'MONTHLY': {
      if (byMonth !== undefined) return undefined;
      const day = nthWeekday(byDay, bySetPos);
      if (day !== undefined) return byMonthDay === undefined ? ` on the ${day}` : undefined;
      if (byDay !== undefined || bySetPos !== undefined) return undefined;
      return monthDayPhrase(byMonthDay ?? String(start.day));
    }
    case 'YEARLY': {
      const month = Number(byMonth ?? start.month);
      if (!Number.isInteger(month) || month < 1 || month > 12) return undefined;
      const day = nthWeekday(byDay, bySetPos);
      if (day !== undefined) {
        return byMonthDay === undefined && byMonth !== undefined
          ? ` on the ${day} of ${monthName(month)}`
          : undefined;
      }
      if (byDay !== undefined || bySetPos !== undefined) return undefined;
      const dayOfMonth = byMonthDay ?? String(start.day);
      if (!/^[1-9]\d?$/.test(dayOfMonth) || Number(dayOfMonth) > 31) return undefined;
      return ` on ${dayOfMonth} ${monthName(month)}`;
    }
  }
}

/** `MO` → 1 … `SU` → 7; undefined for anything with an ordinal. */
function plainWeekday(code: string): number | undefined {
  const index = (DAY_CODES as readonly string[]).indexOf(code);
  return index === -1 ? undefined : index + 1;
}

/** `first Tuesday` from BYDAY=1TU, or from BYDAY=TU;BYSETPOS=1 (the form Outlook writes). */
function nthWeekday(byDay: string | undefined, bySetPos: string | undefined): string | undefined {
  if (byDay === undefined) return undefined;
  const match = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/.exec(byDay);
  if (match === null) return undefined;
  const ordinalText = match[1] ?? bySetPos;
  if (ordinalText === undefined || (match[1] !== undefined && bySetPos !== undefined)) {
    return undefined;
  }
  const ordinal = ORDINALS[String(Number(ordinalText))];
  const weekday = plainWeekday(match[2] ?? '');
  return ordinal === undefined || weekday === undefined
    ? undefined
    : `${ordinal} ${weekdayName(weekday)}`;
}

function monthDayPhrase(value: string): string | undefined {
  if (value === '-1') return ' on the last day';
  if (!/^[1-9]\d?$/.test(value) || Number(value) > 31) return undefined;
  return ` on day ${value}`;
}

/** `, 10 times`, `, until Thursday 31 December 2026`, '' — or undefined when unreadable. */
function describeLimit(
  parts: ReadonlyMap<string, string>,
  timing: EventTiming,
): string | undefined {
  const count = parts.get('COUNT');
  const until = parts.get('UNTIL');
  if (count !== undefined && until !== undefined) return undefined;
  if (count !== undefined) {
    if (!/^[1-9]\d*$/.test(count)) return undefined;
    return count === '1' ? ', once' : `, ${count} times`;
  }
  if (until !== undefined) {
    const date = parseUntil(until, timing);
    return date === undefined ? undefined : `, until ${formatLongDate(date)}`;
  }
  return '';
}

/** UNTIL as a date (`20261231`) or a UTC date-time (`20261231T225959Z`), in the event's zone. */
function parseUntil(value: string, timing: EventTiming): DateTime | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$/.exec(value);
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s, z] = match;
  const fields = {
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour: Number(h ?? 0),
    minute: Number(mi ?? 0),
    second: Number(s ?? 0),
  };
  // A date-only or floating UNTIL is read in the event's own zone; `Z` is an instant.
  const eventZone = timing.allDay ? 'UTC' : (timing.timeZone ?? 'UTC');
  const dt = DateTime.fromObject(fields, { zone: z === 'Z' ? 'UTC' : eventZone });
  return dt.isValid ? toEventZone(dt, timing) : undefined;
}

/** `A`, `A and B`, `A, B and C`. */
function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return items.slice(0, -1).join(', ') + ' and ' + (items[items.length - 1] ?? '');
}
