/**
 * `batch --resume` signs the rest of a DKIM-signed batch as its start was signed, from the
 * settings kept with the batch (domain, selector, the key file's path; never the key), and refuses
 * rather than sending unsigned when the key cannot be had. Real SMTP server on 127.0.0.1 with AUTH
 * (a wrong password stops the batch before anything is sent), signatures checked by mailauth.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

import { dkimDnsRecord } from '../../src/transport/dkim-signing.ts';
import { verifyWithMailauth, type DkimKeyRecord } from '../support/dkim-verifiers.ts';
import type { CliResult } from '../support/run-cli.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-test-server.ts';
import { BATCH_ARGS, tempCliDir } from '../support/temp-cli-dir.ts';

const USER = 'olga@example.com';
const PASSWORD = 'right-Password-1';

const newKey = (): string =>
  generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
const KEY = newKey();
const RECORD: DkimKeyRecord = { name: 's2026._domainkey.example.com', value: dkimDnsRecord(KEY) };
const DKIM_FLAGS = ['--dkim-domain', 'example.com', '--dkim-selector', 's2026'];

const dir = tempCliDir('smtp-invite-resume-dkim-', { batchFixtures: true });
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function server(): Promise<{ s: TestSmtpServer; url: string }> {
  const s = await startTestSmtpServer({ auth: { user: USER, pass: PASSWORD } });
  closers.push(() => s.close());
  return { s, url: s.url.replace('://', `://${encodeURIComponent(USER)}@`) };
}

/** A signed batch that stops on a wrong password before anything is sent (exit 3). */
async function startStopped(
  s: TestSmtpServer,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<void> {
  const first = await dir.run([...BATCH_ARGS, '--db', 'l.db', ...args], {
    ...env,
    SMTP_PASSWORD: 'wrong-Password-1',
  });
  expect(first.stderr).toContain('stopped: authentication failed');
  expect(first.code).toBe(3);
  expect(s.received).toHaveLength(0);
}

const resume = (env: NodeJS.ProcessEnv = {}, args: readonly string[] = []): Promise<CliResult> =>
  dir.run(['batch', '--resume', '--db', 'l.db', ...args], { SMTP_PASSWORD: PASSWORD, ...env });

/** Every message the server took is signed for the record's d= and s= and verifies. */
async function expectAllSigned(s: TestSmtpServer, record: DkimKeyRecord): Promise<void> {
  const selector = record.name.slice(0, record.name.indexOf('.'));
  expect(s.received.length).toBeGreaterThan(1);
  for (const message of s.received) {
    const verdict = await verifyWithMailauth(message.raw, record);
    expect(verdict.pass, verdict.detail).toBe(true);
    expect([verdict.domain, verdict.selector]).toEqual(['example.com', selector]);
  }
}

describe('batch --resume keeps the batch DKIM-signed', () => {
  it('a key file: resumed without any DKIM flag, every message verifies for d= and s= of the start', async () => {
    const { s, url } = await server();
    const keyPath = dir.write('dkim.key', KEY);
    await startStopped(s, ['--smtp', url, ...DKIM_FLAGS, '--dkim-key', 'dkim.key']);
    const resumed = await resume();
    expect(resumed.stderr).not.toContain('ERR_');
    expect(resumed.stderr).not.toContain('warning');
    expect(resumed.code).toBe(0);
    await expectAllSigned(s, RECORD);
    // The ledger keeps where the key is, never the key.
    const ledger = readFileSync(join(dir.path, 'l.db')).toString('latin1');
    expect(ledger).toContain(keyPath);
    expect(ledger).not.toContain(KEY.split('\n')[1] ?? KEY);
  });

  it('the key file removed: refused naming the file and how to give the key, nothing sent; back: resumes', async () => {
    const { s, url } = await server();
    const keyPath = dir.write('dkim.key', KEY);
    await startStopped(s, ['--smtp', url, ...DKIM_FLAGS, '--dkim-key', 'dkim.key']);
    rmSync(keyPath);
    const before = s.stats.connections;
    const refused = await resume();
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('ERR_CONFIG');
    expect(refused.stderr).toContain(
      `was DKIM-signed (d=example.com, s=s2026) with the key file ${keyPath} (--dkim-key), which cannot be read now (no such file)`,
    );
    expect(refused.stderr).toContain('--dkim-key FILE');
    expect(s.stats.connections).toBe(before);
    expect(s.received).toHaveLength(0);
    // Nothing was consumed by the refusal: with the file back, the whole batch goes out signed.
    dir.write('dkim.key', KEY);
    const resumed = await resume();
    expect(resumed.code).toBe(0);
    await expectAllSigned(s, RECORD);
  });

  it('the key from SMTP_INVITE_DKIM_KEY: refused without it; with only it, signed with the batch d= and s=', async () => {
    const { s, url } = await server();
    const env = {
      SMTP_INVITE_DKIM_DOMAIN: 'example.com',
      SMTP_INVITE_DKIM_SELECTOR: 's2026',
      SMTP_INVITE_DKIM_KEY: KEY,
    };
    await startStopped(s, ['--smtp', url], env);
    expect(readFileSync(join(dir.path, 'l.db')).toString('latin1')).not.toContain(
      KEY.split('\n')[1] ?? KEY,
    );
    const before = s.stats.connections;
    const refused = await resume();
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('ERR_CONFIG');
    expect(refused.stderr).toContain(
      'was DKIM-signed (d=example.com, s=s2026) with the key in SMTP_INVITE_DKIM_KEY, which is not set now: set SMTP_INVITE_DKIM_KEY to the same key again',
    );
    expect(s.stats.connections).toBe(before);
    // The key alone is enough: the domain and the selector come from the batch.
    const resumed = await resume({ SMTP_INVITE_DKIM_KEY: KEY });
    expect(resumed.stderr).not.toContain('ERR_');
    expect(resumed.code).toBe(0);
    await expectAllSigned(s, RECORD);
  });

  it('another selector given on resume: used, with a warning naming both signatures', async () => {
    const { s, url } = await server();
    dir.write('dkim.key', KEY);
    await startStopped(s, ['--smtp', url, ...DKIM_FLAGS, '--dkim-key', 'dkim.key']);
    const rotated = newKey();
    dir.write('rotated.key', rotated);
    const resumed = await resume({}, ['--dkim-selector', 's2027', '--dkim-key', 'rotated.key']);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(
      /warning: batch \S+ was DKIM-signed with d=example\.com, s=s2026; the rest is signed with d=example\.com, s=s2027 \(batch \S+, --dkim-selector\)/,
    );
    await expectAllSigned(s, {
      name: 's2027._domainkey.example.com',
      value: dkimDnsRecord(rotated),
    });
  });

  it('a batch started unsigned stays unsigned on resume (nothing stored, nothing invented)', async () => {
    const { s, url } = await server();
    await startStopped(s, ['--smtp', url]);
    const resumed = await resume();
    expect(resumed.code).toBe(0);
    expect(s.received.length).toBeGreaterThan(1);
    for (const message of s.received) {
      expect(message.raw.toString('latin1')).not.toMatch(/^DKIM-Signature:/im);
    }
  });
});

describe('batch --resume of a batch that went to an outbox', () => {
  it('goes on to the outbox even when SMTP_URL was set at the start and is not now', async () => {
    // The outbox path is a file: the first write fails and the batch stops with every row left.
    writeFileSync(join(dir.path, 'out'), 'not a directory');
    const first = await dir.run([...BATCH_ARGS, '--db', 'l.db', '--outbox', 'out'], {
      SMTP_URL: 'smtp://127.0.0.1:1',
    });
    expect(first.code).toBe(3);
    const id = /batch (\S+)/.exec(first.stderr)?.[1] ?? '';
    rmSync(join(dir.path, 'out'));

    const again = await dir.run(['batch', '--db', 'l.db', '--resume', id], {});
    expect(again.stderr).not.toContain('give either --smtp or --outbox');
    expect(again.code).toBe(0);
    expect(readdirSync(join(dir.path, 'out')).filter((f) => f.endsWith('.eml'))).toHaveLength(5);
  });
});
