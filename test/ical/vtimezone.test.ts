/**
 * VTIMEZONE generation, read back by a real client library: ical.js parses each VTIMEZONE and must
 * compute, for every instant checked, the UTC offset luxon computes from the runtime's tz data.
 */
import ICAL from 'ical.js';
import { IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';

import { SmtpInviteError } from '../../src/errors.ts';
import { buildVtimezone } from '../../src/ical/vtimezone.ts';

type IcalTimezone = InstanceType<typeof ICAL.Timezone>;
type IcalComponent = InstanceType<typeof ICAL.Component>;
type Range = { fromYear: number; toYear: number };

/** ical.js's expanded transition table (public `Timezone#changes`): UTC wall times, offsets in seconds. */
interface IcalChange {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly utcOffset: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const RANGE: Range = { fromYear: 2025, toYear: 2030 };

function parseVtimezone(lines: readonly string[]): {
  component: IcalComponent;
  timezone: IcalTimezone;
} {
  const text = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//smtp-invite//test//EN',
    ...lines,
    'END:VCALENDAR',
  ];
  const calendar = ICAL.Component.fromString(text.join('\r\n'));
  const component = calendar.getFirstSubcomponent('vtimezone');
  if (component === null) throw new Error('no VTIMEZONE parsed');
  return { component, timezone: new ICAL.Timezone({ component }) };
}

function icalTime(ms: number): InstanceType<typeof ICAL.Time> {
  const d = new Date(ms);
  return ICAL.Time.fromData({
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  });
}

/** The offset (seconds) ical.js applies at each UTC instant, from its transition table. */
function readIcalOffsets(timezone: IcalTimezone, toYear: number): (at: number) => number {
  // utcOffset() expands the observances (RRULE, RDATE, DTSTART) up to the year asked for.
  timezone.utcOffset(icalTime(Date.UTC(toYear + 1, 11, 31)));
  const changes = (timezone.changes as IcalChange[]).map((c) => ({
    at: Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second),
    offset: c.utcOffset,
  }));
  return (at) => {
    let lo = 0;
    let hi = changes.length - 1;
    let found = Number.NaN;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const change = changes[mid];
      if (change === undefined) break;
      if (change.at <= at) {
        found = change.offset;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  };
}

function luxonOffset(zone: IANAZone, at: number): number {
  return Math.round(zone.offset(at) * 60);
}

/** First minute at which luxon reports `after` instead of `before`, between two samples. */
function bisectLuxon(zone: IANAZone, lo: number, hi: number, before: number): number {
  let a = lo;
  let b = hi;
  while (b - a > MINUTE) {
    const mid = a + Math.floor((b - a) / 2 / MINUTE) * MINUTE;
    if (luxonOffset(zone, mid) === before) a = mid;
    else b = mid;
  }
  return b;
}

const iso = (at: number): string => new Date(at).toISOString();

/**
 * Every disagreement between ical.js reading the VTIMEZONE and luxon, over the whole range: samples
 * every `step`, and one second / one minute either side of each transition either side reports.
 * Around luxon's transitions the wall-clock path (ical.js `utcOffset(localTime)`, what a client does
 * with `DTSTART;TZID=…`) is checked too, accepting either offset only for ambiguous local times.
 */
function findMismatches(tzid: string, range: Range, step: number): string[] {
  const lines = buildVtimezone(tzid, range);
  const { timezone } = parseVtimezone(lines);
  const icalOffset = readIcalOffsets(timezone, range.toYear);
  const zone = IANAZone.create(tzid);
  const start = Date.UTC(range.fromYear, 0, 1);
  const end = Date.UTC(range.toYear + 1, 0, 1);
  const mismatches: string[] = [];
  const check = (at: number, known?: number): void => {
    if (at < start || at >= end) return;
    const expected = known ?? luxonOffset(zone, at);
    const actual = icalOffset(at);
    if (actual !== expected)
      mismatches.push(`${tzid} ${iso(at)}: ical.js ${actual}, luxon ${expected}`);
  };

  let previousAt = start;
  let previous = luxonOffset(zone, start);
  for (let at = start; at < end; at += step) {
    const offset = luxonOffset(zone, at);
    check(at, offset);
    if (offset !== previous) {
      const transition = bisectLuxon(zone, previousAt, at, previous);
      for (const delta of [-MINUTE, -SECOND, 0, MINUTE]) check(transition + delta);
      checkWallClock(transition, previous, luxonOffset(zone, transition));
    }
    previousAt = at;
    previous = offset;
  }
  for (const change of timezone.changes as IcalChange[]) {
    const at = Date.UTC(
      change.year,
      change.month - 1,
      change.day,
      change.hour,
      change.minute,
      change.second,
    );
    for (const delta of [-MINUTE, -SECOND, 0, MINUTE]) check(at + delta);
  }
  return mismatches;

  function checkWallClock(transition: number, before: number, after: number): void {
    for (let k = -6; k <= 6; k++) {
      const at = transition + k * 20 * MINUTE;
      const offset = luxonOffset(zone, at);
      const other = offset === before ? after : before;
      const local = at + offset * SECOND;
      const ambiguous = luxonOffset(zone, local - other * SECOND) === other;
      const actual = timezone.utcOffset(icalTime(local));
      if (actual !== offset && !(ambiguous && actual === other)) {
        mismatches.push(
          `${tzid} local ${iso(local).slice(0, 19)}: ical.js ${actual}, luxon ${offset}`,
        );
      }
    }
  }
}

function subcomponents(lines: readonly string[]): string[][] {
  const blocks: string[][] = [];
  let current: string[] | undefined;
  for (const line of lines) {
    if (line === 'BEGIN:STANDARD' || line === 'BEGIN:DAYLIGHT') current = [];
    else if (line === 'END:STANDARD' || line === 'END:DAYLIGHT') {
      if (current !== undefined) blocks.push(current);
      current = undefined;
    } else current?.push(line);
  }
  return blocks;
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

const ZONES = Intl.supportedValuesOf('timeZone');

describe('buildVtimezone: every runtime zone, read by ical.js, agrees with luxon over 2025–2030', () => {
  it('knows a plausible number of zones', () => {
    expect(ZONES.length).toBeGreaterThan(300);
  });

  // Every 25 hours (so the sampled time of day drifts), plus both sides of every transition either
  // side reports; denser sampling for all zones would cost ~20 s of luxon calls.
  it.each(ZONES)('%s', (tzid) => {
    expect(findMismatches(tzid, RANGE, 25 * HOUR)).toEqual([]);
  });

  it.each([
    'Europe/Berlin',
    'America/New_York',
    'Australia/Sydney',
    'Australia/Lord_Howe',
    'America/Santiago',
    'Africa/Casablanca',
    'Asia/Gaza',
    'Africa/Cairo',
    'America/Nuuk',
    'Pacific/Chatham',
  ])('%s, every 6 hours', (tzid) => {
    expect(findMismatches(tzid, RANGE, 6 * HOUR)).toEqual([]);
  });
});

describe('buildVtimezone: shape', () => {
  it('writes well-formed, unfolded lines for every zone', () => {
    for (const tzid of ZONES) {
      const lines = buildVtimezone(tzid, RANGE);
      expect(lines.slice(0, 3)).toEqual([
        'BEGIN:VTIMEZONE',
        `TZID:${tzid}`,
        `X-LIC-LOCATION:${tzid}`,
      ]);
      expect(lines.at(-1)).toBe('END:VTIMEZONE');
      for (const line of lines) expect(line).toMatch(/^[\x20-\x7e]+$/);
      const blocks = subcomponents(lines);
      expect(blocks.length).toBeGreaterThan(0);
      for (const block of blocks) {
        expect(block.map((line) => line.split(':')[0])).toEqual(
          expect.arrayContaining(['TZOFFSETFROM', 'TZOFFSETTO', 'TZNAME', 'DTSTART']),
        );
        for (const line of block) {
          if (line.startsWith('TZOFFSET')) expect(line).toMatch(/^TZOFFSET(FROM|TO):[+-]\d{4}$/);
          if (line.startsWith('TZNAME:'))
            expect(line).toMatch(/^TZNAME:([A-Za-z]+|[+-]\d{2}(\d{2})?)$/);
          if (line.startsWith('DTSTART') || line.startsWith('RDATE'))
            expect(line).toMatch(/^[A-Z]+:\d{8}T\d{6}$/);
        }
      }
    }
  });

  it('uses the RRULE form for most zones, with DTSTART an occurrence of its own rule (RFC 5545 §3.8.5.3)', () => {
    let ruleZones = 0;
    for (const tzid of ZONES) {
      const lines = buildVtimezone(tzid, RANGE);
      if (!lines.some((line) => line.startsWith('RRULE:'))) continue;
      ruleZones++;
      const { component } = parseVtimezone(lines);
      const observances = component.getAllSubcomponents();
      expect(observances.map((c) => c.name)).toEqual(['daylight', 'standard']);
      const [daylight, standard] = observances.map((c) =>
        c.getFirstPropertyValue('tzoffsetto')?.toString(),
      );
      expect(Number(daylight?.replace(':', ''))).toBeGreaterThan(
        Number(standard?.replace(':', '')),
      );
      for (const observance of observances) {
        const dtstart = String(observance.getFirstPropertyValue('dtstart'));
        const rrule = String(observance.getFirstPropertyValue('rrule'));
        const rule = /^FREQ=YEARLY;BYMONTH=(\d{1,2});BYDAY=(-1|[1-4])(SU|MO|TU|WE|TH|FR|SA)$/.exec(
          rrule,
        );
        const start = /^(\d{4})-(\d{2})-(\d{2})T/.exec(dtstart);
        if (rule === null || start === null) throw new Error(`${tzid}: ${rrule} / ${dtstart}`);
        const [, month, week, weekday] = rule;
        const [, y, m, d] = start.map(Number);
        const date = new Date(Date.UTC(y ?? 0, (m ?? 0) - 1, d ?? 0));
        const daysInMonth = new Date(Date.UTC(y ?? 0, m ?? 0, 0)).getUTCDate();
        expect(m).toBe(Number(month));
        expect(['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'][date.getUTCDay()]).toBe(weekday);
        if (week === '-1') expect((d ?? 0) + 7).toBeGreaterThan(daysInMonth);
        else expect(Math.ceil((d ?? 0) / 7)).toBe(Number(week));
      }
    }
    expect(ruleZones).toBeGreaterThan(ZONES.length / 4);
  });
});

describe('buildVtimezone: golden output, 2025–2030', () => {
  it('Europe/Berlin: last Sundays of March and October', () => {
    expect(buildVtimezone('Europe/Berlin', RANGE)).toEqual([
      'BEGIN:VTIMEZONE',
      'TZID:Europe/Berlin',
      'X-LIC-LOCATION:Europe/Berlin',
      'BEGIN:DAYLIGHT',
      'TZOFFSETFROM:+0100',
      'TZOFFSETTO:+0200',
      'TZNAME:+02',
      'DTSTART:19700329T020000',
      'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
      'END:DAYLIGHT',
      'BEGIN:STANDARD',
      'TZOFFSETFROM:+0200',
      'TZOFFSETTO:+0100',
      'TZNAME:+01',
      'DTSTART:19701025T030000',
      'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
      'END:STANDARD',
      'END:VTIMEZONE',
    ]);
  });

  it('America/New_York: second Sunday of March, first Sunday of November', () => {
    expect(buildVtimezone('America/New_York', RANGE)).toEqual([
      'BEGIN:VTIMEZONE',
      'TZID:America/New_York',
      'X-LIC-LOCATION:America/New_York',
      'BEGIN:DAYLIGHT',
      'TZOFFSETFROM:-0500',
      'TZOFFSETTO:-0400',
      'TZNAME:EDT',
      'DTSTART:19700308T020000',
      'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU',
      'END:DAYLIGHT',
      'BEGIN:STANDARD',
      'TZOFFSETFROM:-0400',
      'TZOFFSETTO:-0500',
      'TZNAME:EST',
      'DTSTART:19701101T020000',
      'RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU',
      'END:STANDARD',
      'END:VTIMEZONE',
    ]);
  });

  it('Australia/Sydney: daylight time across the new year', () => {
    expect(buildVtimezone('Australia/Sydney', RANGE)).toEqual([
      'BEGIN:VTIMEZONE',
      'TZID:Australia/Sydney',
      'X-LIC-LOCATION:Australia/Sydney',
      'BEGIN:DAYLIGHT',
      'TZOFFSETFROM:+1000',
      'TZOFFSETTO:+1100',
      'TZNAME:+11',
      'DTSTART:19701004T020000',
      'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=1SU',
      'END:DAYLIGHT',
      'BEGIN:STANDARD',
      'TZOFFSETFROM:+1100',
      'TZOFFSETTO:+1000',
      'TZNAME:+10',
      'DTSTART:19700405T030000',
      'RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU',
      'END:STANDARD',
      'END:VTIMEZONE',
    ]);
  });

  it('Asia/Tokyo: no transition, one STANDARD', () => {
    expect(buildVtimezone('Asia/Tokyo', RANGE)).toEqual([
      'BEGIN:VTIMEZONE',
      'TZID:Asia/Tokyo',
      'X-LIC-LOCATION:Asia/Tokyo',
      'BEGIN:STANDARD',
      'TZOFFSETFROM:+0900',
      'TZOFFSETTO:+0900',
      'TZNAME:+09',
      'DTSTART:19700101T000000',
      'END:STANDARD',
      'END:VTIMEZONE',
    ]);
  });

  it('America/Sao_Paulo: no daylight time since 2019', () => {
    expect(buildVtimezone('America/Sao_Paulo', RANGE)).toEqual([
      'BEGIN:VTIMEZONE',
      'TZID:America/Sao_Paulo',
      'X-LIC-LOCATION:America/Sao_Paulo',
      'BEGIN:STANDARD',
      'TZOFFSETFROM:-0300',
      'TZOFFSETTO:-0300',
      'TZNAME:-03',
      'DTSTART:19700101T000000',
      'END:STANDARD',
      'END:VTIMEZONE',
    ]);
  });

  it('Africa/Casablanca: explicit onsets (Ramadan suspensions, then permanent +00 in this tz data)', () => {
    expect(buildVtimezone('Africa/Casablanca', RANGE)).toEqual([
      'BEGIN:VTIMEZONE',
      'TZID:Africa/Casablanca',
      'X-LIC-LOCATION:Africa/Casablanca',
      'BEGIN:DAYLIGHT',
      'TZOFFSETFROM:+0100',
      'TZOFFSETTO:+0100',
      'TZNAME:+01',
      'DTSTART:19700101T000000',
      'END:DAYLIGHT',
      'BEGIN:STANDARD',
      'TZOFFSETFROM:+0100',
      'TZOFFSETTO:+0000',
      'TZNAME:+00',
      'DTSTART:20250223T030000',
      'RDATE:20250223T030000',
      'RDATE:20260215T030000',
      'RDATE:20260920T020000',
      'END:STANDARD',
      'BEGIN:DAYLIGHT',
      'TZOFFSETFROM:+0000',
      'TZOFFSETTO:+0100',
      'TZNAME:+01',
      'DTSTART:20250406T020000',
      'RDATE:20250406T020000',
      'RDATE:20260322T020000',
      'END:DAYLIGHT',
      'END:VTIMEZONE',
    ]);
  });

  it('UTC and Etc zones: one STANDARD', () => {
    expect(buildVtimezone('UTC', RANGE)).toEqual([
      'BEGIN:VTIMEZONE',
      'TZID:UTC',
      'X-LIC-LOCATION:UTC',
      'BEGIN:STANDARD',
      'TZOFFSETFROM:+0000',
      'TZOFFSETTO:+0000',
      'TZNAME:UTC',
      'DTSTART:19700101T000000',
      'END:STANDARD',
      'END:VTIMEZONE',
    ]);
    const etc = buildVtimezone('Etc/GMT-14', RANGE);
    expect(etc.filter((line) => line.startsWith('TZ'))).toEqual([
      'TZID:Etc/GMT-14',
      'TZOFFSETFROM:+1400',
      'TZOFFSETTO:+1400',
      'TZNAME:+14',
    ]);
  });
});

describe('buildVtimezone: choosing the yearly rule', () => {
  const rrules = (tzid: string, range: Range): string[] =>
    buildVtimezone(tzid, range).filter((line) => line.startsWith('RRULE:'));

  it('prefers "last Sunday" where the 4th Sunday is also the last every year of the range', () => {
    // 28 March 2027 is both the 4th and the last Sunday; "last" is the rule that holds beyond 2027.
    expect(rrules('Europe/Berlin', { fromYear: 2027, toYear: 2027 })).toEqual([
      'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
      'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
    ]);
  });

  it('takes a week number only while it fits every year, and falls back to explicit onsets otherwise', () => {
    // Israel: the Friday before the last Sunday of March — the 4th Friday until 2029, the 5th in 2030.
    expect(rrules('Asia/Jerusalem', { fromYear: 2025, toYear: 2029 })).toEqual([
      'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=4FR',
      'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
    ]);
    const explicit = buildVtimezone('Asia/Jerusalem', RANGE);
    expect(explicit.some((line) => line.startsWith('RRULE:'))).toBe(false);
    expect(explicit).toContain('RDATE:20300329T020000');
    expect(findMismatches('Asia/Jerusalem', { fromYear: 2025, toYear: 2029 }, 6 * HOUR)).toEqual(
      [],
    );
  });

  it('handles southern-hemisphere rules that are not an nth weekday (Chile: Sunday on or after the 2nd)', () => {
    const lines = buildVtimezone('America/Santiago', RANGE);
    // January is summer: the range opens in daylight time.
    expect(subcomponents(lines)[0]).toEqual([
      'TZOFFSETFROM:-0300',
      'TZOFFSETTO:-0300',
      'TZNAME:-03',
      'DTSTART:19700101T000000',
    ]);
    expect(lines[3]).toBe('BEGIN:DAYLIGHT');
  });
});

describe('buildVtimezone: other ranges', () => {
  it.each([
    ['Europe/London', { fromYear: 1960, toYear: 1985 }],
    ['America/New_York', { fromYear: 1966, toYear: 1990 }],
    ['Australia/Lord_Howe', { fromYear: 1980, toYear: 2040 }],
    ['Africa/Casablanca', { fromYear: 2010, toYear: 2045 }],
    ['Pacific/Apia', { fromYear: 2009, toYear: 2022 }],
  ])('%s %o', (tzid, range) => {
    expect(findMismatches(tzid, range, 12 * HOUR)).toEqual([]);
  });

  it('gives the same bytes whatever the host time zone', () => {
    const saved = process.env['TZ'];
    try {
      // Fresh (zone, years) pairs, so nothing comes from the caches filled under TZ=UTC.
      process.env['TZ'] = 'Pacific/Kiritimati';
      const kiritimati = buildVtimezone('Europe/Berlin', { fromYear: 1996, toYear: 1997 });
      process.env['TZ'] = 'America/St_Johns';
      const stJohns = buildVtimezone('Europe/Berlin', { fromYear: 1998, toYear: 1999 });
      const utc = buildVtimezone('Europe/Berlin', RANGE);
      expect(kiritimati).toEqual(utc);
      expect(stJohns).toEqual(utc);
    } finally {
      if (saved === undefined) delete process.env['TZ'];
      else process.env['TZ'] = saved;
    }
  });
});

describe('buildVtimezone: errors and memoisation', () => {
  it.each(['Mars/Olympus_Mons', '+01:00', '', 'Europe/Berlin '])(
    'refuses the unknown zone %j',
    (tzid) => {
      const error = catchError(() => buildVtimezone(tzid, RANGE));
      expect(error).toBeInstanceOf(SmtpInviteError);
      expect(error).toMatchObject({ code: 'ERR_INVALID_INPUT' });
    },
  );

  it.each([
    { fromYear: 2030, toYear: 2025 },
    { fromYear: 2025.5, toYear: 2026 },
    { fromYear: 2025, toYear: Number.NaN },
    { fromYear: 1000, toYear: 2025 },
    { fromYear: 2025, toYear: 10_000 },
  ])('refuses the year range %o', (range) => {
    expect(catchError(() => buildVtimezone('Europe/Berlin', range))).toMatchObject({
      code: 'ERR_INVALID_INPUT',
    });
  });

  it('returns the same frozen lines for the same zone and range', () => {
    const first = buildVtimezone('Europe/Paris', { fromYear: 2026, toYear: 2027 });
    const second = buildVtimezone('Europe/Paris', { fromYear: 2026, toYear: 2027 });
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(buildVtimezone('Europe/Paris', { fromYear: 2026, toYear: 2028 })).toEqual(first);
  });
});
