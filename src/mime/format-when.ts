/**
 * English dates and times for the human-readable parts of an invitation. Deliberately no Intl and
 * no luxon `toFormat`/`toLocaleString`: names come from our own tables and numbers from luxon's
 * zone-aware getters, so the text is the same on every host locale and time zone (the suite runs
 * under TZ=UTC and TZ=America/New_York) and costs a few string concatenations.
 */
import type { DateTime } from 'luxon';
import type { Invite } from '../model/invite.ts';

/** The fields of an Invite that say when it happens. */
export type EventTiming = Pick<Invite, 'start' | 'end' | 'allDay' | 'timeZone'>;

const WEEKDAYS = [
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
  'Sunday',
] as const;
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

/** luxon weekday (1 = Monday … 7 = Sunday) → English name. */
export function weekdayName(weekday: number): string {
  return WEEKDAYS[weekday - 1] ?? '?';
}

/** Month number (1–12) → English name. */
export function monthName(month: number): string {
  return MONTHS[month - 1] ?? '?';
}

function pad2(n: number): string {
  return n < 10 ? '0' + String(n) : String(n);
}

/**
 * `dt` in the zone its event is written in: timed events in `timeZone` (UTC when null), all-day
 * dates as the date they name, in UTC. The model already delivers them so; this only guards against
 * a DateTime built elsewhere (say, in the host zone), which would silently shift the text.
 */
export function toEventZone(
  dt: DateTime,
  timing: Pick<EventTiming, 'allDay' | 'timeZone'>,
): DateTime {
  // An all-day date is a calendar date, not an instant: keep its day, whatever zone it came in.
  if (timing.allDay) return dt.zoneName === 'UTC' ? dt : dt.setZone('UTC', { keepLocalTime: true });
  const zone = timing.timeZone ?? 'UTC';
  return dt.zoneName === zone ? dt : dt.setZone(zone);
}

/** `Tuesday 1 December 2026`. */
export function formatLongDate(dt: DateTime): string {
  return `${weekdayName(dt.weekday)} ${dt.day} ${monthName(dt.month)} ${dt.year}`;
}

/** `Tue 1 Dec`. */
function formatShortDayMonth(dt: DateTime): string {
  return `${weekdayName(dt.weekday).slice(0, 3)} ${dt.day} ${monthName(dt.month).slice(0, 3)}`;
}

/** `Tue 1 Dec 2026`. */
export function formatShortDate(dt: DateTime): string {
  return `${formatShortDayMonth(dt)} ${dt.year}`;
}

/** `10:00`, 24-hour; seconds only when there are some. */
export function formatTime(dt: DateTime): string {
  const hm = pad2(dt.hour) + ':' + pad2(dt.minute);
  return dt.second === 0 ? hm : hm + ':' + pad2(dt.second);
}

/** `UTC+01:00`, `UTC−05:00` (with U+2212 MINUS SIGN, as typeset offsets are). */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '\u2212' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

function sameDay(a: DateTime, b: DateTime): boolean {
  return a.year === b.year && a.month === b.month && a.day === b.day;
}

interface Span {
  readonly start: DateTime;
  /** Timed: the end; all-day: the last day (the exclusive end minus one day). */
  readonly end: DateTime;
  /** Both ends on one calendar day (timed), or a single day (all-day). */
  readonly oneDay: boolean;
}

function spanOf(timing: EventTiming): Span {
  const start = toEventZone(timing.start, timing);
  const end = toEventZone(timing.end, timing);
  if (timing.allDay) {
    // DTEND of an all-day event is exclusive (RFC 5545 §3.6.1): 24–27 Dec is the 24th to the 26th.
    const last = end.minus({ days: 1 });
    const oneDay = last.toMillis() <= start.toMillis() || sameDay(last, start);
    return { start, end: oneDay ? start : last, oneDay };
  }
  // A meeting that ends exactly at midnight is still read as a one-day meeting (22:00–00:00).
  const endsAtMidnight = end.hour === 0 && end.minute === 0 && end.second === 0;
  const oneDay =
    sameDay(start, end) ||
    (endsAtMidnight &&
      end.toMillis() - start.toMillis() < 86_400_000 &&
      sameDay(end.minus({ days: 1 }), start));
  return { start, end, oneDay };
}

/** `Europe/Berlin, UTC+01:00`; both offsets when the event spans a DST change; `UTC` for UTC. */
function zoneLabel(timing: EventTiming, span: Span): string {
  if (timing.timeZone === null) return 'UTC';
  const from = formatOffset(span.start.offset);
  const to = formatOffset(span.end.offset);
  return from === to ? `${timing.timeZone}, ${from}` : `${timing.timeZone}, ${from} to ${to}`;
}

function timeRange(span: Span): string {
  return span.end.toMillis() === span.start.toMillis()
    ? formatTime(span.start)
    : `${formatTime(span.start)}–${formatTime(span.end)}`;
}

/**
 * The full sentence for the bodies:
 * - `Tuesday 1 December 2026, 10:00–11:00 (America/New_York, UTC−05:00)`
 * - `Tuesday 1 December 2026, 22:00 – Wednesday 2 December 2026, 01:00 (Europe/Berlin, UTC+01:00)`
 * - `Thursday 24 December 2026 (all day)`, `Thursday 24 December – Saturday 26 December 2026 (all day)`
 */
export function formatWhen(timing: EventTiming): string {
  const span = spanOf(timing);
  if (timing.allDay) {
    if (span.oneDay) return `${formatLongDate(span.start)} (all day)`;
    const first =
      span.start.year === span.end.year
        ? `${weekdayName(span.start.weekday)} ${span.start.day} ${monthName(span.start.month)}`
        : formatLongDate(span.start);
    return `${first} – ${formatLongDate(span.end)} (all day)`;
  }
  const zone = zoneLabel(timing, span);
  if (span.oneDay) return `${formatLongDate(span.start)}, ${timeRange(span)} (${zone})`;
  return (
    `${formatLongDate(span.start)}, ${formatTime(span.start)} – ` +
    `${formatLongDate(span.end)}, ${formatTime(span.end)} (${zone})`
  );
}

/**
 * The compact form for the Subject: `Tue 1 Dec 2026 10:00–11:00 (Europe/Berlin)`,
 * `Tue 1 Dec 2026 22:00 – Wed 2 Dec 2026 01:00 (UTC)`, `Thu 24 Dec 2026 (all day)`,
 * `Thu 24 Dec – Sat 26 Dec 2026 (all day)`.
 */
export function formatWhenShort(timing: EventTiming): string {
  const span = spanOf(timing);
  if (timing.allDay) {
    if (span.oneDay) return `${formatShortDate(span.start)} (all day)`;
    const first =
      span.start.year === span.end.year
        ? formatShortDayMonth(span.start)
        : formatShortDate(span.start);
    return `${first} – ${formatShortDate(span.end)} (all day)`;
  }
  const zone = timing.timeZone ?? 'UTC';
  if (span.oneDay) return `${formatShortDate(span.start)} ${timeRange(span)} (${zone})`;
  return (
    `${formatShortDate(span.start)} ${formatTime(span.start)} – ` +
    `${formatShortDate(span.end)} ${formatTime(span.end)} (${zone})`
  );
}
