/**
 * base64 and quoted-printable decoding that reports damage (RFC 2045 §6.7, §6.8).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64, decodeQuotedPrintable } from '../../src/inspect/mime-body-decoders.ts';

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');
const base64 = (text: string): { text: string; problems: readonly string[] } => {
  const decoded = decodeBase64(bytes(text));
  return { text: decoded.content.toString('latin1'), problems: decoded.problems };
};
const qp = (text: string): { text: string; problems: readonly string[] } => {
  const decoded = decodeQuotedPrintable(bytes(text));
  return { text: decoded.content.toString('latin1'), problems: decoded.problems };
};

describe('decodeBase64', () => {
  it('decodes across line breaks and white space, with either padding', () => {
    expect(base64('QkVHSU46\r\nVkNB TEVO\tREFS\nQQ==\r\n')).toEqual({
      text: 'BEGIN:VCALENDARA',
      problems: [],
    });
    expect(base64('QUI=')).toEqual({ text: 'AB', problems: [] });
    expect(base64('')).toEqual({ text: '', problems: [] });
  });

  it('equals Node on any clean encoding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        const encoded = Buffer.from(data)
          .toString('base64')
          .replace(/.{1,76}/g, '$&\r\n');
        const decoded = decodeBase64(Buffer.from(encoded));
        expect(decoded.problems).toEqual([]);
        expect(decoded.content).toEqual(Buffer.from(data));
      }),
    );
  });

  it('skips characters outside the alphabet and reports them', () => {
    expect(base64('QkVH*SU4!6')).toEqual({
      text: 'BEGIN:',
      problems: [
        '2 character(s) outside the base64 alphabet were ignored (first at offset 4: 0x2a)',
      ],
    });
    // base64url is not base64: Outlook and Gmail do not accept it either.
    expect(base64('-_-_').problems).toEqual([
      '4 character(s) outside the base64 alphabet were ignored (first at offset 0: 0x2d)',
    ]);
  });

  it('reports missing, misplaced and miscounted padding, decoding what it can', () => {
    expect(base64('QUI')).toEqual({
      text: 'AB',
      problems: ['the base64 data is not padded to a multiple of 4 characters'],
    });
    expect(base64('QUJD=')).toEqual({
      text: 'ABC',
      problems: ['misplaced "=" padding inside the base64 data'],
    });
    expect(base64('QQ=')).toEqual({
      text: 'A',
      problems: ['wrong number of "=" padding characters'],
    });
    expect(base64('QUJDR')).toEqual({
      text: 'ABC',
      problems: ['the base64 data ends with a dangling character (6 bits dropped)'],
    });
  });

  it('decodes concatenated encodings and says so', () => {
    expect(base64('QQ==QkM=')).toEqual({
      text: 'ABC',
      problems: ['data follows the "=" padding (concatenated base64?)'],
    });
  });
});

describe('decodeQuotedPrintable', () => {
  it('decodes =XX (either case), soft breaks after CRLF or LF, and keeps hard breaks as written', () => {
    expect(qp('caf=E9 =c3=a9=\r\nt=3D1=\nx\r\ny\nz')).toEqual({
      text: 'caf\xe9 \xc3\xa9t=1x\r\ny\nz',
      problems: [],
    });
  });

  it('treats "=" with transport padding before the line end, or at the very end, as a soft break', () => {
    expect(qp('a= \t\r\nb=')).toEqual({ text: 'ab', problems: [] });
    expect(qp('END:VCALENDAR=0D=0A=')).toEqual({ text: 'END:VCALENDAR\r\n', problems: [] });
  });

  it('deletes trailing white space before a hard line break (§6.7 rule 3), not elsewhere', () => {
    expect(qp('a  \r\nb \t\nc d\t')).toEqual({ text: 'a\r\nb\nc d', problems: [] });
  });

  it('keeps an "=" that starts no escape literally, and reports it', () => {
    expect(qp('CN=Receiver;EMAIL=3Dr@x;X=1=\rY')).toEqual({
      text: 'CN=Receiver;EMAIL=r@x;X=1=\rY',
      problems: [
        '3 "=" not followed by two hex digits or a line break were kept literally (first at offset 2: "=Re")',
      ],
    });
    expect(qp('=4').text).toBe('=4');
  });

  it('decodes any data written entirely as =XX escapes with soft breaks', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
        const encoded = [...data].map((b) => '=' + b.toString(16).toUpperCase().padStart(2, '0'));
        const lines = encoded.join('').replace(/.{1,72}/g, '$&=\r\n');
        const decoded = decodeQuotedPrintable(Buffer.from(lines));
        expect(decoded.problems).toEqual([]);
        expect(decoded.content).toEqual(Buffer.from(data));
      }),
    );
  });
});
