/**
 * `smtp-invite check-setup` against real servers on 127.0.0.1: an SMTP server with PLAIN/LOGIN
 * or XOAUTH2, with STARTTLS or implicit TLS and the fixture CA, and a token endpoint. It must say
 * where every setting came from, log in and QUIT without a transaction, sign and verify a DKIM
 * sample, print the record to publish, exit 3 on a failed check with the send path's own error,
 * exit 2 on a configuration error before connecting, and never show a secret.
 */
import { generateKeyPairSync, createPublicKey } from 'node:crypto';
import net from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

import { MAIN_HELP } from '../../src/cli/run.ts';
import { secretForms } from '../../src/cli/secret-mask.ts';
import { compareDkimRecord, verifyDkimSignature } from '../../src/cli/dkim-self-check.ts';
import {
  createDkimSigner,
  dkimDnsRecord,
  dkimDomainsAligned,
} from '../../src/transport/dkim-signing.ts';
import { verifyWithMailauth } from '../support/dkim-verifiers.ts';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  TENANT,
  microsoftApp,
  microsoftCliFlags,
} from '../support/oauth-fixture.ts';
import type { CliResult } from '../support/run-cli.ts';
import {
  startTestSmtpServer,
  tlsFixture,
  type TestSmtpServer,
  type TestSmtpServerOptions,
} from '../support/smtp-test-server.ts';
import { tempCliDir } from '../support/temp-cli-dir.ts';
import { startTokenServer, type TokenServer } from '../support/token-server.ts';

const USER = 'invites@example.com';
const PASSWORD = 'pa55-w0rd:check;setup';
const CA = join(new URL('../../fixtures/tls/', import.meta.url).pathname, 'ca.pem');

const newKey = (bits = 2048): string =>
  generateKeyPairSync('rsa', { modulusLength: bits })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
const DKIM_KEY = newKey();
/** The base64 lines of the key: none may be printed. */
const KEY_LINES = DKIM_KEY.split('\n').filter((line) => line !== '' && !line.startsWith('-----'));

const invite = {
  uid: 'check-setup@example.com',
  summary: 'Check',
  timeZone: 'Europe/Berlin',
  start: '2026-12-01T10:00',
  end: '2026-12-01T11:00',
  organizer: { email: USER },
  attendees: [{ email: 'ada@example.net' }],
};
const dir = tempCliDir('smtp-invite-check-setup-', { files: { 'event.json': invite } });
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function smtp(options: TestSmtpServerOptions): Promise<TestSmtpServer> {
  const s = await startTestSmtpServer(options);
  closers.push(() => s.close());
  return s;
}
async function tokens(): Promise<TokenServer> {
  const t = await startTokenServer(microsoftApp());
  closers.push(() => t.close());
  return t;
}

/** The server's URL with USER in it (the password never goes on the command line). */
const urlOf = (s: TestSmtpServer): string =>
  s.url.replace('://', `://${encodeURIComponent(USER)}@`);

const check = (args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
  dir.run(['check-setup', ...args], env);

/** No form of any secret (plain, URL-encoded, base64, SASL payloads) in stdout or stderr. */
function expectNoSecret(result: CliResult, secrets: readonly string[]): void {
  const text = result.stdout + result.stderr;
  for (const secret of secrets) {
    for (const form of [secret, ...secretForms(secret, USER)]) {
      expect(text.includes(form), `output shows ${JSON.stringify(form)}`).toBe(false);
    }
  }
}

/** The message the send path prints for the same failure (`error ERR_…: …`). */
async function sendError(args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  const r = await dir.run(['send', 'event.json', '--db', 'l.db', ...args], env);
  const line = /error ERR_[A-Z_]+: .*/.exec(r.stderr)?.[0];
  expect(line, r.stderr).toBeDefined();
  return line ?? '';
}

describe('check-setup: SMTP login', () => {
  it('PLAIN login: every setting with its origin, connected and QUIT, no transaction', async () => {
    const s = await smtp({ auth: { user: USER, pass: PASSWORD } });
    const r = await check(['--smtp', urlOf(s)], { SMTP_PASSWORD: PASSWORD });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('configFile: none (from the defaults: no --config');
    expect(r.stdout).toContain(
      `smtp: smtp://invites%40example.com@127.0.0.1:${s.port} (loopback: plaintext, no STARTTLS) (from --smtp)`,
    );
    expect(r.stdout).toContain(`auth: password, as ${USER} (from default)`);
    expect(r.stdout).toContain('password: from SMTP_PASSWORD (set)');
    expect(r.stdout).toContain(
      "identity: the organizer sends as itself: From = the organizer's address, which comes with each event (from default)",
    );
    expect(r.stdout).toMatch(
      new RegExp(
        `ok +smtp: 127\\.0\\.0\\.1:${s.port}: connected, no TLS \\(plaintext\\), logged in as ${USER} \\(PLAIN/LOGIN\\), QUIT`,
      ),
    );
    expect(r.stdout).toContain('Every check passed; no message was sent.');
    expect(s.stats.connections).toBe(1);
    expect(s.stats.transactions).toBe(0);
    expect(s.received).toEqual([]);
    expectNoSecret(r, [PASSWORD]);
  });

  it('a wrong password: exit 3 with the send path ERR_SMTP_AUTH message, nothing sent', async () => {
    const s = await smtp({ auth: { user: USER, pass: 'the-right-one' } });
    const env = { SMTP_PASSWORD: PASSWORD };
    const r = await check(['--smtp', urlOf(s)], env);
    expect(r.code).toBe(3);
    expect(s.received).toEqual([]);
    expect(s.stats.transactions).toBe(0);
    expect(r.stdout).toMatch(/FAILED smtp: error ERR_SMTP_AUTH: /);
    expect(r.stdout).toContain('1 check failed (smtp); no message was sent.');
    // The same words a send gives for the same settings (which names what to check).
    expect(r.stdout).toContain(await sendError(['--smtp', urlOf(s)], env));
    expectNoSecret(r, [PASSWORD]);
  });

  it('a password file from --password-file is named by its path, never its content', async () => {
    const s = await smtp({ auth: { user: USER, pass: PASSWORD } });
    const file = dir.write('pw.txt', `${PASSWORD}\n`);
    const r = await check(['--smtp', urlOf(s), '--password-file', 'pw.txt']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`password: ${file} (from --password-file)`);
    expectNoSecret(r, [PASSWORD]);
  });
});

/**
 * A server that offers no AUTH at all (an MX on port 25, say): greeting, EHLO without AUTH, QUIT.
 * nodemailer then skips the login, so a session opens; check-setup must not call that a login.
 */
async function serverWithoutAuth(): Promise<{ url: string; commands: string[] }> {
  const commands: string[] = [];
  const server = net.createServer((socket) => {
    socket.write('220 mx.example.net ESMTP\r\n');
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      let end;
      while ((end = buffered.indexOf('\r\n')) !== -1) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        commands.push(line);
        const verb = line.split(' ')[0]?.toUpperCase();
        if (verb === 'EHLO') socket.write('250-mx.example.net\r\n250 8BITMIME\r\n');
        else if (verb === 'QUIT') socket.end('221 2.0.0 Bye\r\n');
        else socket.write('502 5.5.1 Not here\r\n');
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `smtp://127.0.0.1:${(server.address() as net.AddressInfo).port}`, commands };
}

describe('check-setup: a server without AUTH', () => {
  it('credentials given but no AUTH offered: exit 3, not a login', async () => {
    const s = await serverWithoutAuth();
    const url = s.url.replace('://', `://${encodeURIComponent(USER)}@`);
    const r = await check(['--smtp', url], { SMTP_PASSWORD: PASSWORD });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(
      /FAILED smtp: error ERR_SMTP_AUTH: 127\.0\.0\.1:\d+ \(no TLS \(plaintext\)\) did not offer AUTH/,
    );
    expect(s.commands.map((c) => c.split(' ')[0])).toEqual(['EHLO', 'QUIT']);
    expectNoSecret(r, [PASSWORD]);
  });
});

describe('check-setup: TLS', () => {
  it('STARTTLS with the private CA: TLS used and the certificate verified', async () => {
    const s = await smtp({ tls: { ...tlsFixture().server, mode: 'starttls' } });
    const r = await check(['--smtp', s.url, '--tls-ca', CA]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`(STARTTLS required) (from --smtp)`);
    expect(r.stdout).toContain(`tlsCa: ${CA} (from --tls-ca)`);
    expect(r.stdout).toMatch(/ok +smtp: .*connected, TLS \(TLSv1\.[23]\), certificate verified/);
    expect(s.stats.transactions).toBe(0);
  });

  it('the same server without the CA: exit 3 with ERR_SMTP_TLS', async () => {
    const s = await smtp({ tls: { ...tlsFixture().server, mode: 'starttls' } });
    const r = await check(['--smtp', s.url, '--require-tls']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/FAILED smtp: error ERR_SMTP_TLS: .*--tls-ca/);
    expect(r.stdout).toContain(await sendError(['--smtp', s.url, '--require-tls'], {}));
    expect(s.stats.transactions).toBe(0);
  });
});

describe('check-setup: OAuth2', () => {
  const microsoft = (s: TestSmtpServer, t: TokenServer): string[] => microsoftCliFlags(urlOf(s), t);
  const env = { SMTP_INVITE_OAUTH_CLIENT_SECRET: CLIENT_SECRET };

  it('a token from the endpoint (its lifetime, never itself), then an XOAUTH2 login', async () => {
    const t = await tokens();
    const s = await smtp({ auth: { user: USER, acceptToken: (token) => t.isValid(token) } });
    const r = await check(microsoft(s, t), env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('auth: oauth2 (XOAUTH2) (from --auth)');
    expect(r.stdout).toContain('oauth2.provider: microsoft (from --oauth-provider)');
    expect(r.stdout).toContain(`oauth2.user: ${USER} (from the user in --smtp)`);
    expect(r.stdout).toContain(`oauth2.tenant: ${TENANT} (from --oauth-tenant)`);
    expect(r.stdout).toContain(`oauth2.clientId: ${CLIENT_ID} (from --oauth-client-id)`);
    expect(r.stdout).toContain('oauth2.clientSecret: from SMTP_INVITE_OAUTH_CLIENT_SECRET (set)');
    const host = new URL(t.url).host;
    expect(r.stdout).toContain(
      `ok     oauth2-token: a token for ${USER} from ${host} (microsoft), valid for 60 minutes`,
    );
    expect(r.stdout).toMatch(new RegExp(`ok +smtp: .*logged in as ${USER} \\(XOAUTH2\\)`));
    // The login reuses the token the check obtained: one request, as a send makes.
    expect(t.requests).toBe(1);
    expect(t.issued).toHaveLength(1);
    expect(s.stats.transactions).toBe(0);
    expectNoSecret(r, [CLIENT_SECRET, ...t.issued]);
  });

  it('the endpoint refuses the app: exit 3, the send path ERR_SMTP_AUTH, no SMTP connection', async () => {
    const t = await tokens();
    const s = await smtp({ auth: { user: USER, acceptToken: (token) => t.isValid(token) } });
    t.refuseWith = {
      status: 401,
      error: 'invalid_client',
      description: 'AADSTS7000215: Invalid client secret provided.',
    };
    const r = await check(microsoft(s, t), env);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/FAILED oauth2-token: error ERR_SMTP_AUTH: .*invalid_client/);
    expect(r.stdout).not.toMatch(/(ok|FAILED) +smtp:/);
    expect(s.stats.connections).toBe(0);
    expect(r.stdout).toContain(await sendError(microsoft(s, t), env));
    expectNoSecret(r, [CLIENT_SECRET]);
  });
});

describe('check-setup: DKIM', () => {
  const dkimFlags = ['--dkim-domain', 'example.com', '--dkim-selector', 's2026'];

  it('signs and verifies a sample, prints the exact TXT record to publish', async () => {
    const s = await smtp({});
    dir.write('dkim.key', DKIM_KEY);
    const r = await check(['--smtp', s.url, ...dkimFlags, '--dkim-key', 'dkim.key']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('dkim.domain: example.com (from --dkim-domain)');
    expect(r.stdout).toContain('dkim.selector: s2026 (from --dkim-selector)');
    expect(r.stdout).toContain(
      `dkim.key: ${join(dir.path, 'dkim.key')} (from --dkim-key), RSA, 2048 bits`,
    );
    expect(r.stdout).toMatch(
      /ok +dkim: a sample message signed \(d=example\.com, s=s2026, rsa-sha256, relaxed\/relaxed\) and its signature verified/,
    );
    expect(r.stdout).toContain(
      `DKIM: publish this TXT record at s2026._domainkey.example.com:\n${dkimDnsRecord(DKIM_KEY)}\n`,
    );
    expectNoSecret(r, KEY_LINES);
  });

  it('the key in SMTP_INVITE_DKIM_KEY is "(set)"; a short key is a warning', async () => {
    const s = await smtp({});
    const short = newKey(1024);
    const r = await check(['--smtp', s.url, ...dkimFlags], { SMTP_INVITE_DKIM_KEY: short });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('dkim.key: from SMTP_INVITE_DKIM_KEY (set), RSA, 1024 bits');
    expect(r.stderr).toMatch(/^warning: DKIM: the DKIM key in SMTP_INVITE_DKIM_KEY has 1024 bits/);
    expectNoSecret(
      r,
      short.split('\n').filter((line) => line !== '' && !line.startsWith('-----')),
    );
  });

  it('a public key instead of the private key: exit 2, ERR_CONFIG, no connection', async () => {
    const s = await smtp({});
    const publicPem = createPublicKey(DKIM_KEY).export({ type: 'spki', format: 'pem' }).toString();
    dir.write('dkim.key', publicPem);
    const r = await check(['--smtp', s.url, ...dkimFlags, '--dkim-key', 'dkim.key']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /error ERR_CONFIG: .*is a public key or certificate, not the private key/,
    );
    expect(r.stdout).toBe('');
    expect(s.stats.connections).toBe(0);
  });

  it('a key file others can read: exit 2, the chmod fix', async () => {
    const s = await smtp({});
    dir.write('dkim.key', DKIM_KEY, 0o644);
    const r = await check(['--smtp', s.url, ...dkimFlags, '--dkim-key', 'dkim.key']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ERR_CONFIG: .*run chmod 600/);
    expectNoSecret(r, KEY_LINES);
  });

  // The only --dns path that needs no network answer: a name under .invalid (RFC 2606) has no
  // record; a resolver answers NXDOMAIN, and without one the lookup fails. Either way exit 3.
  it('--dns for a domain under .invalid: the record is missing (or cannot be looked up)', async () => {
    const s = await smtp({});
    dir.write('dkim.key', DKIM_KEY);
    const r = await check([
      '--smtp',
      s.url,
      '--dkim-domain',
      'example.invalid',
      '--dkim-selector',
      's1',
      '--dkim-key',
      'dkim.key',
      '--dns',
    ]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(
      /FAILED dkim-dns: (no DKIM record at s1\._domainkey\.example\.invalid: publish the record below|the TXT record at s1\._domainkey\.example\.invalid could not be looked up)/,
    );
    expect(r.stdout).toMatch(/ok +dkim: /);
  }, 20_000);
});

describe('check-setup: config file, identity, --json', () => {
  it('everything from the config file, each origin naming its key; a misaligned service warns', async () => {
    const f = tlsFixture();
    const s = await smtp({
      tls: { ...f.server, mode: 'implicit' },
      auth: { user: USER, pass: PASSWORD },
    });
    dir.write('ca.pem', f.ca, 0o644);
    dir.write('secrets-pw', PASSWORD);
    dir.write('dkim.key', DKIM_KEY);
    dir.write(
      'smtp-invite.config.json',
      {
        smtp: urlOf(s),
        passwordFile: 'secrets-pw',
        tlsCa: 'ca.pem',
        dkim: { domain: 'example.com', selector: 's2026', keyFile: 'dkim.key' },
        identity: { service: { name: 'Bookings', email: 'bookings@bookings.example.net' } },
      },
      0o644,
    );
    const r = await check([]);
    expect(r.code).toBe(0);
    const cfg = 'in smtp-invite.config.json';
    for (const line of [
      'configFile: smtp-invite.config.json (from the current directory)',
      `smtp: smtps://invites%40example.com@127.0.0.1:${s.port} (implicit TLS) (from smtp ${cfg})`,
      `tlsCa: ${join(dir.path, 'ca.pem')} (from tlsCa ${cfg})`,
      `password: ${join(dir.path, 'secrets-pw')} (from passwordFile ${cfg})`,
      `dkim.domain: example.com (from dkim.domain ${cfg})`,
      `dkim.selector: s2026 (from dkim.selector ${cfg})`,
      `dkim.key: ${join(dir.path, 'dkim.key')} (from dkim.keyFile ${cfg}), RSA, 2048 bits`,
      `identity: service bookings@bookings.example.net: From = bookings@bookings.example.net, Reply-To = the organizer (from identity.service ${cfg})`,
    ]) {
      expect(r.stdout).toContain(line);
    }
    expect(r.stdout).toMatch(/ok +smtp: .*TLS \(TLSv1\.[23]\), certificate verified, logged in/);
    expect(r.stderr).toContain(
      'warning: identity: From is the service address bookings@bookings.example.net, whose domain bookings.example.net is not aligned with the DKIM domain d=example.com',
    );
    expect(s.stats.transactions).toBe(0);
    expectNoSecret(r, [PASSWORD, ...KEY_LINES]);

    // A flag wins over the file, and a service at the DKIM domain is aligned: no warning.
    const aligned = await check(['--service', 'bookings@events.example.com']);
    expect(aligned.code).toBe(0);
    expect(aligned.stdout).toContain('(from --service)');
    expect(aligned.stderr).toBe('');
  });

  it('--json: settings with origins, checks, the record, warnings; secrets masked', async () => {
    const s = await smtp({ auth: { user: USER, pass: PASSWORD } });
    dir.write('dkim.key', DKIM_KEY);
    const r = await check(
      [
        '--smtp',
        urlOf(s),
        '--dkim-domain',
        'example.com',
        '--dkim-selector',
        's2026',
        '--dkim-key',
        'dkim.key',
        '--service',
        'bookings@other.example.org',
        '--json',
      ],
      { SMTP_PASSWORD: PASSWORD },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as {
      settings: Record<string, { value: string; origin: string; note?: string }>;
      checks: { name: string; ok: boolean; detail: string; code?: string }[];
      dkimRecord: { name: string; value: string } | null;
      warnings: string[];
    };
    expect(Object.keys(report)).toEqual(['settings', 'checks', 'dkimRecord', 'warnings']);
    expect(Object.keys(report.settings)).toEqual([
      'configFile',
      'smtp',
      'auth',
      'password',
      'dkim.domain',
      'dkim.selector',
      'dkim.key',
      'identity',
    ]);
    expect(report.settings.password).toEqual({ value: '(set)', origin: 'SMTP_PASSWORD' });
    expect(report.settings.smtp?.origin).toBe('--smtp');
    expect(report.settings['dkim.key']).toEqual({
      value: join(dir.path, 'dkim.key'),
      origin: '--dkim-key',
      note: 'RSA, 2048 bits',
    });
    expect(report.checks.map((c) => [c.name, c.ok])).toEqual([
      ['smtp', true],
      ['dkim', true],
    ]);
    expect(report.dkimRecord).toEqual({
      name: 's2026._domainkey.example.com',
      value: dkimDnsRecord(DKIM_KEY),
    });
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0]).toContain('not aligned with the DKIM domain d=example.com');
    expectNoSecret(r, [PASSWORD, ...KEY_LINES]);

    // A failed check in --json: ok false, the code, the fix; exit 3.
    const failed = await check(['--smtp', urlOf(s), '--json'], { SMTP_PASSWORD: 'wrong' });
    expect(failed.code).toBe(3);
    const failedReport = JSON.parse(failed.stdout) as typeof report;
    expect(failedReport.checks).toEqual([
      expect.objectContaining({ name: 'smtp', ok: false, code: 'ERR_SMTP_AUTH' }),
    ]);
    expectNoSecret(failed, ['wrong']);
  });
});

describe('check-setup: usage', () => {
  it('is listed in --help and has its own', async () => {
    expect(MAIN_HELP).toMatch(/^ {2}check-setup \[delivery options\] +Check SMTP/m);
    const r = await check(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: smtp-invite check-setup/);
    expect(r.stdout).toContain('--dns');
  });

  it('no SMTP server, --outbox, an argument: exit 2 before anything', async () => {
    const none = await check([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no SMTP server is configured');
    expect((await check(['--outbox', 'out'])).code).toBe(2);
    expect((await check(['event.json', '--smtp', 'smtp://127.0.0.1:1'])).code).toBe(2);
  });
});

describe('the local DKIM verifier (dkim-self-check.ts)', () => {
  const signer = createDkimSigner({
    domainName: 'example.com',
    keySelector: 's1',
    privateKey: DKIM_KEY,
  });
  const publicKey = createPublicKey(DKIM_KEY);
  const message = Buffer.from(
    'From: Olga <olga@example.com>\r\nTo: ada@example.net\r\nSubject:  Grüße \t aus Zürich\r\n' +
      'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nLine one  \r\n\tTabbed\r\n\r\n\r\n',
  );

  it('agrees with mailauth: the signature verifies; a changed body or header does not', async () => {
    const signed = await signer.sign(message);
    expect(verifyDkimSignature(signed, publicKey)).toBeUndefined();
    const record = { name: 's1._domainkey.example.com', value: dkimDnsRecord(DKIM_KEY) };
    expect((await verifyWithMailauth(signed, record)).pass).toBe(true);

    const body = Buffer.from(signed.toString('utf8').replace('Line one', 'Line 0ne'));
    expect(verifyDkimSignature(body, publicKey)).toMatch(/body hash/);
    expect((await verifyWithMailauth(body, record)).pass).toBe(false);
    const header = Buffer.from(signed.toString('utf8').replace('Zürich', 'Zurich'));
    expect(verifyDkimSignature(header, publicKey)).toMatch(/does not verify/);
    expect((await verifyWithMailauth(header, record)).pass).toBe(false);
    // Another key's public half.
    expect(verifyDkimSignature(signed, createPublicKey(newKey()))).toMatch(/does not verify/);
  });

  it('compares a published record by p=, in DNS character-strings', () => {
    const expected = dkimDnsRecord(DKIM_KEY);
    const chunked = expected.match(/.{1,255}/g) ?? [];
    expect(compareDkimRecord(expected, [['v=spf1 -all'], chunked])).toEqual({ kind: 'match' });
    expect(compareDkimRecord(expected, [['v=spf1 -all']])).toEqual({ kind: 'missing' });
    expect(compareDkimRecord(expected, [])).toEqual({ kind: 'missing' });
    expect(compareDkimRecord(expected, [[dkimDnsRecord(newKey())]]).kind).toBe('differs');
    // Two DKIM records under one selector: undefined for verifiers, even when one is ours.
    expect(compareDkimRecord(expected, [chunked, [dkimDnsRecord(newKey())]])).toEqual({
      kind: 'several',
      count: 2,
    });
  });

  it('aligns a domain with itself and its parents or subdomains only', () => {
    expect(dkimDomainsAligned('events.example.com', 'example.com')).toBe(true);
    expect(dkimDomainsAligned('EXAMPLE.com.', 'example.com')).toBe(true);
    expect(dkimDomainsAligned('example.com', 'mail.example.com')).toBe(true);
    expect(dkimDomainsAligned('badexample.com', 'example.com')).toBe(false);
    expect(dkimDomainsAligned('bücher.example', 'xn--bcher-kva.example')).toBe(true);
  });
});
