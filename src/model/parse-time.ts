/**
 * Dates, times, zones and durations as users write them, turned into luxon values. Wall-clock times
 * are interpreted in the invite's IANA zone, never in the host's: the host TZ must not matter.
 */
import { DateTime, IANAZone } from 'luxon';
import { tableZone } from './table-zone.ts';
import { resolveLocalTime } from './zone-transitions.ts';

export type Parsed<T> =
  | { readonly ok: true; readonly value: T; readonly repeated?: boolean }
  | { readonly ok: false; readonly problem: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (problem: string): Parsed<never> => ({ ok: false, problem });

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// ISO 8601 extended (what users write) or RFC 5545 basic (what RRULE UNTIL uses).
const DATE_TIME =
  /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2})(?::?(\d{2}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

// Bounded: names come from untrusted calendars too (the inspector), and a hostile one can hold
// thousands of distinct TZIDs. Real inputs use a handful, so clearing when full costs nothing.
const zoneCache = new Map<string, string | null>();
const ZONE_CACHE_SIZE = 1000;

/**
 * The canonical spelling of an IANA zone name (`europe/berlin` → `Europe/Berlin`), or null when the
 * runtime does not know it. Fixed offsets (`+01:00`) are refused: they carry no DST rules, and a
 * meeting's zone must be a place.
 */
export function canonicalTimeZone(name: string): string | null {
  const cached = zoneCache.get(name);
  if (cached !== undefined) return cached;
  let result: string | null = null;
  if (/^[A-Za-z][A-Za-z0-9/_+-]*$/.test(name) && IANAZone.isValidZone(name)) {
    result = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  }
  if (zoneCache.size >= ZONE_CACHE_SIZE) zoneCache.clear();
  zoneCache.set(name, result);
  return result;
}

/** A close known zone name, for "did you mean" messages. */
export function suggestTimeZone(name: string): string | undefined {
  const wanted = name.toLowerCase();
  let best: { zone: string; distance: number } | undefined;
  for (const zone of Intl.supportedValuesOf('timeZone')) {
    const distance = editDistance(wanted, zone.toLowerCase(), 3);
    if (distance <= 3 && (best === undefined || distance < best.distance))
      best = { zone, distance };
  }
  return best?.zone;
}

function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] ?? limit + 1;
}

/** `2026-12-24` → midnight UTC of that date (how the model carries all-day dates). */
export function parseDate(value: string): Parsed<DateTime> {
  const m = DATE.exec(value);
  if (!m) return fail(`"${value}" is not a date like 2026-12-24`);
  const dt = DateTime.fromObject(
    { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) },
    { zone: 'UTC' },
  );
  return dt.isValid ? ok(dt) : fail(`"${value}" is not a valid calendar date`);
}

/**
 * A date-time: wall-clock in `zone` (`2026-12-01T10:00`), or an instant (`…Z`, `…+01:00`) converted
 * to `zone` (UTC when zone is null). Seconds are optional; fractions are refused (iCalendar has none).
 */
export function parseDateTime(value: string, zone: string | null): Parsed<DateTime> {
  const m = DATE_TIME.exec(value);
  if (!m) {
    return fail(
      DATE.test(value)
        ? `"${value}" is a date; a timed event needs a time like ${value}T10:00 (or set allDay: true)`
        : `"${value}" is not a date-time like 2026-12-01T10:00 (optionally with Z or an offset like +01:00)`,
    );
  }
  const parts = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: m[6] === undefined ? 0 : Number(m[6]),
  };
  const offset = m[7];
  if (offset !== undefined) {
    const fixed = offset === 'Z' ? 'UTC' : `UTC${normaliseOffset(offset)}`;
    const dt = DateTime.fromObject(parts, { zone: fixed });
    if (!dt.isValid) return fail(`"${value}" is not a valid date-time`);
    return ok(dt.setZone(zone === null ? 'UTC' : tableZone(zone)));
  }
  if (zone === null) {
    return fail(
      `"${value}" has no offset: set timeZone (an IANA name like Europe/Berlin), or end it with Z or an offset like +01:00`,
    );
  }
  return wallClock(parts, zone, value);
}

function normaliseOffset(offset: string): string {
  const digits = offset.slice(1).replace(':', '');
  return `${offset[0]}${digits.slice(0, 2)}:${digits.length > 2 ? digits.slice(2) : '00'}`;
}

interface WallParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/**
 * Wall-clock time in a zone, with RFC 5545 §3.3.5 semantics for DST edges: a time that occurs twice
 * (clocks go back) means its first occurrence — luxon alone would pick the second — and a time that
 * never occurs (clocks go forward) is refused rather than silently shifted. Resolved from the
 * memoised transition table (no Intl call per lookup): this runs for every invite.
 */
function wallClock(parts: WallParts, zone: string, original: string): Parsed<DateTime> {
  const localAsUtc = Date.UTC(
    parts.year,
    parts.month - 1,
    parts.day,
    parts.hour,
    parts.minute,
    parts.second,
  );
  const check = new Date(localAsUtc);
  if (
    check.getUTCDate() !== parts.day ||
    check.getUTCMonth() !== parts.month - 1 ||
    parts.hour > 23 ||
    parts.minute > 59 ||
    parts.second > 59
  ) {
    return fail(`"${original}" is not a valid date-time`);
  }
  const resolved = resolveLocalTime(zone, localAsUtc);
  if (resolved.kind === 'skipped') {
    const after = DateTime.fromMillis(resolved.after, { zone });
    return fail(
      `"${original}" does not exist in ${zone} (the clocks skip it that day); use a time after the change, e.g. ${after.toFormat("yyyy-LL-dd'T'HH:mm")}`,
    );
  }
  const dt = DateTime.fromMillis(resolved.at, { zone: tableZone(zone) });
  return resolved.kind === 'repeated' ? { ok: true, value: dt, repeated: true } : ok(dt);
}

/**
 * True when the wall-clock time of `dt` occurs twice in its zone (the hour repeated when clocks go
 * back). RFC 5545 §3.3.5 says a TZID time then means the first occurrence, but ical.js (Thunderbird)
 * reads the second, so such a start or end is worth a warning.
 */
export function isRepeatedWallTime(dt: DateTime): boolean {
  if (dt.zone.type !== 'iana' || dt.zoneName === null) return false;
  const localAsUtc = dt.toMillis() + dt.offset * 60_000;
  return resolveLocalTime(dt.zoneName, localAsUtc).kind === 'repeated';
}

export interface ParsedDuration {
  /** Canonical RFC 5545 form, e.g. `PT45M`, `P1DT2H`, `P2W`. */
  readonly iso: string;
  readonly weeks: number;
  readonly days: number;
  readonly hours: number;
  readonly minutes: number;
  readonly seconds: number;
}

// RFC 5545 §3.3.6 dur-value (positive only: durations here always run forwards).
const DURATION = /^P(?:(\d+)W|(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?)$/;

export function parseDuration(value: string): Parsed<ParsedDuration> {
  const m = DURATION.exec(value.toUpperCase());
  if (!m || value.length <= 1 || /T$/i.test(value)) {
    return fail(`"${value}" is not an RFC 5545 duration like PT45M, PT1H30M, P1D or P2W`);
  }
  const [weeks, days, hours, minutes, seconds] = [m[1], m[2], m[3], m[4], m[5]].map((s) =>
    s === undefined ? 0 : Number(s),
  ) as [number, number, number, number, number];
  if (weeks + days + hours + minutes + seconds === 0) return fail(`"${value}" is a zero duration`);
  return ok({
    iso: formatDuration(weeks, days, hours, minutes, seconds),
    weeks,
    days,
    hours,
    minutes,
    seconds,
  });
}

function formatDuration(w: number, d: number, h: number, m: number, s: number): string {
  if (w > 0) return `P${w}W`;
  let out = 'P';
  if (d > 0) out += `${d}D`;
  if (h + m + s > 0) out += 'T';
  if (h > 0) out += `${h}H`;
  if (m > 0) out += `${m}M`;
  if (s > 0) out += `${s}S`;
  return out;
}

/** Total seconds of a duration, counting a day as 24 h (used for alarm offsets). */
export function durationSeconds(d: ParsedDuration): number {
  return (((d.weeks * 7 + d.days) * 24 + d.hours) * 60 + d.minutes) * 60 + d.seconds;
}

/**
 * Adds a duration the RFC 5545 §3.3.6 way: weeks and days are nominal (same wall time on the later
 * day, across a DST change), hours/minutes/seconds are exact.
 */
export function addDuration(start: DateTime, d: ParsedDuration): DateTime {
  return start
    .plus({ days: d.weeks * 7 + d.days })
    .plus({ hours: d.hours, minutes: d.minutes, seconds: d.seconds });
}
