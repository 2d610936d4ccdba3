import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-test-server.ts';

const invite = {
  uid: 'cli-send@example.com',
  summary: 'CLI send',
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

interface JsonReport {
  dryRun: boolean;
  messages: {
    messageId: string;
    method: string;
    sequence: number;
    recipients: string[];
    accepted: string[];
    rejected: { email: string; code: number | null; response: string }[];
  }[];
}

let dir: string;
let server: TestSmtpServer | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'smtp-invite-send-'));
  writeFileSync(join(dir, 'event.json'), JSON.stringify(invite));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('smtp-invite send', () => {
  it('sends one message to every attendee over real SMTP, never to the organizer', async () => {
    server = await startTestSmtpServer();
    const result = await runCli(['send', 'event.json', '--smtp', server.url, '--json'], {
      cwd: dir,
    });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(report.dryRun).toBe(false);
    expect(report.messages).toHaveLength(1);
    expect(report.messages[0]).toMatchObject({
      method: 'REQUEST',
      sequence: 0,
      recipients: ['ada@example.com', 'bob@example.com', 'room@example.com'],
      accepted: ['ada@example.com', 'bob@example.com', 'room@example.com'],
      rejected: [],
    });
    expect(server.received).toHaveLength(1);
    expect(server.received[0]?.envelope).toEqual({
      from: 'olga@example.com',
      to: ['ada@example.com', 'bob@example.com', 'room@example.com'],
    });
    expect(server.received[0]?.raw.toString()).toContain(
      `Message-ID: <${report.messages[0]?.messageId ?? ''}>`,
    );
  });

  it('takes the server from SMTP_URL and sends one message per attendee with --per-recipient', async () => {
    server = await startTestSmtpServer();
    const result = await runCli(['send', 'event.json', '--per-recipient', '--json'], {
      cwd: dir,
      env: { SMTP_URL: server.url },
    });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(report.messages.map((m) => m.recipients)).toEqual([
      ['ada@example.com'],
      ['bob@example.com'],
      ['room@example.com'],
    ]);
    expect(server.received.map((m) => m.envelope.to)).toEqual([
      ['ada@example.com'],
      ['bob@example.com'],
      ['room@example.com'],
    ]);
    expect(new Set(report.messages.map((m) => m.messageId)).size).toBe(3);
  });

  it('reports a recipient refused with 550 and exits 1', async () => {
    server = await startTestSmtpServer({
      rejectRecipient: (e) =>
        e === 'bob@example.com' ? { code: 550, message: '5.1.1 No such user' } : undefined,
    });
    const result = await runCli(['send', 'event.json', '--smtp', server.url, '--json'], {
      cwd: dir,
    });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(report.messages[0]?.accepted).toEqual(['ada@example.com', 'room@example.com']);
    expect(report.messages[0]?.rejected).toEqual([
      {
        email: 'bob@example.com',
        code: 550,
        response: expect.stringContaining('5.1.1 No such user') as string,
      },
    ]);
  });

  it('reports every recipient refused per message with --per-recipient and goes on', async () => {
    server = await startTestSmtpServer({
      rejectRecipient: (e) =>
        e === 'ada@example.com' ? { code: 550, message: '5.1.1 No such user' } : undefined,
    });
    const result = await runCli(
      ['send', 'event.json', '--smtp', server.url, '--per-recipient', '--json'],
      { cwd: dir },
    );
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(
      report.messages.map((m) => [m.accepted, m.rejected.map((r) => [r.email, r.code])]),
    ).toEqual([
      [[], [['ada@example.com', 550]]],
      [['bob@example.com'], []],
      [['room@example.com'], []],
    ]);
    expect(server.received).toHaveLength(2);
  });

  it('exits 3 with one clear line when the server closes the connection', async () => {
    server = await startTestSmtpServer({ closeOnConnect: true });
    const result = await runCli(['send', 'event.json', '--smtp', server.url], { cwd: dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/ERR_SMTP_CONNECTION/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exits 3 when the server drops the connection after DATA', async () => {
    server = await startTestSmtpServer({ onData: 'close-before-reply' });
    const result = await runCli(['send', 'event.json', '--smtp', server.url, '--json'], {
      cwd: dir,
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/ERR_SMTP_CONNECTION/);
    expect(JSON.parse(result.stdout)).toEqual({ dryRun: false, messages: [] });
  });

  it('never prints the password', async () => {
    server = await startTestSmtpServer({ auth: { user: 'olga', pass: 'right-password' } });
    const bad = await runCli(
      ['send', 'event.json', '--smtp', server.url.replace('//', '//olga@')],
      { cwd: dir, env: { SMTP_PASSWORD: 'wrong-Secret-42' } },
    );
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/ERR_SMTP_AUTH/);
    expect(bad.stderr + bad.stdout).not.toContain('wrong-Secret-42');
    const good = await runCli(
      ['send', 'event.json', '--smtp', server.url.replace('//', '//olga@')],
      { cwd: dir, env: { SMTP_PASSWORD: 'right-password' } },
    );
    expect(good.code).toBe(0);
    expect(good.stderr + good.stdout).not.toContain('right-password');
  });

  it('--dry-run builds and reports but sends nothing', async () => {
    server = await startTestSmtpServer();
    const result = await runCli(
      ['send', 'event.json', '--smtp', server.url, '--dry-run', '--json'],
      { cwd: dir },
    );
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(report.dryRun).toBe(true);
    expect(report.messages[0]?.accepted).toEqual([]);
    expect(report.messages[0]?.recipients).toHaveLength(3);
    expect(server.received).toHaveLength(0);
  });

  it('writes to ./outbox and says so when no SMTP server is configured', async () => {
    const result = await runCli(['send', 'event.json'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `no SMTP server configured (--smtp, SMTP_URL or smtp in a config file): writing the messages to ${join(dir, 'outbox')}`,
    );
    const files = readdirSync(join(dir, 'outbox'));
    expect(files).toHaveLength(1);
    expect(readFileSync(join(dir, 'outbox', files[0] ?? ''), 'utf8')).toContain('method=REQUEST');
  });

  it('sends on behalf of the organizer with --sender', async () => {
    server = await startTestSmtpServer();
    const result = await runCli(
      ['send', 'event.json', '--smtp', server.url, '--sender', 'bookings@example.net'],
      { cwd: dir },
    );
    expect(result.code).toBe(0);
    const raw = server.received[0]?.raw.toString() ?? '';
    expect(server.received[0]?.envelope.from).toBe('bookings@example.net');
    expect(raw).toMatch(/^From: Olga <olga@example.com>\r$/m);
    expect(raw).toMatch(/^Sender: bookings@example.net\r$/m);
    expect(raw).toContain('SENT-BY="mailto:bookings@example.net"');
  });

  it('refuses invalid input before connecting: exit 2, nothing sent', async () => {
    server = await startTestSmtpServer();
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...invite, end: '2026-12-01T09:00' }));
    const result = await runCli(['send', 'bad.json', '--smtp', server.url], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('end: must be after start');
    expect(server.received).toHaveLength(0);
  });

  it.each([
    [['send'], /exactly one event JSON file/],
    [['send', 'event.json', '--smtp', 'smtp://x', '--outbox', 'o'], /either --smtp or --outbox/],
    [['send', 'event.json', '--sender', 'nope'], /--sender "nope"/],
    [['send', 'event.json', '--smtp', 'http://example.com'], /ERR_SMTP_CONFIG|smtp:\/\//],
  ])('usage problem %j exits 2', async (argv, message) => {
    const result = await runCli(argv, { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
