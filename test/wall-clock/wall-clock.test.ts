/**
 * Wall-clock truth: instants come from the invite's zone, never the host's. This file runs under
 * TZ=UTC and TZ=America/New_York (vitest projects); the subprocess test below adds two more zones.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { buildInvite, deterministicIds } from '../../src/flows/build-invite.ts';
import { readCalendar } from '../../src/ical/read-calendar.ts';

const people = {
  organizer: { email: 'olga@example.com' },
  attendees: [{ email: 'ada@example.com' }],
};

function instants(input: Record<string, unknown>): { start?: string; end?: string } {
  const built = buildInvite(
    { summary: 'x', ...people, ...input },
    { ids: deterministicIds(input, {}) },
  );
  const event = readCalendar(built.calendar).events[0];
  return {
    ...(event?.start?.utc ? { start: event.start.utc } : {}),
    ...(event?.end?.utc ? { end: event.end.utc } : {}),
  };
}

describe(`wall-clock times under TZ=${process.env['TZ'] ?? '(unset)'}`, () => {
  it.each([
    [
      'Berlin winter',
      { timeZone: 'Europe/Berlin', start: '2026-12-01T10:00', end: '2026-12-01T11:00' },
      '2026-12-01T09:00:00.000Z',
      '2026-12-01T10:00:00.000Z',
    ],
    [
      'Berlin summer',
      { timeZone: 'Europe/Berlin', start: '2026-07-01T10:00', end: '2026-07-01T11:00' },
      '2026-07-01T08:00:00.000Z',
      '2026-07-01T09:00:00.000Z',
    ],
    [
      'New York, organizer in Berlin',
      { timeZone: 'America/New_York', start: '2026-12-03T16:00+01:00', duration: 'PT1H' },
      '2026-12-03T15:00:00.000Z',
      '2026-12-03T16:00:00.000Z',
    ],
    [
      'Sydney summer',
      { timeZone: 'Australia/Sydney', start: '2026-12-01T09:00', end: '2026-12-01T10:00' },
      '2026-11-30T22:00:00.000Z',
      '2026-11-30T23:00:00.000Z',
    ],
    [
      'Kolkata half-hour offset',
      { timeZone: 'Asia/Kolkata', start: '2026-12-01T09:00', end: '2026-12-01T10:00' },
      '2026-12-01T03:30:00.000Z',
      '2026-12-01T04:30:00.000Z',
    ],
    // Sunday the clocks go back in Berlin (03:00 CEST → 02:00 CET): 01:30 is CEST, 04:00 is CET.
    [
      'Berlin fall-back Sunday',
      { timeZone: 'Europe/Berlin', start: '2026-10-25T01:30', end: '2026-10-25T04:00' },
      '2026-10-24T23:30:00.000Z',
      '2026-10-25T03:00:00.000Z',
    ],
    // Sunday the clocks go forward in New York (02:00 EST → 03:00 EDT).
    [
      'New York spring-forward Sunday',
      { timeZone: 'America/New_York', start: '2026-03-08T01:00', end: '2026-03-08T04:00' },
      '2026-03-08T06:00:00.000Z',
      '2026-03-08T08:00:00.000Z',
    ],
  ])('%s', (_, input, start, end) => {
    expect(instants(input)).toEqual({ start, end });
  });

  it('reads a time in the repeated hour as its first occurrence and warns that clients disagree', () => {
    // 02:30 occurs twice in Berlin on 2026-10-25. RFC 5545 §3.3.5: the first (CEST, 00:30Z). ical.js
    // (Thunderbird) resolves the same TZID text to the second (CET, 01:30Z), hence the warning.
    const built = buildInvite(
      {
        summary: 'x',
        ...people,
        timeZone: 'Europe/Berlin',
        start: '2026-10-25T02:30',
        end: '2026-10-25T03:30',
      },
      { ids: deterministicIds('repeated', {}) },
    );
    expect(built.invite.start.toUTC().toISO()).toBe('2026-10-25T00:30:00.000Z');
    expect(built.calendar).toContain('DTSTART;TZID=Europe/Berlin:20261025T023000\r\n');
    expect(built.warnings).toEqual([
      expect.objectContaining({ code: 'ambiguous-local-time', path: 'start', severity: 'warning' }),
    ]);
    expect(readCalendar(built.calendar).events[0]?.start?.utc).toBe('2026-10-25T01:30:00.000Z');
  });

  it('keeps a weekly series at the same wall time across a DST change (ical.js expansion)', () => {
    const built = buildInvite(
      {
        summary: 'x',
        ...people,
        timeZone: 'America/New_York',
        start: '2027-02-23T09:30',
        duration: 'PT30M',
        recurrence: { rrule: 'FREQ=WEEKLY;COUNT=4' },
      },
      { ids: deterministicIds('series', {}) },
    );
    const component = new ICAL.Component(ICAL.parse(built.calendar) as unknown[]);
    for (const vtz of component.getAllSubcomponents('vtimezone'))
      ICAL.TimezoneService.register(vtz);
    try {
      const event = new ICAL.Event(component.getFirstSubcomponent('vevent') ?? undefined);
      const it = event.iterator();
      const utc: string[] = [];
      for (let next = it.next(); next !== null && utc.length < 4; next = it.next())
        utc.push(next.toJSDate().toISOString());
      // US DST starts 2027-03-14: 09:30 EST is 14:30Z, 09:30 EDT is 13:30Z.
      expect(utc).toEqual([
        '2027-02-23T14:30:00.000Z',
        '2027-03-02T14:30:00.000Z',
        '2027-03-09T14:30:00.000Z',
        '2027-03-16T13:30:00.000Z',
      ]);
    } finally {
      ICAL.TimezoneService.remove('America/New_York');
    }
  });

  it('writes all-day events as dates, whatever the host zone', () => {
    const built = buildInvite(
      { summary: 'x', ...people, allDay: true, start: '2026-12-24', end: '2026-12-26' },
      { ids: deterministicIds('all-day', {}) },
    );
    expect(built.calendar).toContain('DTSTART;VALUE=DATE:20261224\r\n');
    expect(built.calendar).toContain('DTEND;VALUE=DATE:20261226\r\n');
  });

  it('builds byte-identical files in processes with different TZ and locale', () => {
    const cli = new URL('../../src/cli/main.ts', import.meta.url).pathname;
    const examples = new URL('../../examples/', import.meta.url).pathname;
    const outputs = ['UTC', 'America/New_York', 'Pacific/Chatham', 'Asia/Kathmandu'].map((tz) => {
      const out = mkdtempSync(join(tmpdir(), 'smtp-invite-tz-'));
      execFileSync(
        process.execPath,
        [
          cli,
          'build',
          join(examples, 'weekly-standup.json'),
          join(examples, 'team-offsite.json'),
          '--out',
          out,
          '--deterministic',
        ],
        {
          env: {
            PATH: process.env['PATH'] ?? '',
            TZ: tz,
            LANG: tz === 'UTC' ? 'C' : 'de_DE.UTF-8',
            LC_ALL: tz === 'UTC' ? 'C' : 'de_DE.UTF-8',
          },
          stdio: 'pipe',
        },
      );
      return ['weekly-standup.eml', 'team-offsite.eml']
        .map((f) => readFileSync(join(out, f), 'latin1'))
        .join('\n');
    });
    expect(new Set(outputs).size).toBe(1);
  });
});
