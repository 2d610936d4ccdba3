/**
 * VTIMEZONE components (RFC 5545 §3.6.5) generated from the running Node's tz data (ICU, the same
 * data luxon reads through Intl), so that the offsets a VTIMEZONE describes always agree with the
 * instants computed elsewhere with luxon — a static VTIMEZONE library would drift from the runtime.
 *
 * Two shapes are produced:
 * - the RRULE form Outlook/Exchange and tzurl.org emit (one DAYLIGHT and one STANDARD with yearly
 *   `BYMONTH=m;BYDAY=nXX` rules starting in 1970), whenever the zone's transitions in the requested
 *   years all follow such a pair of rules: Outlook can only map a VTIMEZONE onto a Windows
 *   TIME_ZONE_INFORMATION, which holds exactly that;
 * - an explicit form otherwise (Morocco's Ramadan suspension, rules changing inside the range, rules
 *   like Chile's "Sunday on or after the 2nd" that are not an nth weekday): one sub-component per
 *   distinct (kind, offsets, name) with every onset listed. Correctness over Outlook fidelity.
 */
import { error } from '../diagnostics.ts';
import { SmtpInviteError } from '../errors.ts';
import {
  findTransitionsInYear,
  getOffsetFormatter,
  offsetAt,
  utcMs,
} from '../model/zone-transitions.ts';
import type { Transition } from '../model/zone-transitions.ts';

export interface VtimezoneRange {
  readonly fromYear: number;
  readonly toYear: number;
}

const DAY = 86_400_000;
/** RRULE-form DTSTARTs are anchored in 1970, like Outlook and tzurl.org: old enough for any event. */
const ANCHOR_YEAR = 1970;
const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'] as const;
// Zone names as luxon/the validator accept them; offset strings like `+01:00` (which Intl accepts)
// carry no rules and would need quoting in a TZID parameter.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9/_+-]*$/;
const MEMO_LIMIT = 512;

const memo = new Map<string, readonly string[]>();

/** VTIMEZONE for `tzid`, valid for every instant in [fromYear, toYear] (inclusive). Lines without CRLF, unfolded. */
export function buildVtimezone(
  tzid: string,
  range: { fromYear: number; toYear: number },
): readonly string[] {
  const key = `${tzid}\u0000${range.fromYear}\u0000${range.toYear}`;
  const cached = memo.get(key);
  if (cached !== undefined) return cached;
  checkRange(range);
  const offsetFormatter = ZONE_NAME.test(tzid) ? getOffsetFormatter(tzid) : undefined;
  if (offsetFormatter === undefined) {
    const message = `Unknown time zone "${tzid}": use an IANA zone name such as "Europe/Berlin".`;
    throw new SmtpInviteError('ERR_INVALID_INPUT', message, {
      diagnostics: [error('unknown-time-zone', '', message)],
    });
  }
  const lines = Object.freeze(generateVtimezone(tzid, offsetFormatter, range));
  // Bounded: a long-running process sees few distinct (zone, range) pairs, but must not grow forever.
  if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value ?? key);
  memo.set(key, lines);
  return lines;
}

// RFC 5545 dates are Gregorian (from 1583); the scan reads year toYear + 1, which must stay 4-digit.
const MIN_YEAR = 1583;
const MAX_YEAR = 9998;

function checkRange(range: VtimezoneRange): void {
  const { fromYear, toYear } = range;
  const valid =
    Number.isInteger(fromYear) &&
    Number.isInteger(toYear) &&
    fromYear >= MIN_YEAR &&
    toYear <= MAX_YEAR &&
    fromYear <= toYear;
  if (!valid) {
    throw new SmtpInviteError(
      'ERR_INVALID_INPUT',
      `Invalid VTIMEZONE year range ${fromYear}–${toYear}: expected integers ${MIN_YEAR} ≤ fromYear ≤ toYear ≤ ${MAX_YEAR}.`,
    );
  }
}

interface Observance {
  readonly kind: 'STANDARD' | 'DAYLIGHT';
  readonly from: number;
  readonly to: number;
  readonly name: string;
}

function generateVtimezone(
  tzid: string,
  dtf: Intl.DateTimeFormat,
  range: VtimezoneRange,
): string[] {
  // One day either side: a local date-time in the first/last year of the range can be an instant of
  // the neighbouring UTC year (offsets reach ±14 h).
  const windowStart = utcMs(range.fromYear, 1, 1) - DAY;
  const windowEnd = utcMs(range.toYear + 1, 1, 1) + DAY;
  const before: Transition[] = [];
  const inside: Transition[] = [];
  const after: Transition[] = [];
  for (let year = range.fromYear - 1; year <= range.toYear + 1; year++) {
    for (const t of findTransitionsInYear(tzid, dtf, year)) {
      if (t.at <= windowStart) before.push(t);
      else if (t.at <= windowEnd) inside.push(t);
      else after.push(t);
    }
  }

  const lines = ['BEGIN:VTIMEZONE', `TZID:${tzid}`, `X-LIC-LOCATION:${tzid}`];
  const first = inside[0];
  if (first === undefined) {
    const offset = offsetAt(dtf, windowStart);
    const observance: Observance = {
      kind: 'STANDARD',
      from: offset,
      to: offset,
      name: nameAt(tzid, windowStart, offset),
    };
    pushObservance(lines, observance, [anchorStart(range)]);
  } else {
    const rules = deriveRules(inside, range, windowStart, windowEnd);
    if (rules === undefined) pushExplicit(lines, tzid, range, before, inside, after);
    else pushRules(lines, tzid, rules, range);
  }
  lines.push('END:VTIMEZONE');
  return lines;
}

// ---------------------------------------------------------------------------------------------
// RRULE form

interface YearlyRule {
  readonly month: number; // 1..12
  readonly week: number; // 1..4, or -1 for the last
  readonly weekday: number; // 0 = Sunday
  readonly timeOfDay: number; // seconds after local midnight, in the `from` offset
  readonly from: number;
  readonly to: number;
  readonly firstOnset: number; // instant of the first matching transition in the range window
}

/** The (forward, backward) rule pair that reproduces exactly the transitions in the window, if any. */
function deriveRules(
  inside: readonly Transition[],
  range: VtimezoneRange,
  windowStart: number,
  windowEnd: number,
): readonly [YearlyRule, YearlyRule] | undefined {
  const forward = inside.filter((t) => t.to > t.from);
  const backward = inside.filter((t) => t.to < t.from);
  const f = deriveRule(forward, range, windowStart, windowEnd);
  const b = deriveRule(backward, range, windowStart, windowEnd);
  if (f === undefined || b === undefined) return undefined;
  // Two offsets alternating; anything else (a permanent shift hidden in a DST zone) needs explicit data.
  if (f.from !== b.to || f.to !== b.from) return undefined;
  return [f, b];
}

function deriveRule(
  transitions: readonly Transition[],
  range: VtimezoneRange,
  windowStart: number,
  windowEnd: number,
): YearlyRule | undefined {
  const head = transitions[0];
  if (head === undefined) return undefined;
  const base = localBefore(head);
  let alwaysLast = true;
  const weeks = new Set<number>();
  for (const t of transitions) {
    if (t.from !== head.from || t.to !== head.to) return undefined;
    const local = localBefore(t);
    if (
      local.month !== base.month ||
      local.weekday !== base.weekday ||
      local.timeOfDay !== base.timeOfDay
    ) {
      return undefined;
    }
    const week = Math.ceil(local.day / 7);
    weeks.add(week);
    if (local.day + 7 <= daysInMonth(local.year, local.month)) alwaysLast = false;
  }
  // "Last" first: it is how tzdata states most rules (lastSun), and where a week number and "last"
  // both fit every year of the range, -1 is the one more likely to stay true beyond it.
  const candidates: number[] = [];
  if (alwaysLast) candidates.push(-1);
  const [onlyWeek] = weeks;
  if (weeks.size === 1 && onlyWeek !== undefined && onlyWeek <= 4) candidates.push(onlyWeek);
  for (const week of candidates) {
    const rule: YearlyRule = {
      month: base.month,
      week,
      weekday: base.weekday,
      timeOfDay: base.timeOfDay,
      from: head.from,
      to: head.to,
      firstOnset: head.at,
    };
    if (predictsExactly(rule, transitions, range, windowStart, windowEnd)) return rule;
  }
  return undefined;
}

/** True when the rule's onsets inside the window are exactly the observed transitions. */
function predictsExactly(
  rule: YearlyRule,
  transitions: readonly Transition[],
  range: VtimezoneRange,
  windowStart: number,
  windowEnd: number,
): boolean {
  let index = 0;
  for (let year = range.fromYear - 1; year <= range.toYear + 1; year++) {
    const at = ruleLocalMs(rule, year) - rule.from * 1000;
    if (at <= windowStart || at > windowEnd) continue;
    if (transitions[index]?.at !== at) return false;
    index++;
  }
  return index === transitions.length;
}

function pushRules(
  lines: string[],
  tzid: string,
  rules: readonly [YearlyRule, YearlyRule],
  range: VtimezoneRange,
): void {
  const anchor = Math.min(ANCHOR_YEAR, range.fromYear - 1);
  for (const rule of rules) {
    const kind = rule.to > rule.from ? 'DAYLIGHT' : 'STANDARD';
    const observance: Observance = {
      kind,
      from: rule.from,
      to: rule.to,
      name: nameAt(tzid, rule.firstOnset, rule.to),
    };
    pushObservance(
      lines,
      observance,
      [ruleLocalMs(rule, anchor)],
      [
        `RRULE:FREQ=YEARLY;BYMONTH=${rule.month};BYDAY=${rule.week}${WEEKDAYS[rule.weekday] ?? 'SU'}`,
      ],
    );
  }
}

/** Wall-clock time (as a UTC-fields epoch ms) of the rule's onset in `year`. */
function ruleLocalMs(rule: YearlyRule, year: number): number {
  const firstOfMonth = utcMs(year, rule.month, 1);
  const firstWeekday = new Date(firstOfMonth).getUTCDay();
  const firstMatch = 1 + ((rule.weekday - firstWeekday + 7) % 7);
  let day: number;
  if (rule.week > 0) {
    day = firstMatch + 7 * (rule.week - 1);
  } else {
    const dim = daysInMonth(year, rule.month);
    day = firstMatch + 7 * Math.floor((dim - firstMatch) / 7);
  }
  return firstOfMonth + (day - 1) * DAY + rule.timeOfDay * 1000;
}

// ---------------------------------------------------------------------------------------------
// Explicit form

function pushExplicit(
  lines: string[],
  tzid: string,
  range: VtimezoneRange,
  before: readonly Transition[],
  inside: readonly Transition[],
  after: readonly Transition[],
): void {
  const first = inside[0];
  if (first === undefined) return;
  // The offset in force when the window opens, anchored at the same 1970 start as the RRULE form so
  // that every instant of the range before the first listed onset gets it.
  const initial = first.from;
  const previous = before.at(-1)?.from;
  const leadingKind = kindOf(initial, previous, first.to);
  pushObservance(
    lines,
    { kind: leadingKind, from: initial, to: initial, name: nameAt(tzid, first.at - 1000, initial) },
    [anchorStart(range)],
  );

  const groups = new Map<string, { observance: Observance; onsets: number[] }>();
  inside.forEach((t, i) => {
    const next = inside[i + 1]?.to ?? after[0]?.to;
    const observance: Observance = {
      kind: kindOf(t.to, t.from, next),
      from: t.from,
      to: t.to,
      name: nameAt(tzid, t.at, t.to),
    };
    const key = `${observance.kind}|${observance.from}|${observance.to}|${observance.name}`;
    const local = t.at + t.from * 1000;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { observance, onsets: [local] });
    else group.onsets.push(local);
  });
  for (const { observance, onsets } of groups.values()) {
    // ical.js and libical (Thunderbird) ignore DTSTART once RDATEs are present, so the first onset is
    // repeated as an RDATE, as tzurl.org/vzic do. One value per RDATE line: ical.js reads only the
    // first value of a multi-valued RDATE.
    const rdates = onsets.length > 1 ? onsets.map((ms) => `RDATE:${formatLocal(ms)}`) : [];
    pushObservance(lines, observance, onsets, rdates);
  }
}

/**
 * DAYLIGHT for an offset above the offsets on both sides (a temporary shift forward), STANDARD
 * otherwise — so a permanent change of offset stays STANDARD, and Morocco's Ramadan +00 is the
 * standard time its +01 returns from, as Windows models it.
 */
function kindOf(
  offset: number,
  previous: number | undefined,
  next: number | undefined,
): Observance['kind'] {
  return previous !== undefined && next !== undefined && offset > previous && offset > next
    ? 'DAYLIGHT'
    : 'STANDARD';
}

// ---------------------------------------------------------------------------------------------
// Formatting

function pushObservance(
  lines: string[],
  observance: Observance,
  onsets: readonly number[],
  extra: readonly string[] = [],
): void {
  const [dtstart = 0] = onsets;
  lines.push(
    `BEGIN:${observance.kind}`,
    `TZOFFSETFROM:${formatOffset(observance.from)}`,
    `TZOFFSETTO:${formatOffset(observance.to)}`,
    `TZNAME:${observance.name}`,
    `DTSTART:${formatLocal(dtstart)}`,
    ...extra,
    `END:${observance.kind}`,
  );
}

function anchorStart(range: VtimezoneRange): number {
  return utcMs(Math.min(ANCHOR_YEAR, range.fromYear - 1), 1, 1);
}

/** RFC 5545 §3.3.14 utc-offset: `+HHMM`, seconds only when non-zero (LMT-era offsets). */
function formatOffset(seconds: number): string {
  const sign = seconds < 0 ? '-' : '+';
  const abs = Math.abs(seconds);
  const hhmm = pad2(Math.floor(abs / 3600)) + pad2(Math.floor(abs / 60) % 60);
  return abs % 60 === 0 ? `${sign}${hhmm}` : `${sign}${hhmm}${pad2(abs % 60)}`;
}

/** TZNAME as tzdata spells unnamed offsets: `+01`, `+0530`, `-03`. */
function formatNumericName(seconds: number): string {
  const sign = seconds < 0 ? '-' : '+';
  const abs = Math.abs(seconds);
  const minutes = Math.floor(abs / 60) % 60;
  return `${sign}${pad2(Math.floor(abs / 3600))}${minutes === 0 ? '' : pad2(minutes)}`;
}

/** Floating local DATE-TIME (RFC 5545 §3.3.5 form 1) from a UTC-fields epoch ms. */
function formatLocal(ms: number): string {
  const d = new Date(ms);
  const year = d.getUTCFullYear().toString().padStart(4, '0');
  return (
    `${year}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}` +
    `T${pad2(d.getUTCHours())}${pad2(d.getUTCMinutes())}${pad2(d.getUTCSeconds())}`
  );
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

// ---------------------------------------------------------------------------------------------
// Names and calendar helpers

const nameFormatters = new Map<string, Intl.DateTimeFormat>();

/**
 * TZNAME is informative (RFC 5545 §3.8.3.2). en-US short names are what luxon's `offsetNameShort`
 * gives: real abbreviations only for North America (`EST`), `GMT+1` elsewhere, which tzdata writes
 * numerically — so do we. Fixed locale: the output must not depend on the host.
 */
function nameAt(tzid: string, at: number, offset: number): string {
  let dtf = nameFormatters.get(tzid);
  if (dtf === undefined) {
    dtf = new Intl.DateTimeFormat('en-US', { timeZone: tzid, timeZoneName: 'short' });
    nameFormatters.set(tzid, dtf);
  }
  const name = dtf.formatToParts(at).find((part) => part.type === 'timeZoneName')?.value ?? '';
  return /^[A-Za-z]+$/.test(name) ? name : formatNumericName(offset);
}

interface LocalFields {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly weekday: number;
  readonly timeOfDay: number;
}

/** Wall-clock reading at the moment of the transition, in the offset being left (RFC 5545 §3.6.5 DTSTART). */
function localBefore(t: Transition): LocalFields {
  const d = new Date(t.at + t.from * 1000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    weekday: d.getUTCDay(),
    timeOfDay: d.getUTCHours() * 3600 + d.getUTCMinutes() * 60 + d.getUTCSeconds(),
  };
}

function daysInMonth(year: number, month: number): number {
  return new Date(utcMs(year, month + 1, 1) - DAY).getUTCDate();
}
