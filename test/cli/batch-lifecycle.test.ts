/**
 * Events sent by `batch` join the organizer's side: replies are ingested, status shows them,
 * update and cancel reach the same calendar items, and `send` refuses their UIDs — for personal
 * invites (one UID per row) and a webinar template with a fixed UID (one event, every row's
 * attendee).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { runCli } from '../support/run-cli.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-test-server.ts';

const template = {
  summary: 'Onboarding for {{name}}',
  timeZone: 'Europe/Berlin',
  start: '2026-12-10T09:00',
  duration: 'PT30M',
  organizer: { name: 'HR', email: 'hr@example.com' },
  attendees: [{ email: '{{email}}', name: '{{name}}' }],
};
const people = ['ada', 'bob', 'cy'].map((n) => ({
  email: `${n}@example.org`,
  name: n.toUpperCase(),
}));

let dir: string;
let server: TestSmtpServer;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'batch-lifecycle-'));
  server = await startTestSmtpServer();
  writeFileSync(join(dir, 'rows.jsonl'), people.map((p) => JSON.stringify(p)).join('\n'));
});
afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCli([...args, '--db', 'l.db'], { cwd: dir, env: {} });
const uidOf = (raw: Buffer) => /^UID:(.*)\r$/m.exec(raw.toString())?.[1] ?? '';
const sequenceOf = (raw: Buffer) => /^SEQUENCE:(\d+)\r$/m.exec(raw.toString())?.[1];

describe('batch invitations on the organizer side', () => {
  it('personal invites: a reply is ingested, status shows it, update and send know the UID', async () => {
    writeFileSync(join(dir, 't.json'), JSON.stringify(template));
    expect(
      (await cli('batch', 'rows.jsonl', '--template', 't.json', '--smtp', server.url)).code,
    ).toBe(0);
    const bobInvite = server.received.find((m) => m.envelope.to.includes('bob@example.org'));
    const uid = uidOf(bobInvite?.raw ?? Buffer.alloc(0));
    expect(uid).not.toBe('');
    writeFileSync(join(dir, 'invite.eml'), bobInvite?.raw ?? '');

    // The attendee's side: no ledger.
    const reply = await runCli(
      ['reply', 'invite.eml', '--as', 'bob@example.org', '--accept', '--out', 'bob.eml'],
      { cwd: dir, env: {} },
    );
    expect(reply.code).toBe(0);
    const ingest = await cli('ingest', 'bob.eml');
    expect(ingest.code).toBe(0);
    const status = await cli('status', uid, '--json');
    expect(status.code).toBe(0);
    const report = JSON.parse(status.stdout) as {
      sequence: number;
      attendees: { email: string; partstat: string }[];
    };
    expect(report.sequence).toBe(0);
    expect(report.attendees).toEqual([
      expect.objectContaining({ email: 'bob@example.org', partstat: 'ACCEPTED' }),
    ]);

    // An update of that row's event reaches bob's calendar item: same UID, SEQUENCE 1.
    writeFileSync(
      join(dir, 'bob.json'),
      JSON.stringify({
        ...template,
        uid,
        summary: 'Onboarding for BOB',
        start: '2026-12-10T10:00',
        attendees: [people[1]],
      }),
    );
    const before = server.received.length;
    const update = await cli('update', 'bob.json', '--smtp', server.url);
    expect(update.code).toBe(0);
    const sent = server.received.slice(before);
    expect(sent).toHaveLength(1);
    expect(uidOf(sent[0]?.raw ?? Buffer.alloc(0))).toBe(uid);
    expect(sequenceOf(sent[0]?.raw ?? Buffer.alloc(0))).toBe('1');
    // And send refuses a UID a batch already sent.
    const again = await cli('send', 'bob.json', '--smtp', server.url);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/already in the ledger/);
  });

  it('a webinar template with a fixed UID is one event with every row attendee; cancel reaches them all', async () => {
    writeFileSync(
      join(dir, 't.json'),
      JSON.stringify({ ...template, uid: 'webinar-2026@example.com' }),
    );
    expect(
      (await cli('batch', 'rows.jsonl', '--template', 't.json', '--smtp', server.url)).code,
    ).toBe(0);
    expect(server.received).toHaveLength(3);
    const status = JSON.parse(
      (await cli('status', 'webinar-2026@example.com', '--json')).stdout,
    ) as {
      attendees: { email: string }[];
    };
    expect(status.attendees.map((a) => a.email)).toEqual(people.map((p) => p.email));
    const cancel = await cli('cancel', 'webinar-2026@example.com', '--smtp', server.url);
    expect(cancel.code).toBe(0);
    const last = server.received[server.received.length - 1];
    expect(last?.envelope.to.sort()).toEqual(people.map((p) => p.email).sort());
    expect(last?.raw.toString()).toContain('METHOD:CANCEL');
    expect(sequenceOf(last?.raw ?? Buffer.alloc(0))).toBe('1');
  });
});
