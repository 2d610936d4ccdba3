import { describe, expect, it } from 'vitest';
import { splitMbox } from '../../src/replies/split-mbox.ts';

const strings = (bytes: string): string[] =>
  splitMbox(Buffer.from(bytes, 'latin1')).map((b) => b.toString('latin1'));

describe('splitMbox', () => {
  it('splits at "From " lines, drops the separator and the blank line before the next one', () => {
    const mbox =
      'From ada@example.com Sat Nov 21 09:00:00 2026\n' +
      'Subject: one\n\nbody one\n\n' +
      'From bob@example.org Sat Nov 21 09:05:00 2026\n' +
      'Subject: two\n\nbody two\n';
    expect(strings(mbox)).toEqual(['Subject: one\n\nbody one\n', 'Subject: two\n\nbody two\n']);
  });

  it('keeps CRLF line breaks as stored', () => {
    const mbox =
      'From a Sat Nov 21 09:00:00 2026\r\nSubject: one\r\n\r\nx\r\n\r\nFrom b Sat Nov 21 09:00:00 2026\r\nSubject: two\r\n\r\ny\r\n';
    expect(strings(mbox)).toEqual(['Subject: one\r\n\r\nx\r\n', 'Subject: two\r\n\r\ny\r\n']);
  });

  it('un-escapes one level of ">From " quoting (mboxrd; also undoes mboxo)', () => {
    const mbox =
      'From a Sat Nov 21 09:00:00 2026\nSubject: q\n\n>From here\n>>From deeper\n> From not quoted\nx >From mid-line\n';
    expect(strings(mbox)).toEqual([
      'Subject: q\n\nFrom here\n>From deeper\n> From not quoted\nx >From mid-line\n',
    ]);
  });

  it('keeps every byte (8-bit content) and treats a file without separator as one message', () => {
    const bytes = Buffer.from([0x53, 0x3a, 0x20, 0xe9, 0xff, 0x0a, 0x0a, 0x80, 0x0a]);
    const [only, ...rest] = splitMbox(bytes);
    expect(rest).toEqual([]);
    expect(only?.equals(bytes)).toBe(true);
    const framed = Buffer.concat([Buffer.from('From x Sat Nov 21 09:00:00 2026\n'), bytes]);
    expect(splitMbox(framed)[0]?.equals(bytes)).toBe(true);
  });

  it('returns nothing for an empty mbox', () => {
    expect(splitMbox(Buffer.alloc(0))).toEqual([]);
  });
});
