/**
 * OAuth2 and DKIM from the command line: every way the settings can be given (flags, environment,
 * config file) reaching the library, against a real token endpoint and a real SMTP server with
 * XOAUTH2 on 127.0.0.1, DKIM signatures checked by an independent verifier (mailauth), and no
 * token, client secret or key in any output.
 */
import { generateKeyPairSync } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { secretForms } from '../../src/cli/secret-mask.ts';
import { dkimDnsRecord } from '../../src/transport/dkim-signing.ts';
import { verifyWithMailauth } from '../support/dkim-verifiers.ts';
import { runCli, type CliResult } from '../support/run-cli.ts';
import {
  startTestSmtpServer,
  tlsFixture,
  type TestSmtpServer,
} from '../support/smtp-test-server.ts';
import { startTokenServer, type TokenServer } from '../support/token-server.ts';

const USER = 'olga@example.com';
const TENANT = 'contoso.onmicrosoft.com';
const CLIENT_ID = '11111111-2222-3333-4444-555555555555';
const CLIENT_SECRET = 'Zx8Q~cli.client.secret-0123456789';
const STATIC_TOKEN = 'ya29.static-access-token-0123456789';
const SA_EMAIL = 'sender@project-1.iam.gserviceaccount.com';
const batchFixtures = new URL('../../fixtures/batch/', import.meta.url).pathname;

const rsa = (): string =>
  generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
const googleKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const GOOGLE_PRIVATE_PEM = googleKeys.privateKey
  .export({ type: 'pkcs8', format: 'pem' })
  .toString();
const DKIM_KEY = rsa();

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

let dir: string;
const cleanups: (() => Promise<void>)[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'smtp-invite-oauth-dkim-'));
  writeFileSync(join(dir, 'event.json'), JSON.stringify(invite));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function tokens(): Promise<TokenServer> {
  const s = await startTokenServer({
    microsoft: {
      tenant: TENANT,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      certificatePem: tlsFixture().server.cert,
    },
    google: {
      serviceAccount: {
        clientEmail: SA_EMAIL,
        publicKeyPem: googleKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        users: [USER],
      },
    },
  });
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

function file(name: string, content: string, mode = 0o600): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

function expectNoSecret(result: CliResult, secrets: readonly string[]): void {
  const text = result.stdout + result.stderr;
  for (const secret of secrets) {
    for (const form of secretForms(secret, USER)) {
      expect(text.includes(form), `output shows ${JSON.stringify(form)}`).toBe(false);
    }
  }
}

const send = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
  runCli(['send', 'event.json', '--db', 'l.db', ...args], { cwd: dir, env });

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
    copyFileSync(join(batchFixtures, 'template.json'), join(dir, 'template.json'));
    copyFileSync(join(batchFixtures, 'rows.jsonl'), join(dir, 'rows.jsonl'));
    const batch = await runCli(
      [
        'batch',
        'rows.jsonl',
        '--template',
        'template.json',
        '--db',
        'b.db',
        '--smtp',
        urlOf(s),
        '--auth',
        'oauth2',
        '--json',
      ],
      { cwd: dir, env },
    );
    expect(batch.code).toBe(3);
    expectNoSecret(batch, [STATIC_TOKEN]);
    expect(readFileSync(join(dir, 'b.db')).toString('latin1')).not.toContain(STATIC_TOKEN);
    expect(s.received).toHaveLength(0);
  });

  it('Microsoft 365, client secret from a file: tokens fetched, used, never shown', async () => {
    const t = await tokens();
    const s = await smtp((token) => t.isValid(token));
    file('client-secret.txt', `${CLIENT_SECRET}\n`);
    const r = await send([
      '--smtp',
      urlOf(s),
      '--auth',
      'oauth2',
      '--oauth-provider',
      'microsoft',
      '--oauth-tenant',
      TENANT,
      '--oauth-client-id',
      CLIENT_ID,
      '--oauth-client-secret-file',
      'client-secret.txt',
      '--oauth-token-url',
      t.microsoftTokenUrl,
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
    file('app.key', tlsFixture().server.key);
    file('app.pem', tlsFixture().server.cert, 0o644);
    const r = await send([
      '--smtp',
      urlOf(s),
      '--auth',
      'oauth2',
      '--oauth-provider',
      'microsoft',
      '--oauth-tenant',
      TENANT,
      '--oauth-client-id',
      CLIENT_ID,
      '--oauth-certificate-file',
      'app.pem',
      '--oauth-private-key-file',
      'app.key',
      '--oauth-token-url',
      t.microsoftTokenUrl,
    ]);
    expect(r.stderr).not.toContain('ERR_');
    expect(s.received).toHaveLength(1);
    expectNoSecret(r, [tlsFixture().server.key, ...t.issued]);
    // The private key readable by others: refused before any request.
    chmodSync(join(dir, 'app.key'), 0o640);
    const requests = t.requests;
    const refused = await send([
      '--smtp',
      urlOf(s),
      '--auth',
      'oauth2',
      '--oauth-provider',
      'microsoft',
      '--oauth-tenant',
      TENANT,
      '--oauth-client-id',
      CLIENT_ID,
      '--oauth-certificate-file',
      'app.pem',
      '--oauth-private-key-file',
      'app.key',
      '--oauth-token-url',
      t.microsoftTokenUrl,
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `--oauth-private-key-file ${join(dir, 'app.key')}: group or others can access`,
    );
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
    const path = file('smtp-invite.config.json', JSON.stringify(config), 0o644);
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
    file(
      'sa.json',
      JSON.stringify({
        type: 'service_account',
        client_email: SA_EMAIL,
        private_key: GOOGLE_PRIVATE_PEM,
      }),
    );
    file(
      'smtp-invite.config.json',
      JSON.stringify({
        smtp: urlOf(s),
        auth: 'oauth2',
        oauth2: { provider: 'google', serviceAccountFile: 'sa.json', tokenUrl: t.googleTokenUrl },
      }),
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
    const refused = await send(
      [
        '--smtp',
        urlOf(s),
        '--auth',
        'oauth2',
        '--oauth-provider',
        'microsoft',
        '--oauth-tenant',
        TENANT,
        '--oauth-client-id',
        CLIENT_ID,
        '--oauth-token-url',
        t.microsoftTokenUrl,
      ],
      { SMTP_INVITE_OAUTH_CLIENT_SECRET: CLIENT_SECRET },
    );
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
    file('dkim.key', DKIM_KEY);
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
    const [eml] = readdirSync(join(dir, 'out'));
    const raw = readFileSync(join(dir, 'out', eml ?? ''));
    const verdict = await verifyWithMailauth(raw, record);
    expect(verdict.pass, verdict.detail).toBe(true);
  });

  it('config file (keyFile relative to it), through a batch: every message verifies', async () => {
    const s = await startTestSmtpServer();
    cleanups.push(() => s.close());
    copyFileSync(join(batchFixtures, 'template.json'), join(dir, 'template.json'));
    copyFileSync(join(batchFixtures, 'rows.jsonl'), join(dir, 'rows.jsonl'));
    file('dkim.key', DKIM_KEY);
    file(
      'smtp-invite.config.json',
      JSON.stringify({
        smtp: s.url,
        dkim: { domain: 'example.com', selector: 's2026', keyFile: 'dkim.key' },
      }),
      0o644,
    );
    const r = await runCli(['batch', 'rows.jsonl', '--template', 'template.json', '--db', 'b.db'], {
      cwd: dir,
      env: {},
    });
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
    const path = file('dkim.key', DKIM_KEY, 0o644);
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
    file('junk.key', 'this is not a key, just text\n');
    const junk = await send([...flags, '--dkim-key', 'junk.key']);
    expect(junk.code).toBe(2);
    expect(junk.stderr).toContain('ERR_CONFIG');
    expect(junk.stderr).toContain('junk.key');
    expect(junk.stderr).not.toContain('just text');
    expect(s.stats.connections).toBe(0);
  });
});
