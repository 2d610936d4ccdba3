/**
 * fast-check arbitraries for invite inputs as users write them: every zone form (IANA wall clock,
 * offsets, Z), all-day, DST edge days, recurrence as text or parts with exdates, every attendee
 * option. Some generated inputs are invalid (a wall time skipped by DST, an exdate at another time
 * of day): callers validate and skip those, exactly as the CLI would refuse them.
 */
import fc from 'fast-check';
import type { AttendeeInput, InviteInput, RecurrenceRuleInput } from '../../src/model/invite.ts';

// The EU and US DST changes of 2026 (both directions), a leap day, and an ordinary winter day.
const DAYS = [
  '2026-03-08',
  '2026-03-29',
  '2026-10-25',
  '2026-11-01',
  '2028-02-29',
  '2026-12-01',
  '2027-06-15',
];
const ZONES = [
  'Europe/Berlin',
  'America/New_York',
  'Asia/Kolkata',
  'Australia/Lord_Howe',
  'UTC',
  undefined,
];

const time = fc
  .record({ hour: fc.integer({ min: 0, max: 23 }), minute: fc.constantFrom(0, 15, 30, 45) })
  .map(({ hour, minute }) => `${pad(hour)}:${pad(minute)}`);

const attendee = (i: number): fc.Arbitrary<AttendeeInput> =>
  fc
    .record(
      {
        name: fc.constantFrom('Ada', 'Bob Müller', '  Chen  ', 'D, "the" chair'),
        email: fc.constantFrom(`p${i}@example.com`, `P${i}@Example.ORG`),
        role: fc.constantFrom('required', 'optional', 'chair', 'non-participant'),
        kind: fc.constantFrom('person', 'room', 'resource', 'group'),
        rsvp: fc.boolean(),
        partstat: fc.constantFrom(
          'NEEDS-ACTION',
          'ACCEPTED',
          'DECLINED',
          'TENTATIVE',
          'DELEGATED',
          'accepted',
        ),
      },
      { requiredKeys: ['email'] },
    )
    .map((a) => a as AttendeeInput);

export const attendeesArbitrary = (min = 1, max = 4): fc.Arbitrary<AttendeeInput[]> =>
  fc
    .integer({ min, max })
    .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => attendee(i))));

export const inviteInputArbitrary: fc.Arbitrary<InviteInput> = fc
  .record({
    zone: fc.constantFrom(...ZONES),
    allDay: fc.boolean(),
    day: fc.constantFrom(...DAYS),
    time,
    // How start is written when a zone is set: wall clock, or an instant with an offset.
    form: fc.constantFrom('wall', 'wall', 'offset', 'z'),
    length: fc.constantFrom('PT30M', 'PT1H', 'PT25H', 'P1D', 'P2D', 'P1W', 'end'),
    recurrence: fc.option(
      fc.record({
        rrule: fc.constantFrom<string | RecurrenceRuleInput>(
          'FREQ=WEEKLY;INTERVAL=1;BYDAY=TU,MO',
          'freq=daily;count=5',
          'FREQ=MONTHLY;BYMONTHDAY=1,15;UNTIL=20271231',
          { freq: 'weekly', interval: 2, count: 6, weekStart: 'SU' },
          { freq: 'yearly', until: '2030-01-01' },
        ),
        exdateWeeks: fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 2 }),
      }),
      { nil: undefined },
    ),
    method: fc.constantFrom('request', 'REQUEST', 'publish', 'cancel'),
    sequence: fc.nat({ max: 20 }),
    description: fc.option(fc.constantFrom('Agenda:\n1. a\r\n2. b', '  spaced  ', 'x;y,z\\'), {
      nil: undefined,
    }),
    html: fc.option(fc.constantFrom('<p>Hi <b>there</b></p>', '<ul><li>x</li></ul>'), {
      nil: undefined,
    }),
    location: fc.option(fc.constantFrom('Room 1', 'Café; floor 2'), { nil: undefined }),
    url: fc.option(fc.constantFrom('https://meet.example.com/a;b', 'http://x.example/'), {
      nil: undefined,
    }),
    organizerName: fc.option(fc.constantFrom('Olga', 'O. "Boss"'), { nil: undefined }),
    sentBy: fc.option(fc.constant('assistant@example.com'), { nil: undefined }),
    attendees: attendeesArbitrary(0, 4),
    alarms: fc.array(fc.constantFrom('PT15M', 'P1D', 'PT1H30M', 'P1W'), { maxLength: 2 }),
    status: fc.option(fc.constantFrom('confirmed', 'tentative'), { nil: undefined }),
    transparency: fc.option(fc.constantFrom('busy', 'free'), { nil: undefined }),
  })
  .map((r): InviteInput => {
    const startText = writeTime(r.day, r.time, r);
    const lengthFields =
      r.length === 'end'
        ? { end: writeTime(addDays(r.day, r.allDay ? 1 : 0), r.allDay ? r.time : '23:59', r) }
        : { duration: r.length };
    return {
      uid: `uid-${r.sequence}@example.com`,
      sequence: r.sequence,
      method: r.method,
      summary: 'Property meeting',
      ...(r.description === undefined ? {} : { description: r.description }),
      ...(r.html === undefined ? {} : { html: r.html }),
      ...(r.location === undefined ? {} : { location: r.location }),
      ...(r.url === undefined ? {} : { url: r.url }),
      ...(r.zone === undefined ? {} : { timeZone: r.zone }),
      allDay: r.allDay,
      start: startText,
      ...lengthFields,
      ...(r.recurrence === undefined
        ? {}
        : {
            recurrence: {
              rrule: r.recurrence.rrule,
              exdates: r.recurrence.exdateWeeks.map((w) =>
                writeTime(addDays(r.day, 7 * w), r.time, r),
              ),
            },
          }),
      organizer: {
        ...(r.organizerName === undefined ? {} : { name: r.organizerName }),
        email: 'olga@example.com',
        ...(r.sentBy === undefined ? {} : { sentBy: r.sentBy }),
      },
      attendees: r.attendees,
      alarms: r.alarms.map((before) => ({ before })),
      ...(r.status === undefined ? {} : { status: r.status }),
      ...(r.transparency === undefined ? {} : { transparency: r.transparency }),
    };
  });

function writeTime(
  day: string,
  hhmm: string,
  r: { allDay: boolean; zone: string | undefined; form: string },
): string {
  if (r.allDay) return day;
  if (r.zone === undefined || r.form === 'z') return `${day}T${hhmm}Z`;
  // A fixed offset: for zones at another offset the instant is converted into the zone.
  if (r.form === 'offset') return `${day}T${hhmm}:00+01:00`;
  return `${day}T${hhmm}`;
}

function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
