import { DateTime, Settings } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import {
  formatOffset,
  formatWhen,
  formatWhenShort,
  type EventTiming,
} from '../../src/mime/format-when.ts';
import { zoned } from './invite-fixtures.ts';

function timed(start: string, end: string, timeZone: string | null): EventTiming {
  const zone = timeZone ?? 'UTC';
  return { start: zoned(start, zone), end: zoned(end, zone), allDay: false, timeZone };
}

function allDay(start: string, end: string): EventTiming {
  return { start: zoned(start, 'UTC'), end: zoned(end, 'UTC'), allDay: true, timeZone: null };
}

describe('formatWhen and formatWhenShort', () => {
  it.each([
    [
      'a meeting in Berlin',
      timed('2026-12-01T10:00', '2026-12-01T11:00', 'Europe/Berlin'),
      'Tuesday 1 December 2026, 10:00–11:00 (Europe/Berlin, UTC+01:00)',
      'Tue 1 Dec 2026 10:00–11:00 (Europe/Berlin)',
    ],
    [
      'a meeting in New York (negative offset, U+2212)',
      timed('2026-12-01T10:00', '2026-12-01T11:00', 'America/New_York'),
      'Tuesday 1 December 2026, 10:00–11:00 (America/New_York, UTC\u221205:00)',
      'Tue 1 Dec 2026 10:00–11:00 (America/New_York)',
    ],
    [
      'a half-hour zone',
      timed('2026-06-15T09:30', '2026-06-15T10:15', 'Asia/Kolkata'),
      'Monday 15 June 2026, 09:30–10:15 (Asia/Kolkata, UTC+05:30)',
      'Mon 15 Jun 2026 09:30–10:15 (Asia/Kolkata)',
    ],
    [
      'a meeting crossing midnight',
      timed('2026-12-01T22:00', '2026-12-02T01:00', 'Europe/Berlin'),
      'Tuesday 1 December 2026, 22:00 – Wednesday 2 December 2026, 01:00 (Europe/Berlin, UTC+01:00)',
      'Tue 1 Dec 2026 22:00 – Wed 2 Dec 2026 01:00 (Europe/Berlin)',
    ],
    [
      'a meeting ending at midnight',
      timed('2026-12-01T23:00', '2026-12-02T00:00', 'Europe/Berlin'),
      'Tuesday 1 December 2026, 23:00–00:00 (Europe/Berlin, UTC+01:00)',
      'Tue 1 Dec 2026 23:00–00:00 (Europe/Berlin)',
    ],
    [
      'a full day of timed meeting',
      timed('2026-12-01T00:00', '2026-12-02T00:00', 'Europe/Berlin'),
      'Tuesday 1 December 2026, 00:00 – Wednesday 2 December 2026, 00:00 (Europe/Berlin, UTC+01:00)',
      'Tue 1 Dec 2026 00:00 – Wed 2 Dec 2026 00:00 (Europe/Berlin)',
    ],
    [
      'the spring-forward night in New York',
      timed('2026-03-08T01:00', '2026-03-08T03:00', 'America/New_York'),
      'Sunday 8 March 2026, 01:00–03:00 (America/New_York, UTC\u221205:00 to UTC\u221204:00)',
      'Sun 8 Mar 2026 01:00–03:00 (America/New_York)',
    ],
    [
      'the fall-back night in Berlin',
      timed('2026-10-25T01:30', '2026-10-25T04:00', 'Europe/Berlin'),
      'Sunday 25 October 2026, 01:30–04:00 (Europe/Berlin, UTC+02:00 to UTC+01:00)',
      'Sun 25 Oct 2026 01:30–04:00 (Europe/Berlin)',
    ],
    [
      'a UTC event (timeZone null)',
      timed('2026-12-01T09:00', '2026-12-01T10:00', null),
      'Tuesday 1 December 2026, 09:00–10:00 (UTC)',
      'Tue 1 Dec 2026 09:00–10:00 (UTC)',
    ],
    [
      'seconds',
      timed('2026-12-01T09:00:30', '2026-12-01T10:00', null),
      'Tuesday 1 December 2026, 09:00:30–10:00 (UTC)',
      'Tue 1 Dec 2026 09:00:30–10:00 (UTC)',
    ],
    [
      'no duration',
      timed('2026-12-01T09:00', '2026-12-01T09:00', null),
      'Tuesday 1 December 2026, 09:00 (UTC)',
      'Tue 1 Dec 2026 09:00 (UTC)',
    ],
    [
      'one all-day date (exclusive end)',
      allDay('2026-12-24', '2026-12-25'),
      'Thursday 24 December 2026 (all day)',
      'Thu 24 Dec 2026 (all day)',
    ],
    [
      'all-day dates in one year',
      allDay('2026-12-24', '2026-12-27'),
      'Thursday 24 December – Saturday 26 December 2026 (all day)',
      'Thu 24 Dec – Sat 26 Dec 2026 (all day)',
    ],
    [
      'all-day dates across a new year',
      allDay('2026-12-31', '2027-01-02'),
      'Thursday 31 December 2026 – Friday 1 January 2027 (all day)',
      'Thu 31 Dec 2026 – Fri 1 Jan 2027 (all day)',
    ],
    [
      'an all-day event with an end not after its start',
      allDay('2026-02-28', '2026-02-28'),
      'Saturday 28 February 2026 (all day)',
      'Sat 28 Feb 2026 (all day)',
    ],
  ])('%s', (_, timing, long, short) => {
    expect(formatWhen(timing)).toBe(long);
    expect(formatWhenShort(timing)).toBe(short);
  });

  it('shows times in the event zone even for DateTimes built in another zone', () => {
    const timing: EventTiming = {
      start: DateTime.fromISO('2026-12-01T09:00Z', { zone: 'Asia/Tokyo' }),
      end: DateTime.fromISO('2026-12-01T10:00Z', { zone: 'America/Los_Angeles' }),
      allDay: false,
      timeZone: 'Europe/Berlin',
    };
    expect(formatWhen(timing)).toBe(
      'Tuesday 1 December 2026, 10:00–11:00 (Europe/Berlin, UTC+01:00)',
    );
  });

  it('keeps the named date of an all-day event built in another zone', () => {
    const timing: EventTiming = {
      start: DateTime.fromISO('2026-12-24', { zone: 'Pacific/Kiritimati' }),
      end: DateTime.fromISO('2026-12-25', { zone: 'Pacific/Kiritimati' }),
      allDay: true,
      timeZone: null,
    };
    expect(formatWhen(timing)).toBe('Thursday 24 December 2026 (all day)');
  });

  describe('on a host with another default zone and locale', () => {
    const saved = { zone: Settings.defaultZone, locale: Settings.defaultLocale };
    afterEach(() => {
      Settings.defaultZone = saved.zone;
      Settings.defaultLocale = saved.locale;
    });

    it('writes the same text', () => {
      const timing = timed('2026-03-08T01:00', '2026-03-08T03:00', 'America/New_York');
      const before = [formatWhen(timing), formatWhenShort(timing)];
      Settings.defaultZone = 'Asia/Kathmandu';
      Settings.defaultLocale = 'ar-EG';
      const again = timed('2026-03-08T01:00', '2026-03-08T03:00', 'America/New_York');
      expect([formatWhen(again), formatWhenShort(again)]).toEqual(before);
    });
  });
});

describe('formatOffset', () => {
  it.each([
    [0, 'UTC+00:00'],
    [60, 'UTC+01:00'],
    [-300, 'UTC\u221205:00'],
    [345, 'UTC+05:45'],
    [-570, 'UTC\u221209:30'],
  ])('%i minutes → %s', (minutes, text) => {
    expect(formatOffset(minutes)).toBe(text);
  });
});
