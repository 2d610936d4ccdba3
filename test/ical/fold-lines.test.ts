import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldLine, foldLines, unfoldLines } from '../../src/ical/fold-lines.ts';

const octets = (s: string) => Buffer.byteLength(s, 'utf8');

describe('foldLine', () => {
  it('leaves lines of up to 75 octets alone', () => {
    const line = `DESCRIPTION:${'x'.repeat(63)}`;
    expect(octets(line)).toBe(75);
    expect(foldLine(line)).toBe(line);
  });

  it('folds at 75 octets, continuation lines included with their leading space', () => {
    const line = `DESCRIPTION:${'x'.repeat(200)}`;
    const physical = foldLine(line).split('\r\n');
    expect(physical.map(octets)).toEqual([75, 75, 64]);
    expect(physical.slice(1).every((l) => l.startsWith(' '))).toBe(true);
  });

  it('never splits a multi-byte character', () => {
    const line = `SUMMARY:${'日本語'.repeat(30)}`;
    for (const physical of foldLine(line).split('\r\n')) {
      expect(octets(physical)).toBeLessThanOrEqual(75);
      expect(Buffer.from(physical, 'utf8').toString('utf8')).toBe(physical);
    }
  });

  it('holds for any UTF-8 (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), (text) => {
        const line = `X-TEST:${text.replace(/[\r\n]/g, ' ')}`;
        const folded = foldLines([line]);
        expect(folded.endsWith('\r\n')).toBe(true);
        for (const physical of folded.slice(0, -2).split('\r\n')) {
          expect(octets(physical)).toBeLessThanOrEqual(75);
          // Splitting inside a surrogate pair or a UTF-8 sequence would not survive a round trip.
          expect(Buffer.from(physical, 'utf8').toString('utf8')).toBe(physical);
        }
        expect(unfoldLines(folded).slice(0, -1)).toEqual([line]);
      }),
      { numRuns: 500 },
    );
  });

  it('folds long ASCII lines (the fast path) at 75 octets too (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', maxLength: 600 }), (text) => {
        const line = `X-TEST:${text.replace(/[\r\n]/g, ' ')}`;
        const physical = foldLine(line).split('\r\n');
        expect(physical.slice(0, -1).every((l) => l.length === (l.startsWith(' ') ? 75 : 75))).toBe(
          true,
        );
        expect(physical.every((l) => l.length <= 75)).toBe(true);
        expect(unfoldLines(foldLines([line])).slice(0, -1)).toEqual([line]);
      }),
      { numRuns: 300 },
    );
  });
});
