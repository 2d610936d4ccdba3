/**
 * Issue 6 as a production user runs it: one `smtp-invite.config.json` (no inline secret, so it may
 * stay 0644) found by its default name, and the real CLI in its own Node process per command with
 * no delivery flag at all. The config names an smtps:// server whose certificate comes from a
 * private CA (tlsCa, relative to the file), an XOAUTH2 login with a Microsoft 365 app's
 * certificate credential (token from a real token endpoint on 127.0.0.1), DKIM signing with a
 * fresh RSA-2048 key, and a booking service sending on behalf of the organizer.
 *
 * send → update (new time) → cancel → status, each with --per-recipient (a message shape, not a
 * delivery flag: two SMTP transactions per command). Every message the server accepted arrived on
 * the implicit-TLS port after an XOAUTH2 login as the configured mailbox with a live token,
 * verifies under DKIM (mailauth; dkimpy too, see test/support/dkim-verifiers.ts), carries the
 * service identity, the right METHOD/SEQUENCE and inspects clean; one token request per process;
 * no key line and no token in any output or in the ledger's bytes. A token endpoint refusing the
 * app: exit 3, ERR_SMTP_AUTH with what to check, nothing sent, nothing recorded (the same send
 * then works).
 *
 * The capture server records, for every message, whether its connection was TLS and who had
 * logged in.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { secretForms } from '../../src/cli/secret-mask.ts';
import { inspectMessage } from '../../src/inspect/inspect-engine.ts';
import { dkimDnsRecord } from '../../src/transport/dkim-signing.ts';
import {
  pyDkimWanted,
  verifyWithMailauth,
  verifyWithPyDkim,
  type DkimKeyRecord,
} from '../support/dkim-verifiers.ts';
import type { CliResult } from '../support/run-cli.ts';
import {
  startTestSmtpServer,
  tlsFixture,
  type TestSmtpServer,
} from '../support/smtp-test-server.ts';
import { startTokenServer, type TokenServer } from '../support/token-server.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** The mailbox the app logs in as, which is also the service that sends. */
const SERVICE = { name: 'Contoso Bookings', email: 'bookings@contoso.com' };
const TENANT = 'contoso.onmicrosoft.com';
const CLIENT_ID = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const DKIM_DOMAIN = 'contoso.com';
const DKIM_SELECTOR = 'inv2026';

// The app's certificate credential: the self-signed fixture (another key than the SMTP server's).
const APP = { cert: tlsFixture().selfSigned.cert, key: tlsFixture().selfSigned.key };
const DKIM_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const RECORD: DkimKeyRecord = {
  name: `${DKIM_SELECTOR}._domainkey.${DKIM_DOMAIN}`,
  value: dkimDnsRecord(DKIM_KEY),
};

const ORGANIZER = { name: 'Dr. Olga Ørsted', email: 'olga@example.com' };
const event = {
  uid: 'production-send-1@contoso.com',
  summary: 'Quarterly review — Zürich',
  description: 'Agenda: numbers, café, 東京 office.',
  location: 'Room 4.12',
  timeZone: 'Europe/Berlin',
  start: '2027-03-04T09:30',
  end: '2027-03-04T10:30',
  organizer: ORGANIZER,
  attendees: [
    { name: 'Ada Lovelace', email: 'ada@example.org' },
    { name: 'Bob Müller', email: 'bob@example.net' },
  ],
};

const VERIFIERS = [
  { name: 'mailauth', wanted: true, verify: verifyWithMailauth },
  {
    name: 'dkimpy',
    wanted: pyDkimWanted(),
    verify: (raw: Buffer, record: DkimKeyRecord) => Promise.resolve(verifyWithPyDkim(raw, record)),
  },
];

let dir: string;
const cleanups: (() => Promise<void>)[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'smtp-invite-production-'));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** The real CLI in its own process, cwd = the workspace, an environment with no SMTP setting. */
function cli(args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      cwd: dir,
      env: { PATH: process.env['PATH'] ?? '', TZ: process.env['TZ'] ?? 'UTC' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function tokenServer(certificatePem: string): Promise<TokenServer> {
  const t = await startTokenServer({
    microsoft: { tenant: TENANT, clientId: CLIENT_ID, certificatePem },
  });
  cleanups.push(() => t.close());
  return t;
}

interface Login {
  readonly token: string;
  readonly user: string;
}

/** smtps:// on 127.0.0.1 with the CA-signed fixture certificate, XOAUTH2 only, live tokens only. */
async function smtpsServer(
  tokens: TokenServer,
): Promise<{ server: TestSmtpServer; logins: Login[]; mailUsers: (string | undefined)[] }> {
  const logins: Login[] = [];
  const mailUsers: (string | undefined)[] = [];
  const server = await startTestSmtpServer({
    tls: { ...tlsFixture().server, mode: 'implicit' },
    auth: {
      user: SERVICE.email,
      acceptToken: (token, user) => {
        logins.push({ token, user });
        return tokens.isValid(token);
      },
    },
    // Who the connection logged in as, for every transaction (MAIL FROM comes after AUTH).
    mailFromReply: (context) => {
      mailUsers.push(context.user);
      return undefined;
    },
  });
  cleanups.push(() => server.close());
  return { server, logins, mailUsers };
}

function put(name: string, content: string, mode: number): void {
  const path = join(dir, name);
  writeFileSync(path, content);
  chmodSync(path, mode);
}

/** The workspace: the config file by its default name, its files beside it, the event. */
function workspace(smtpUrl: string, tokenUrl: string): void {
  mkdirSync(join(dir, 'certs'));
  mkdirSync(join(dir, 'secrets'));
  copyFileSync(
    fileURLToPath(new URL('../../fixtures/tls/ca.pem', import.meta.url)),
    join(dir, 'certs', 'private-ca.pem'),
  );
  put('secrets/smtp-app.pem', APP.cert, 0o644);
  put('secrets/smtp-app.key', APP.key, 0o600);
  put('secrets/dkim.key', DKIM_KEY, 0o600);
  writeConfig(smtpUrl, tokenUrl);
  writeFileSync(join(dir, 'event.json'), JSON.stringify(event));
}

function writeConfig(smtpUrl: string, tokenUrl: string): void {
  const config = {
    smtp: smtpUrl,
    tlsCa: 'certs/private-ca.pem',
    auth: 'oauth2',
    oauth2: {
      provider: 'microsoft',
      user: SERVICE.email,
      tenant: TENANT,
      clientId: CLIENT_ID,
      tokenUrl,
      certificateFile: 'secrets/smtp-app.pem',
      privateKeyFile: 'secrets/smtp-app.key',
    },
    dkim: { domain: DKIM_DOMAIN, selector: DKIM_SELECTOR, keyFile: 'secrets/dkim.key' },
    identity: { service: SERVICE },
  };
  // No inline secret (only the names of secret files): readable by others is allowed.
  put('smtp-invite.config.json', `${JSON.stringify(config, null, 2)}\n`, 0o644);
}

const DB = ['--db', 'ledger.db'];
// One message per attendee (attendees do not see each other): two SMTP transactions per command,
// so that a token fetched per message instead of per process would show.
const PER_RECIPIENT = '--per-recipient';

/** Every form of every secret (the key's PEM lines, XOAUTH2/PLAIN encodings of a token...). */
function secretTexts(tokens: TokenServer): string[] {
  return [APP.key, DKIM_KEY, ...tokens.issued].flatMap((s) => secretForms(s, SERVICE.email));
}

function expectNoSecretIn(where: string, text: string, secrets: readonly string[]): void {
  for (const form of secrets) {
    expect(text.includes(form), `${where} shows ${JSON.stringify(form.slice(0, 24))}…`).toBe(false);
  }
}

/** The ledger's bytes: the database and whatever WAL/journal files are beside it. */
function ledgerBytes(): string {
  return readdirSync(dir)
    .filter((name) => name.startsWith('ledger.db'))
    .map((name) => readFileSync(join(dir, name)).toString('latin1'))
    .join('\n');
}

interface Expected {
  readonly method: string;
  readonly sequence: number;
  readonly previousSequence?: number;
}

/** Everything a production message must be, checked from the bytes the server received. */
async function checkMessage(
  raw: Buffer,
  envelope: { from: string; to: string[] },
  expected: Expected,
): Promise<void> {
  // Envelope sender = the service (bounces go to the service, SPF is the service's domain).
  expect(envelope.from).toBe(SERVICE.email);
  // --per-recipient: one attendee per message.
  expect(envelope.to).toHaveLength(1);
  expect(event.attendees.map((a) => a.email)).toContain(envelope.to[0]);

  for (const verifier of VERIFIERS.filter((v) => v.wanted)) {
    const verdict = await verifier.verify(raw, RECORD);
    expect(verdict.pass, `${verifier.name}: ${verdict.detail}`).toBe(true);
    expect([verifier.name, verdict.domain, verdict.selector]).toEqual([
      verifier.name,
      DKIM_DOMAIN,
      DKIM_SELECTOR,
    ]);
  }

  const mail = await simpleParser(raw);
  expect(mail.from?.value).toEqual([{ name: SERVICE.name, address: SERVICE.email }]);
  expect(mail.replyTo?.value).toEqual([{ name: ORGANIZER.name, address: ORGANIZER.email }]);
  expect(mail.headers.has('sender')).toBe(false);

  const options =
    expected.previousSequence === undefined ? {} : { previousSequence: expected.previousSequence };
  for (const recipient of [undefined, ...envelope.to]) {
    const report = inspectMessage(
      raw,
      recipient === undefined ? options : { ...options, recipient },
    );
    const problems = report.findings
      .filter((f) => f.severity === 'error' || f.severity === 'warning')
      .map((f) => `${f.severity} ${f.rule}: ${f.message}`);
    expect(problems, `inspect for ${recipient ?? 'no recipient'}`).toEqual([]);
    expect([report.summary.errors, report.summary.warnings]).toEqual([0, 0]);
  }
  // The text/calendar part and the invite.ics attachment say the same.
  const { calendars } = inspectMessage(raw);
  expect(calendars.length).toBeGreaterThan(0);
  for (const calendar of calendars) {
    const ev = calendar.events[0];
    expect({
      method: calendar.method,
      events: calendar.events.length,
      uid: ev?.uid,
      sequence: ev?.sequence,
      organizer: ev?.organizer?.address,
      sentBy: ev?.organizer?.sentBy,
    }).toEqual({
      method: expected.method,
      events: 1,
      uid: event.uid,
      sequence: expected.sequence,
      organizer: ORGANIZER.email,
      sentBy: SERVICE.email,
    });
  }
}

describe('production sending from the config file alone (smtps + XOAUTH2 + DKIM + service)', () => {
  it('send, update (new time), cancel, status: TLS, XOAUTH2, DKIM, identity, no secret anywhere', async () => {
    const tokens = await tokenServer(APP.cert);
    const { server, logins, mailUsers } = await smtpsServer(tokens);
    workspace(server.url, tokens.microsoftTokenUrl);
    expect(server.url).toMatch(/^smtps:\/\/127\.0\.0\.1:\d+$/);

    const results: { command: string; result: CliResult; tokenRequests: number }[] = [];
    const step = async (command: string, args: readonly string[]): Promise<CliResult> => {
      const before = tokens.requests;
      const result = await cli(args);
      results.push({ command, result, tokenRequests: tokens.requests - before });
      return result;
    };

    const sent = await step('send', ['send', 'event.json', PER_RECIPIENT, ...DB]);
    expect(sent.stderr).not.toMatch(/error|warning/i);
    expect(sent.code).toBe(0);
    expect(sent.stdout).toBe(`${event.uid}\n`);

    writeFileSync(
      join(dir, 'event.json'),
      JSON.stringify({ ...event, start: '2027-03-04T14:00', end: '2027-03-04T15:00' }),
    );
    const updated = await step('update', ['update', 'event.json', PER_RECIPIENT, ...DB]);
    expect(updated.stderr).not.toMatch(/error|warning/i);
    expect(updated.code).toBe(0);

    const cancelled = await step('cancel', ['cancel', event.uid, PER_RECIPIENT, ...DB]);
    expect(cancelled.stderr).not.toMatch(/error|warning/i);
    expect(cancelled.code).toBe(0);

    const status = await step('status', ['status', event.uid, '--json', ...DB]);
    expect(status.code).toBe(0);

    // What the CLI says it did, per message: the config's TLS, login and signature.
    const via = `via ${server.url} (implicit TLS), XOAUTH2 as ${SERVICE.email}, DKIM-signed (d=${DKIM_DOMAIN}, s=${DKIM_SELECTOR}): 1 accepted, 0 refused`;
    for (const [result, what] of [
      [sent, 'REQUEST (SEQUENCE 0)'],
      [updated, 'REQUEST (SEQUENCE 1)'],
      [cancelled, 'CANCEL (SEQUENCE 2)'],
    ] as const) {
      for (const attendee of event.attendees) {
        expect(result.stderr).toContain(`sent ${what} to ${attendee.email} ${via}\n`);
      }
    }

    // Each sending process asked the token endpoint once (the token is cached for the process);
    // status sends nothing and asks nothing.
    expect(results.map((r) => [r.command, r.tokenRequests])).toEqual([
      ['send', 1],
      ['update', 1],
      ['cancel', 1],
      ['status', 0],
    ]);
    expect(tokens.log.map((l) => [l.grantType, l.clientId, l.scope, l.error])).toEqual(
      Array.from({ length: 3 }, () => [
        'client_credentials',
        CLIENT_ID,
        'https://outlook.office365.com/.default',
        undefined,
      ]),
    );

    // Every login was XOAUTH2 as the configured mailbox with a token the endpoint issued, and
    // every transaction ran on such a connection.
    expect(logins.length).toBeGreaterThanOrEqual(3);
    for (const login of logins) {
      expect(login.user).toBe(SERVICE.email);
      expect(tokens.issued).toContain(login.token);
    }
    expect(new Set(logins.map((l) => l.token)).size).toBe(3);
    expect(mailUsers).toEqual(server.received.map(() => SERVICE.email));

    // METHOD/SEQUENCE as README "The organizer's side" says: a new time is significant
    // (SEQUENCE + 1), cancel sends CANCEL with SEQUENCE + 1 again.
    const expected: Expected[] = [
      { method: 'REQUEST', sequence: 0 },
      { method: 'REQUEST', sequence: 1, previousSequence: 0 },
      { method: 'CANCEL', sequence: 2, previousSequence: 1 },
    ];
    const attendees = event.attendees.map((a) => a.email).sort();
    expect(server.received).toHaveLength(expected.length * attendees.length);
    for (const [i, message] of server.received.entries()) {
      expect(message.secure).toBe(true);
      expect(message.user).toBe(SERVICE.email);
      await checkMessage(message.raw, message.envelope, expected[Math.floor(i / 2)]!);
    }
    for (const [i] of expected.entries()) {
      const pair = server.received.slice(i * 2, i * 2 + 2);
      expect(pair.flatMap((m) => m.envelope.to).sort()).toEqual(attendees);
    }

    const report = JSON.parse(status.stdout) as {
      uid: string;
      sequence: number;
      status: string;
      deliveries: { method: string; sequence: number; recipient: string; outcome: string }[];
    };
    expect([report.uid, report.sequence, report.status]).toEqual([event.uid, 2, 'CANCELLED']);
    expect(
      report.deliveries.map((d) => `${d.method} ${d.sequence} ${d.recipient} ${d.outcome}`).sort(),
    ).toEqual(
      expected
        .flatMap((e) => event.attendees.map((a) => `${e.method} ${e.sequence} ${a.email} accepted`))
        .sort(),
    );

    // No key line and no token (in any encoding) in any output or in the ledger.
    const secrets = secretTexts(tokens);
    expect(tokens.issued).toHaveLength(3);
    for (const { command, result } of results) {
      expectNoSecretIn(`${command} stdout`, result.stdout, secrets);
      expectNoSecretIn(`${command} stderr`, result.stderr, secrets);
    }
    const ledger = ledgerBytes();
    expect(ledger).toContain(event.uid); // the bytes searched are the ledger's
    expectNoSecretIn('the ledger', ledger, secrets);

    // The config file was used as it is, never made private (it holds no secret itself).
    expect(statSync(join(dir, 'smtp-invite.config.json')).mode & 0o777).toBe(0o644);
  });

  it('a token endpoint refusing the app: exit 3, ERR_SMTP_AUTH with what to check, nothing sent or recorded', async () => {
    // The app is registered with another certificate than the one the config holds: Entra ID's
    // invalid_client (AADSTS700027), as after a certificate rotation done on one side only.
    const refusing = await tokenServer(tlsFixture().server.cert);
    const { server, logins } = await smtpsServer(refusing);
    workspace(server.url, refusing.microsoftTokenUrl);

    const sent = await cli(['send', 'event.json', PER_RECIPIENT, ...DB]);
    expect(sent.code).toBe(3);
    expect(sent.stderr).toContain('error ERR_SMTP_AUTH');
    expect(sent.stderr).toContain('invalid_client');
    expect(sent.stderr).toContain('upload this certificate under Certificates & secrets');
    expect(refusing.log.map((l) => l.error)).toEqual(['invalid_client']);
    expect(refusing.issued).toEqual([]);
    expect(logins).toEqual([]);
    expect(server.stats.transactions).toBe(0);
    expect(server.received).toEqual([]);
    expectNoSecretIn('send stdout', sent.stdout, secretTexts(refusing));
    expectNoSecretIn('send stderr', sent.stderr, secretTexts(refusing));

    // Nothing recorded: the event is unknown, nothing is listed.
    const status = await cli(['status', event.uid, ...DB]);
    expect(status.code).toBe(2);
    expect(status.stderr).toContain('ERR_UNKNOWN_EVENT');
    const list = await cli(['list', '--json', ...DB]);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([]);

    // Once the app is fixed, the same send goes through as the first one (SEQUENCE 0).
    const fixed = await tokenServer(APP.cert);
    const { server: server2 } = await smtpsServer(fixed);
    writeConfig(server2.url, fixed.microsoftTokenUrl);
    const again = await cli(['send', 'event.json', PER_RECIPIENT, ...DB]);
    expect(again.stderr).not.toMatch(/error/i);
    expect(again.code).toBe(0);
    expect(server2.received).toHaveLength(2);
    for (const message of server2.received) {
      await checkMessage(message.raw, message.envelope, { method: 'REQUEST', sequence: 0 });
    }
  });
});
