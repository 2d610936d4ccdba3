/**
 * Crash safety of the organizer's side: `smtp-invite update` killed (SIGKILL) while it is talking
 * to a slow SMTP server — after it claimed the event, before it recorded the new state — leaves a
 * ledger that passes PRAGMA integrity_check and shows the old state; the next update works.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readStatus } from '../../src/flows/read-status.ts';
import { openLedger } from '../../src/ledger/open-ledger.ts';
import { runCli } from '../support/run-cli.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-test-server.ts';

const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const event = {
  uid: 'crash@example.com',
  summary: 'Before',
  timeZone: 'Europe/Berlin',
  start: '2026-12-01T10:00',
  end: '2026-12-01T11:00',
  organizer: { email: 'olga@example.com' },
  attendees: [{ email: 'ada@example.com' }, { email: 'bob@example.com' }],
};
const servers: TestSmtpServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('update killed in the middle', () => {
  it('leaves an intact ledger with the old state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smtp-invite-crash-'));
    const db = join(dir, 'ledger.db');
    const fast = await startTestSmtpServer();
    const slow = await startTestSmtpServer({ delayMs: 10_000 });
    servers.push(fast, slow);
    writeFileSync(join(dir, 'event.json'), JSON.stringify(event));
    const sent = await runCli(['send', 'event.json', '--smtp', fast.url, '--db', db], { cwd: dir });
    expect(sent.code).toBe(0);

    writeFileSync(
      join(dir, 'event.json'),
      JSON.stringify({
        ...event,
        summary: 'After',
        start: '2026-12-01T14:00',
        end: '2026-12-01T15:00',
      }),
    );
    const child = spawn(
      process.execPath,
      [main, 'update', 'event.json', '--smtp', slow.url, '--db', db],
      {
        cwd: dir,
        stdio: 'ignore',
      },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    await new Promise((resolve) => setTimeout(resolve, 2000));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const ledger = openLedger(db);
    try {
      expect(ledger.integrityCheck()).toBe('ok');
      const status = readStatus(ledger, event.uid);
      expect(status).toMatchObject({ sequence: 0, summary: 'Before' });
      expect(status.deliveries.every((d) => d.sequence === 0)).toBe(true);
    } finally {
      ledger.close();
    }
    expect(slow.received).toEqual([]);

    // The claim left by the killed process does not block the next update.
    const again = await runCli(['update', 'event.json', '--smtp', fast.url, '--db', db], {
      cwd: dir,
    });
    expect(again.code).toBe(0);
    const after = openLedger(db);
    try {
      expect(readStatus(after, event.uid)).toMatchObject({ sequence: 1, summary: 'After' });
    } finally {
      after.close();
    }
  }, 30_000);
});
