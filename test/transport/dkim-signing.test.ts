/**
 * withDkimSigning without a network: what it refuses at creation (and that no key material leaks
 * into those errors), what it signs, that signing is deterministic, the DNS record helper and the
 * warnings. Signatures are checked with mailauth, never with nodemailer itself; the end-to-end
 * checks over SMTP and the outbox (both verifiers, tampering, relaying) are in
 * test/integration/dkim-verify.test.ts.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { SmtpInviteError } from '../../src/errors.ts';
import { buildInvite, deterministicIds } from '../../src/flows/build-invite.ts';
import {
  createDkimSigner,
  dkimDnsRecord,
  withDkimSigning,
  type DkimOptions,
} from '../../src/transport/dkim-signing.ts';
import { createMemoryTransport } from '../../src/transport/memory-transport.ts';
import type { OutgoingMessage } from '../../src/transport/transport.ts';
import { verifyWithMailauth } from '../support/dkim-verifiers.ts';

const pkcs8 = (key: { export(o: { type: 'pkcs8'; format: 'pem' }): string | Buffer }): string =>
  key.export({ type: 'pkcs8', format: 'pem' }).toString();
const rsaPair = (bits: number) => generateKeyPairSync('rsa', { modulusLength: bits });

const rsa2048 = rsaPair(2048);
const KEY = pkcs8(rsa2048.privateKey);
const RECORD = { name: 'invites._domainkey.example.com', value: dkimDnsRecord(KEY) };
const OPTIONS: DkimOptions = { domainName: 'example.com', keySelector: 'invites', privateKey: KEY };

const input = {
  uid: 'dkim-unit@example.com',
  summary: 'Réunion — 東京 👋',
  description: 'Ordre du jour: café ☕',
  timeZone: 'Europe/Paris',
  start: '2026-12-03T10:00',
  end: '2026-12-03T11:00',
  organizer: { name: 'Zoë Ørsted', email: 'zoe@example.com' },
  attendees: [{ name: 'Jürgen 東京', email: 'juergen@example.org' }],
};

function built(options: Parameters<typeof buildInvite>[1] = {}): OutgoingMessage {
  const message = buildInvite(input, { ids: deterministicIds(input, {}), ...options }).messages[0];
  if (message === undefined) throw new Error('no message built');
  return message;
}

/** The DKIM-Signature field (unfolded) and its tags. */
function signatureTags(raw: Buffer): Map<string, string> {
  const text = raw.toString('latin1');
  const field = /^DKIM-Signature:((?:.*)(?:\r\n[ \t].*)*)/.exec(text)?.[1] ?? '';
  const tags = new Map<string, string>();
  for (const part of field.replace(/\r\n[ \t]/g, '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) tags.set(part.slice(0, eq).trim(), part.slice(eq + 1).replace(/\s+/g, ''));
  }
  return tags;
}

function configError(run: () => unknown): SmtpInviteError {
  let caught: unknown;
  try {
    run();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(SmtpInviteError);
  const err = caught as SmtpInviteError;
  expect(err.code).toBe('ERR_CONFIG');
  expect(err.cause).toBeUndefined();
  return err;
}

/** Every 12-character piece of a PEM body: none may appear in an error. */
function keyPieces(pem: string): string[] {
  const body = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const pieces: string[] = [];
  for (let i = 0; i + 12 <= body.length; i += 6) pieces.push(body.slice(i, i + 12));
  return pieces;
}

describe('withDkimSigning: what it sends', () => {
  it('prepends one DKIM-Signature and leaves every other byte as built', async () => {
    const inner = createMemoryTransport();
    const transport = withDkimSigning(inner, OPTIONS);
    const message = built();

    const result = await transport.send(message);

    expect(result.accepted).toEqual(['juergen@example.org']);
    const sent = inner.sent[0];
    expect(sent?.messageId).toBe(message.messageId);
    expect(sent?.envelope).toEqual(message.envelope);
    const raw = sent?.raw ?? Buffer.alloc(0);
    expect(raw.toString('latin1')).toMatch(
      /^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed;/,
    );
    expect(raw.subarray(raw.length - message.raw.length).equals(message.raw)).toBe(true);
    expect(raw.toString('latin1').match(/^DKIM-Signature:/gm)).toHaveLength(1);
    expect(await verifyWithMailauth(raw, RECORD)).toMatchObject({
      pass: true,
      domain: 'example.com',
      selector: 'invites',
    });
  });

  it('signs the headers a reader sees, and not the trace headers relays add', async () => {
    const signer = createDkimSigner(OPTIONS);
    const plain = signatureTags(await signer.sign(built().raw));
    expect(plain.get('h')?.split(':')).toEqual([
      'from',
      'to',
      'subject',
      'date',
      'message-id',
      'mime-version',
      'content-type',
    ]);
    expect(plain.get('t')).toBeUndefined(); // no timestamp: deterministic
    expect(plain.get('l')).toBeUndefined(); // the whole body is signed
    expect(plain.get('d')).toBe('example.com');
    expect(plain.get('s')).toBe('invites');

    // The outlook profile's Content-Class, a shared mailbox's Sender.
    const outlook = built({ profile: 'outlook', sender: { email: 'desk@example.com' } });
    expect(
      signatureTags(await signer.sign(outlook.raw))
        .get('h')
        ?.split(':'),
    ).toEqual([
      'from',
      'sender',
      'to',
      'subject',
      'date',
      'message-id',
      'mime-version',
      'content-type',
      'content-class',
    ]);

    // A message that already went through a relay: its trace fields stay out of h=.
    const relayed = Buffer.concat([
      Buffer.from(
        'Return-Path: <zoe@example.com>\r\nReceived: from a by b; Thu, 01 Jan 2026 00:00:00 +0000\r\n',
      ),
      built().raw,
    ]);
    const h =
      signatureTags(await signer.sign(relayed))
        .get('h')
        ?.split(':') ?? [];
    expect(h).toContain('from');
    expect(h).not.toContain('received');
    expect(h).not.toContain('return-path');
  });

  it('is deterministic: the same bytes and key give the same signed bytes', async () => {
    const message = built({ profile: 'outlook' });
    const first = await createDkimSigner(OPTIONS).sign(message.raw);
    const again = await createDkimSigner(OPTIONS).sign(Buffer.from(message.raw));
    expect(again.equals(first)).toBe(true);

    // A resend through the transport (what the batch engine does with stored bytes).
    const inner = createMemoryTransport();
    const transport = withDkimSigning(inner, OPTIONS);
    await transport.send(message);
    await transport.send(message);
    expect(inner.sent[0]?.raw.equals(first)).toBe(true);
    expect(inner.sent[1]?.raw.equals(first)).toBe(true);

    // …and a different key gives a different signature over the same bytes.
    const other = pkcs8(rsaPair(2048).privateKey);
    const otherSigned = await createDkimSigner({ ...OPTIONS, privateKey: other }).sign(message.raw);
    expect(otherSigned.equals(first)).toBe(false);
  });

  it('keeps the inner transport’s kind and describes d= and s=, never the key', async () => {
    const inner = createMemoryTransport();
    const transport = withDkimSigning(inner, OPTIONS);
    expect(transport.kind).toBe('memory');
    expect(transport.description).toBe(
      'memory (nothing is sent), DKIM-signed (d=example.com, s=invites)',
    );
    for (const piece of keyPieces(KEY)) expect(transport.description).not.toContain(piece);
    // Like the memory transport itself, no session support is invented.
    expect('openSession' in transport).toBe(false);

    await transport.close();
    await expect(transport.send(built())).rejects.toMatchObject({ code: 'ERR_INTERNAL' });
  });

  it('refuses an impossible message before signing it', async () => {
    const inner = createMemoryTransport();
    const transport = withDkimSigning(inner, OPTIONS);
    await expect(
      transport.send({ ...built(), envelope: { from: 'zoe@example.com', to: [] } }),
    ).rejects.toMatchObject({ code: 'ERR_INTERNAL', message: /no recipients/ });
    expect(inner.sent).toEqual([]);
  });

  it('writes IDN domains and selectors as A-labels (RFC 6376 §3.5, RFC 8616)', async () => {
    const signer = createDkimSigner({
      domainName: 'Bücher.Example.',
      keySelector: 'Sélecteur',
      privateKey: KEY,
    });
    expect(signer.domainName).toBe('xn--bcher-kva.example');
    expect(signer.keySelector).toBe('xn--slecteur-b1a');
    const signed = await signer.sign(built().raw);
    const verdict = await verifyWithMailauth(signed, {
      name: 'xn--slecteur-b1a._domainkey.xn--bcher-kva.example',
      value: RECORD.value,
    });
    expect(verdict.pass, verdict.detail).toBe(true);
  });

  it('a signature does not verify against another key (the verifier can fail)', async () => {
    const signed = await createDkimSigner(OPTIONS).sign(built().raw);
    const other = dkimDnsRecord(pkcs8(rsaPair(2048).privateKey));
    const verdict = await verifyWithMailauth(signed, { name: RECORD.name, value: other });
    expect(verdict.pass).toBe(false);
  });
});

describe('dkimDnsRecord', () => {
  it('gives v=DKIM1; k=rsa; p=<the public key as DER SubjectPublicKeyInfo>', () => {
    const spki = rsa2048.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    expect(dkimDnsRecord(KEY)).toBe(`v=DKIM1; k=rsa; p=${spki}`);
    // The traditional PKCS#1 PEM (openssl genrsa) gives the same record.
    const pkcs1 = rsa2048.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(dkimDnsRecord(pkcs1)).toBe(dkimDnsRecord(KEY));
  });

  it('refuses what is not an RSA private key, like withDkimSigning', () => {
    const pub = rsa2048.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(configError(() => dkimDnsRecord(pub)).message).toMatch(/public key/);
  });
});

describe('withDkimSigning: refused at creation (ERR_CONFIG)', () => {
  const create = (options: Partial<DkimOptions>) => () =>
    withDkimSigning(createMemoryTransport(), { ...OPTIONS, ...options });

  it.each<['domainName' | 'keySelector', string, RegExp]>([
    ['domainName', '', /domainName is missing/],
    ['domainName', 'example', /domainName "example" is not a domain name/],
    ['domainName', 'exa mple.com', /domainName "exa mple.com" is not a domain name/],
    [
      'domainName',
      'example.com\r\nBcc: x@evil.test',
      /domainName "example.com\\r\\nBcc: x@evil.test"/,
    ],
    ['domainName', '192.168.0.1', /not a domain name/],
    ['domainName', '-example.com', /not a domain name/],
    ['domainName', 'example..com', /not a domain name/],
    ['domainName', 'ex_ample.com', /not a domain name/],
    ['domainName', `${'a'.repeat(64)}.com`, /not a domain name/],
    ['keySelector', '', /keySelector is missing/],
    ['keySelector', 'sel_1', /keySelector "sel_1" is not a valid selector/],
    ['keySelector', 'a b', /keySelector "a b" is not a valid selector/],
    ['keySelector', 'sel\r\nX-Injected: 1', /keySelector "sel\\r\\nX-Injected: 1"/],
    ['keySelector', 'sel;d=evil.test', /not a valid selector/],
    ['keySelector', '.sel', /not a valid selector/],
    [
      'keySelector',
      `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}`,
      /too long/,
    ],
  ])('%s %j', (field, value, message) => {
    const err = configError(create({ [field]: value }));
    expect(err.message).toMatch(message);
    // The message starts with the setting it is about, and is one line whatever the value held.
    expect(err.message).toMatch(new RegExp(`^DKIM ${field} `));
    expect(err.message).not.toMatch(/[\r\n]/);
  });

  const tlsFixture = (name: string): string =>
    readFileSync(fileURLToPath(new URL(`../../fixtures/tls/${name}`, import.meta.url)), 'utf8');
  const encrypted = rsa2048.privateKey
    .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pass-phrase' })
    .toString();
  const damaged = KEY.replace(/\n([A-Za-z0-9+/]{20})/, '\n!!!!');
  const keyCases: [string, string, RegExp][] = [
    ['empty', '', /is empty/],
    ['not PEM', 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 me@host', /is not PEM text/],
    [
      'a public key',
      rsa2048.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      /is a public key or certificate, not the private key/,
    ],
    [
      'a PKCS#1 public key',
      rsa2048.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      /is a public key or certificate/,
    ],
    ['a certificate', tlsFixture('ca.pem'), /is a public key or certificate/],
    ['too short (512 bits)', pkcs8(rsaPair(512).privateKey), /has only 512 bits.*2048/],
    ['encrypted', encrypted, /is encrypted with a passphrase/],
    ['damaged', damaged, /cannot be read as a private key/],
    [
      'Ed25519',
      pkcs8(generateKeyPairSync('ed25519').privateKey),
      /is an Ed25519 key: nodemailer's DKIM signer writes rsa-sha256 signatures only/,
    ],
    [
      'EC P-256',
      pkcs8(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey),
      /is a ec key: .*plain RSA key/,
    ],
    [
      'RSA-PSS',
      pkcs8(generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey),
      /is an RSA-PSS key/,
    ],
  ];

  it.each(keyCases)('privateKey: %s', (_label, privateKey, message) => {
    const err = configError(create({ privateKey }));
    expect(err.message).toMatch(message);
    expect(err.message).toMatch(/^the DKIM private key in privateKey /);
    for (const piece of keyPieces(privateKey)) expect(err.message).not.toContain(piece);
    // The same refusal from the DNS record helper.
    expect(configError(() => dkimDnsRecord(privateKey)).message).toMatch(message);
  });

  it('names where the key came from (keySource), e.g. the CLI’s file', () => {
    const err = configError(
      create({
        privateKey: rsa2048.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        keySource: '/etc/smtp-invite/dkim.key',
      }),
    );
    expect(err.message).toMatch(
      /^the DKIM private key in \/etc\/smtp-invite\/dkim\.key is a public key/,
    );
  });

  it('sends nothing when refused (the inner transport is untouched)', () => {
    const inner = createMemoryTransport();
    configError(() => withDkimSigning(inner, { ...OPTIONS, keySelector: 'bad selector' }));
    expect(inner.sent).toEqual([]);
  });
});

describe('warnings (onWarning)', () => {
  it('a 1024-bit key is accepted with a warning; 2048 bits without', async () => {
    const warnings: string[] = [];
    const short = pkcs8(rsaPair(1024).privateKey);
    const signer = createDkimSigner({
      ...OPTIONS,
      privateKey: short,
      onWarning: (w) => warnings.push(w),
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/has 1024 bits: RFC 8301 asks for at least 2048/);
    for (const piece of keyPieces(short)) expect(warnings[0]).not.toContain(piece);
    const verdict = await verifyWithMailauth(await signer.sign(built().raw), {
      name: RECORD.name,
      value: dkimDnsRecord(short),
    });
    expect(verdict.pass, verdict.detail).toBe(true);

    const none: string[] = [];
    createDkimSigner({ ...OPTIONS, onWarning: (w) => none.push(w) });
    expect(none).toEqual([]);
  });

  it('a From domain not aligned with d= is reported once; aligned ones are not', async () => {
    const warnings: string[] = [];
    const transport = withDkimSigning(createMemoryTransport(), {
      ...OPTIONS,
      domainName: 'mailer.example.net',
      onWarning: (w) => warnings.push(w),
    });
    await transport.send(built());
    await transport.send(built({ profile: 'outlook' }));
    expect(warnings).toEqual([
      expect.stringMatching(
        /^the From domain example\.com is not aligned with the DKIM domain mailer\.example\.net: .*DMARC/,
      ),
    ]);

    for (const domainName of ['example.com', 'EXAMPLE.com', 'sub.example.com']) {
      const aligned: string[] = [];
      const signer = createDkimSigner({
        ...OPTIONS,
        domainName,
        onWarning: (w) => aligned.push(w),
      });
      await signer.sign(built().raw);
      expect(aligned, domainName).toEqual([]);
    }
  });
});
