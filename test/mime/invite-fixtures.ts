/**
 * Hand-built Invite objects for the mime tests (the validator that builds them from JSON is tested
 * on its own). DateTimes are zoned explicitly, never in the host zone.
 */
import { DateTime } from 'luxon';
import type { Attendee, Invite } from '../../src/model/invite.ts';

export function zoned(iso: string, zone: string): DateTime {
  const dt = DateTime.fromISO(iso, { zone });
  if (!dt.isValid) throw new Error(`bad fixture time ${iso} in ${zone}`);
  return dt;
}

export function attendee(
  email: string,
  name?: string,
  extra: Partial<Omit<Attendee, 'email' | 'name'>> = {},
): Attendee {
  return {
    email,
    ...(name === undefined ? {} : { name }),
    role: 'REQ-PARTICIPANT',
    cutype: 'INDIVIDUAL',
    rsvp: true,
    partstat: 'NEEDS-ACTION',
    ...extra,
  };
}

/** Quarterly planning, Tuesday 1 December 2026 10:00–11:00 Europe/Berlin, two attendees. */
export function makeInvite(overrides: Partial<Invite> = {}): Invite {
  return {
    uid: 'uid-1@example.com',
    sequence: 0,
    method: 'REQUEST',
    summary: 'Quarterly planning',
    timeZone: 'Europe/Berlin',
    allDay: false,
    start: zoned('2026-12-01T10:00', 'Europe/Berlin'),
    end: zoned('2026-12-01T11:00', 'Europe/Berlin'),
    organizer: { name: 'Alice Example', email: 'alice@example.com' },
    attendees: [attendee('bob@example.com', 'Bob Builder'), attendee('carol@example.com')],
    alarms: [],
    status: 'CONFIRMED',
    transparency: 'OPAQUE',
    ...overrides,
  };
}

/** An all-day event: midnight-UTC dates, exclusive end. */
export function allDay(
  startDate: string,
  endDate: string,
  overrides: Partial<Invite> = {},
): Invite {
  return makeInvite({
    allDay: true,
    timeZone: null,
    start: zoned(startDate, 'UTC'),
    end: zoned(endDate, 'UTC'),
    ...overrides,
  });
}
