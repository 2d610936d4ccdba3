/**
 * Issue 5 §3/§5: `smtp-invite batch` killed with SIGKILL at random points, several times, then
 * resumed until it finishes. The server (in this process) sees every message: nobody may be missing,
 * and a message received twice must be byte-identical to its first copy (same Message-ID, UID,
 * SEQUENCE, DTSTAMP), which only a message in flight at a kill may be.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';

import { openLedger } from '../../src/ledger/open-ledger.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-test-server.ts';

const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const ROWS = 300;
const KILLS = 4;

const template = {
  summary: 'Onboarding for {{name}}',
  description: 'Your personal link: {{join_url}}',
  timeZone: 'Europe/Berlin',
  start: '2026-12-10T09:00',
  duration: 'PT30M',
  organizer: { name: 'HR', email: 'hr@example.com' },
  attendees: [
    { email: '{{email}}', name: '{{name}}' },
    { email: 'buddy-{{n}}@example.com', role: 'optional' },
  ],
};

const servers: TestSmtpServer[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A directory with template.json and rows.jsonl of `count` people (person<n>@example.org). */
function batchDir(prefix: string, count: number): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  writeFileSync(join(dir, 'template.json'), JSON.stringify(template));
  const lines = Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      n: String(i + 1),
      email: `person${String(i + 1)}@example.org`,
      name: `Person ${String(i + 1)}`,
      join_url: `https://meet.example.com/${String(i + 1)}`,
    }),
  );
  writeFileSync(join(dir, 'rows.jsonl'), `${lines.join('\n')}\n`);
  return dir;
}

/** `smtp-invite batch …` as a real process, its stderr collected. */
function startBatch(dir: string, args: string[]): { child: ChildProcess; stderr: () => string } {
  const child = spawn(process.execPath, [main, 'batch', ...args], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, SMTP_URL: '', SMTP_PASSWORD: '' },
  });
  let text = '';
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { child, stderr: () => text };
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function runChild(args: string[], cwd: string, killWhen?: () => boolean): Promise<Exit> {
  const { child, stderr } = startBatch(cwd, args);
  let poll: NodeJS.Timeout | undefined;
  if (killWhen !== undefined) {
    poll = setInterval(() => {
      if (killWhen()) {
        child.kill('SIGKILL');
        clearInterval(poll);
      }
    }, 2);
  }
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      if (poll !== undefined) clearInterval(poll);
      resolve({ code, signal, stderr: stderr() });
    }),
  );
}

describe('batch killed at random points and resumed', () => {
  it('delivers to every recipient; duplicates are byte-identical copies of messages in flight', async () => {
    // Each run of the property is a whole kill/resume campaign with its own kill points.
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: ROWS * 2 - 1 }), { minLength: KILLS, maxLength: KILLS }),
        async (killPoints) => {
          const server = await startTestSmtpServer({ delayMs: 1 });
          servers.push(server);
          const dir = batchDir('smtp-invite-crash-batch-', ROWS);
          const db = join(dir, 'ledger.db');
          const fresh = [
            'rows.jsonl',
            '--template',
            'template.json',
            '--smtp',
            server.url,
            '--db',
            db,
            '--concurrency',
            '3',
          ];
          const resume = ['--resume', '--db', db];

          // As a user would: resume when the ledger has a batch being sent, else start from the file.
          const argsNow = (): string[] => {
            const ledger = openLedger(db);
            try {
              return ledger.batches.latestUnfinished()?.state === 'open' ? resume : fresh;
            } finally {
              ledger.close();
            }
          };
          let kills = 0;
          let finished = false;
          for (const point of killPoints) {
            // A kill point below ROWS counts received messages; above, it kills after some
            // milliseconds (while reading the rows, or just after the start).
            const before = server.received.length;
            const startedAt = Date.now();
            const killWhen =
              point < ROWS
                ? () => server.received.length >= before + 1 + (point % 60)
                : () => Date.now() - startedAt >= 100 + (point % 300);
            const exit = await runChild(argsNow(), dir, killWhen);
            if (exit.signal === 'SIGKILL') kills += 1;
            else if (exit.code === 0) {
              finished = true;
              break;
            } else throw new Error(`unexpected exit ${String(exit.code)}: ${exit.stderr}`);
          }
          for (let i = 0; i < 3 && !finished; i++) {
            const exit = await runChild(argsNow(), dir);
            if (exit.code === 0) finished = true;
            else throw new Error(`resume failed with ${String(exit.code)}: ${exit.stderr}`);
          }
          expect(finished).toBe(true);

          // Nobody missing.
          const got = new Set(server.received.flatMap((m) => m.envelope.to));
          for (let i = 1; i <= ROWS; i++) {
            expect(got.has(`person${String(i)}@example.org`)).toBe(true);
            expect(got.has(`buddy-${String(i)}@example.com`)).toBe(true);
          }
          // Duplicates are byte-identical to the first copy; each row (UID) has one Message-ID.
          const byId = new Map<string, Buffer>();
          const byUid = new Map<string, string>();
          let duplicates = 0;
          for (const m of server.received) {
            const text = m.raw.toString('latin1');
            const id = /^Message-ID: <([^>]+)>/im.exec(text)?.[1] ?? '';
            const uid = /^UID:(.*)$/m.exec(text)?.[1] ?? '';
            const first = byId.get(id);
            if (first === undefined) byId.set(id, m.raw);
            else {
              duplicates += 1;
              expect(m.raw.equals(first)).toBe(true);
            }
            const previous = byUid.get(uid);
            if (previous !== undefined) expect(previous).toBe(id);
            byUid.set(uid, id);
          }
          // Only messages in flight at a kill can repeat: at most the unrecorded outcomes
          // (one flush group) plus the connections' messages per kill.
          expect(kills).toBeGreaterThan(0);
          expect(duplicates).toBeLessThanOrEqual(kills * (128 + 3));
          // One batch sent everything; others can only be leftovers killed while reading (nothing sent).
          const ledger = openLedger(db);
          try {
            expect(ledger.integrityCheck()).toBe('ok');
            const batches = ledger.batches.listBatches();
            expect(batches.filter((b) => b.state === 'finished')).toHaveLength(1);
            expect(batches.every((b) => b.state !== 'open')).toBe(true);
          } finally {
            ledger.close();
          }
        },
      ),
      { numRuns: 2 },
    );
  }, 240_000);

  it('Ctrl-C (SIGINT) stops after the messages in flight, prints the resume command, exits 130; the resume sends each row once', async () => {
    const server = await startTestSmtpServer({ delayMs: 5 });
    servers.push(server);
    const dir = batchDir('smtp-invite-sigint-batch-', 200);
    const db = join(dir, 'ledger.db');
    const { child, stderr } = startBatch(dir, [
      'rows.jsonl',
      '--template',
      'template.json',
      '--smtp',
      server.url,
      '--db',
      db,
      '--concurrency',
      '2',
    ]);
    const poll = setInterval(() => {
      if (server.received.length >= 10) {
        clearInterval(poll);
        child.kill('SIGINT');
      }
    }, 2);
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    clearInterval(poll);
    expect(code).toBe(130);
    const id = /^batch (\S+)/m.exec(stderr())?.[1] ?? '';
    expect(stderr()).toContain(`resume with: smtp-invite batch --resume ${id}`);
    const sentBefore = server.received.length;
    expect(sentBefore).toBeLessThan(200);
    const again = await runChild(['--resume', id, '--db', db], dir);
    expect(again.code).toBe(0);
    const ids = server.received.map(
      (m) => /^Message-ID: <([^>]+)>/im.exec(m.raw.toString('latin1'))?.[1],
    );
    expect(new Set(ids).size).toBe(200);
    expect(ids).toHaveLength(200);
  }, 60_000);

  it('a second Ctrl-C quits at once, without waiting for the messages in flight (exit 130)', async () => {
    // Every reply, the greeting included, takes 20 s: the first Ctrl-C has to wait for them.
    const server = await startTestSmtpServer({ delayMs: 20_000 });
    servers.push(server);
    const dir = batchDir('smtp-invite-sigint2-batch-', 5);
    const { child, stderr } = startBatch(dir, [
      'rows.jsonl',
      '--template',
      'template.json',
      '--smtp',
      server.url,
      '--db',
      join(dir, 'ledger.db'),
    ]);
    let exited = false;
    const exit = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => {
        exited = true;
        resolve(code);
      }),
    );
    await vi.waitFor(() => expect(stderr()).toMatch(/^batch \S+/m), { timeout: 10_000 });
    // A lane has taken a message and is connecting: something is in flight (under load the
    // signal could otherwise come before any message was taken, and the stop would be immediate).
    await vi.waitFor(() => expect(server.stats.connections).toBeGreaterThan(0), {
      timeout: 10_000,
    });
    child.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(exited).toBe(false);
    expect(stderr()).toContain('Ctrl-C again to quit at once');
    const second = Date.now();
    child.kill('SIGINT');
    expect(await exit).toBe(130);
    expect(Date.now() - second).toBeLessThan(5_000);
    expect(server.received).toHaveLength(0);
  }, 30_000);
});
