import { readdirSync, readFileSync, statSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildInvite, deterministicIds } from '../../src/flows/build-invite.ts';
import { inspect, inspectCalendar, inspectMessage } from '../../src/inspect/inspect-engine.ts';
import { ENGINE_FINDINGS, RULES } from '../../src/inspect/rule-catalogue.ts';

const fixture = (p: string) => readFileSync(new URL(`../../fixtures/${p}`, import.meta.url));

/** Real-world samples under fixtures/<dir>/ (relative to fixtures/), not their notes or expectations. */
function sampleFiles(dir: string): string[] {
  const walk = (rel: string): string[] =>
    readdirSync(new URL(`../../fixtures/${rel}/`, import.meta.url)).flatMap((name) => {
      const path = `${rel}/${name}`;
      if (statSync(new URL(`../../fixtures/${path}`, import.meta.url)).isDirectory())
        return walk(path);
      return /\.(md|json)$/.test(name) ? [] : [path];
    });
  return walk(dir);
}

describe('inspect engine', () => {
  it('describes a message: MIME tree, calendar parts, events with resolved instants, verdicts', () => {
    const report = inspectMessage(fixture('invites/simple-meeting/expected.eml'));
    expect(report.input.kind).toBe('message');
    expect(report.mime?.contentType).toBe('multipart/mixed');
    expect(report.mime?.children.map((c) => c.contentType)).toEqual([
      'multipart/alternative',
      'application/ics',
    ]);
    expect(report.calendarParts).toEqual([
      {
        path: '1.3',
        placement: 'alternative',
        contentType: 'text/calendar',
        method: 'REQUEST',
        charset: 'UTF-8',
        primary: true,
      },
      {
        path: '2',
        placement: 'attachment',
        contentType: 'application/ics',
        filename: 'invite.ics',
        primary: false,
        agreesWithPrimary: true,
      },
    ]);
    const event = report.calendars[0]?.events[0];
    expect(event).toMatchObject({
      uid: 'simple-meeting@example.com',
      sequence: 0,
      summary: 'Project kick-off',
      start: { value: '20261201T100000', tzid: 'Europe/Berlin', utc: '2026-12-01T09:00:00.000Z' },
    });
    expect(event?.attendees).toEqual([
      {
        address: 'ada@example.com',
        cn: 'Ada Lovelace',
        role: 'REQ-PARTICIPANT',
        partstat: 'NEEDS-ACTION',
        rsvp: 'TRUE',
        cutype: 'INDIVIDUAL',
      },
    ]);
    expect(report.clients.map((c) => [c.client, c.outcome])).toEqual([
      ['outlook', 'invitation'],
      ['gmail', 'invitation'],
      ['apple', 'invitation'],
      ['thunderbird', 'invitation'],
    ]);
  });

  it('tells a bare calendar from a message by its content', () => {
    expect(inspect(fixture('invites/all-day/expected.ics')).input.kind).toBe('calendar');
    expect(inspect(fixture('invites/all-day/expected.eml')).input.kind).toBe('message');
    expect(
      inspectCalendar(fixture('invites/all-day/expected.ics')).calendarParts[0]?.placement,
    ).toBe('standalone');
  });

  it('reports, does not parse, input over the size limit', () => {
    const report = inspect(Buffer.alloc(2000, 0x41), { maxBytes: 1000 });
    expect(report.findings.map((f) => f.rule)).toEqual(['input-too-large']);
  });

  it('stops at the time limit and says which rules did not run', () => {
    const report = inspect(fixture('invites/simple-meeting/expected.eml'), { timeLimitMs: 0 });
    const limit = report.findings.find((f) => f.rule === 'time-limit');
    expect(limit?.message).toContain(RULES[RULES.length - 1]?.id ?? '');
  });

  it('skips ignored rules', () => {
    const broken = fixture('invites/simple-meeting/expected.eml')
      .toString('latin1')
      .replace('method=REQUEST', 'method=CANCEL');
    expect(inspect(broken).findings.map((f) => f.rule)).toContain('method-param-mismatch');
    expect(
      inspect(broken, { ignore: ['method-param-mismatch'] }).findings.map((f) => f.rule),
    ).not.toContain('method-param-mismatch');
  });

  it('never throws on arbitrary bytes, and reports a plain email as not an invitation', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => {
        const report = inspect(Buffer.from(bytes));
        expect(report.clients).toHaveLength(4);
        expect(report.findings.some((f) => f.rule === 'internal-error')).toBe(false);
      }),
      { numRuns: 300 },
    );
    expect(
      inspect('Subject: hi\r\n\r\nhello\r\n').clients.every(
        (c) => c.outcome === 'not-an-invitation',
      ),
    ).toBe(true);
  });

  it('never throws nor runs out of time on truncated or mutated real messages', () => {
    const originals = [
      'invites/simple-meeting/expected.eml',
      'invites/outlook-profile/expected.eml',
      'invites/non-ascii/expected.eml',
      ...sampleFiles('messages'),
      ...sampleFiles('calendars'),
    ].map(fixture);
    fc.assert(
      fc.property(
        fc.constantFrom(...originals),
        fc.nat(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 20 }),
        (original, cut, mutations) => {
          const bytes = Buffer.from(original.subarray(0, cut % (original.length + 1)));
          for (const [at, value] of mutations)
            if (bytes.length > 0) bytes[at % bytes.length] = value;
          const report = inspect(bytes);
          const engine = report.findings.filter((f) => ENGINE_FINDINGS.includes(f.rule as never));
          expect(engine).toEqual([]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('handles a 20 MB message within the default limits', () => {
    const base = fixture('invites/simple-meeting/expected.eml').toString('latin1');
    const filler = `X-Filler: ${'x'.repeat(900)}\r\n`.repeat(22_000);
    const big = Buffer.from(filler + base, 'latin1');
    expect(big.length).toBeGreaterThan(20_000_000);
    const report = inspect(big);
    expect(report.findings.map((f) => f.rule)).not.toContain('time-limit');
    expect(report.calendarParts).toHaveLength(2);
  });

  it('runs every rule on a calendar with thousands of events and distinct unknown TZIDs', () => {
    // Each unknown TZID used to make ical.js rescan the whole calendar (quadratic): this input
    // then blew the default time limit.
    const base = fixture('invites/simple-meeting/expected.ics').toString('latin1');
    const events = Array.from(
      { length: 5000 },
      (_, i) =>
        `BEGIN:VEVENT\r\nUID:e${i}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Zone/${i}:20261201T100000\r\nSUMMARY:x\r\nORGANIZER:mailto:o@example.com\r\nATTENDEE;RSVP=TRUE;PARTSTAT=NEEDS-ACTION:mailto:a@example.com\r\nEND:VEVENT\r\n`,
    ).join('');
    const report = inspect(base.replace('END:VCALENDAR', `${events}END:VCALENDAR`));
    const rules = new Set(report.findings.map((f) => f.rule));
    expect(rules).not.toContain('time-limit');
    expect(rules).toContain('tzid-without-vtimezone');
  });
});

describe('calendar parts read tolerantly', () => {
  const calendar = fixture('invites/simple-meeting/expected.ics').toString('utf8');
  const single = (body: Buffer, charset = 'UTF-8') =>
    Buffer.concat([
      Buffer.from(
        `From: olga@example.com\r\nTo: ada@example.com\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: text/calendar; charset=${charset}; method=REQUEST\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`,
      ),
      body,
    ]);

  it('names a calendar that is the whole message "message"', () => {
    const report = inspectMessage(single(Buffer.from(calendar)));
    expect(report.calendarParts.map((p) => p.path)).toEqual(['message']);
    expect(report.findings).toEqual([]);
  });

  it('accepts a fold that splits a UTF-8 character (RFC 5545 §3.1: unfold before decoding)', () => {
    const bytes = Buffer.from(calendar.replace('LOCATION:Room 2', 'LOCATION:München'));
    const at = bytes.indexOf(Buffer.from('Mü')) + 2; // between the two octets of ü
    const folded = Buffer.concat([bytes.subarray(0, at), Buffer.from('\r\n '), bytes.subarray(at)]);
    const report = inspectMessage(single(folded));
    expect(report.findings).toEqual([]);
    expect(report.calendars[0]?.events[0]?.summary).toBe('Project kick-off');
  });

  it('still reports bytes that are not UTF-8 even unfolded', () => {
    const bytes = Buffer.from(
      calendar.replace('LOCATION:Room 2', 'LOCATION:M\u00fcnchen'),
      'latin1',
    );
    const rules = inspectMessage(single(bytes)).findings.map((f) => f.rule);
    expect(rules).toContain('invalid-charset');
  });
});

describe('every golden fixture inspects clean', () => {
  const cases = readdirSync(new URL('../../fixtures/invites/', import.meta.url)).flatMap((name) => [
    `invites/${name}/expected.eml`,
    `invites/${name}/expected.ics`,
  ]);
  it.each(cases)('%s', (path) => {
    const report = inspect(fixture(path));
    expect(report.findings, report.findings.map((f) => f.message).join('\n')).toEqual([]);
  });
});

describe('what smtp-invite builds inspects clean (property)', () => {
  const zones = [
    'Europe/Berlin',
    'America/New_York',
    'Asia/Tokyo',
    'Australia/Sydney',
    'America/Sao_Paulo',
    'UTC',
  ];
  const invite = fc.record({
    summary: fc.string({ minLength: 1, maxLength: 60 }).map((s) => `M ${s}`),
    description: fc.option(fc.string({ maxLength: 300 }), { nil: undefined }),
    location: fc.option(fc.string({ maxLength: 60 }), { nil: undefined }),
    zone: fc.constantFrom(...zones),
    day: fc.integer({ min: 1, max: 28 }),
    month: fc.integer({ min: 1, max: 12 }),
    hour: fc.integer({ min: 4, max: 20 }),
    minutes: fc.integer({ min: 15, max: 600 }),
    allDay: fc.boolean(),
    attendees: fc.array(
      fc.record({
        role: fc.constantFrom('required', 'optional', 'chair', 'non-participant'),
        kind: fc.constantFrom('person', 'room', 'resource', 'group'),
        name: fc.string({ maxLength: 30 }),
      }),
      { minLength: 1, maxLength: 5 },
    ),
    rrule: fc.constantFrom(
      undefined,
      'FREQ=WEEKLY;COUNT=5',
      'FREQ=DAILY;INTERVAL=2;COUNT=3',
      'FREQ=MONTHLY;BYDAY=2TU;COUNT=6',
    ),
    alarm: fc.boolean(),
    sequence: fc.integer({ min: 0, max: 5 }),
    profile: fc.constantFrom('default' as const, 'outlook' as const),
    attachment: fc.boolean(),
  });
  it('has zero errors and zero warnings for any REQUEST, any profile, with or without the attachment', () => {
    fc.assert(
      fc.property(invite, (i) => {
        const date = `2027-${String(i.month).padStart(2, '0')}-${String(i.day).padStart(2, '0')}`;
        const input = {
          summary: i.summary,
          ...(i.description === undefined ? {} : { description: i.description }),
          ...(i.location === undefined ? {} : { location: i.location }),
          sequence: i.sequence,
          ...(i.allDay
            ? { allDay: true, start: date }
            : {
                timeZone: i.zone,
                start: `${date}T${String(i.hour).padStart(2, '0')}:00`,
                duration: `PT${i.minutes}M`,
              }),
          ...(i.rrule === undefined ? {} : { recurrence: { rrule: i.rrule } }),
          ...(i.alarm ? { alarms: [{ before: 'PT15M' }] } : {}),
          organizer: { name: 'Olga', email: 'olga@example.com' },
          attendees: i.attendees.map((a, n) => ({ ...a, email: `p${n}@example.com` })),
        };
        const built = buildInvite(input, {
          profile: i.profile,
          attachment: i.attachment,
          ids: deterministicIds(input, {}),
        });
        const report = inspect(built.messages[0]?.raw ?? Buffer.alloc(0), {
          recipient: 'p0@example.com',
        });
        const bad = report.findings.filter((f) => f.severity !== 'info');
        expect(bad, bad.map((f) => `${f.rule}: ${f.message}`).join('\n')).toEqual([]);
        expect(inspect(built.calendar).findings.filter((f) => f.severity !== 'info')).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});
