/**
 * Cancelling one occurrence and declining a counter-proposal, end to end through the CLI over a
 * real SMTP server: send a weekly series → cancel one occurrence (CANCEL with RECURRENCE-ID, the
 * master gains an EXDATE that export and later updates keep) → an attendee's COUNTER is ingested →
 * decline-counter (DECLINECOUNTER to that attendee only, the proposal marked declined). Every
 * message that reaches the server must inspect clean for its recipient.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspect } from '../../src/inspect/inspect-engine.ts';
import { eventLines, replyEmail } from '../replies/itip-samples.ts';
import { runCli } from '../support/run-cli.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-test-server.ts';

const uid = 'weekly@example.com';
const base = {
  uid,
  summary: 'Weekly sync',
  timeZone: 'Europe/Berlin',
  start: '2026-12-01T10:00',
  end: '2026-12-01T11:00',
  recurrence: { rrule: 'FREQ=WEEKLY;COUNT=6' },
  organizer: { name: 'Olga', email: 'olga@example.com' },
  attendees: [
    { name: 'Ada', email: 'ada@example.com' },
    { name: 'Bob', email: 'bob@example.com' },
  ],
};

interface Status {
  sequence: number;
  counters: { attendee: string; state: string; comment: string | null }[];
}

let dir: string;
let server: TestSmtpServer;
let seen = 0;
const cli = (argv: string[]) =>
  runCli(argv, { cwd: dir, env: { SMTP_INVITE_DB: join(dir, 'ledger.db') } });

/** Messages since the last call, each inspected (zero errors, zero warnings) as its recipient reads it. */
function arrived(): { method: string; sequence: string; to: string[]; calendar: string }[] {
  const fresh = server.received.slice(seen);
  seen = server.received.length;
  return fresh.map((m) => {
    for (const recipient of m.envelope.to) {
      const report = inspect(m.raw, { recipient });
      const problems = report.findings.filter((f) => f.severity !== 'info');
      expect(problems, problems.map((f) => `${f.rule}: ${f.message}`).join('\n')).toEqual([]);
    }
    const report = inspect(m.raw, { recipient: m.envelope.to[0] ?? '' });
    const text = m.raw.toString('utf8').replace(/\r\n[ \t]/g, '');
    const calendar = text.slice(text.indexOf('BEGIN:VEVENT'), text.indexOf('END:VEVENT'));
    return {
      method: report.calendars[0]?.method ?? '',
      sequence: String(report.calendars[0]?.events[0]?.sequence ?? ''),
      to: [...m.envelope.to].sort(),
      calendar,
    };
  });
}

async function status(): Promise<Status> {
  const result = await cli(['status', uid, '--json']);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Status;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'smtp-invite-occurrence-'));
  server = await startTestSmtpServer();
  writeFileSync(join(dir, 'event.json'), JSON.stringify(base));
  writeFileSync(
    join(dir, 'single.json'),
    JSON.stringify({ ...base, uid: 'single@example.com', recurrence: undefined }),
  );
  expect((await cli(['send', 'event.json', '--smtp', server.url])).code).toBe(0);
  expect((await cli(['send', 'single.json', '--smtp', server.url])).code).toBe(0);
  arrived();
});
afterAll(async () => {
  await server.close();
});

describe('cancel --occurrence', () => {
  it('refuses a date-time that is not an occurrence, and an event that does not recur', async () => {
    const wrongDay = await cli([
      'cancel',
      uid,
      '--occurrence',
      '2026-12-09T10:00',
      '--smtp',
      server.url,
    ]);
    expect(wrongDay.code).toBe(2);
    expect(wrongDay.stderr).toMatch(
      /ERR_INVALID_INPUT.*--occurrence: 2026-12-09T10:00:00\+01:00 is not an occurrence/,
    );
    const afterCount = await cli([
      'cancel',
      uid,
      '--occurrence',
      '2027-01-12T10:00',
      '--smtp',
      server.url,
    ]);
    expect(afterCount.stderr).toMatch(/--occurrence: .* is not an occurrence/);
    const garbage = await cli([
      'cancel',
      uid,
      '--occurrence',
      'next tuesday',
      '--smtp',
      server.url,
    ]);
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toMatch(/--occurrence: "next tuesday" is not a date-time/);
    const single = await cli(['cancel', 'single@example.com', '--occurrence', '2026-12-01T10:00']);
    expect(single.code).toBe(2);
    expect(single.stderr).toMatch(/--occurrence: the event single@example.com does not recur/);
    const both = await cli([
      'cancel',
      uid,
      '--occurrence',
      '2026-12-08T10:00',
      '--attendee',
      'ada@example.com',
    ]);
    expect(both.code).toBe(2);
    expect(arrived()).toEqual([]);
    expect((await status()).sequence).toBe(0);
  });

  it('sends a CANCEL with RECURRENCE-ID to every attendee, SEQUENCE + 1', async () => {
    const result = await cli([
      'cancel',
      uid,
      '--occurrence',
      '2026-12-08T10:00',
      '--smtp',
      server.url,
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      dryRun: false,
      uid,
      sequence: 1,
      changes: ['occurrence 2026-12-08T10:00:00+01:00 cancelled'],
      messages: [
        { method: 'CANCEL', sequence: 1, recipients: ['ada@example.com', 'bob@example.com'] },
      ],
    });
    const [cancel, ...more] = arrived();
    expect(more).toEqual([]);
    expect([cancel?.method, cancel?.sequence, cancel?.to]).toEqual([
      'CANCEL',
      '1',
      ['ada@example.com', 'bob@example.com'],
    ]);
    expect(cancel?.calendar).toContain('RECURRENCE-ID;TZID=Europe/Berlin:20261208T100000\r\n');
    expect(cancel?.calendar).toContain('DTSTART;TZID=Europe/Berlin:20261208T100000\r\n');
    expect(cancel?.calendar).toContain('STATUS:CANCELLED\r\n');
    expect(cancel?.calendar).not.toMatch(/^RRULE/m);
    expect((await status()).sequence).toBe(1);
  });

  it('an answer to the series sent before the occurrence was cancelled is still current', async () => {
    const series = server.received.find((m) => m.raw.toString('latin1').includes(`UID:${uid}`));
    writeFileSync(join(dir, 'series.eml'), series?.raw ?? '');
    const reply = await cli([
      'reply',
      'series.eml',
      '--as',
      'ada@example.com',
      '--accept',
      '--out',
      'ada.eml',
    ]);
    expect(reply.code).toBe(0);
    const ingested = await cli(['ingest', 'ada.eml']);
    expect(ingested.stdout).toMatch(/^applied/);
    expect(ingested.code).toBe(0);
  });

  it('export shows the master with the EXDATE; the same occurrence again is refused', async () => {
    const exported = await cli(['export', uid]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain('EXDATE;TZID=Europe/Berlin:20261208T100000\r\n');
    expect(exported.stdout).not.toContain('RECURRENCE-ID');
    const again = await cli([
      'cancel',
      uid,
      '--occurrence',
      '2026-12-08T09:00Z',
      '--smtp',
      server.url,
    ]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already cancelled \(EXDATE\)/);
    expect(arrived()).toEqual([]);
  });

  it('a later update from the original JSON keeps the occurrence cancelled', async () => {
    writeFileSync(
      join(dir, 'event.json'),
      JSON.stringify({ ...base, summary: 'Weekly sync (agenda)' }),
    );
    const result = await cli(['update', 'event.json', '--smtp', server.url]);
    expect(result.code).toBe(0);
    const got = arrived();
    expect(got.map((m) => [m.method, m.sequence])).toEqual([['REQUEST', '1']]);
    expect(got[0]?.calendar).toContain('EXDATE;TZID=Europe/Berlin:20261208T100000\r\n');
  });
});

describe('decline-counter', () => {
  const counter = (messageId: string) =>
    replyEmail({
      method: 'COUNTER',
      messageId,
      from: 'Bob <bob@example.com>',
      vevents: [
        eventLines(
          {
            UID: `UID:${uid}`,
            SEQUENCE: 'SEQUENCE:1',
            DTSTAMP: 'DTSTAMP:20261120T090000Z',
            ATTENDEE: 'ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:bob@example.com',
          },
          [
            'DTSTART;TZID=Europe/Berlin:20261201T140000',
            'DTEND;TZID=Europe/Berlin:20261201T150000',
            'COMMENT:Afternoons suit me better',
          ],
        ),
      ],
    });

  it('refuses an attendee without an open counter-proposal, and a missing --attendee', async () => {
    const none = await cli([
      'decline-counter',
      uid,
      '--attendee',
      'bob@example.com',
      '--smtp',
      server.url,
    ]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--attendee: bob@example.com has no open counter-proposal/);
    const missing = await cli(['decline-counter', uid]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--attendee EMAIL is required/);
    expect(arrived()).toEqual([]);
  });

  it('sends a DECLINECOUNTER to that attendee only and marks the proposal declined', async () => {
    writeFileSync(join(dir, 'counter.eml'), counter('counter-1@example.com'));
    const ingested = await cli(['ingest', 'counter.eml']);
    expect(ingested.code).toBe(0);
    expect((await status()).counters).toMatchObject([
      { attendee: 'bob@example.com', state: 'open' },
    ]);

    const result = await cli([
      'decline-counter',
      uid,
      '--attendee',
      'Bob@Example.com',
      '--comment',
      'Mornings only, sorry',
      '--smtp',
      server.url,
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      sequence: 1,
      changes: ['counter-proposal of bob@example.com declined'],
      messages: [{ method: 'DECLINECOUNTER', sequence: 1, recipients: ['bob@example.com'] }],
    });
    const got = arrived();
    expect(got.map((m) => [m.method, m.sequence, m.to])).toEqual([
      ['DECLINECOUNTER', '1', ['bob@example.com']],
    ]);
    // RFC 5546 §3.2.8: every attendee listed, the event as it stands, the organizer's comment.
    expect(got[0]?.calendar).toMatch(/ATTENDEE.*ada@example.com/);
    expect(got[0]?.calendar).toContain('DTSTART;TZID=Europe/Berlin:20261201T100000\r\n');
    expect(got[0]?.calendar).toContain('COMMENT:Mornings only\\, sorry\r\n');
    const s = await status();
    expect(s.sequence).toBe(1);
    expect(s.counters).toMatchObject([{ attendee: 'bob@example.com', state: 'declined' }]);

    const again = await cli([
      'decline-counter',
      uid,
      '--attendee',
      'bob@example.com',
      '--smtp',
      server.url,
    ]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/no open counter-proposal/);
    expect(arrived()).toEqual([]);
  });

  it('has --help, and is listed in the main help', async () => {
    const help = await cli(['decline-counter', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: smtp-invite decline-counter <uid> --attendee EMAIL/);
    expect((await cli(['--help'])).stdout).toMatch(/decline-counter <uid> --attendee EMAIL/);
    expect((await cli(['cancel', '--help'])).stdout).toMatch(/--occurrence DATETIME/);
  });
});
