/**
 * UTC-offset transitions of a zone, read from the runtime's ICU data through Intl — the data luxon
 * uses, so instants computed with luxon and the VTIMEZONEs built from these transitions agree.
 * Intl has no transition API: offsets are sampled daily and each change is bisected to the second.
 */

export interface Transition {
  /** Epoch ms of the first instant at the new offset. */
  readonly at: number;
  /** Offsets in seconds east of UTC, before and after. */
  readonly from: number;
  readonly to: number;
}

const SECOND = 1000;
const DAY = 86_400_000;
// `longOffset` is ~5× cheaper to format than the full date parts luxon's IANAZone.offset() reads,
// and it is the same ICU offset. It ends with `GMT+01:00`, `GMT-00:44:30` (LMT-era) or bare `GMT`.
const LONG_OFFSET = /GMT(?:([+-])(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?)?$/;

const offsetFormatters = new Map<string, Intl.DateTimeFormat | null>();
const yearCache = new Map<string, readonly Transition[]>();

/** Formatter that `offsetAt` reads, or undefined when the runtime does not know the zone. */
export function getOffsetFormatter(tzid: string): Intl.DateTimeFormat | undefined {
  let dtf = offsetFormatters.get(tzid);
  if (dtf === undefined) {
    try {
      dtf = new Intl.DateTimeFormat('en-US', {
        timeZone: tzid,
        hour: 'numeric',
        hourCycle: 'h23',
        timeZoneName: 'longOffset',
      });
    } catch {
      dtf = null;
    }
    offsetFormatters.set(tzid, dtf);
  }
  return dtf ?? undefined;
}

/** UTC offset in seconds at epoch ms `at`. */
export function offsetAt(dtf: Intl.DateTimeFormat, at: number): number {
  const text = dtf.format(at);
  const match = LONG_OFFSET.exec(text);
  if (match === null) throw new Error(`Unexpected Intl offset format: ${text}`);
  const [, sign, hours, minutes, seconds] = match;
  if (sign === undefined) return 0;
  const total = Number(hours) * 3600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0);
  return sign === '-' ? -total : total;
}

/** Epoch ms of a UTC date; unlike Date.UTC, years 0–99 are not taken as 19xx. */
export function utcMs(year: number, month: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return d.getTime();
}

/** Transitions with `at` in (1 Jan `year`, 1 Jan `year + 1`] UTC, memoised per zone and year. */
export function findTransitionsInYear(
  tzid: string,
  dtf: Intl.DateTimeFormat,
  year: number,
): readonly Transition[] {
  const key = `${tzid}\u0000${year}`;
  let transitions = yearCache.get(key);
  if (transitions === undefined) {
    transitions = Object.freeze(findTransitions(dtf, utcMs(year, 1, 1), utcMs(year + 1, 1, 1)));
    yearCache.set(key, transitions);
  }
  return transitions;
}

function findTransitions(dtf: Intl.DateTimeFormat, start: number, end: number): Transition[] {
  const found: Transition[] = [];
  let t = start;
  let offset = offsetAt(dtf, t);
  while (t < end) {
    const next = Math.min(t + DAY, end);
    const nextOffset = offsetAt(dtf, next);
    // A day can hide more than one change (A→B→C); peel them off until the day's end agrees.
    while (offset !== nextOffset) {
      let lo = t;
      let hi = next;
      while (hi - lo > SECOND) {
        const mid = lo + Math.floor((hi - lo) / 2 / SECOND) * SECOND;
        if (offsetAt(dtf, mid) === offset) lo = mid;
        else hi = mid;
      }
      const to = offsetAt(dtf, hi);
      found.push({ at: hi, from: offset, to });
      t = hi;
      offset = to;
    }
    t = next;
  }
  return found;
}

interface ZoneYear {
  /** Offset (seconds) in force at the start of the year, before any transition. */
  readonly startOffset: number;
  readonly transitions: readonly Transition[];
}

const zoneYears = new Map<string, ZoneYear>();

function zoneYear(tzid: string, dtf: Intl.DateTimeFormat, year: number): ZoneYear {
  const key = `${tzid}\u0000${year}`;
  let entry = zoneYears.get(key);
  if (entry === undefined) {
    entry = {
      startOffset: offsetAt(dtf, utcMs(year, 1, 1)),
      transitions: findTransitionsInYear(tzid, dtf, year),
    };
    zoneYears.set(key, entry);
  }
  return entry;
}

/**
 * UTC offset in seconds of `tzid` at epoch ms `at`, from the memoised transition table: after the
 * first call for a zone-year this costs no Intl call (luxon's IANAZone.offset formats a date with
 * Intl on every call, which dominated the build's profile).
 */
export function zoneOffsetAt(tzid: string, at: number): number {
  const dtf = getOffsetFormatter(tzid);
  if (dtf === undefined) throw new Error(`unknown time zone ${tzid}`);
  const year = new Date(at).getUTCFullYear();
  const { startOffset, transitions } = zoneYear(tzid, dtf, year);
  let offset = startOffset;
  for (const t of transitions) {
    if (t.at <= at) offset = t.to;
    else break;
  }
  return offset;
}

export type LocalTimeResolution =
  | { readonly kind: 'unique'; readonly at: number }
  /** The wall time occurs twice (clocks go back); `at` is the first occurrence. */
  | { readonly kind: 'repeated'; readonly at: number; readonly later: number }
  /** The wall time never occurs (clocks go forward); `after` is the same instant read in the new offset. */
  | { readonly kind: 'skipped'; readonly after: number };

/**
 * The instant(s) a wall-clock time in `tzid` denotes. `localAsUtc` is the wall time written as if it
 * were UTC (Date.UTC of its fields). Offsets change at most a few times a day, so the candidate
 * offsets are those in force a day before and a day after.
 */
export function resolveLocalTime(tzid: string, localAsUtc: number): LocalTimeResolution {
  const candidates = new Set([
    zoneOffsetAt(tzid, localAsUtc - DAY),
    zoneOffsetAt(tzid, localAsUtc),
    zoneOffsetAt(tzid, localAsUtc + DAY),
  ]);
  const valid: number[] = [];
  for (const offset of candidates) {
    const at = localAsUtc - offset * SECOND;
    if (zoneOffsetAt(tzid, at) === offset && !valid.includes(at)) valid.push(at);
  }
  valid.sort((a, b) => a - b);
  const [first, second] = valid;
  if (first === undefined) {
    return { kind: 'skipped', after: localAsUtc - zoneOffsetAt(tzid, localAsUtc - DAY) * SECOND };
  }
  return second === undefined
    ? { kind: 'unique', at: first }
    : { kind: 'repeated', at: first, later: second };
}
