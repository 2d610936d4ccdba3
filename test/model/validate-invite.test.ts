import { describe, expect, it } from 'vitest';
import { SmtpInviteError } from '../../src/errors.ts';
import { parseInvite, validateInvite } from '../../src/model/validate-invite.ts';

const base = {
  uid: 'u-1@example.com',
  summary: 'Planning',
  timeZone: 'Europe/Berlin',
  start: '2026-12-01T10:00',
  end: '2026-12-01T11:00',
  organizer: { name: 'Olga', email: 'olga@example.com' },
  attendees: [{ name: 'Ada', email: 'ada@example.com' }],
};

function problems(input: unknown): { path: string; code: string }[] {
  const result = validateInvite(input, { newUid: () => 'generated' });
  return result.ok ? [] : result.diagnostics.map((d) => ({ path: d.path, code: d.code }));
}

describe('validateInvite', () => {
  it('normalises a minimal valid invite with the documented defaults', () => {
    const invite = parseInvite({ ...base, uid: undefined }, { newUid: () => 'generated' });
    expect(invite.uid).toBe('generated');
    expect(invite.sequence).toBe(0);
    expect(invite.method).toBe('REQUEST');
    expect(invite.status).toBe('CONFIRMED');
    expect(invite.transparency).toBe('OPAQUE');
    expect(invite.timeZone).toBe('Europe/Berlin');
    expect(invite.start.toISO()).toBe('2026-12-01T10:00:00.000+01:00');
    expect(invite.attendees).toEqual([
      {
        name: 'Ada',
        email: 'ada@example.com',
        role: 'REQ-PARTICIPANT',
        cutype: 'INDIVIDUAL',
        rsvp: true,
        partstat: 'NEEDS-ACTION',
      },
    ]);
  });

  it('reports every problem at once, each with its JSON path', () => {
    const found = problems({
      ...base,
      attendees: [
        { email: 'ada@example.com' },
        { email: 'ADA@example.com' },
        { email: 'not-an-address' },
        { email: 'olga@example.com' },
        { email: 'x@example.com', role: 'boss', kind: 'robot' },
      ],
      timeZone: 'Mars/Olympus',
      recurrence: { rrule: 'FREQ=WEEKLY' },
      colour: 'red',
    });
    expect(found).toEqual(
      expect.arrayContaining([
        { path: 'colour', code: 'unknown-field' },
        { path: 'timeZone', code: 'unknown-time-zone' },
        { path: 'attendees[1].email', code: 'duplicate-attendee' },
        { path: 'attendees[2].email', code: 'invalid-email' },
        { path: 'attendees[3].email', code: 'organizer-is-attendee' },
        { path: 'attendees[4].role', code: 'invalid-value' },
        { path: 'attendees[4].kind', code: 'invalid-value' },
      ]),
    );
    // An unknown zone must not cascade into "start has no offset" noise.
    expect(found.filter((p) => p.path === 'start')).toEqual([]);
  });

  it('throws ERR_INVALID_INPUT carrying the diagnostics from parseInvite', () => {
    try {
      parseInvite({ ...base, end: '2026-12-01T09:00' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SmtpInviteError);
      const e = err as SmtpInviteError;
      expect(e.code).toBe('ERR_INVALID_INPUT');
      expect(e.exitCode).toBe(2);
      expect(e.diagnostics.map((d) => d.path)).toEqual(['end']);
    }
  });

  it.each([
    ['a missing summary', { summary: undefined }, 'summary', 'required'],
    ['a blank summary', { summary: ' \r\n ' }, 'summary', 'required'],
    ['end not after start', { end: '2026-12-01T10:00' }, 'end', 'end-not-after-start'],
    ['end and duration', { duration: 'PT1H' }, 'duration', 'end-and-duration'],
    ['a bad duration', { end: undefined, duration: 'PT' }, 'duration', 'invalid-duration'],
    [
      'a calendar-month duration',
      { end: undefined, duration: 'P1M' },
      'duration',
      'invalid-duration',
    ],
    ['a bad sequence', { sequence: -1 }, 'sequence', 'invalid-sequence'],
    ['a fractional sequence', { sequence: 1.5 }, 'sequence', 'invalid-sequence'],
    ['a bad method', { method: 'REPLY' }, 'method', 'invalid-value'],
    ['a non-http url', { url: 'javascript:alert(1)' }, 'url', 'invalid-url'],
    ['a uid with a line break', { uid: 'a\r\nb' }, 'uid', 'invalid-uid'],
    ['a non-string summary', { summary: 42 }, 'summary', 'wrong-type'],
    ['no attendees', { attendees: [] }, 'attendees', 'required'],
    ['a fixed offset as zone', { timeZone: '+01:00' }, 'timeZone', 'unknown-time-zone'],
    ['a start with fractions', { start: '2026-12-01T10:00:00.5' }, 'start', 'invalid-date-time'],
    ['a date for a timed event', { start: '2026-12-01' }, 'start', 'invalid-date-time'],
    ['an impossible date', { start: '2026-02-30T10:00' }, 'start', 'invalid-date-time'],
    [
      'a mailto: address',
      { organizer: { email: 'mailto:olga@example.com' } },
      'organizer.email',
      'invalid-email',
    ],
    [
      'a bad sentBy',
      { organizer: { email: 'olga@example.com', sentBy: 'x' } },
      'organizer.sentBy',
      'invalid-email',
    ],
    ['a bad alarm', { alarms: [{ before: '15 minutes' }] }, 'alarms[0].before', 'invalid-duration'],
    ['an unknown status', { status: 'cancelled' }, 'status', 'invalid-value'],
  ])('rejects %s', (_, patch, path, code) => {
    expect(problems({ ...base, ...patch })).toContainEqual({ path, code });
  });

  it('names the unknown zone and suggests the closest one', () => {
    const result = validateInvite({ ...base, timeZone: 'Europe/Berln' });
    expect(result.ok).toBe(false);
    expect(result.diagnostics[0]?.message).toContain('did you mean "Europe/Berlin"');
  });

  it('refuses a wall-clock time that does not exist (clocks go forward) and says why', () => {
    const result = validateInvite({ ...base, start: '2026-03-29T02:30', end: '2026-03-29T04:00' });
    expect(result.ok).toBe(false);
    expect(result.diagnostics[0]).toMatchObject({ path: 'start', code: 'invalid-date-time' });
    expect(result.diagnostics[0]?.message).toMatch(/does not exist in Europe\/Berlin/);
  });

  it('reads a repeated wall-clock time (clocks go back) as its first occurrence, RFC 5545 §3.3.5', () => {
    const invite = parseInvite({
      ...base,
      timeZone: 'America/New_York',
      start: '2026-11-01T01:30',
      end: '2026-11-01T03:00',
    });
    expect(invite.start.toISO()).toBe('2026-11-01T01:30:00.000-04:00');
  });

  it('converts times with an offset into the meeting zone', () => {
    const invite = parseInvite({
      ...base,
      timeZone: 'America/New_York',
      start: '2026-12-03T16:00+01:00',
      end: '2026-12-03T17:00+01:00',
    });
    expect(invite.start.toISO()).toBe('2026-12-03T10:00:00.000-05:00');
    expect(invite.timeZone).toBe('America/New_York');
  });

  it('writes times in UTC when only offsets are given (no zone)', () => {
    const invite = parseInvite({
      ...base,
      timeZone: undefined,
      start: '2026-12-01T10:00+01:00',
      end: '2026-12-01T11:00Z',
    });
    expect(invite.timeZone).toBeNull();
    expect(invite.start.toISO()).toBe('2026-12-01T09:00:00.000Z');
    expect(invite.end.toISO()).toBe('2026-12-01T11:00:00.000Z');
  });

  it('treats a UTC zone as "no VTIMEZONE needed"', () => {
    expect(parseInvite({ ...base, timeZone: 'Etc/UTC' }).timeZone).toBeNull();
    expect(parseInvite({ ...base, timeZone: 'europe/berlin' }).timeZone).toBe('Europe/Berlin');
  });

  it('adds day durations on the wall clock and hour durations exactly, across DST', () => {
    const days = parseInvite({
      ...base,
      start: '2026-03-28T10:00',
      end: undefined,
      duration: 'P1D',
    });
    expect(days.end.toISO()).toBe('2026-03-29T10:00:00.000+02:00');
    const hours = parseInvite({
      ...base,
      start: '2026-03-28T10:00',
      end: undefined,
      duration: 'PT24H',
    });
    expect(hours.end.toISO()).toBe('2026-03-29T11:00:00.000+02:00');
  });

  describe('all-day events', () => {
    const allDay = { ...base, allDay: true, start: '2026-12-24', end: undefined };
    it('defaults to one day with an exclusive end', () => {
      const invite = parseInvite(allDay);
      expect(invite.allDay).toBe(true);
      expect(invite.timeZone).toBeNull();
      expect(invite.start.toISODate()).toBe('2026-12-24');
      expect(invite.end.toISODate()).toBe('2026-12-25');
    });
    it('accepts an exclusive end date and P2D', () => {
      expect(parseInvite({ ...allDay, end: '2026-12-26' }).end.toISODate()).toBe('2026-12-26');
      expect(parseInvite({ ...allDay, duration: 'P2D' }).end.toISODate()).toBe('2026-12-26');
    });
    it('explains the exclusive end when end equals start', () => {
      const result = validateInvite({ ...allDay, end: '2026-12-24' });
      expect(result.diagnostics[0]?.message).toMatch(/exclusive/);
    });
    it('refuses times and hour durations', () => {
      expect(problems({ ...allDay, start: '2026-12-24T10:00' })).toContainEqual({
        path: 'start',
        code: 'invalid-date-time',
      });
      expect(problems({ ...allDay, duration: 'PT5H' })).toContainEqual({
        path: 'duration',
        code: 'invalid-duration',
      });
    });
  });

  describe('hostile text', () => {
    it('turns CR/LF and controls in single-line fields into spaces, keeps description line breaks', () => {
      const invite = parseInvite({
        ...base,
        summary: 'Plan\r\nBCC: evil@example.com\u0000',
        location: 'A\nB',
        description: 'line 1\r\nline 2\rline 3\u0007',
        organizer: { name: 'O "the boss"\r\nX-Evil: 1', email: 'olga@example.com' },
      });
      expect(invite.summary).toBe('Plan BCC: evil@example.com');
      expect(invite.location).toBe('A B');
      expect(invite.description).toBe('line 1\nline 2\nline 3 ');
      expect(invite.organizer.name).toBe('O "the boss" X-Evil: 1');
    });
    it('replaces lone surrogates instead of failing', () => {
      expect(parseInvite({ ...base, summary: 'a\ud800b' }).summary).toBe('a\ufffdb');
    });
    it('enforces the size limits, configurable', () => {
      const big = 'x'.repeat(64 * 1024 + 1);
      expect(problems({ ...base, description: big })).toContainEqual({
        path: 'description',
        code: 'too-large',
      });
      expect(
        validateInvite({ ...base, description: big }, { limits: { maxTextBytes: 100_000 } }).ok,
      ).toBe(true);
      expect(problems({ ...base, html: 'x'.repeat(256 * 1024 + 1) })).toContainEqual({
        path: 'html',
        code: 'too-large',
      });
      // Octets, not characters: 22k three-byte characters are 66 KB.
      expect(problems({ ...base, summary: '日'.repeat(22_000) })).toContainEqual({
        path: 'summary',
        code: 'too-large',
      });
    });
    it('limits attendees to 1,000 by default', () => {
      const many = Array.from({ length: 1001 }, (_, i) => ({ email: `p${i}@example.com` }));
      expect(problems({ ...base, attendees: many })).toEqual([
        { path: 'attendees', code: 'too-many-attendees' },
      ]);
      expect(validateInvite({ ...base, attendees: many.slice(0, 1000) }).ok).toBe(true);
    });
    it('percent-encodes ; , and \\ in the join link so TEXT escaping cannot corrupt it', () => {
      expect(parseInvite({ ...base, url: 'https://meet.example.com/j/1;x,y?p=a b' }).url).toBe(
        'https://meet.example.com/j/1%3Bx%2Cy?p=a%20b',
      );
    });
  });

  it('maps roles, kinds and the rsvp default', () => {
    const invite = parseInvite({
      ...base,
      attendees: [
        { email: 'a@example.com', role: 'optional' },
        { email: 'b@example.com', role: 'chair' },
        { email: 'c@example.com', role: 'non-participant' },
        { email: 'd@example.com', kind: 'room' },
        { email: 'e@example.com', kind: 'resource', rsvp: false },
        { email: 'f@example.com', kind: 'group' },
      ],
    });
    expect(invite.attendees.map((a) => [a.role, a.cutype, a.rsvp])).toEqual([
      ['OPT-PARTICIPANT', 'INDIVIDUAL', true],
      ['CHAIR', 'INDIVIDUAL', true],
      ['NON-PARTICIPANT', 'INDIVIDUAL', false],
      ['REQ-PARTICIPANT', 'ROOM', true],
      ['REQ-PARTICIPANT', 'RESOURCE', false],
      ['REQ-PARTICIPANT', 'GROUP', true],
    ]);
  });

  it('derives a plain DESCRIPTION from HTML-only input', () => {
    const invite = parseInvite({
      ...base,
      html: '<p>Hello <b>team</b> &amp; friends</p><ul><li>one</li></ul>',
    });
    expect(invite.description).toBe('Hello team & friends\n\n- one');
    expect(invite.html).toContain('<b>team</b>');
  });

  it('sets STATUS:CANCELLED for CANCEL', () => {
    expect(parseInvite({ ...base, method: 'cancel' }).status).toBe('CANCELLED');
  });

  it('allows PUBLISH without attendees', () => {
    expect(parseInvite({ ...base, method: 'PUBLISH', attendees: [] }).attendees).toEqual([]);
  });

  it('checks that exdates fall on the occurrence time', () => {
    const result = validateInvite({
      ...base,
      recurrence: { rrule: 'FREQ=DAILY;COUNT=5', exdates: ['2026-12-02T11:00'] },
    });
    expect(result.diagnostics[0]).toMatchObject({
      path: 'recurrence.exdates[0]',
      code: 'invalid-date-time',
    });
  });
});
