/**
 * Charsets: bytes to text with the damage reported, RFC 2047 encoded-words for file names.
 */
import { describe, expect, it } from 'vitest';
import { decodeCharset, decodeEncodedWords, decodeText } from '../../src/inspect/mime-charset.ts';

describe('decodeText', () => {
  it('reads UTF-8 when no charset is given, dropping a BOM as clients do', () => {
    expect(decodeText(Buffer.from('\ufeffBEGIN:VCALENDAR'), undefined)).toEqual({
      text: 'BEGIN:VCALENDAR',
    });
    expect(decodeText(Buffer.from('x'), '  ')).toEqual({ text: 'x' });
  });

  it('uses the WHATWG labels MIME charsets map to', () => {
    expect(decodeText(Buffer.from([0x80]), 'us-ascii')).toEqual({ text: '€' });
    expect(decodeText(Buffer.from([0x93, 0xfa]), 'Shift_JIS')).toEqual({ text: '日' });
    expect(decodeText(Buffer.from('é'), 'UTF8')).toEqual({ text: 'é' });
  });

  it('reports invalid bytes for the charset given', () => {
    expect(decodeText(Buffer.from([0xe6, 0x97]), 'utf-8')).toEqual({
      text: '\ufffd',
      problem: 'the content is not valid utf-8; invalid bytes were replaced with U+FFFD',
    });
  });

  it('treats charsets WHATWG maps to "replacement" as unknown', () => {
    expect(decodeText(Buffer.from('abc'), 'iso-2022-kr')).toEqual({
      text: 'abc',
      problem: 'unknown charset "iso-2022-kr"; the content was decoded as UTF-8',
    });
  });
});

describe('decodeCharset', () => {
  it('decodes known charsets, with an RFC 2231 language suffix, and refuses unknown ones', () => {
    expect(decodeCharset(Buffer.from([0xe9]), 'ISO-8859-1*fr')).toBe('é');
    expect(decodeCharset(Buffer.from('x'), 'x-unknown')).toBeUndefined();
  });
});

describe('decodeEncodedWords', () => {
  it('decodes B and Q words in any case, Q underscores as spaces', () => {
    expect(decodeEncodedWords('=?UTF-8?B?UsOpdW5pb24=?= =?iso-8859-1?q?caf=E9_cr=E8me?=')).toBe(
      'Réunioncafé crème',
    );
  });

  it('drops the white space between adjacent words only (RFC 2047 §6.2)', () => {
    expect(decodeEncodedWords('a =?utf-8?q?b?=\r\n =?utf-8?q?c?= d =?utf-8?q?e?=')).toBe(
      'a bc d e',
    );
  });

  it('joins adjacent words of one charset before decoding, so split characters survive', () => {
    // "é" (C3 A9) split across two words, as some encoders do.
    expect(decodeEncodedWords('=?UTF-8?B?w4=?= =?UTF-8?B?qQ==?=')).toBe('é');
    expect(decodeEncodedWords('=?UTF-8?Q?=C3?= =?UTF-8?Q?=A9?=.ics')).toBe('é.ics');
  });

  it('keeps words in an unknown charset as written, and plain text untouched', () => {
    expect(decodeEncodedWords('=?x-klingon?Q?a?=  =?x-klingon?Q?b?= .ics')).toBe(
      '=?x-klingon?Q?a?=  =?x-klingon?Q?b?= .ics',
    );
    expect(decodeEncodedWords('invite.ics')).toBe('invite.ics');
    expect(decodeEncodedWords('=?utf-8?x?abc?=')).toBe('=?utf-8?x?abc?=');
  });
});
