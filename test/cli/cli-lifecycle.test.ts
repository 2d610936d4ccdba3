/**
 * The organizer's lifecycle end to end through the CLI, over a real SMTP server: send → attendees
 * answer (our own `reply`) → ingest → status → update (minor, then significant) → uninvite and
 * invite → cancel → export. Every message that reaches the server must inspect clean.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspect } from '../../src/inspect/inspect-engine.ts';
import { runCli } from '../support/run-cli.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-test-server.ts';

const base = {
  uid: 'lifecycle@example.com',
  summary: 'Planning',
  timeZone: 'Europe/Berlin',
  start: '2026-12-01T10:00',
  end: '2026-12-01T11:00',
  organizer: { name: 'Olga', email: 'olga@example.com' },
  attendees: [
    { name: 'Ada', email: 'ada@example.com' },
    { name: 'Bob', email: 'bob@example.com' },
    { name: 'Room', email: 'room@example.com', kind: 'room' },
  ],
};

interface Status {
  sequence: number;
  status: string;
  summary: string;
  attendees: { email: string; partstat: string; answeredAt: string | null; via: string | null }[];
  deliveries: { method: string; sequence: number; recipient: string; outcome: string }[];
}

let dir: string;
let server: TestSmtpServer;
let seen = 0;
const env = () => ({ SMTP_INVITE_DB: join(dir, 'ledger.db') });
const cli = (argv: string[]) => runCli(argv, { cwd: dir, env: env() });

/** Messages that arrived since the last call, each checked by the inspector as its recipient reads it. */
function arrived(): { method: string; sequence: string; to: string[]; raw: Buffer }[] {
  const fresh = server.received.slice(seen);
  seen = server.received.length;
  return fresh.map((m) => {
    const report = inspect(m.raw, { recipient: m.envelope.to[0] ?? '' });
    expect(
      report.findings.filter((f) => f.severity !== 'info'),
      report.findings.map((f) => f.message).join('\n'),
    ).toEqual([]);
    const text = m.raw.toString('latin1');
    return {
      method: report.calendars[0]?.method ?? '',
      sequence: String(report.calendars[0]?.events[0]?.sequence ?? ''),
      to: [...m.envelope.to].sort(),
      raw: m.raw,
      text,
    };
  });
}

async function status(): Promise<Status> {
  const result = await cli(['status', base.uid, '--json']);
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as Status;
}
const partstats = (s: Status) => Object.fromEntries(s.attendees.map((a) => [a.email, a.partstat]));

async function answer(invitation: Buffer, as: string, flag: string, out: string): Promise<void> {
  writeFileSync(join(dir, 'invitation.eml'), invitation);
  const result = await cli(['reply', 'invitation.eml', '--as', as, flag, '--out', out]);
  expect(result.stderr).toMatch(/wrote the reply/);
  expect(result.code).toBe(0);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'smtp-invite-lifecycle-'));
  mkdirSync(join(dir, 'replies'));
  server = await startTestSmtpServer();
});
afterAll(async () => {
  await server.close();
});

describe('organizer lifecycle over SMTP', () => {
  let firstInvitation: Buffer;

  it('send: one REQUEST to every attendee, recorded in the ledger', async () => {
    writeFileSync(join(dir, 'event.json'), JSON.stringify(base));
    const result = await cli(['send', 'event.json', '--smtp', server.url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${base.uid}\n`);
    const got = arrived();
    expect(got.map((m) => [m.method, m.sequence, m.to])).toEqual([
      ['REQUEST', '0', ['ada@example.com', 'bob@example.com', 'room@example.com']],
    ]);
    firstInvitation = got[0]?.raw ?? Buffer.alloc(0);
    const s = await status();
    expect(s.sequence).toBe(0);
    expect(Object.values(partstats(s))).toEqual(['NEEDS-ACTION', 'NEEDS-ACTION', 'NEEDS-ACTION']);
    expect(s.deliveries.map((d) => d.outcome)).toEqual(['accepted', 'accepted', 'accepted']);
  });

  it('a dry run reads the ledger but writes nothing, and never creates one', async () => {
    const before = await status();
    const dry = await cli(['cancel', base.uid, '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({
      dryRun: true,
      messages: [{ method: 'CANCEL' }],
    });
    expect(await status()).toEqual(before);
    const elsewhere = mkdtempSync(join(tmpdir(), 'smtp-invite-dry-'));
    writeFileSync(join(elsewhere, 'event.json'), JSON.stringify(base));
    const fresh = await runCli(['send', 'event.json', '--dry-run'], { cwd: elsewhere, env: {} });
    expect(fresh.code).toBe(0);
    expect(existsSync(join(elsewhere, '.smtp-invite'))).toBe(false);
    expect(arrived()).toEqual([]);
  });

  it('refuses to send the same uid twice', async () => {
    const result = await cli(['send', 'event.json', '--smtp', server.url]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/ERR_LEDGER_CONFLICT.*use "update"/);
    expect(arrived()).toEqual([]);
  });

  it('ingest: accept, decline and tentative answers become the attendees’ PARTSTATs', async () => {
    await answer(firstInvitation, 'ada@example.com', '--accept', 'replies/ada.eml');
    await answer(firstInvitation, 'bob@example.com', '--decline', 'replies/bob.eml');
    await answer(firstInvitation, 'room@example.com', '--tentative', 'replies/room.eml');
    const result = await cli(['ingest', 'replies', '--json']);
    expect(result.code).toBe(0);
    const results = (JSON.parse(result.stdout) as { messages: { result: string }[] }).messages;
    expect(results.map((r) => r.result)).toEqual(['applied', 'applied', 'applied']);
    expect(partstats(await status())).toEqual({
      'ada@example.com': 'ACCEPTED',
      'bob@example.com': 'DECLINED',
      'room@example.com': 'TENTATIVE',
    });
  });

  it('a reply processed twice changes nothing, not even answeredAt', async () => {
    const before = await status();
    const result = await cli(['ingest', 'replies/ada.eml']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^duplicate/);
    expect(await status()).toEqual(before);
  });

  it('update (summary only): REQUEST with the same SEQUENCE, answers kept', async () => {
    writeFileSync(
      join(dir, 'event.json'),
      JSON.stringify({ ...base, summary: 'Planning (agenda)' }),
    );
    const result = await cli(['update', 'event.json', '--smtp', server.url]);
    expect(result.code).toBe(0);
    expect(arrived().map((m) => [m.method, m.sequence])).toEqual([['REQUEST', '0']]);
    const s = await status();
    expect(s.summary).toBe('Planning (agenda)');
    expect(partstats(s)['ada@example.com']).toBe('ACCEPTED');
  });

  it('update (new time): SEQUENCE + 1 and every answer reset to NEEDS-ACTION', async () => {
    writeFileSync(
      join(dir, 'event.json'),
      JSON.stringify({
        ...base,
        summary: 'Planning (agenda)',
        start: '2026-12-01T14:00',
        end: '2026-12-01T15:00',
      }),
    );
    const result = await cli(['update', 'event.json', '--smtp', server.url]);
    expect(result.code).toBe(0);
    expect(arrived().map((m) => [m.method, m.sequence])).toEqual([['REQUEST', '1']]);
    const s = await status();
    expect(s.sequence).toBe(1);
    expect(Object.values(partstats(s))).toEqual(['NEEDS-ACTION', 'NEEDS-ACTION', 'NEEDS-ACTION']);
  });

  it('an answer to the old SEQUENCE is stale and ignored, with the reason', async () => {
    await answer(firstInvitation, 'ada@example.com', '--accept', 'late.eml');
    const result = await cli(['ingest', 'late.eml']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^stale .*SEQUENCE 0/);
    expect(partstats(await status())['ada@example.com']).toBe('NEEDS-ACTION');
  });

  it('update (bob out, cy in): CANCEL to bob only, REQUEST to the others and cy', async () => {
    const attendees = [
      base.attendees[0],
      base.attendees[2],
      { name: 'Cy', email: 'cy@example.com' },
    ];
    writeFileSync(
      join(dir, 'event.json'),
      JSON.stringify({
        ...base,
        summary: 'Planning (agenda)',
        start: '2026-12-01T14:00',
        end: '2026-12-01T15:00',
        attendees,
      }),
    );
    const result = await cli(['update', 'event.json', '--smtp', server.url]);
    expect(result.code).toBe(0);
    const got = arrived();
    const cancel = got.find((m) => m.method === 'CANCEL');
    expect(cancel?.to).toEqual(['bob@example.com']);
    // Attendee changes are not significant (RFC 5546 §2.1.4): the SEQUENCE stays.
    expect(got.every((m) => m.sequence === '1')).toBe(true);
    const requested = got.filter((m) => m.method === 'REQUEST').flatMap((m) => m.to);
    expect(requested.sort()).toEqual(['ada@example.com', 'cy@example.com', 'room@example.com']);
    expect(Object.keys(partstats(await status())).sort()).toEqual([
      'ada@example.com',
      'cy@example.com',
      'room@example.com',
    ]);
  });

  it('cancel: CANCEL with a higher SEQUENCE to every attendee; status CANCELLED', async () => {
    const before = (await status()).sequence;
    const result = await cli(['cancel', base.uid, '--smtp', server.url]);
    expect(result.code).toBe(0);
    const got = arrived();
    expect(got.map((m) => [m.method, Number(m.sequence), m.to])).toEqual([
      ['CANCEL', before + 1, ['ada@example.com', 'cy@example.com', 'room@example.com']],
    ]);
    expect((await status()).status).toBe('CANCELLED');
    const again = await cli(['cancel', base.uid, '--smtp', server.url]);
    expect(again.code).toBe(2);
    expect(arrived()).toEqual([]);
  });

  it('export: the organizer’s copy as an .ics to import', async () => {
    const result = await cli(['export', base.uid]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(result.stdout).toContain('METHOD:PUBLISH');
    expect(result.stdout).toContain(`UID:${base.uid}`);
    const list = await cli(['list', '--json']);
    expect(JSON.parse(list.stdout)).toMatchObject([{ uid: base.uid, status: 'CANCELLED' }]);
  });

  it('unknown uid and bad input change nothing', async () => {
    expect((await cli(['status', 'nope@example.com'])).code).toBe(2);
    expect((await cli(['cancel', 'nope@example.com', '--smtp', server.url])).code).toBe(2);
    writeFileSync(
      join(dir, 'bad.json'),
      JSON.stringify({ ...base, uid: 'other@example.com', end: '2026-12-01T09:00' }),
    );
    const bad = await cli(['send', 'bad.json', '--smtp', server.url]);
    expect(bad.code).toBe(2);
    expect(arrived()).toEqual([]);
    expect(JSON.parse((await cli(['list', '--json'])).stdout)).toHaveLength(1);
    expect(readFileSync(join(dir, 'ledger.db')).length).toBeGreaterThan(0);
    writeFileSync(join(dir, 'plain.eml'), 'From: x@example.com\r\nSubject: hi\r\n\r\nhello\r\n');
    const plain = await cli(['ingest', 'plain.eml']);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toMatch(/^no-calendar/);
  });
});
