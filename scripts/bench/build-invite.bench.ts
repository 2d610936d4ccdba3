/**
 * Issue #2 benchmark: full build (iCalendar + complete MIME bytes) of a realistic invite, ours vs
 * the usual approach (ical-generator 11 + nodemailer's MailComposer with `icalEvent`), one core.
 */
import assert from 'node:assert/strict';
import ical, { ICalAttendeeRole, ICalAttendeeType, ICalCalendarMethod } from 'ical-generator';
import { DateTime } from 'luxon';
import MailComposer from 'nodemailer/lib/mail-composer';
import { buildInvite, type BuildIds } from '../../src/flows/build-invite.ts';
import { readCalendar } from '../../src/ical/read-calendar.ts';
import { buildVtimezone } from '../../src/ical/vtimezone.ts';
import { readMessage } from '../../src/mime/read-message.ts';
import { compare, formatRow, measure } from './bench-util.ts';

// ~2 KB of HTML, a paragraph of text, three attendees including a room: a typical meeting.
const html = `<h2>Quarterly planning</h2><p>${'Please review the attached figures before the meeting. '.repeat(34)}</p><ul><li>Results</li><li>Goals</li><li>Staffing</li></ul>`;
const description =
  'Agenda: results of Q4, goals for Q1, staffing. Please review the figures before the meeting.';

export function realisticInput(attendees = 3): Record<string, unknown> {
  return {
    uid: 'bench-0001@example.com',
    summary: 'Quarterly planning',
    description,
    html,
    location: 'Room 4.12, Berlin office',
    url: 'https://meet.example.com/quarterly-planning',
    timeZone: 'Europe/Berlin',
    start: '2026-12-01T10:00',
    end: '2026-12-01T11:30',
    organizer: { name: 'Olga Organizer', email: 'olga@example.com' },
    attendees: [
      { name: 'Room 4.12', email: 'room-4.12@example.com', kind: 'room' },
      ...Array.from({ length: attendees - 1 }, (_, i) => ({
        name: `Attendee ${i}`,
        email: `attendee${i}@example.com`,
        role: i % 2 ? 'optional' : 'required',
      })),
    ],
  };
}

const fixedIds: Partial<BuildIds> = {
  now: () => new Date('2026-11-21T10:00:00Z'),
  messageId: () => 'bench@example.com',
  boundary: (i, d) => `----=_bench_${i}_${d}`,
};

function ours(input: unknown): Buffer {
  return buildInvite(input, { ids: fixedIds }).messages[0]?.raw ?? Buffer.alloc(0);
}

/** The usual approach, written the way its documentation shows it. */
async function baseline(): Promise<Buffer> {
  const calendar = ical({ method: ICalCalendarMethod.REQUEST, prodId: '//example//bench//EN' });
  // The same VTIMEZONE text, so both sides carry the same calendar content.
  calendar.timezone({
    name: null,
    generator: (tz: string) => buildVtimezone(tz, { fromYear: 2026, toYear: 2027 }).join('\r\n'),
  });
  const event = calendar.createEvent({
    id: 'bench-0001@example.com',
    start: DateTime.fromISO('2026-12-01T10:00', { zone: 'Europe/Berlin' }),
    end: DateTime.fromISO('2026-12-01T11:30', { zone: 'Europe/Berlin' }),
    timezone: 'Europe/Berlin',
    stamp: DateTime.fromISO('2026-11-21T10:00:00Z'),
    summary: 'Quarterly planning',
    description: { plain: description, html },
    location: 'Room 4.12, Berlin office',
    url: 'https://meet.example.com/quarterly-planning',
    organizer: { name: 'Olga Organizer', email: 'olga@example.com' },
  });
  event.createAttendee({
    email: 'room-4.12@example.com',
    name: 'Room 4.12',
    type: ICalAttendeeType.ROOM,
    rsvp: true,
  });
  event.createAttendee({
    email: 'attendee0@example.com',
    name: 'Attendee 0',
    role: ICalAttendeeRole.REQ,
    rsvp: true,
  });
  event.createAttendee({
    email: 'attendee1@example.com',
    name: 'Attendee 1',
    role: ICalAttendeeRole.OPT,
    rsvp: true,
  });
  event.x('X-MICROSOFT-CDO-APPT-SEQUENCE', '0');
  const content = calendar.toString();
  const composer = new MailComposer({
    from: 'Olga Organizer <olga@example.com>',
    to: [
      'Room 4.12 <room-4.12@example.com>',
      'Attendee 0 <attendee0@example.com>',
      'Attendee 1 <attendee1@example.com>',
    ],
    subject: 'Invitation: Quarterly planning @ Tue 1 Dec 2026 10:00–11:30 (Europe/Berlin)',
    text: description,
    html,
    icalEvent: { method: 'REQUEST', content },
    attachments: [{ filename: 'invite.ics', content, contentType: 'application/ics' }],
  });
  return new Promise((resolve, reject) =>
    composer.compile().build((err, message) => (err ? reject(err) : resolve(message))),
  );
}

/** Our output must still pass the checks the tests make: parseable, method= equal to METHOD. */
async function checkOutput(raw: Buffer): Promise<void> {
  const message = await readMessage(raw);
  const inline = message.calendars.find((c) => c.contentType === 'text/calendar');
  assert.ok(inline, 'calendar part');
  const calendar = readCalendar(inline.text);
  assert.equal(inline.method, calendar.method);
  assert.equal(calendar.events[0]?.attendees.length, 3);
  assert.ok(calendar.timezones.includes('Europe/Berlin'));
}

export async function runBuildBenchmark(
  log: (line: string) => void,
): Promise<{ ours: number; baseline: number; ratio: number; scaling: [number, number][] }> {
  const input = realisticInput();
  await checkOutput(ours(input));
  const sizes = { ours: ours(input).length, baseline: (await baseline()).length };
  log(
    `Build of a realistic invite (3 attendees incl. a room, Europe/Berlin VTIMEZONE, ${html.length} B HTML, .ics attached); one core.`,
  );
  log(`  message sizes: ours ${sizes.ours} B, baseline ${sizes.baseline} B`);
  const [a, b] = await compare(
    [
      { name: 'smtp-invite buildInvite (validate + iCalendar + MIME)', op: () => ours(input) },
      { name: 'baseline: ical-generator 11 + nodemailer MailComposer', op: baseline },
    ],
    { warmup: 500, rounds: 15, perRound: 400 },
  );
  if (!a || !b) throw new Error('no measurement');
  log(`  ${formatRow(a)}`);
  log(`  ${formatRow(b)}`);
  const ratio = b.usPerOp / a.usPerOp;
  log(`  ratio: ${ratio.toFixed(2)}x faster than the baseline (target >= 3.5x)`);

  log('Scaling with attendees (ours):');
  const scaling: [number, number][] = [];
  for (const n of [1, 10, 100, 1000]) {
    const big = realisticInput(n);
    const per = n >= 1000 ? 20 : n >= 100 ? 100 : 300;
    const m = await measure(`${n} attendees`, () => ours(big), {
      warmup: Math.max(5, per / 4),
      rounds: 9,
      perRound: per,
    });
    scaling.push([n, m.usPerOp]);
    log(`  ${n.toString().padStart(5)} attendees: ${m.usPerOp.toFixed(1).padStart(9)} µs/invite`);
  }
  const [first, last] = [scaling[1], scaling[3]];
  if (first && last)
    log(`  marginal cost per attendee (10 → 1000): ${((last[1] - first[1]) / 990).toFixed(2)} µs`);
  return { ours: a.usPerOp, baseline: b.usPerOp, ratio, scaling };
}
