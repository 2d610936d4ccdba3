/**
 * OAuth2 and DKIM from the command line: every way the settings can be given (flags, environment,
 * config file) reaching the library, against a real token endpoint and a real SMTP server with
 * XOAUTH2 on 127.0.0.1, DKIM signatures checked by an independent verifier (mailauth), and no
 * token, client secret or key in any output.
 */
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

import { secretForms } from '../../src/cli/secret-mask.ts';
import { dkimDnsRecord } from '../../src/transport/dkim-signing.ts';
import { verifyWithMailauth } from '../support/dkim-verifiers.ts';
import {
  APP_CERTIFICATE,
  CLIENT_ID,
  CLIENT_SECRET,
  GOOGLE_PRIVATE_PEM,
  SA_EMAIL,
  TENANT,
  googleClient,
  microsoftApp,
  microsoftCliFlags,
} from '../support/oauth-fixture.ts';
import type { CliResult } from '../support/run-cli.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-test-server.ts';
import { BATCH_ARGS, tempCliDir } from '../support/temp-cli-dir.ts';
import { startTokenServer, type TokenServer } from '../support/token-server.ts';

/** The organizer, and the mailbox the tokens are for. */
const USER = 'olga@example.com';
const STATIC_TOKEN = 'ya29.static-access-token-0123456789';

const DKIM_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();

const invite = {
  uid: 'cli-oauth-dkim@example.com',
  summary: 'Café planning — Grüße',
  description: 'Non-ASCII text: Zürich, 東京, naïve.',
  timeZone: 'Europe/Berlin',
  start: '2026-12-01T10:00',
  end: '2026-12-01T11:00',
  organizer: { name: 'Olga Ørsted', email: USER },
  attendees: [{ name: 'Ada', email: 'ada@example.net' }],
};

const dir = tempCliDir('smtp-invite-oauth-dkim-', {
  files: { 'event.json': invite },
  batchFixtures: true,
});
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The token endpoint with the Microsoft app and the Google service account delegated for USER. */
async function tokens(): Promise<TokenServer> {
  const s = await startTokenServer({ ...microsoftApp(), ...googleClient([USER]) });
  cleanups.push(() => s.close());
  return s;
}

async function smtp(acceptToken: (token: string) => boolean): Promise<TestSmtpServer> {
  const s = await startTestSmtpServer({ auth: { user: USER, acceptToken } });
  cleanups.push(() => s.close());
  return s;
}

const urlOf = (s: TestSmtpServer): string =>
  s.url.replace('://', `://${encodeURIComponent(USER)}@`);

/** XOAUTH2 to `s` as USER with the Microsoft app at the endpoint `t`; the credential is added. */
const microsoftFlags = (s: TestSmtpServer, t: TokenServer): string[] =>
  microsoftCliFlags(urlOf(s), t);

function expectNoSecret(result: CliResult, secrets: readonly string[]): void {
  const text = result.stdout + result.stderr;
  for (const secret of secrets) {
    for (const form of secretForms(secret, USER)) {
      expect(text.includes(form), `output shows ${JSON.stringify(form)}`).toBe(false);
    }
  }
}

const send = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
  dir.run(['send', 'event.json', '--db', 'l.db', ...args], env);

describe('--auth oauth2 from the CLI', () => {
  it('a ready token from SMTP_OAUTH_TOKEN, the user from the SMTP URL', async () => {
    const s = await smtp((t) => t === STATIC_TOKEN);
    const r = await send(['--smtp', urlOf(s), '--auth', 'oauth2', '--json'], {
      SMTP_OAUTH_TOKEN: STATIC_TOKEN,
    });
    expect(r.stderr).not.toContain('ERR_');
    expect(r.code).toBe(0);
    expect(s.received).toHaveLength(1);
    expectNoSecret(r, [STATIC_TOKEN]);
  });

  it('a refused token: exit 3, ERR_SMTP_AUTH, the token nowhere (text, --json, batch)', async () => {
    const s = await smtp((t) => t === 'another-token');
    const env = { SMTP_OAUTH_TOKEN: STATIC_TOKEN };
    for (const json of [[], ['--json']]) {
      const r = await send(['--smtp', urlOf(s), '--auth', 'oauth2', ...json], env);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('error ERR_SMTP_AUTH');
      expectNoSecret(r, [STATIC_TOKEN]);
    }
    const batch = await dir.run(
      [...BATCH_ARGS, '--db', 'b.db', '--smtp', urlOf(s), '--auth', 'oauth2', '--json'],
      env,
    );
    expect(batch.code).toBe(3);
    expectNoSecret(batch, [STATIC_TOKEN]);
    expect(readFileSync(join(dir.path, 'b.db')).toString('latin1')).not.toContain(STATIC_TOKEN);
    expect(s.received).toHaveLength(0);
  });

  it('Microsoft 365, client secret from a file: tokens fetched, used, never shown', async () => {
    const t = await tokens();
    const s = await smtp((token) => t.isValid(token));
    dir.write('client-secret.txt', `${CLIENT_SECRET}\n`);
    const r = await send([
      ...microsoftFlags(s, t),
      '--oauth-client-secret-file',
      'client-secret.txt',
      '--json',
    ]);
    expect(r.stderr).not.toContain('ERR_');
    expect(r.code).toBe(0);
    expect(s.received).toHaveLength(1);
    expect(t.issued.length).toBeGreaterThan(0);
    expectNoSecret(r, [CLIENT_SECRET, ...t.issued]);
  });

  it('Microsoft 365, certificate credential from files', async () => {
    const t = await tokens();
    const s = await smtp((token) => t.isValid(token));
    const key = dir.write('app.key', APP_CERTIFICATE.privateKeyPem);
    dir.write('app.pem', APP_CERTIFICATE.certificatePem, 0o644);
    const flags = [
      ...microsoftFlags(s, t),
      '--oauth-certificate-file',
      'app.pem',
      '--oauth-private-key-file',
      'app.key',
    ];
    const r = await send(flags);
    expect(r.stderr).not.toContain('ERR_');
    expect(s.received).toHaveLength(1);
    expectNoSecret(r, [APP_CERTIFICATE.privateKeyPem, ...t.issued]);
    // The private key readable by others: refused before any request.
    chmodSync(key, 0o640);
    const requests = t.requests;
    const refused = await send(flags);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`--oauth-private-key-file ${key}: group or others can access`);
    expect(t.requests).toBe(requests);
  });

  it('everything from the config file (chmod 600 with the inline client secret)', async () => {
    const t = await tokens();
    const s = await smtp((token) => t.isValid(token));
    const config = {
      smtp: urlOf(s),
      auth: 'oauth2',
      oauth2: {
        provider: 'microsoft',
        tenant: TENANT,
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        tokenUrl: t.microsoftTokenUrl,
      },
    };
    const path = dir.write('smtp-invite.config.json', config, 0o644);
    const refused = await send([]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('holds oauth2.clientSecret but group or others can access it');
    expectNoSecret(refused, [CLIENT_SECRET]);
    chmodSync(path, 0o600);
    const r = await send([]);
    expect(r.stderr).not.toContain('ERR_');
    expect(s.received).toHaveLength(1);
    expectNoSecret(r, [CLIENT_SECRET, ...t.issued]);
  });

  it('Google service account key from the config file', async () => {
    const t = await tokens();
    const s = await smtp((token) => t.isValid(token));
    dir.write('sa.json', {
      type: 'service_account',
      client_email: SA_EMAIL,
      private_key: GOOGLE_PRIVATE_PEM,
    });
    dir.write(
      'smtp-invite.config.json',
      {
        smtp: urlOf(s),
        auth: 'oauth2',
        oauth2: { provider: 'google', serviceAccountFile: 'sa.json', tokenUrl: t.googleTokenUrl },
      },
      0o644,
    );
    const r = await send(['--json']);
    expect(r.stderr).not.toContain('ERR_');
    expect(s.received).toHaveLength(1);
    expectNoSecret(r, [GOOGLE_PRIVATE_PEM, ...t.issued]);
  });

  it('a token endpoint that refuses the client: ERR_SMTP_AUTH, no secret, nothing sent', async () => {
    const t = await tokens();
    const s = await smtp((token) => t.isValid(token));
    t.refuseWith = {
      status: 401,
      error: 'invalid_client',
      description: 'AADSTS7000215: Invalid client secret provided.',
    };
    const r = await send(
      ['--smtp', urlOf(s), '--auth', 'oauth2', '--oauth-provider', 'microsoft'],
      {
        SMTP_INVITE_OAUTH_CLIENT_SECRET: CLIENT_SECRET,
      },
    );
    // The flags name no tenant: a configuration error first.
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ERR_CONFIG');
    const refused = await send(microsoftFlags(s, t), {
      SMTP_INVITE_OAUTH_CLIENT_SECRET: CLIENT_SECRET,
    });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('error ERR_SMTP_AUTH');
    expectNoSecret(refused, [CLIENT_SECRET]);
    expect(s.received).toHaveLength(0);
  });

  it('no mailbox to log in as: ERR_CONFIG saying where to put it', async () => {
    const s = await smtp(() => true);
    const r = await send(['--smtp', s.url, '--auth', 'oauth2'], { SMTP_OAUTH_TOKEN: STATIC_TOKEN });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('OAuth2 needs the mailbox to log in as');
    const ok = await send(['--smtp', s.url, '--auth', 'oauth2', '--oauth-user', USER], {
      SMTP_OAUTH_TOKEN: STATIC_TOKEN,
    });
    expect(ok.code).toBe(0);
  });

  it('an OAuth2 flag without --auth oauth2, and a password in the URL with OAuth2, are refused', async () => {
    const noAuth = await send(['--smtp', 'smtp://127.0.0.1:1', '--oauth-tenant', TENANT]);
    expect(noAuth.code).toBe(2);
    expect(noAuth.stderr).toContain('--oauth-tenant is for OAuth2: add --auth oauth2');
    const withPassword = await send(['--auth', 'oauth2'], {
      SMTP_URL: 'smtp://olga%40example.com:pw-in-url@127.0.0.1:1',
      SMTP_OAUTH_TOKEN: STATIC_TOKEN,
    });
    expect(withPassword.code).toBe(2);
    expect(withPassword.stderr).toContain(
      'SMTP_URL holds a password, but --auth oauth2 logs in with a token',
    );
  });
});

describe('DKIM from the CLI', () => {
  const record = { name: 's2026._domainkey.example.com', value: dkimDnsRecord(DKIM_KEY) };

  it('flags: every message signed, verified by mailauth (non-ASCII text and the .ics attachment)', async () => {
    const s = await startTestSmtpServer();
    cleanups.push(() => s.close());
    dir.write('dkim.key', DKIM_KEY);
    const r = await send([
      '--smtp',
      s.url,
      '--dkim-domain',
      'example.com',
      '--dkim-selector',
      's2026',
      '--dkim-key',
      'dkim.key',
    ]);
    expect(r.stderr).not.toContain('ERR_');
    expect(r.stderr).toContain('DKIM-signed (d=example.com, s=s2026)');
    const raw = s.received[0]?.raw ?? Buffer.alloc(0);
    expect(raw.toString('latin1')).toMatch(/^DKIM-Signature: /);
    expect(raw.toString('latin1')).toContain('text/calendar');
    const verdict = await verifyWithMailauth(raw, record);
    expect(verdict.pass, verdict.detail).toBe(true);
    expect(verdict.domain).toBe('example.com');
    expectNoSecret(r, [DKIM_KEY]);
  });

  it('environment (key as PEM text) with --outbox: the written .eml is signed', async () => {
    const r = await send(['--outbox', 'out'], {
      SMTP_INVITE_DKIM_DOMAIN: 'example.com',
      SMTP_INVITE_DKIM_SELECTOR: 's2026',
      SMTP_INVITE_DKIM_KEY: DKIM_KEY,
    });
    expect(r.code).toBe(0);
    const [eml] = readdirSync(join(dir.path, 'out'));
    const raw = readFileSync(join(dir.path, 'out', eml ?? ''));
    const verdict = await verifyWithMailauth(raw, record);
    expect(verdict.pass, verdict.detail).toBe(true);
  });

  it('config file (keyFile relative to it), through a batch: every message verifies', async () => {
    const s = await startTestSmtpServer();
    cleanups.push(() => s.close());
    dir.write('dkim.key', DKIM_KEY);
    dir.write(
      'smtp-invite.config.json',
      { smtp: s.url, dkim: { domain: 'example.com', selector: 's2026', keyFile: 'dkim.key' } },
      0o644,
    );
    const r = await dir.run([...BATCH_ARGS, '--db', 'b.db']);
    expect(r.code).toBe(0);
    expect(s.received.length).toBeGreaterThan(1);
    for (const message of s.received) {
      const verdict = await verifyWithMailauth(message.raw, record);
      expect(verdict.pass, verdict.detail).toBe(true);
    }
  });

  it('a key file others can read, a partial setting, a file that is no key: exit 2, nothing sent', async () => {
    const s = await startTestSmtpServer();
    cleanups.push(() => s.close());
    const path = dir.write('dkim.key', DKIM_KEY, 0o644);
    const flags = ['--smtp', s.url, '--dkim-domain', 'example.com', '--dkim-selector', 's2026'];
    const open = await send([...flags, '--dkim-key', 'dkim.key']);
    expect(open.code).toBe(2);
    expect(open.stderr).toContain(
      `--dkim-key ${path}: group or others can access this secret file (mode 0644): run chmod 600 ${path}`,
    );
    const partial = await send(flags);
    expect(partial.code).toBe(2);
    expect(partial.stderr).toContain('DKIM signing needs a domain, a selector and a private key');
    expect(partial.stderr).toContain('the private key (--dkim-key FILE');
    dir.write('junk.key', 'this is not a key, just text\n');
    const junk = await send([...flags, '--dkim-key', 'junk.key']);
    expect(junk.code).toBe(2);
    expect(junk.stderr).toContain('ERR_CONFIG');
    expect(junk.stderr).toContain('junk.key');
    expect(junk.stderr).not.toContain('just text');
    expect(s.stats.connections).toBe(0);
  });
});
