import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import {
  containsDelimiter,
  encodeBase64Lines,
  encodeQuotedPrintable,
  encodeWords,
  isSevenBitClean,
  normalizeLineBreaks,
} from '../../src/mime/mime-codecs.ts';

/** Decodes a quoted-printable body with mailparser, as the octets of an attachment. */
async function decodeQuotedPrintable(encoded: string): Promise<Buffer> {
  const message = [
    'From: a@example.com',
    'MIME-Version: 1.0',
    'Content-Type: application/octet-stream',
    'Content-Disposition: attachment; filename="x.bin"',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    encoded,
  ].join('\r\n');
  const parsed = await simpleParser(Buffer.from(message, 'latin1'));
  const content = parsed.attachments[0]?.content;
  if (content === undefined) throw new Error('no attachment');
  return content;
}

/** The octets of one RFC 2047 encoded-word, decoded by the rules of §4 (independent of mailparser). */
function decodeWord(word: string): Buffer {
  const match = /^=\?UTF-8\?([QB])\?([^?]*)\?=$/.exec(word);
  if (match === null) throw new Error(`not an encoded-word: ${word}`);
  const [, encoding, text = ''] = match;
  if (encoding === 'B') return Buffer.from(text, 'base64');
  const octets: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '_') octets.push(0x20);
    else if (text[i] === '=') {
      octets.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else octets.push(text.charCodeAt(i));
  }
  return Buffer.from(octets);
}

function wellFormed(value: string): string {
  return value.replace(
    /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    '\uFFFD',
  );
}

describe('normalizeLineBreaks', () => {
  it.each([
    ['', ''],
    ['no breaks', 'no breaks'],
    ['a\nb\n', 'a\r\nb\r\n'],
    ['a\r\nb', 'a\r\nb'],
    ['a\rb', 'a\r\nb'],
    ['a\r\r\nb\n\rc', 'a\r\n\r\nb\r\n\r\nc'],
  ])('%j → %j', (input, output) => {
    expect(normalizeLineBreaks(input)).toBe(output);
  });
});

describe('isSevenBitClean', () => {
  it.each([
    ['empty', '', true],
    ['ASCII with CRLF', 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n', true],
    ['no final line break', 'a\r\nb', true],
    ['TAB and DEL', 'a\tb\u007f', true],
    ['a 998-octet line', 'x'.repeat(998) + '\r\ny', true],
    ['a 999-octet line', 'x'.repeat(999) + '\r\ny', false],
    ['a 999-octet last line', 'y\r\n' + 'x'.repeat(999), false],
    ['a bare LF', 'a\nb', false],
    ['a bare CR', 'a\rb\r\n', false],
    ['CR CR LF', 'a\r\r\nb', false],
    ['a leading LF', '\nb', false],
    ['NUL', 'a\u0000b', false],
    ['non-ASCII', 'Zoë', false],
    ['a lone surrogate', 'a\uD800', false],
  ])('%s', (_, text, clean) => {
    expect(isSevenBitClean(text)).toBe(clean);
  });
});

describe('containsDelimiter', () => {
  it.each([
    ['at the start', '--abc\r\nx', true],
    ['after a line break', 'x\r\n--abc--', true],
    ['as the prefix of a longer line', 'x\n--abcdef', true],
    ['in the middle of a line', 'x --abc', false],
    ['another boundary', 'x\r\n--abd', false],
    ['a signature separator', 'x\r\n-- \r\nme', false],
  ])('%s', (_, content, found) => {
    expect(containsDelimiter(content, ['zzz', 'abc'])).toBe(found);
  });
});

describe('encodeQuotedPrintable', () => {
  it.each([
    ['plain text as it is', 'Hello, world!', 'Hello, world!'],
    ['= as =3D', 'a=b', 'a=3Db'],
    ['LF as CRLF', 'a\nb\n', 'a\r\nb\r\n'],
    ['whitespace at a line end', 'x \ny\t\nz ', 'x=20\r\ny=09\r\nz=20'],
    ['- and . at a line start', '-- \n.\nmid-line.', '=2D-=20\r\n=2E\r\nmid-line.'],
    ['UTF-8 octets', 'Zoë 😀', 'Zo=C3=AB =F0=9F=98=80'],
    ['a lone surrogate as U+FFFD', 'a\uD800b', 'a=EF=BF=BDb'],
    ['controls', 'a\u0000\u0007\u007fb', 'a=00=07=7Fb'],
    ['a 76-character line unbroken', 'a'.repeat(76), 'a'.repeat(76)],
    ['a 77-character line broken', 'a'.repeat(77), 'a'.repeat(75) + '=\r\naa'],
    [
      'a soft break after a space',
      'abcdef '.repeat(12).trim(),
      'abcdef '.repeat(10) + '=\r\nabcdef abcdef',
    ],
    ['- after a soft break', 'a'.repeat(75) + '-x', 'a'.repeat(75) + '=\r\n=2Dx'],
    ['a character not split', 'a'.repeat(74) + 'é', 'a'.repeat(74) + '=\r\n=C3=A9'],
    ['escapes not split', 'é'.repeat(13), '=C3=A9'.repeat(12) + '=\r\n=C3=A9'],
  ])('%s', (_, input, output) => {
    expect(encodeQuotedPrintable(input)).toBe(output);
  });

  const tricky = fc.constantFrom(
    '\n',
    '\r\n',
    '\r',
    ' ',
    '\t',
    '-',
    '.',
    '=',
    '--b',
    'é',
    '😀',
    '\uD800',
    '\u0000',
    'x'.repeat(80),
  );
  const text = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc
      .array(fc.oneof(tricky, fc.string({ maxLength: 6 })), { maxLength: 80 })
      .map((a) => a.join('')),
  );

  it('writes short ASCII lines that never start with - or . and decode to the UTF-8 text (property)', async () => {
    await fc.assert(
      fc.asyncProperty(text, async (input) => {
        const encoded = encodeQuotedPrintable(input);
        expect(/^[\t\r\n\x20-\x7e]*$/.test(encoded)).toBe(true);
        expect(/\r(?!\n)|(?<!\r)\n/.test(encoded)).toBe(false);
        for (const line of encoded.split('\r\n')) {
          expect(line.length).toBeLessThanOrEqual(76);
          expect(/^[-.]/.test(line)).toBe(false);
          expect(/[ \t]$/.test(line)).toBe(false);
          expect(/=(?![0-9A-F]{2}|$)/.test(line)).toBe(false);
        }
        const decoded = await decodeQuotedPrintable(encoded);
        expect(decoded.toString('utf8')).toBe(normalizeLineBreaks(wellFormed(input)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('encodeBase64Lines', () => {
  it('writes 76-character lines that decode to the octets', () => {
    const data = 'BEGIN:VCALENDAR\r\nSUMMARY:Zoë 🎉\r\n'.repeat(10);
    const encoded = encodeBase64Lines(data);
    const lines = encoded.split('\r\n');
    expect(lines.slice(0, -1).every((line) => line.length === 76)).toBe(true);
    expect(lines.at(-1)!.length).toBeLessThanOrEqual(76);
    expect(Buffer.from(lines.join(''), 'base64').toString('utf8')).toBe(data);
    expect(encodeBase64Lines('')).toBe('');
    expect(encodeBase64Lines(Buffer.from([0xff]))).toBe('/w==');
  });
});

describe('encodeWords', () => {
  it.each([
    ['Zoë', 'phrase', ['=?UTF-8?Q?Zo=C3=AB?=']],
    ['a b:c', 'phrase', ['=?UTF-8?Q?a_b=3Ac?=']],
    ['a b:c(d)', 'phrase', ['=?UTF-8?Q?a_b=3Ac=28d=29?=']],
    ['Ünïcödé', 'phrase', ['=?UTF-8?B?w5xuw69jw7Zkw6k=?=']],
    ['a b:c(d)', 'text', ['=?UTF-8?Q?a_b:c=28d=29?=']],
    ['日本語', 'text', ['=?UTF-8?B?5pel5pys6Kqe?=']],
    ['', 'text', []],
  ] as const)('%j in a %s', (value, context, words) => {
    expect(encodeWords(value, context, 75)).toEqual(words);
  });

  it('splits only between characters, within 75 characters a word (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.constantFrom<'text' | 'phrase'>('text', 'phrase'),
        fc.integer({ min: 0, max: 90 }),
        (value, context, firstMax) => {
          const words = encodeWords(value, context, firstMax);
          const decoder = new TextDecoder('utf-8', { fatal: true });
          let decoded = '';
          words.forEach((word, index) => {
            expect(word.length).toBeLessThanOrEqual(
              index === 0 ? Math.min(75, Math.max(firstMax, 24)) : 75,
            );
            expect(/^[\x21-\x7e]+$/.test(word)).toBe(true);
            if (context === 'phrase')
              expect(/^=\?UTF-8\?[QB]\?[A-Za-z0-9!*+\-/=_]*\?=$/.test(word)).toBe(true);
            // A word that does not decode on its own as UTF-8 would make this throw.
            decoded += decoder.decode(decodeWord(word));
          });
          expect(decoded).toBe(wellFormed(value));
        },
      ),
      { numRuns: 500 },
    );
  });
});
