/**
 * DKIM end to end: invitations from the real builder (non-ASCII text, the .ics attachment, the
 * outlook profile's base64 calendar) signed by withDkimSigning, sent over real SMTP (one message
 * per send, and through a session) and written by the outbox transport, then checked from the
 * bytes the server received (or the .eml file) by two verifiers that share no code with the
 * signer: mailauth and Debian's dkimpy. A tampered message must fail; what relays normally do to a
 * message (trace headers, refolding, white space) must not.
 *
 * dkimpy (python3-dkim) is skipped when missing unless SMTP_INVITE_REQUIRE_PYDKIM=1 (CI).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildInvite, deterministicIds } from '../../src/flows/build-invite.ts';
import {
  createDkimSigner,
  dkimDnsRecord,
  withDkimSigning,
  type DkimOptions,
} from '../../src/transport/dkim-signing.ts';
import { createOutboxTransport } from '../../src/transport/outbox-transport.ts';
import { createSmtpTransport } from '../../src/transport/smtp-transport.ts';
import type { OutgoingMessage } from '../../src/transport/transport.ts';
import {
  pyDkimWanted,
  verifyWithMailauth,
  verifyWithPyDkim,
  type DkimKeyRecord,
  type VerifierVerdict,
} from '../support/dkim-verifiers.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-test-server.ts';

const KEY = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const DKIM: DkimOptions = { domainName: 'example.com', keySelector: 'cal2026', privateKey: KEY };
const RECORD: DkimKeyRecord = { name: 'cal2026._domainkey.example.com', value: dkimDnsRecord(KEY) };

const input = {
  uid: 'dkim-e2e@example.com',
  summary: 'Réunion — 東京 👋',
  description:
    'Ordre du jour: café ☕, 東京の計画 👋\nSecond line with "quotes"; commas, and \\ backslash',
  location: 'Salle Ω, 東京',
  timeZone: 'Europe/Paris',
  start: '2026-12-03T10:00',
  end: '2026-12-03T11:00',
  organizer: { name: 'Zoë Ørsted', email: 'zoe@example.com' },
  attendees: [
    { name: 'Jürgen 東京', email: 'juergen@example.org' },
    { name: 'Ana María Peña', email: 'ana@example.net' },
  ],
};

function build(profile: 'default' | 'outlook'): OutgoingMessage {
  const message = buildInvite(input, { profile, ids: deterministicIds(input, {}) }).messages[0];
  if (message === undefined) throw new Error('no message built');
  return message;
}

type Verify = (raw: Buffer, record: DkimKeyRecord) => Promise<VerifierVerdict>;
const VERIFIERS: { name: string; wanted: boolean; verify: Verify }[] = [
  { name: 'mailauth', wanted: true, verify: verifyWithMailauth },
  {
    name: 'dkimpy (python3-dkim)',
    wanted: pyDkimWanted(),
    verify: (raw, record) => Promise.resolve(verifyWithPyDkim(raw, record)),
  },
];

// ---------------------------------------------------------------------------------------------
// What an attacker or a relay does to the received bytes (latin1 keeps every byte as it is).

const edit = (raw: Buffer, change: (text: string) => string): Buffer => {
  const before = raw.toString('latin1');
  const after = change(before);
  if (after === before) throw new Error('the edit changed nothing'); // a test that cannot fail
  return Buffer.from(after, 'latin1');
};

/** One byte in the body of the first text/calendar part (base64 in the outlook profile). */
const changeCalendarByte = (raw: Buffer): Buffer =>
  edit(raw, (text) => {
    const part = text.indexOf('Content-Type: text/calendar');
    let i = text.indexOf('\r\n\r\n', part) + 4 + 30;
    while (!/[A-Za-z0-9]/.test(text[i] ?? '')) i++;
    const replacement = text[i] === 'A' ? 'B' : 'A';
    return text.slice(0, i) + replacement + text.slice(i + 1);
  });

const changeSubject = (raw: Buffer): Buffer =>
  edit(raw, (text) =>
    text.replace('\r\nSubject: =?UTF-8?Q?Invitation:', '\r\nSubject: =?UTF-8?Q?Invitati0n:'),
  );

const FORGED_FROM = 'From: =?UTF-8?Q?Zo=C3=AB?= <zoe@evil.example>\r\n';

/** A second From right below the signed one: the instance verifiers take (RFC 6376 §5.4.2). */
const addFromBelow = (raw: Buffer): Buffer =>
  edit(raw, (text) => text.replace(/(\r\nFrom: .*\r\n(?:[ \t].*\r\n)*)/, `$1${FORGED_FROM}`));

/** A second From above everything (where nodemailer's signer, which cannot over-sign, is blind). */
const addFromOnTop = (raw: Buffer): Buffer => Buffer.concat([Buffer.from(FORGED_FROM), raw]);

/** What relays do: trace fields on top, header refolding, case and white space; body line ends. */
const relay = (raw: Buffer): Buffer =>
  edit(raw, (text) => {
    const split = text.indexOf('\r\n\r\n');
    const head = text
      .slice(0, split)
      .replace(/\r\n /g, '\r\n\t  ') // refolded with other white space
      .replace('\r\nSubject:', '\r\nSUBJECT:') // field names are case-insensitive
      .replace('\r\nDate: ', '\r\nDate:\t   ') // white space after the colon
      .replace(/(\r\nMessage-ID: [^\r]*)/, '$1  \t'); // trailing white space
    const body = text
      .slice(split)
      .replace(/([^\r\n])\r\n/g, '$1 \t\r\n') // trailing white space on body lines
      .replace(' ', '    '); // a run of spaces within a line
    const trace =
      'Return-Path: <zoe@example.com>\r\n' +
      'Received: from mail.example.com (mail.example.com [192.0.2.1])\r\n' +
      '\tby mx.example.org (Postfix) with ESMTPS id 4Qx7;\r\n' +
      '\tThu, 03 Dec 2026 09:00:00 +0000 (UTC)\r\n' +
      'Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=example.com\r\n';
    return trace + head + body + '\r\n\r\n'; // empty lines at the end are ignored too
  });

// ---------------------------------------------------------------------------------------------

let server: TestSmtpServer;
let outboxDir: string;
/** Signed bytes as they arrived, by how they were sent. */
const arrived = new Map<string, Buffer>();

beforeAll(async () => {
  server = await startTestSmtpServer();
  outboxDir = mkdtempSync(join(tmpdir(), 'smtp-invite-dkim-'));
  const smtp = withDkimSigning(createSmtpTransport({ url: server.url }), DKIM);
  try {
    for (const profile of ['default', 'outlook'] as const) {
      await smtp.send(build(profile));
      const received = server.received.at(-1);
      expect(received?.envelope.to).toEqual(['juergen@example.org', 'ana@example.net']);
      arrived.set(`smtp ${profile}`, received?.raw ?? Buffer.alloc(0));
    }
    const session = await smtp.openSession?.();
    if (session === undefined) throw new Error('the signed SMTP transport lost openSession');
    try {
      expect(session.usable).toBe(true);
      await session.send(build('default'));
      await session.send(build('outlook'));
    } finally {
      await session.close();
    }
    arrived.set('session default', server.received.at(-2)?.raw ?? Buffer.alloc(0));
    arrived.set('session outlook', server.received.at(-1)?.raw ?? Buffer.alloc(0));
  } finally {
    await smtp.close();
  }

  const outbox = withDkimSigning(createOutboxTransport({ dir: outboxDir }), DKIM);
  const written = await outbox.send(build('outlook'));
  arrived.set('outbox outlook', readFileSync(written.outboxFile ?? ''));
  await outbox.close();
});

afterAll(async () => {
  await server.close();
  rmSync(outboxDir, { recursive: true, force: true });
});

describe('DKIM-signed invitations as delivered', () => {
  it('every path delivers exactly the signed bytes (SMTP, session, outbox)', async () => {
    const signer = createDkimSigner(DKIM);
    expect([...arrived.keys()]).toEqual([
      'smtp default',
      'smtp outlook',
      'session default',
      'session outlook',
      'outbox outlook',
    ]);
    for (const [path, raw] of arrived) {
      const profile = path.endsWith('outlook') ? 'outlook' : 'default';
      const expected = await signer.sign(build(profile).raw);
      expect(raw.equals(expected), path).toBe(true);
    }
  });

  it('the default profile carries the .ics attachment, the outlook profile a base64 calendar', () => {
    const text = (key: string): string => arrived.get(key)?.toString('latin1') ?? '';
    expect(text('smtp default')).toContain(
      'Content-Disposition: attachment; filename="invite.ics"',
    );
    expect(text('smtp outlook')).toMatch(
      /Content-Type: text\/calendar;[^\r]*\r\nContent-Transfer-Encoding: base64/,
    );
    expect(text('smtp outlook')).toContain('Content-Class: urn:content-classes:calendarmessage');
  });
});

for (const verifier of VERIFIERS) {
  describe.skipIf(!verifier.wanted)(`verified by ${verifier.name}`, () => {
    const keys = [
      'smtp default',
      'smtp outlook',
      'session default',
      'session outlook',
      'outbox outlook',
    ];
    const raw = (key: string): Buffer => {
      const bytes = arrived.get(key);
      if (bytes === undefined) throw new Error(`nothing arrived for ${key}`);
      return bytes;
    };

    it.each(keys)('%s: passes, d=example.com s=cal2026', async (key) => {
      const verdict = await verifier.verify(raw(key), RECORD);
      expect(verdict.pass, verdict.detail).toBe(true);
      expect(verdict.domain).toBe('example.com');
      expect(verdict.selector).toBe('cal2026');
    });

    it.each(['smtp default', 'smtp outlook'])(
      '%s: relayed (trace fields, refolding, white space) still passes',
      async (key) => {
        const verdict = await verifier.verify(relay(raw(key)), RECORD);
        expect(verdict.pass, verdict.detail).toBe(true);
      },
    );

    it.each(['smtp default', 'smtp outlook'])(
      '%s: one byte changed in the calendar fails',
      async (key) => {
        const verdict = await verifier.verify(changeCalendarByte(raw(key)), RECORD);
        expect(verdict.pass, verdict.detail).toBe(false);
      },
    );

    it.each(['smtp default', 'smtp outlook'])('%s: a changed Subject fails', async (key) => {
      const verdict = await verifier.verify(changeSubject(raw(key)), RECORD);
      expect(verdict.pass, verdict.detail).toBe(false);
    });

    it('a second From below the signed one fails', async () => {
      const verdict = await verifier.verify(addFromBelow(raw('smtp default')), RECORD);
      expect(verdict.pass, verdict.detail).toBe(false);
    });

    it('a record for another key fails (the check is real)', async () => {
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString();
      const verdict = await verifier.verify(raw('smtp default'), {
        name: RECORD.name,
        value: dkimDnsRecord(other),
      });
      expect(verdict.pass, verdict.detail).toBe(false);
    });
  });
}

describe('the known limit: no over-signing', () => {
  // nodemailer's signer lists each present field once in h= and cannot over-sign (RFC 6376
  // §5.4.2), so a From added *above* the signed one leaves the signature valid. Receivers catch it
  // elsewhere: two From fields break RFC 5322, and DMARC receivers reject such messages (RFC 7489
  // §6.6.1); mailauth reports the count. If this test starts failing, nodemailer learned to
  // over-sign: update the README's DKIM section.
  it('a From added on top keeps the DKIM signature valid, but the message has two From fields', async () => {
    const verdict = await verifyWithMailauth(
      addFromOnTop(arrived.get('smtp default') ?? Buffer.alloc(0)),
      RECORD,
    );
    expect(verdict.pass, verdict.detail).toBe(true);
    expect(verdict.fromFields).toBe(2);
  });
});
