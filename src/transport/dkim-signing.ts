/**
 * DKIM signatures (RFC 6376) on every message a transport sends: the adapter for nodemailer's DKIM
 * signer (`nodemailer/lib/dkim`), the only module that uses it.
 *
 * The wrapped transport receives the finished bytes with one `DKIM-Signature` header prepended and
 * nothing else changed (checked on every message). What nodemailer's signer fixes, and why it suits
 * relayed mail:
 * - `a=rsa-sha256` and `c=relaxed/relaxed` (RFC 6376 §3.4.2/§3.4.4): relays that refold headers,
 *   change the case of field names or the white space around values, or strip trailing spaces
 *   keep the signature valid; `simple` would break on any of that.
 * - no `t=` timestamp and no `x=` expiry, and RSASSA-PKCS1-v1_5 signatures are deterministic: the
 *   same bytes and key always give the same signed bytes, so a batch that resends stored bytes
 *   sends byte-identical copies.
 * - only the header fields that are present are listed in `h=`, each once: it cannot over-sign
 *   (RFC 6376 §5.4.2), so a From (or Reply-To) added *above* the signed one by someone else does
 *   not break the signature. Receivers that apply DMARC reject a message with two From fields
 *   (RFC 7489 §6.6.1), which is the usual defence; see the README.
 * - RSA only: an Ed25519 key (RFC 8463) would silently give an unsigned message, so it is refused
 *   here; the big mailbox providers verify only RSA signatures anyway.
 */
import { createPrivateKey, createPublicKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { domainToASCII } from 'node:url';
import DKIM from 'nodemailer/lib/dkim/index.js';

import { SmtpInviteError } from '../errors.ts';
import type { OutgoingMessage, Transport, TransportSession } from './transport.ts';
import { checkOutgoingMessage } from './transport.ts';

export interface DkimOptions {
  /** The signing domain (d=), e.g. example.com. */
  readonly domainName: string;
  /** The selector (s=): the public key is published at <selector>._domainkey.<domain>. */
  readonly keySelector: string;
  /**
   * PEM private key: RSA, at least 1024 bits, 2048 recommended. Not Ed25519: nodemailer's signer
   * writes rsa-sha256 only (refused with ERR_CONFIG).
   */
  readonly privateKey: string;
  /**
   * Where the key came from, for error messages (e.g. the file name, or `SMTP_INVITE_DKIM_KEY`);
   * default `privateKey`. Never the key itself.
   */
  readonly keySource?: string;
  /**
   * Notices that do not stop sending: an RSA key shorter than 2048 or longer than 4096 bits, and a
   * From domain that is neither d= nor related to it (DMARC would not count the signature). Each
   * distinct notice is given once.
   */
  readonly onWarning?: (message: string) => void;
}

/**
 * The header fields signed when present, in this order. From is required (RFC 6376 §5.4); the rest
 * are the ones a reader or a client acts on (§5.4.1's list, plus Content-Class, which makes Outlook
 * file the message as a meeting request, and List-Unsubscribe-Post, which RFC 8058 §4 requires to
 * be signed). Left out on purpose: Received, Return-Path and other trace fields, which relays add
 * or rewrite (§5.4.1: "SHOULD NOT"), and Bcc, which is removed in transit.
 */
export const DKIM_SIGNED_HEADERS: readonly string[] = [
  'From',
  'Sender',
  'Reply-To',
  'To',
  'Cc',
  'Subject',
  'Date',
  'Message-ID',
  'In-Reply-To',
  'References',
  'MIME-Version',
  'Content-Type',
  'Content-Transfer-Encoding',
  'Content-Class',
  'Content-Disposition',
  'Content-ID',
  'Content-Description',
  'Content-Language',
  'Auto-Submitted',
  'List-Id',
  'List-Unsubscribe',
  'List-Unsubscribe-Post',
];

/** Signs finished messages; what withDkimSigning uses for every message. */
export interface DkimSigner {
  /** d= as written in the signature (an IDN in punycode). */
  readonly domainName: string;
  /** s= as written in the signature. */
  readonly keySelector: string;
  /** The message with a DKIM-Signature header prepended; the rest is byte for byte `raw`. */
  sign(raw: Buffer): Promise<Buffer>;
}

// RFC 8301 §3.2: signers MUST use at least 1024 bits and SHOULD use at least 2048; verifiers MUST
// handle up to 4096 and may fail on longer keys.
const MIN_RSA_BITS = 1024;
const RECOMMENDED_RSA_BITS = 2048;
const MAX_SAFE_RSA_BITS = 4096;
// Longest value shown back in an error (domain or selector text; never the key).
const SHOWN_CHARS = 80;
// Distinct warnings remembered so that each is given once (a batch has one or a few From domains).
const MAX_WARNINGS = 1000;
const GENERATE_KEY = 'openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out dkim.key';
const SIGNATURE_PREFIX = Buffer.from('DKIM-Signature: ');

/**
 * A transport that DKIM-signs each message (prepends DKIM-Signature) before the inner transport
 * sends or writes it. Throws ERR_CONFIG at once for a bad key, domain or selector.
 */
export function withDkimSigning(transport: Transport, options: DkimOptions): Transport {
  const signer = createDkimSigner(options);
  const signMessage = async (message: OutgoingMessage): Promise<OutgoingMessage> => {
    // The inner transport checks again; checking first keeps ERR_INTERNAL (not a signing error)
    // for a message that could never be sent.
    checkOutgoingMessage(message);
    return {
      messageId: message.messageId,
      envelope: message.envelope,
      raw: await signer.sign(message.raw),
    };
  };
  const wrapped: Transport = {
    kind: transport.kind,
    description: `${transport.description}, DKIM-signed (d=${signer.domainName}, s=${signer.keySelector})`,
    async send(message) {
      return transport.send(await signMessage(message));
    },
    close: () => transport.close(),
  };
  const openSession = transport.openSession?.bind(transport);
  if (openSession === undefined) return wrapped;
  return {
    ...wrapped,
    async openSession(): Promise<TransportSession> {
      const session = await openSession();
      return {
        async send(message) {
          return session.send(await signMessage(message));
        },
        get usable() {
          return session.usable;
        },
        close: () => session.close(),
      };
    },
  };
}

/** Checks the options (ERR_CONFIG) and returns the signer withDkimSigning uses. */
export function createDkimSigner(options: DkimOptions): DkimSigner {
  const domainName = checkDomain(options.domainName);
  const keySelector = checkSelector(options.keySelector, domainName);
  const source = options.keySource ?? 'privateKey';
  const key = loadRsaKey(options.privateKey, source);
  const warn = onceEach(options.onWarning);
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < RECOMMENDED_RSA_BITS) {
    warn(
      `the DKIM key in ${source} has ${bits} bits: RFC 8301 asks for at least ${RECOMMENDED_RSA_BITS} and some receivers treat shorter keys as weak; generate a new one (${GENERATE_KEY}) and publish it under a new selector`,
    );
  } else if (bits > MAX_SAFE_RSA_BITS) {
    warn(
      `the DKIM key in ${source} has ${bits} bits: receivers only have to verify keys up to ${MAX_SAFE_RSA_BITS} bits (RFC 8301 §3.2), so some may not verify it; 2048 bits is the usual choice`,
    );
  }

  const dkim = new DKIM({
    domainName,
    keySelector,
    privateKey: key,
    hashAlgo: 'sha256',
    headerFieldNames: DKIM_SIGNED_HEADERS.join(':'),
  });

  return {
    domainName,
    keySelector,
    async sign(raw: Buffer): Promise<Buffer> {
      if (options.onWarning !== undefined) checkAlignment(raw, domainName, warn);
      const chunks: Buffer[] = [];
      try {
        for await (const chunk of dkim.sign(raw)) chunks.push(chunk as Buffer);
      } catch (err) {
        throw new SmtpInviteError(
          'ERR_INTERNAL',
          `DKIM signing failed (${err instanceof Error ? err.message : String(err)}); refusing to send the message unsigned`,
        );
      }
      const signed = Buffer.concat(chunks);
      // nodemailer returns the message unsigned when its crypto call fails; never send that, and
      // never anything but the original bytes under the signature.
      const added = signed.length - raw.length;
      if (
        added <= SIGNATURE_PREFIX.length ||
        !signed.subarray(0, SIGNATURE_PREFIX.length).equals(SIGNATURE_PREFIX) ||
        !signed.subarray(added).equals(raw)
      ) {
        throw new SmtpInviteError(
          'ERR_INTERNAL',
          `nodemailer's DKIM signer did not sign the message (d=${domainName}, s=${keySelector}); refusing to send it unsigned`,
        );
      }
      return signed;
    },
  };
}

/**
 * The TXT record value to publish at `<selector>._domainkey.<domain>` for this private key:
 * `v=DKIM1; k=rsa; p=<base64 SubjectPublicKeyInfo>` (RFC 6376 §3.6.1). DNS splits text longer than
 * 255 bytes into several strings; DNS providers' forms and zone files do that themselves.
 */
export function dkimDnsRecord(privateKeyPem: string): string {
  const key = loadRsaKey(privateKeyPem, 'privateKey');
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  return `v=DKIM1; k=rsa; p=${spki.toString('base64')}`;
}

// ---------------------------------------------------------------------------------------------
// Checks

function configError(message: string): SmtpInviteError {
  return new SmtpInviteError('ERR_CONFIG', message);
}

function shown(value: string): string {
  return JSON.stringify(value.length > SHOWN_CHARS ? `${value.slice(0, SHOWN_CHARS)}…` : value);
}

// RFC 5321 sub-domain (Let-dig [Ldh-str]), at most 63 octets: the label syntax of both d= (RFC 6376
// §3.5, domain-name) and s= (§3.1, selector).
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Lower-case ASCII labels (IDN labels as A-labels), or undefined when not a dotted name. */
function toAsciiLabels(text: string): string[] | undefined {
  const labels = text.split('.');
  const ascii: string[] = [];
  for (const label of labels) {
    // Only non-ASCII labels go through IDNA: domainToASCII reads an all-digit name as an IPv4
    // address ("123" → "0.0.0.123").
    const converted = /^[\x00-\x7f]*$/.test(label) ? label.toLowerCase() : domainToASCII(label);
    if (!LABEL.test(converted)) return undefined;
    ascii.push(converted);
  }
  return ascii;
}

function checkDomain(value: unknown): string {
  const fix = 'give the domain the public key is published under, e.g. example.com';
  if (typeof value !== 'string' || value.trim() === '') {
    throw configError(`DKIM domainName is missing: ${fix} (--dkim-domain)`);
  }
  const labels = toAsciiLabels(value.trim().replace(/\.$/, ''));
  const domain = labels?.join('.') ?? '';
  if (
    labels === undefined ||
    labels.length < 2 ||
    domain.length > 253 ||
    /^[0-9]+$/.test(labels[labels.length - 1] ?? '')
  ) {
    throw configError(
      `DKIM domainName ${shown(value)} is not a domain name (RFC 6376 §3.5: letters, digits and hyphens in dot-separated labels, at least two): ${fix}`,
    );
  }
  return domain;
}

function checkSelector(value: unknown, domain: string): string {
  const fix =
    'give the selector the key is published under (<selector>._domainkey.<domain>), e.g. mail2026';
  if (typeof value !== 'string' || value.trim() === '') {
    throw configError(`DKIM keySelector is missing: ${fix} (--dkim-selector)`);
  }
  const labels = toAsciiLabels(value.trim());
  const selector = labels?.join('.') ?? '';
  if (labels === undefined) {
    throw configError(
      `DKIM keySelector ${shown(value)} is not a valid selector (RFC 6376 §3.1: letters, digits and hyphens, labels separated by dots; no underscores or spaces): ${fix}`,
    );
  }
  if (`${selector}._domainkey.${domain}`.length > 253) {
    throw configError(
      `DKIM keySelector ${shown(value)} is too long: ${selector}._domainkey.${domain} exceeds the 253 characters of a DNS name; choose a shorter selector`,
    );
  }
  return selector;
}

/** The private key as a KeyObject, refused (ERR_CONFIG) unless an RSA key of ≥ 1024 bits. */
function loadRsaKey(pem: unknown, source: string): KeyObject {
  const where = `the DKIM private key in ${source}`;
  if (typeof pem !== 'string' || pem.trim() === '') {
    throw configError(`${where} is empty: generate one with \`${GENERATE_KEY}\``);
  }
  // Only the BEGIN labels are looked at: nothing of the key's content may reach a message.
  const labels = [...pem.matchAll(/-----BEGIN ([A-Z0-9 ]{1,40})-----/g)].map((m) => m[1] ?? '');
  if (labels.length === 0) {
    throw configError(
      `${where} is not PEM text (expected a "-----BEGIN PRIVATE KEY-----" block): give the file written by \`${GENERATE_KEY}\``,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (
      code === 'ERR_MISSING_PASSPHRASE' ||
      labels.includes('ENCRYPTED PRIVATE KEY') ||
      /Proc-Type: 4,ENCRYPTED/.test(pem)
    ) {
      throw configError(
        `${where} is encrypted with a passphrase: store it decrypted with \`openssl pkey -in dkim.key -out dkim-plain.key\` and \`chmod 600\` the result`,
      );
    }
    if (labels.some((label) => /PUBLIC KEY|CERTIFICATE/.test(label))) {
      throw configError(
        `${where} is a public key or certificate, not the private key: give the private key (the file written by \`${GENERATE_KEY}\`); the public key belongs in DNS`,
      );
    }
    throw configError(
      `${where} cannot be read as a private key (a damaged or unsupported PEM block "${labels[0] ?? ''}"): give the file written by \`${GENERATE_KEY}\``,
    );
  }
  const type = key.asymmetricKeyType;
  if (type === 'ed25519') {
    throw configError(
      `${where} is an Ed25519 key: nodemailer's DKIM signer writes rsa-sha256 signatures only (RFC 8463 ed25519-sha256 is not supported, and the large mailbox providers verify RSA only); use an RSA key: \`${GENERATE_KEY}\``,
    );
  }
  if (type !== 'rsa') {
    throw configError(
      `${where} is a${type === 'rsa-pss' ? 'n RSA-PSS' : ` ${String(type)}`} key: DKIM signs with RSASSA-PKCS1-v1_5 (RFC 6376 §3.3); use a plain RSA key: \`${GENERATE_KEY}\``,
    );
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) {
    throw configError(
      `${where} has only ${bits} bits: receivers ignore signatures from RSA keys under ${MIN_RSA_BITS} bits (RFC 8301 §3.2) and ${RECOMMENDED_RSA_BITS} is recommended; generate a new one with \`${GENERATE_KEY}\``,
    );
  }
  try {
    // Whatever OpenSSL refuses (a key it read but cannot use) fails here, not on the first message.
    cryptoSign('sha256', SIGNATURE_PREFIX, key);
  } catch {
    throw configError(`${where} cannot sign: give the file written by \`${GENERATE_KEY}\``);
  }
  return key;
}

function onceEach(onWarning: ((message: string) => void) | undefined): (message: string) => void {
  const given = new Set<string>();
  return (message) => {
    if (onWarning === undefined || given.has(message) || given.size >= MAX_WARNINGS) {
      return;
    }
    given.add(message);
    onWarning(message);
  };
}

/**
 * DMARC passes on DKIM only when d= is aligned with the From domain (RFC 7489 §3.1.1). Relaxed
 * alignment compares organizational domains, which needs the Public Suffix List; "one is the other
 * or a subdomain of it" is the part of it we can tell without that list.
 */
/**
 * DMARC's relaxed alignment as far as it can be told without the Public Suffix List: one domain is
 * the other or a subdomain of it (RFC 7489 §3.1.1). Case, a final dot and IDN spelling ignored.
 */
export function dkimDomainsAligned(fromDomain: string, signingDomain: string): boolean {
  const a = asciiDomain(fromDomain);
  const d = asciiDomain(signingDomain);
  return a === d || a.endsWith(`.${d}`) || d.endsWith(`.${a}`);
}

function asciiDomain(domain: string): string {
  const trimmed = domain.trim().replace(/\.$/, '').toLowerCase();
  return domainToASCII(trimmed) || trimmed;
}

function checkAlignment(raw: Buffer, signingDomain: string, warn: (message: string) => void): void {
  const fromDomain = headerFromDomain(raw);
  if (fromDomain === undefined || dkimDomainsAligned(fromDomain, signingDomain)) return;
  warn(
    `the From domain ${fromDomain} is not aligned with the DKIM domain ${signingDomain}: receivers that apply DMARC will not count this signature for ${fromDomain}; sign with --dkim-domain ${fromDomain} (a key published in its DNS) or send from an address at ${signingDomain}`,
  );
}

/** The domain of the (single) From address, lower-case ASCII; undefined when unclear. */
function headerFromDomain(raw: Buffer): string | undefined {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, end === -1 ? raw.length : end).toString('utf8');
  const fields = head.replace(/\r\n[ \t]/g, ' ').split('\r\n');
  const from = fields.filter((field) => /^from[ \t]*:/i.test(field));
  if (from.length !== 1) return undefined;
  const value = (from[0] ?? '').slice((from[0] ?? '').indexOf(':') + 1);
  const address = /<([^<>]*)>\s*$/.exec(value)?.[1] ?? value.trim();
  const at = address.lastIndexOf('@');
  if (at === -1) return undefined;
  const domain = address
    .slice(at + 1)
    .trim()
    .replace(/\.$/, '');
  const ascii = toAsciiLabels(domain);
  return ascii === undefined ? undefined : ascii.join('.');
}
