import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { backoffDelay } from '../../src/batch/backoff.ts';
import { SmtpInviteError } from '../../src/errors.ts';

const fixed =
  (r: number): (() => number) =>
  () =>
    r;

describe('backoffDelay', () => {
  it('doubles the ceiling per failure, with equal jitter: half fixed, half random', () => {
    const o = { baseMs: 1000, maxMs: 60_000 };
    expect(backoffDelay(1, { ...o, random: fixed(0) })).toBe(500);
    expect(backoffDelay(1, { ...o, random: fixed(0.5) })).toBe(750);
    expect(backoffDelay(2, { ...o, random: fixed(0) })).toBe(1000);
    expect(backoffDelay(3, { ...o, random: fixed(0.5) })).toBe(3000);
    expect(backoffDelay(4, { ...o, random: fixed(0.999) })).toBeCloseTo(7996, 0);
  });

  it('caps the ceiling at maxMs, also for huge attempt counts', () => {
    const o = { baseMs: 1000, maxMs: 60_000, random: fixed(0) };
    expect(backoffDelay(7, o)).toBe(30_000);
    expect(backoffDelay(8, o)).toBe(30_000);
    expect(backoffDelay(2000, o)).toBe(30_000);
    expect(backoffDelay(Number.MAX_SAFE_INTEGER, { ...o, random: fixed(0.5) })).toBe(45_000);
  });

  it('no failure, no wait', () => {
    expect(backoffDelay(0, { baseMs: 1000, maxMs: 2000, random: fixed(0.5) })).toBe(0);
  });

  it.each([
    [-1, 1000, 2000, 0.5],
    [1.5, 1000, 2000, 0.5],
    [Number.NaN, 1000, 2000, 0.5],
    [1, 0, 2000, 0.5],
    [1, -5, 2000, 0.5],
    [1, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 0.5],
    [1, 1000, 999, 0.5],
    [1, 1000, Number.NaN, 0.5],
    [1, 1000, 2000, 1],
    [1, 1000, 2000, -0.1],
    [1, 1000, 2000, Number.NaN],
  ])(
    'rejects nonsense (attempts %s, base %s, max %s, random %s) with ERR_INTERNAL',
    (n, b, m, r) => {
      let caught: unknown;
      try {
        backoffDelay(n, { baseMs: b, maxMs: m, random: fixed(r) });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(SmtpInviteError);
      expect((caught as SmtpInviteError).code).toBe('ERR_INTERNAL');
    },
  );

  it('property: within [ceiling/2, ceiling), never above maxMs, never 0, monotone in the random draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.double({ min: 1, max: 1e6, noNaN: true }),
        fc.double({ min: 1, max: 1e3, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, baseMs, factor, r1, r2) => {
          const maxMs = baseMs * factor;
          const ceiling = Math.min(maxMs, baseMs * 2 ** (n - 1));
          const d1 = backoffDelay(n, { baseMs, maxMs, random: fixed(r1) });
          const d2 = backoffDelay(n, { baseMs, maxMs, random: fixed(r2) });
          expect(d1).toBeGreaterThanOrEqual(ceiling / 2);
          expect(d1).toBeLessThan(ceiling + 1e-9);
          expect(d1).toBeLessThanOrEqual(maxMs);
          expect(d1).toBeGreaterThan(0);
          if (r1 < r2) expect(d1).toBeLessThanOrEqual(d2);
        },
      ),
    );
  });

  it('property: the ceiling never shrinks as failures accumulate', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), (n) => {
        const o = { baseMs: 250, maxMs: 120_000, random: fixed(0) };
        expect(backoffDelay(n + 1, o)).toBeGreaterThanOrEqual(backoffDelay(n, o));
      }),
    );
  });

  it('stays below the ceiling when random() is just under 1 (float rounding; found by the property)', () => {
    const ceiling = 16_777_216.052290544;
    const delay = backoffDelay(1, { baseMs: ceiling, maxMs: ceiling, random: () => 1 - 2 ** -53 });
    expect(delay).toBeLessThan(ceiling);
    expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
  });
});
