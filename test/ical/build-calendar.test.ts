import { describe, expect, it } from 'vitest';
import { buildCalendar } from '../../src/ical/build-calendar.ts';
import { readCalendar } from '../../src/ical/read-calendar.ts';
import type { Invite } from '../../src/model/invite.ts';
import { parseInvite } from '../../src/model/validate-invite.ts';

const now = new Date('2026-11-21T09:08:07Z');
const base = {
  uid: 'u-1@example.com',
  summary: 'Planning',
  timeZone: 'Europe/Berlin',
  start: '2026-12-01T10:00',
  end: '2026-12-01T11:00',
  organizer: { name: 'Olga', email: 'olga@example.com', sentBy: 'assistant@example.com' },
  attendees: [
    { name: 'Ada', email: 'ada@example.com' },
    { name: 'FYI', email: 'fyi@example.com', role: 'non-participant' },
  ],
};

function build(patch: Record<string, unknown> = {}): string {
  return buildCalendar(parseInvite({ ...base, ...patch }), { now });
}

function lines(calendar: string): string[] {
  return calendar.replace(/\r\n /g, '').split('\r\n');
}

describe('buildCalendar', () => {
  it('writes the scheduling properties of a REQUEST', () => {
    const l = lines(build());
    expect(l.slice(0, 4)).toEqual([
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//smtp-invite//smtp-invite//EN',
      'METHOD:REQUEST',
    ]);
    expect(l).toContain('UID:u-1@example.com');
    expect(l).toContain('SEQUENCE:0');
    expect(l).toContain('DTSTAMP:20261121T090807Z');
    expect(l).toContain('DTSTART;TZID=Europe/Berlin:20261201T100000');
    expect(l).toContain('DTEND;TZID=Europe/Berlin:20261201T110000');
    expect(l).toContain(
      'ORGANIZER;CN="Olga";SENT-BY="mailto:assistant@example.com":mailto:olga@example.com',
    );
    expect(l).toContain(
      'ATTENDEE;ROLE=REQ-PARTICIPANT;CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN="Ada":MAILTO:ada@example.com',
    );
    expect(l).toContain(
      'ATTENDEE;ROLE=NON-PARTICIPANT;CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;RSVP=FALSE;CN="FYI":MAILTO:fyi@example.com',
    );
    expect(l).toContain('STATUS:CONFIRMED');
    expect(l).toContain('TRANSP:OPAQUE');
    expect(l.at(-2)).toBe('END:VCALENDAR');
    expect(l.at(-1)).toBe('');
  });

  it('keeps X-MICROSOFT-CDO-APPT-SEQUENCE equal to SEQUENCE and sets the busy status', () => {
    const l = lines(build({ sequence: 7, status: 'tentative' }));
    expect(l).toContain('SEQUENCE:7');
    expect(l).toContain('X-MICROSOFT-CDO-APPT-SEQUENCE:7');
    expect(l).toContain('X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE');
    expect(l).toContain('X-MICROSOFT-CDO-INTENDEDSTATUS:TENTATIVE');
    expect(lines(build({ transparency: 'free' }))).toContain('X-MICROSOFT-CDO-BUSYSTATUS:FREE');
  });

  it('never writes feed-only properties', () => {
    const names = lines(build()).map((l) => l.split(/[;:]/)[0]);
    for (const name of [
      'X-WR-CALNAME',
      'X-WR-TIMEZONE',
      'TIMEZONE-ID',
      'NAME',
      'REFRESH-INTERVAL',
      'X-PUBLISHED-TTL',
    ]) {
      expect(names).not.toContain(name);
    }
  });

  it('gives every TZID a VTIMEZONE and writes UTC times with Z when there is no zone', () => {
    const summary = readCalendar(build());
    expect(summary.timezones).toEqual(['Europe/Berlin']);
    const utc = build({
      timeZone: undefined,
      start: '2026-12-01T10:00Z',
      end: '2026-12-01T11:00Z',
    });
    expect(utc).not.toContain('VTIMEZONE');
    expect(utc).not.toContain('TZID');
    expect(utc).toContain('DTSTART:20261201T100000Z\r\n');
  });

  it('writes all-day events as VALUE=DATE with the Outlook all-day flag', () => {
    const l = lines(
      build({ allDay: true, start: '2026-12-24', end: undefined, timeZone: undefined }),
    );
    expect(l).toContain('DTSTART;VALUE=DATE:20261224');
    expect(l).toContain('DTEND;VALUE=DATE:20261225');
    expect(l).toContain('X-MICROSOFT-CDO-ALLDAYEVENT:TRUE');
  });

  it('writes RRULE and EXDATE in the event zone', () => {
    const l = lines(
      build({
        recurrence: {
          rrule: 'FREQ=WEEKLY;BYDAY=TU;COUNT=5',
          exdates: ['2026-12-08T10:00', '2026-12-15T10:00'],
        },
      }),
    );
    expect(l).toContain('RRULE:FREQ=WEEKLY;COUNT=5;BYDAY=TU');
    expect(l).toContain('EXDATE;TZID=Europe/Berlin:20261208T100000,20261215T100000');
  });

  it('writes alarms as display VALARMs before the start', () => {
    const text = build({ alarms: [{ before: 'PT15M' }, { before: 'P1D' }] });
    expect(text).toContain(
      'BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nDESCRIPTION:Planning\r\nEND:VALARM\r\n',
    );
    expect(text).toContain('TRIGGER:-P1D\r\n');
  });

  it('adds X-ALT-DESC for HTML and escapes TEXT values', () => {
    const l = lines(build({ description: 'a;b,c\\d\ne', html: '<p>x;y</p>', location: 'L;1,2' }));
    expect(l).toContain('DESCRIPTION:a\\;b\\,c\\\\d\\ne');
    expect(l).toContain('X-ALT-DESC;FMTTYPE=text/html:<p>x\\;y</p>');
    expect(l).toContain('LOCATION:L\\;1\\,2');
  });

  it('escapes a UID that contains TEXT specials, and round-trips it', () => {
    const text = build({ uid: 'a;b,c\\d' });
    expect(text).toContain('UID:a\\;b\\,c\\\\d\r\n');
    expect(readCalendar(text).events[0]?.uid).toBe('a;b,c\\d');
  });

  it('leaves attendees out of PUBLISH and marks CANCEL as cancelled', () => {
    expect(build({ method: 'PUBLISH' })).not.toContain('ATTENDEE');
    const cancel = lines(build({ method: 'CANCEL', sequence: 1 }));
    expect(cancel).toContain('METHOD:CANCEL');
    expect(cancel).toContain('STATUS:CANCELLED');
    expect(cancel).toContain('X-MICROSOFT-CDO-BUSYSTATUS:FREE');
  });

  it('uses the address as CN when the organizer has no name (ical-generator requires one)', () => {
    expect(build({ organizer: { email: 'olga@example.com' } })).toContain(
      'ORGANIZER;CN="olga@example.com":mailto:olga@example.com',
    );
  });

  it('refuses to emit a broken structure even if a caller bypasses validation', () => {
    const invite = parseInvite(base);
    const forged: Invite[] = [
      {
        ...invite,
        recurrence: { rrule: 'FREQ=DAILY\r\nATTENDEE:mailto:evil@example.com', exdates: [] },
      },
      { ...invite, timeZone: 'Europe/Berlin\r\nX-EVIL:1' },
      {
        ...invite,
        attendees: [
          { ...invite.attendees[0]!, email: 'a@example.com\r\nATTENDEE:mailto:evil@example.com' },
        ],
      },
    ];
    for (const f of forged) {
      expect(() => buildCalendar(f, { now })).toThrow(
        expect.objectContaining({ code: 'ERR_INTERNAL' }) as Error,
      );
    }
  });

  it('escapes line breaks in TEXT it writes itself (UID) and in TEXT the library writes (summary)', () => {
    const invite = parseInvite(base);
    const text = buildCalendar(
      {
        ...invite,
        uid: 'x\r\nATTENDEE:mailto:evil@example.com',
        summary: 'a\r\nATTENDEE:mailto:evil@example.com',
      },
      { now },
    );
    expect(lines(text).filter((l) => l.startsWith('ATTENDEE')).length).toBe(2);
    expect(text).toContain('UID:x\\nATTENDEE:mailto:evil@example.com\r\n');
  });
});
