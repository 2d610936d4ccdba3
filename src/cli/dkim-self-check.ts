/**
 * check-setup's DKIM checks, pure (no DNS): verifying the signature our own signer just made, with
 * the public key derived from the private key, and comparing the published TXT record with the
 * expected one. The point is to prove, before any message leaves, that the key, the selector and
 * the domain are read the way a receiver will read them, and that the signature is consistent.
 *
 * The verifier is deliberately small: it handles what nodemailer's signer writes (rsa-sha256,
 * relaxed/relaxed, no l=) and says so for anything else. Receivers use a full verifier; the tests
 * check this one against mailauth.
 */
import { createHash, verify, type KeyObject } from 'node:crypto';

/** The tags of the topmost DKIM-Signature of `signed` (RFC 6376 §3.5), values unfolded. */
export function dkimSignatureTags(signed: Buffer): Map<string, string> | undefined {
  const field = headerFields(signed)[0];
  if (field === undefined || field.name.toLowerCase() !== 'dkim-signature') return undefined;
  return parseTags(field.value);
}

/**
 * undefined when the topmost DKIM-Signature of `signed` verifies with `publicKey` (RFC 6376
 * §6.1.3: body hash, then the signature over the signed header fields); else what is wrong.
 */
export function verifyDkimSignature(signed: Buffer, publicKey: KeyObject): string | undefined {
  const fields = headerFields(signed);
  const signature = fields[0];
  if (signature === undefined || signature.name.toLowerCase() !== 'dkim-signature') {
    return 'the message has no DKIM-Signature header field on top';
  }
  const tags = parseTags(signature.value);
  const wanted = { v: '1', a: 'rsa-sha256', c: 'relaxed/relaxed' };
  for (const [tag, value] of Object.entries(wanted)) {
    if (tags.get(tag) !== value) return `${tag}= is ${tags.get(tag) ?? 'missing'}, not ${value}`;
  }
  if (tags.has('l')) return 'l= (a partial body signature) is not expected';

  const bodyHash = createHash('sha256')
    .update(relaxedBody(bodyOf(signed)))
    .digest('base64');
  if (tags.get('bh') !== bodyHash) return 'the body hash (bh=) does not match the body';

  // §5.4.2: each name in h= takes the last not yet used field of that name, bottom up.
  const unused = fields.slice(1);
  const data: string[] = [];
  for (const name of (tags.get('h') ?? '').split(':')) {
    const index = unused.findLastIndex((f) => f.name.toLowerCase() === name.trim().toLowerCase());
    if (index === -1) continue;
    const [field] = unused.splice(index, 1);
    if (field !== undefined) data.push(`${relaxedHeader(field.name, field.value)}\r\n`);
  }
  // §3.7: the signature field itself, b= emptied, last and without its CRLF.
  const withoutB = signature.value.replace(/(^|;)([ \t\r\n]*b[ \t\r\n]*=)[^;]*/, '$1$2');
  data.push(relaxedHeader(signature.name, withoutB));
  const b = Buffer.from(tags.get('b') ?? '', 'base64');
  const ok = verify('sha256', Buffer.from(data.join(''), 'utf8'), publicKey, b);
  return ok ? undefined : 'the signature (b=) does not verify with the public key of the key';
}

export type DkimRecordVerdict =
  | { readonly kind: 'match' }
  | { readonly kind: 'missing' }
  | { readonly kind: 'differs'; readonly published: string }
  /** More than one DKIM record under the selector: RFC 6376 §3.6.2.2 leaves the result undefined. */
  | { readonly kind: 'several'; readonly count: number };

/**
 * The TXT records found at `<s>._domainkey.<d>` (each as DNS gives it: a list of character-strings,
 * joined without a separator, RFC 6376 §3.6.2.2) against the expected record: the DKIM key
 * record there (v=DKIM1 or a p= tag) matches when it has the same p= (white space ignored); more
 * than one DKIM record is its own verdict.
 */
export function compareDkimRecord(
  expected: string,
  records: readonly (readonly string[])[],
): DkimRecordVerdict {
  const key = (text: string): string | undefined =>
    parseTags(text)
      .get('p')
      ?.replace(/[ \t\r\n]/g, '');
  const wanted = key(expected);
  const published = records
    .map((chunks) => chunks.join(''))
    .filter((text) => /^\s*v\s*=\s*DKIM1\b/i.test(text) || key(text) !== undefined);
  if (published.length === 0) return { kind: 'missing' };
  // Verifiers may pick any of them (and fail the signature): a selector needs exactly one.
  if (published.length > 1) return { kind: 'several', count: published.length };
  if (key(published[0] ?? '') === wanted) return { kind: 'match' };
  return { kind: 'differs', published: published[0] ?? '' };
}

interface HeaderField {
  readonly name: string;
  /** Everything after the colon, folding kept. */
  readonly value: string;
}

function headerFields(message: Buffer): HeaderField[] {
  const end = message.indexOf('\r\n\r\n');
  const head = message.subarray(0, end === -1 ? message.length : end).toString('utf8');
  return head
    .split(/\r\n(?![ \t])/)
    .filter((line) => line.includes(':'))
    .map((line) => {
      const colon = line.indexOf(':');
      return { name: line.slice(0, colon), value: line.slice(colon + 1) };
    });
}

function bodyOf(message: Buffer): Buffer {
  const end = message.indexOf('\r\n\r\n');
  return end === -1 ? Buffer.alloc(0) : message.subarray(end + 4);
}

/** RFC 6376 §3.4.2. */
function relaxedHeader(name: string, value: string): string {
  const unfolded = value
    .replace(/\r\n/g, '')
    .replace(/[ \t]+/g, ' ')
    .trim();
  return `${name.trim().toLowerCase()}:${unfolded}`;
}

/** RFC 6376 §3.4.4: WSP runs to one space, none at line ends, no empty lines at the end. */
function relaxedBody(body: Buffer): Buffer {
  const lines = body
    .toString('latin1')
    .split('\r\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return Buffer.from(lines.length === 0 ? '' : `${lines.join('\r\n')}\r\n`, 'latin1');
}

/** `tag=value; …` (RFC 6376 §3.2), folding white space removed from the values. */
function parseTags(text: string): Map<string, string> {
  const tags = new Map<string, string>();
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).replace(/\r\n[ \t]+/g, ' ');
    tags.set(name, name === 'b' || name === 'bh' ? value.replace(/[ \t]/g, '') : value.trim());
  }
  return tags;
}
