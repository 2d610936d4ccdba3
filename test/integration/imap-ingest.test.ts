/**
 * `ingest --imap` against a real IMAP server (Dovecot, started on 127.0.0.1 by the set-up): the
 * organizer sends an invitation over SMTP, attendees' replies (built by our own `reply`) land in
 * the organizer's INBOX, ingest reads the unseen ones, records them, and marks as \Seen exactly
 * those it settled. Needs the Debian package dovecot-imapd (.ci/run installs it); without it the
 * file is skipped, unless SMTP_INVITE_REQUIRE_DOVECOT=1 (as in CI) makes that a failure.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, findDovecot, type TestImapServer } from '../support/dovecot.ts';
import { runCli } from '../support/run-cli.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-test-server.ts';

const available = findDovecot() !== undefined || process.env['SMTP_INVITE_REQUIRE_DOVECOT'] === '1';

const event = {
  uid: 'imap-ingest@example.com',
  summary: 'Replies by IMAP',
  timeZone: 'Europe/Berlin',
  start: '2026-12-02T10:00',
  end: '2026-12-02T11:00',
  organizer: { name: 'Olga', email: 'olga@example.com' },
  attendees: [
    { name: 'Ada', email: 'ada@example.com' },
    { name: 'Bob', email: 'bob@example.com' },
  ],
};

interface IngestJson {
  messages: { source: string; messageId: string; result: string }[];
  imap?: { mailbox: string; unseen: number; markedSeen: number[] };
}

let dir: string;
let smtp: TestSmtpServer;
let imap: TestImapServer;
let invitation: Buffer;
/** The replies as first delivered: delivering the same bytes again is a duplicate. */
const delivered: Record<string, Buffer> = {};

const cli = (argv: string[], env: Record<string, string> = {}) =>
  runCli(argv, {
    cwd: dir,
    env: { SMTP_INVITE_DB: join(dir, 'ledger.db'), IMAP_PASSWORD: imap.password, ...env },
  });
// --outbox: a REFRESH would be answered there (none is expected), and no SMTP warning.
const ingest = (...extra: string[]) =>
  cli(['ingest', '--imap', imap.url, '--json', '--outbox', 'outbox', ...extra]);

async function reply(as: string, flag: string): Promise<Buffer> {
  const out = `reply-${as}${flag}.eml`;
  const result = await cli(['reply', 'invitation.eml', '--as', as, flag, '--out', out]);
  expect(result.code, result.stderr).toBe(0);
  return readFileSync(join(dir, out));
}

async function partstats(): Promise<Record<string, string>> {
  const result = await cli(['status', event.uid, '--json']);
  const status = JSON.parse(result.stdout) as { attendees: { email: string; partstat: string }[] };
  return Object.fromEntries(status.attendees.map((a) => [a.email, a.partstat]));
}

const plainMail = [
  'From: Carol <carol@example.com>',
  'To: olga@example.com',
  'Subject: lunch?',
  'Message-ID: <lunch-1@example.com>',
  'Date: Tue, 01 Dec 2026 09:00:00 +0000',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Lunch at noon?',
  '',
].join('\r\n');

describe.skipIf(!available)('ingest --imap (Dovecot)', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'smtp-invite-imap-'));
    imap = await startDovecot();
    smtp = await startTestSmtpServer();
    writeFileSync(join(dir, 'event.json'), JSON.stringify(event));
    const sent = await cli(['send', 'event.json', '--smtp', smtp.url]);
    expect(sent.code, sent.stderr).toBe(0);
    invitation = smtp.received[0]?.raw ?? Buffer.alloc(0);
    writeFileSync(join(dir, 'invitation.eml'), invitation);
  }, 60_000);
  afterAll(async () => {
    await smtp?.close();
    await imap?.close();
  });

  it('reads the unseen replies, applies them and marks them \\Seen', async () => {
    const ada = await reply('ada@example.com', '--accept');
    const bob = await reply('bob@example.com', '--decline');
    imap.deliver(ada);
    imap.deliver(bob);
    delivered['ada'] = ada;
    delivered['bob'] = bob;
    const result = await ingest();
    expect(result.code, `${result.stderr}\n${imap.log()}`).toBe(0);
    const json = JSON.parse(result.stdout) as IngestJson;
    expect(json.messages.map((m) => [m.source, m.result])).toEqual([
      ['imap:INBOX/1', 'applied'],
      ['imap:INBOX/2', 'applied'],
    ]);
    expect(json.imap).toEqual({ mailbox: 'INBOX', unseen: 2, markedSeen: [1, 2] });
    expect(result.stderr).toMatch(
      /^ingest: 2 unseen messages in imap:\/\/organizer@127\.0\.0\.1:\d+\/INBOX \(loopback: plaintext, no STARTTLS\); 2 marked as seen\n$/,
    );
    expect(await partstats()).toEqual({
      'ada@example.com': 'ACCEPTED',
      'bob@example.com': 'DECLINED',
    });
    expect(imap.stored().map((m) => m.seen)).toEqual([true, true]);

    // Nothing unseen is left: a second run reads nothing and changes nothing.
    const again = await ingest();
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({
      messages: [],
      imap: { mailbox: 'INBOX', unseen: 0, markedSeen: [] },
    });
  });

  it('a dry run reads but marks nothing; then a duplicate is marked and a plain email stays unseen', async () => {
    imap.deliver(delivered['ada'] ?? '');
    imap.deliver(plainMail);

    const dry = await ingest('--dry-run');
    expect(dry.code).toBe(1);
    expect((JSON.parse(dry.stdout) as IngestJson).imap?.markedSeen).toEqual([]);
    expect(dry.stderr).toMatch(/2 unseen messages .*; dry run: none marked as seen/);
    expect(imap.stored().filter((m) => !m.seen)).toHaveLength(2);

    const result = await ingest();
    // 1: the plain email is reported as having no calendar.
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout) as IngestJson;
    expect(json.messages.map((m) => [m.source, m.result])).toEqual([
      ['imap:INBOX/3', 'duplicate'],
      ['imap:INBOX/4', 'no-calendar'],
    ]);
    expect(json.imap?.markedSeen).toEqual([3]);
    const unseen = imap.stored().filter((m) => !m.seen);
    expect(unseen.map((m) => m.messageId)).toEqual(['<lunch-1@example.com>']);

    // It is found (and reported) again by the next run, still unseen for its human reader.
    const next = await ingest();
    expect(next.code).toBe(1);
    expect((JSON.parse(next.stdout) as IngestJson).messages.map((m) => m.result)).toEqual([
      'no-calendar',
    ]);
    expect(imap.stored().filter((m) => !m.seen)).toHaveLength(1);
  });

  it('files and the mailbox in one run', async () => {
    writeFileSync(join(dir, 'plain.eml'), plainMail.replace('lunch-1', 'lunch-2'));
    imap.deliver(delivered['bob'] ?? '');
    const result = await cli(['ingest', 'plain.eml', '--imap', imap.url, '--outbox', 'outbox']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^no-calendar +plain\.eml: /m);
    expect(result.stdout).toMatch(/^no-calendar +imap:INBOX\/4: /m);
    expect(result.stdout).toMatch(/^duplicate +imap:INBOX\/5: /m);
    expect(result.stderr).toMatch(/2 unseen messages .*; 1 marked as seen/);
  });

  it('a mailbox that does not exist, and a port where nothing listens: exit 3, ERR_IMAP', async () => {
    const missing = await cli([
      'ingest',
      '--imap',
      imap.url.replace(/INBOX$/, 'Nope'),
      '--outbox',
      'outbox',
    ]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(
      /ERR_IMAP: opening the mailbox "Nope" on the IMAP server .* failed/,
    );
    const closed = await cli([
      'ingest',
      '--imap',
      'imap://organizer@127.0.0.1:1/INBOX',
      '--outbox',
      'outbox',
    ]);
    expect(closed.code).toBe(3);
    expect(closed.stderr).toMatch(/ERR_IMAP: nothing accepts IMAP connections at 127\.0\.0\.1:1/);
  });

  // Last: after a failed login Dovecot delays the next ones from 127.0.0.1 for a few seconds.
  it('a wrong password: exit 3, ERR_IMAP, the password never printed, the ledger untouched', async () => {
    const before = await partstats();
    imap.deliver(await reply('ada@example.com', '--decline'));
    const wrong = 'Wrong-Secret-5521';
    const result = await cli(['ingest', '--imap', imap.url, '--outbox', 'outbox'], {
      IMAP_PASSWORD: wrong,
    });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^ingest: error ERR_IMAP: the IMAP server 127\.0\.0\.1:\d+ rejected the credentials.*IMAP_PASSWORD\n$/,
    );
    for (const secret of [wrong, imap.password, Buffer.from(wrong).toString('base64')]) {
      expect(result.stderr).not.toContain(secret);
    }
    // A password in the --imap URL is refused before connecting (argv is visible in ps).
    const inUrl = imap.url.replace('@', `:${wrong}@`);
    const viaUrl = await cli(['ingest', '--imap', inUrl, '--outbox', 'outbox'], {
      IMAP_PASSWORD: '',
    });
    expect(viaUrl.code).toBe(2);
    expect(viaUrl.stderr).toMatch(/ERR_USAGE: .*a password in --imap .*IMAP_PASSWORD/);
    expect(viaUrl.stderr).not.toContain(wrong);
    expect(await partstats()).toEqual(before);
    expect(imap.stored().filter((m) => !m.seen)).toHaveLength(2);
  });
});
