/**
 * parseMimeTree survives anything: arbitrary bytes, truncated and mutated real messages, and
 * hostile shapes at 5-20 MB. It never throws, never reports an internal error, keeps its limits,
 * and stays linear (generous time budgets, far above the measured times, catch a quadratic scan).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { walkMime, type MimeNode } from '../../src/inspect/mime-model.ts';
import { parseMimeTree, type MimeParseLimits } from '../../src/inspect/parse-mime-tree.ts';

const CODES = new Set([
  'unclosed-boundary',
  'missing-boundary',
  'bad-base64',
  'bad-quoted-printable',
  'unknown-transfer-encoding',
  'invalid-header',
  'eight-bit-in-seven-bit',
  'too-deep',
  'too-many-parts',
  'no-header-separator',
  'bare-lf',
]);
const MEDIA_TYPE = /^[!#$%&'*+.^_`|~0-9a-z-]+\/[!#$%&'*+.^_`|~0-9a-z-]+$/;

/** What must hold for any input. */
function checkInvariants(
  raw: Buffer,
  limits: MimeParseLimits = { maxDepth: 20, maxParts: 500 },
): MimeNode {
  const root = parseMimeTree(raw, limits);
  const nodes = walkMime(root);
  expect(root.path).toBe('');
  expect(nodes.length).toBeLessThanOrEqual(limits.maxParts);
  for (const node of nodes) {
    node.children.forEach((child, i) => {
      expect(child.path).toBe(node.path === '' ? String(i + 1) : `${node.path}.${i + 1}`);
    });
    expect(node.path === '' ? 0 : node.path.split('.').length).toBeLessThanOrEqual(limits.maxDepth);
    expect(node.contentType).toMatch(MEDIA_TYPE);
    for (const name of Object.keys(node.params)) expect(name).toBe(name.toLowerCase());
    expect(node.size).toBeGreaterThanOrEqual(0);
    expect(node.size).toBeLessThanOrEqual(raw.length);
    if (node.children.length > 0) expect(node.content).toBeUndefined();
    for (const problem of node.problems) {
      expect(CODES.has(problem.code), `${problem.code}: ${problem.message}`).toBe(true);
      expect(problem.message.length).toBeLessThan(400);
    }
  }
  return root;
}

const messages = new URL('../../fixtures/messages/', import.meta.url).pathname;
const REAL = [
  'thunderbird/outlook-test-invite.eml',
  'thunderbird/meet-meeting-invite.eml',
  'thunderbird/single-event.eml',
  'thunderbird/invite.eml',
  'thunderbird/message-containing-event.eml',
  'apple-ccs/good_reply',
  'james/gmail.mime',
  'libical/complex-mime.txt',
  'libical/complex-mime-error.txt',
].map((name) => readFileSync(join(messages, name)));

// Bytes that steer a parser into its corners, mixed with arbitrary ones.
const TOKENS = [
  '\r\n',
  '\n',
  '\r',
  '\r\n\r\n',
  '\n\n',
  ' ',
  '\t',
  ':',
  ';',
  '=',
  '"',
  '\\',
  '(',
  ')',
  '--',
  '--b',
  '--b--',
  'Content-Type: multipart/mixed; boundary=b\r\n',
  'Content-Type: multipart/alternative; boundary="b"\n',
  'Content-Type: message/rfc822\r\n',
  "Content-Type: text/calendar; name*0*=utf-8''%C3; name*1*=%A9\r\n",
  'Content-Transfer-Encoding: base64\r\n',
  'Content-Transfer-Encoding: quoted-printable\r\n',
  'Content-Disposition: attachment; filename="=?UTF-8?B?w6k=?="\r\n',
  '=?utf-8?q?',
  '?=',
  '=3D',
  '=\r\n',
  '\u0000',
  '\u00e9',
];
const hostileBytes = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...TOKENS).map((t) => Buffer.from(t, 'latin1')) },
      {
        weight: 2,
        arbitrary: fc.uint8Array({ minLength: 1, maxLength: 8 }).map((a) => Buffer.from(a)),
      },
    ),
    { maxLength: 80 },
  )
  .map((chunks) => Buffer.concat(chunks));

describe('parseMimeTree never throws and keeps its invariants', () => {
  it('on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (data) => {
        checkInvariants(Buffer.from(data));
      }),
      { numRuns: 300 },
    );
  });

  it('on MIME-shaped hostile bytes, with small limits too', () => {
    fc.assert(
      fc.property(
        hostileBytes,
        fc.record({
          maxDepth: fc.integer({ min: 0, max: 6 }),
          maxParts: fc.integer({ min: 1, max: 12 }),
        }),
        (raw, limits) => {
          checkInvariants(raw);
          checkInvariants(raw, limits);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('on truncations of real messages', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...REAL),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (raw, at) => {
          checkInvariants(raw.subarray(0, Math.floor(raw.length * at)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('on real messages with bytes replaced, inserted or deleted', () => {
    const edit = fc.record({
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      remove: fc.integer({ min: 0, max: 40 }),
      insert: fc.oneof(
        hostileBytes,
        fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
      ),
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...REAL),
        fc.array(edit, { minLength: 1, maxLength: 6 }),
        (raw, edits) => {
          let mutated = raw;
          for (const { at, remove, insert } of edits) {
            const i = Math.floor(mutated.length * at);
            mutated = Buffer.concat([mutated.subarray(0, i), insert, mutated.subarray(i + remove)]);
          }
          checkInvariants(mutated);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('accepts a plain Uint8Array, and does not throw even on a non-buffer', () => {
    const bytes = new Uint8Array(Buffer.from('Subject: x\r\n\r\nbody'));
    expect(parseMimeTree(bytes as Buffer).content?.toString()).toBe('body');
    const broken = parseMimeTree(null as unknown as Buffer);
    expect(broken.problems.map((p) => p.code)).toEqual(['internal-error']);
  });

  it('treats odd limits sanely', () => {
    const raw = REAL[1] as Buffer;
    expect(walkMime(parseMimeTree(raw, { maxParts: 0 }))).toHaveLength(1);
    expect(walkMime(parseMimeTree(raw, { maxDepth: -1, maxParts: Number.NaN }))).toHaveLength(6);
    expect(walkMime(parseMimeTree(raw, { maxDepth: 0 }))).toHaveLength(1);
  });
});

describe('parseMimeTree stays linear on large and hostile input', () => {
  // Measured at 5-250 ms each; the budget only catches an accidental quadratic scan.
  const BUDGET_MS = 3000;
  const timed = (raw: Buffer): MimeNode => {
    const started = performance.now();
    const root = checkInvariants(raw);
    expect(performance.now() - started).toBeLessThan(BUDGET_MS);
    return root;
  };
  const MB = 1024 * 1024;

  it('a 20 MB message with a base64 attachment', () => {
    const attachment = randomBytes(15 * MB)
      .toString('base64')
      .replace(/.{76}/g, '$&\r\n');
    const root = timed(
      Buffer.from(
        `Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nhi\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${attachment}\r\n--b--\r\n`,
      ),
    );
    expect(root.children[1]?.content?.length).toBe(15 * MB);
  });

  it('20 MB of random bytes, of NULs, of line feeds and of header lines', () => {
    timed(randomBytes(20 * MB));
    timed(Buffer.alloc(20 * MB));
    timed(Buffer.alloc(20 * MB, 0x0a));
    const headers = timed(Buffer.from('X-A: b\r\n'.repeat(2.5 * MB)));
    expect(headers.headers).toHaveLength(10_000);
  });

  it('100k boundaries, and 20 MB of lines that almost match the boundary', () => {
    const many = timed(
      Buffer.from(
        'Content-Type: multipart/mixed; boundary=x\r\n\r\n' + '--x\r\n\r\nA\r\n'.repeat(100_000),
      ),
    );
    expect(walkMime(many)).toHaveLength(500);
    const boundary = 'a'.repeat(70);
    timed(
      Buffer.from(
        `Content-Type: multipart/mixed; boundary=${boundary}\r\n\r\n--${boundary}\r\n\r\n` +
          `--${boundary.slice(1)}\r\n x--${boundary}\r\n--${boundary}x\r\n`.repeat(90_000),
      ),
    );
    timed(Buffer.from('Content-Type: multipart/mixed; boundary=-\r\n\r\n' + '-'.repeat(20 * MB)));
  });

  it('5 MB header lines: plain, unterminated quote, backslashes, comments, parameters', () => {
    const big = (header: string): Buffer => Buffer.from(`${header}\r\n\r\nbody`, 'latin1');
    const five = 5 * MB;
    timed(big('Subject: ' + 'a'.repeat(five)));
    timed(big('x'.repeat(five)));
    timed(big('Content-Type: multipart/mixed; boundary="' + 'b'.repeat(five)));
    timed(big('Content-Type: text/plain; name="' + '\\'.repeat(five)));
    timed(big('Content-Type: text/plain' + '('.repeat(five)));
    timed(big('Content-Type: text/plain' + '; a=b'.repeat(five / 5)));
    timed(big('Content-Type: text/plain; name="' + '=?utf-8?q?a?= '.repeat(five / 14) + '"'));
    timed(big('Content-Type: text/plain' + ' '.repeat(five) + 'x'));
  });

  it('deeply nested multiparts and messages around a 10 MB body', () => {
    let nested = 'Content-Type: text/plain\r\n\r\n' + 'y\r\n'.repeat(3_500_000);
    for (let i = 0; i < 30; i++)
      nested = `Content-Type: multipart/mixed; boundary=${i}\r\n\r\n--${i}\r\n${nested}\r\n--${i}--\r\n`;
    const root = timed(Buffer.from(nested));
    expect(walkMime(root).some((n) => n.problems.some((p) => p.code === 'too-deep'))).toBe(true);
    let messages = 'Subject: x\r\n\r\n' + 'z'.repeat(10 * MB);
    for (let i = 0; i < 1000; i++) messages = `Content-Type: message/rfc822\r\n\r\n${messages}`;
    timed(Buffer.from(messages));
  });
});
