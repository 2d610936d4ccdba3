/**
 * Where the SMTP password may come from (SMTP_PASSWORD, --password-file, the config file; never
 * argv), and that no form of a secret ever shows: stdout and stderr of send and batch, text and
 * --json, success and failure (wrong password, refused recipient, TLS failure), the ledger and the
 * outbox. Real SMTP servers with AUTH on 127.0.0.1; the batch also as a real process (its worker
 * thread writes through a mask of its own).
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

import { secretForms } from '../../src/cli/secret-mask.ts';
import type { CliResult } from '../support/run-cli.ts';
import {
  startTestSmtpServer,
  tlsFixture,
  type TestSmtpServer,
  type TestSmtpServerOptions,
} from '../support/smtp-test-server.ts';
import { BATCH_ARGS, tempCliDir } from '../support/temp-cli-dir.ts';

const USER = 'ann@example.com';
/** Distinctive, with characters that URL, JSON and base64 encode differently. */
const PASSWORD = 'Pw"7\\q/x:Zebra@91%-ü';
const OTHER_SECRET = 'refresh-Token-4f1c9e-ZZ';
const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;

const invite = {
  uid: 'cli-secrets@example.com',
  summary: 'Secrets check',
  timeZone: 'Europe/Berlin',
  start: '2026-12-01T10:00',
  end: '2026-12-01T11:00',
  organizer: { name: 'Olga', email: 'olga@example.com' },
  attendees: [
    { name: 'Ada', email: 'ada@example.com' },
    { name: 'Nobody', email: 'nobody@example.com' },
  ],
};

const dir = tempCliDir('smtp-invite-secrets-', {
  files: { 'event.json': invite },
  batchFixtures: true,
});
const servers: TestSmtpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(options: TestSmtpServerOptions = {}): Promise<TestSmtpServer> {
  const s = await startTestSmtpServer({ auth: { user: USER, pass: PASSWORD }, ...options });
  servers.push(s);
  return s;
}

/** smtp(s)://ann%40example.com@127.0.0.1:port — the user in the URL, never the password. */
const urlOf = (s: TestSmtpServer): string =>
  s.url.replace('://', `://${encodeURIComponent(USER)}@`);

/** The password and a secret the send never uses (it must be masked all the same). */
const SECRET_ENV = { SMTP_PASSWORD: PASSWORD, SMTP_INVITE_OAUTH_REFRESH_TOKEN: OTHER_SECRET };

/** A server that refuses, with 550 `message`, the recipients whose address starts with `prefix`. */
const refusing = (prefix: string, message = '5.1.1 No such user'): TestSmtpServerOptions => ({
  rejectRecipient: (email) => (email.startsWith(prefix) ? { code: 550, message } : undefined),
});

const FORMS = [...secretForms(PASSWORD, USER), ...secretForms(OTHER_SECRET, USER)];

/** No form of any secret in the text. */
function expectNoSecret(text: string, where: string): void {
  for (const form of FORMS)
    expect(text.includes(form), `${where} shows ${JSON.stringify(form)}`).toBe(false);
}

function expectNoSecretInFiles(): void {
  const files = readdirSync(dir.path, { recursive: true, withFileTypes: true })
    .filter(
      (e) =>
        e.isFile() &&
        ![
          'event.json',
          'template.json',
          'rows.jsonl',
          'pw.txt',
          'smtp-invite.config.json',
        ].includes(e.name),
    )
    .map((e) => join(e.parentPath, e.name));
  expect(files.length).toBeGreaterThan(0);
  for (const file of files) expectNoSecret(readFileSync(file).toString('latin1'), file);
  for (const file of files) expectNoSecret(readFileSync(file).toString('utf8'), file);
}

const send = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
  dir.run(['send', 'event.json', '--db', 'l.db', ...args], env);

describe('ingest --imap: the same rules as --smtp', () => {
  const ingest = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
    dir.run(['ingest', '--db', 'l.db', '--outbox', 'out', ...args], env);

  it('a password in the --imap URL is refused before connecting', async () => {
    const r = await ingest([
      '--imap',
      `imaps://ann:${encodeURIComponent(PASSWORD)}@127.0.0.1:1/INBOX`,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ERR_USAGE: .*a password in --imap .*IMAP_PASSWORD/);
    expectNoSecret(r.stdout + r.stderr, 'output');
  });

  it('--insecure toward a remote IMAP host needs SMTP_INVITE_ALLOW_INSECURE=1', async () => {
    // 192.0.2.1 (TEST-NET-1) is never reached: the refusal comes before any connection.
    const r = await ingest(['--imap', 'imaps://ann@192.0.2.1/INBOX', '--insecure']);
    // Refused by the IMAP adapter itself (as the SMTP one refuses), so the library holds it too.
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /ERR_IMAP: insecure TLS is refused for 192\.0\.2\.1, .*SMTP_INVITE_ALLOW_INSECURE=1/,
    );
  });
});

describe('where the password comes from', () => {
  it('--password-file (0600): logged in and delivered', async () => {
    const s = await server();
    dir.write('pw.txt', `${PASSWORD}\n`);
    const r = await send(['--smtp', urlOf(s), '--password-file', 'pw.txt']);
    expect(r.stderr).not.toContain('ERR_');
    expect(r.code).toBe(0);
    expect(s.received).toHaveLength(1);
  });

  it('--password-file readable by others: refused before connecting, with chmod 600', async () => {
    const s = await server();
    const path = dir.write('pw.txt', PASSWORD, 0o644);
    const r = await send(['--smtp', urlOf(s), '--password-file', 'pw.txt']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `error ERR_CONFIG: --password-file ${path}: group or others can access this secret file (mode 0644): run chmod 600 ${path}`,
    );
    expect(s.stats.connections).toBe(0);
    expectNoSecret(r.stdout + r.stderr, 'output');
  });

  it('--password-file missing or empty: exit 2 naming the option and the file', async () => {
    const s = await server();
    const missing = await send(['--smtp', urlOf(s), '--password-file', 'nope.txt']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      `error ERR_FILE_READ: --password-file ${join(dir.path, 'nope.txt')}: cannot read the file (no such file)`,
    );
    dir.write('empty.txt', '\n');
    const empty = await send(['--smtp', urlOf(s), '--password-file', 'empty.txt']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('the file is empty');
    expect(s.stats.connections).toBe(0);
  });

  it('SMTP_PASSWORD, with the server in SMTP_URL', async () => {
    const s = await server();
    const r = await send([], { SMTP_URL: urlOf(s), SMTP_PASSWORD: PASSWORD });
    expect(r.stderr).not.toContain('ERR_');
    expect(s.received).toHaveLength(1);
  });

  it('the config file: password (chmod 600), or passwordFile, or inside its smtp URL', async () => {
    const s = await server();
    const config = (content: unknown): void => {
      dir.write('smtp-invite.config.json', content);
    };
    config({ smtp: urlOf(s), password: PASSWORD });
    expect((await send([])).stderr).not.toContain('ERR_');
    dir.write('pw.txt', PASSWORD);
    config({ smtp: urlOf(s), passwordFile: 'pw.txt' });
    expect((await send(['--db', 'l2.db'])).stderr).not.toContain('ERR_');
    config({
      smtp: s.url.replace('://', `://${encodeURIComponent(USER)}:${encodeURIComponent(PASSWORD)}@`),
    });
    const inUrl = await send(['--db', 'l3.db']);
    expect(inUrl.stderr).not.toContain('ERR_');
    expectNoSecret(inUrl.stdout + inUrl.stderr, 'output');
    expect(s.received).toHaveLength(3);
  });

  it('a password inside SMTP_URL is fine; inside --smtp it is refused and not repeated', async () => {
    const s = await server();
    const withPassword = s.url.replace(
      '://',
      `://${encodeURIComponent(USER)}:${encodeURIComponent(PASSWORD)}@`,
    );
    const fromEnv = await send([], { SMTP_URL: withPassword });
    expect(fromEnv.stderr).not.toContain('ERR_');
    expect(s.received).toHaveLength(1);
    expectNoSecret(fromEnv.stdout + fromEnv.stderr, 'output');

    const fromFlag = await send(['--smtp', withPassword]);
    expect(fromFlag.code).toBe(2);
    expect(fromFlag.stderr).toContain('a password in --smtp would be visible to other users');
    expect(fromFlag.stderr).toContain('SMTP_PASSWORD, --password-file FILE or the config file');
    expectNoSecret(fromFlag.stdout + fromFlag.stderr, 'output');
    expect(s.received).toHaveLength(1);
  });

  it('--password does not exist, and says where the password goes instead', async () => {
    for (const args of [['--password', PASSWORD], [`--password=${PASSWORD}`]]) {
      const r = await send(['--smtp', 'smtp://127.0.0.1:1', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        'there is no --password option, as other users can read the command line',
      );
      expect(r.stderr).toContain(
        'SMTP_PASSWORD, --password-file FILE (chmod 600) or the config file',
      );
      expectNoSecret(r.stdout + r.stderr, 'output');
    }
  });
});

describe('no secret in any output', () => {
  const outcomes: {
    name: string;
    options: TestSmtpServerOptions;
    exit: number[];
  }[] = [
    { name: 'success', options: {}, exit: [0] },
    { name: 'refused recipient', options: refusing('nobody'), exit: [1] },
    { name: 'wrong password', options: { auth: { user: USER, pass: 'the-right-one' } }, exit: [3] },
    {
      name: 'TLS failure',
      options: { tls: { ...tlsFixture().selfSigned, mode: 'implicit' } },
      exit: [3],
    },
  ];

  for (const outcome of outcomes) {
    for (const json of [false, true]) {
      it(`send, ${outcome.name}, ${json ? '--json' : 'text'}`, async () => {
        const s = await server(outcome.options);
        const r = await send([...(json ? ['--json'] : []), '--smtp', urlOf(s)], SECRET_ENV);
        expect(outcome.exit).toContain(r.code);
        expectNoSecret(r.stdout + r.stderr, 'output');
        if (json) expect(() => JSON.parse(r.stdout) as unknown).not.toThrow();
        expectNoSecretInFiles();
      });

      it(`batch, ${outcome.name}, ${json ? '--json' : 'text'}`, async () => {
        const s = await server(
          outcome.name === 'refused recipient' ? refusing('bob') : outcome.options,
        );
        const r = await dir.run(
          [...BATCH_ARGS, '--db', 'l.db', '--smtp', urlOf(s), ...(json ? ['--json'] : [])],
          SECRET_ENV,
        );
        expect([0, 1, 3]).toContain(r.code);
        expectNoSecret(r.stdout + r.stderr, 'output');
        expectNoSecretInFiles();
      });
    }
  }

  it('a secret the transport never had is masked where the CLI writes (a server echoing it)', async () => {
    // The server quotes a secret back in its refusal; only the writers' mask can catch it.
    const s = await server(refusing('nobody', `5.1.1 unknown ${OTHER_SECRET}`));
    const r = await send(['--smtp', urlOf(s)], SECRET_ENV);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('refused nobody@example.com: 550 550 5.1.1 unknown ***');
    expect(r.stderr).not.toContain(OTHER_SECRET);
  });

  it('the outbox holds no secret either', async () => {
    const r = await send(['--outbox', 'out'], { SMTP_PASSWORD: PASSWORD });
    expect(r.code).toBe(0);
    expect(readdirSync(join(dir.path, 'out'))).toHaveLength(1);
    expectNoSecretInFiles();
  });
});

describe('the batch as a real process (worker thread)', () => {
  it('masks what the worker thread writes', async () => {
    const s = await server(refusing('bob', `5.1.1 unknown ${OTHER_SECRET}`));
    dir.write('pw.txt', PASSWORD);
    const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        [
          main,
          ...BATCH_ARGS,
          '--db',
          'l.db',
          '--smtp',
          urlOf(s),
          '--password-file',
          'pw.txt',
          '--json',
        ],
        {
          cwd: dir.path,
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { PATH: process.env['PATH'], SMTP_INVITE_OAUTH_REFRESH_TOKEN: OTHER_SECRET },
        },
      );
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      child.on('close', (code) => resolve({ code, out }));
    });
    expect(result.code).toBe(1);
    expect(result.out).toContain('unknown ***');
    expectNoSecret(result.out, 'process output');
  });
});
