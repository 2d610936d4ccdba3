/**
 * `smtp-invite batch` end to end in-process: rows file and template → a real SMTP server; the batch
 * id on stderr before sending, exit codes, the --json report, --list, --resume, --dry-run and the
 * usage errors.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openLedger } from '../../src/ledger/open-ledger.ts';
import { runCli } from '../support/run-cli.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-test-server.ts';

const fixtures = new URL('../../fixtures/batch/', import.meta.url).pathname;
let dir: string;
let server: TestSmtpServer;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cli-batch-'));
  for (const f of ['rows.csv', 'rows.jsonl', 'template.json'])
    copyFileSync(join(fixtures, f), join(dir, f));
  server = await startTestSmtpServer({
    rejectRecipient: (email) =>
      email.startsWith('nobody')
        ? { code: 550, message: '5.1.1 <nobody> No such user' }
        : undefined,
  });
});
afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[]) => runCli(['batch', ...args], { cwd: dir, env: {} });
/** `rows` through the template to the test server, with the ledger l.db. */
const send = (rows: string, ...extra: string[]) =>
  cli([rows, '--template', 'template.json', '--smtp', server.url, '--db', 'l.db', ...extra]);

describe('smtp-invite batch', () => {
  it('sends a CSV through a template: batch id first on stderr, summary, exit 0', async () => {
    const r = await send('rows.csv');
    expect(r.stderr).toMatch(/^batch \d{8}-[0-9a-f]{6}\n/);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/finished/);
    const lines =
      (await import('node:fs')).readFileSync(join(dir, 'rows.csv'), 'utf8').trim().split('\n')
        .length - 1;
    expect(server.received.length).toBeGreaterThan(0);
    expect(r.stderr).toContain(`rows`);
    expect(server.received).toHaveLength(lines);
    // A quoted name with a comma and quotes stays one display name; an empty name is left out.
    const bob = server.received.find((m) => m.envelope.to.includes('bob@example.net'));
    expect(bob?.raw.toString()).toContain('To: "Smith, Bob \\"Bobby\\"" <bob@example.net>');
    const carol = server.received.find((m) => m.envelope.to.includes('carol@example.net'));
    expect(carol?.raw.toString()).toContain('To: carol@example.net');
  });

  it('exit 1 with the refused recipient in the summary and the --json report', async () => {
    writeFileSync(
      join(dir, 'some.jsonl'),
      ['ada@example.net', 'nobody@example.net', 'carl@example.net']
        .map((email, i) =>
          JSON.stringify({
            email,
            name: `P${String(i)}`,
            join_url: `https://x.example/${String(i)}`,
          }),
        )
        .join('\n'),
    );
    const r = await send('some.jsonl', '--json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as {
      batch: { sent: number; failed: number };
      failures: {
        row: number;
        line: number;
        recipients: { email: string; code: number; response: string }[];
      }[];
    };
    expect(report.batch).toMatchObject({ sent: 2, failed: 1 });
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]).toMatchObject({ row: 2, line: 2, status: 'failed' });
    expect(report.failures[0]?.recipients[0]).toMatchObject({
      email: 'nobody@example.net',
      code: 550,
      enhanced: '5.1.1',
    });
    expect(r.stderr).toMatch(/row 2 \(line 2\) nobody@example.net: .*No such user/);
  });

  it('an invalid row: exit 2, the row, line and field named, nothing sent, nothing kept', async () => {
    writeFileSync(
      join(dir, 'bad.jsonl'),
      `${JSON.stringify({ email: 'ok@example.net', name: 'A', join_url: 'https://x.example/j' })}\n\n${JSON.stringify({ email: 'broken', name: 'B', join_url: 'https://x.example/j' })}\n`,
    );
    const r = await send('bad.jsonl');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/row 2 \(line 3\): attendees\[0\]\.email/);
    expect(r.stderr).toContain('nothing was sent');
    expect(server.received).toHaveLength(0);
    const ledger = openLedger(join(dir, 'l.db'));
    try {
      expect(ledger.batches.listBatches()).toEqual([]);
    } finally {
      ledger.close();
    }
    const skipped = await send('bad.jsonl', '--skip-invalid');
    expect(skipped.code).toBe(1);
    expect(server.received).toHaveLength(1);
  });

  it('--resume of a finished batch says so and exits 0; --list shows it; --resume without any batch is a clear error', async () => {
    const none = await cli(['--resume', '--db', 'l.db', '--smtp', server.url]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no unfinished batch/);
    const first = await send('rows.jsonl');
    expect(first.code).toBe(0);
    const id = /^batch (\S+)/.exec(first.stderr)?.[1] ?? '';
    const count = server.received.length;
    const again = await cli(['--resume', id, '--db', 'l.db']);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`batch ${id} was already finished`);
    expect(server.received).toHaveLength(count);
    const list = await cli(['--list', '--db', 'l.db']);
    expect(list.stdout).toMatch(new RegExp(`^${id}  finished`));
  });

  it('--dry-run checks and builds every row, sends nothing and leaves no ledger', async () => {
    const r = await send('rows.csv', '--dry-run');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('dry run: nothing was sent');
    expect(server.received).toHaveLength(0);
    expect((await import('node:fs')).existsSync(join(dir, 'l.db'))).toBe(false);
  });

  it('usage errors name the flag', async () => {
    const cases: [string[], RegExp][] = [
      [['rows.csv'], /CSV rows are variables: give --template/],
      [['rows.txt'], /\.jsonl|\.csv/],
      [['rows.jsonl', '--rate', 'fast'], /--rate/],
      [['rows.jsonl', '--profile', 'hotmail'], /exchange-online/],
      [['rows.jsonl', '--profile', 'ses'], /--rate/],
      [['rows.jsonl', '--concurrency', '0'], /--concurrency/],
      [['rows.jsonl', '--max-attempts', 'x'], /--max-attempts/],
      [['--resume', 'x', 'rows.jsonl'], /give no rows file/],
      [[], /exactly one rows file/],
    ];
    for (const [args, message] of cases) {
      const r = await cli([...args, '--db', 'l.db']);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    expect(server.received).toHaveLength(0);
  });

  it('--help explains pacing, resume and the exit codes', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const word of [
      '--template',
      '--profile',
      '--rate',
      '--daily-cap',
      '--concurrency',
      '--resume',
      '--json',
      'Exit codes',
      'kill -9',
    ]) {
      expect(r.stdout).toContain(word);
    }
  });
});
