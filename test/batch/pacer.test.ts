/**
 * The pacer against a fake clock: the achieved rate over long runs (with and without timer
 * lateness), the burst bound after a stall, debts of costly messages, the adaptive rate (AIMD)
 * and the pause after throttles.
 */
import { describe, expect, it } from 'vitest';

import type { Pacer } from '../../src/batch/pacer.ts';
import { createPacer } from '../../src/batch/pacer.ts';
import { SmtpInviteError } from '../../src/errors.ts';

interface Clock {
  t: number;
  readonly now: () => number;
}
function fakeClock(start = 1_000_000): Clock {
  const clock = {
    t: start,
    now: () => clock.t,
  };
  return clock;
}

/** A deterministic PRNG (mulberry32) for timer lateness. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A sender that waits delay() (plus some timer lateness when it had to set a timer) before each
 * take(), like a lane does. Returns the start time of every message.
 */
function run(
  pacer: Pacer,
  clock: Clock,
  messages: number,
  o: { cost?: number; lateness?: () => number } = {},
): number[] {
  const starts: number[] = [];
  const cost = o.cost ?? 1;
  for (let i = 0; i < messages; i += 1) {
    for (;;) {
      const d = pacer.delay(cost);
      if (d === 0) break;
      clock.t += d + (o.lateness?.() ?? 0);
    }
    pacer.take(cost);
    starts.push(clock.t);
    pacer.accepted(cost);
  }
  return starts;
}

function achievedRate(starts: readonly number[], cost = 1): number {
  const first = starts[0] ?? 0;
  const last = starts.at(-1) ?? 0;
  return ((starts.length - 1) * cost) / ((last - first) / 1000);
}

const half = (): number => 0.5;

describe('token bucket', () => {
  it.each([0.5, 1, 3, 7, 9, 15, 30, 200, 1000])(
    'achieves %s/s within 1 percent over 10,000 messages',
    (rate) => {
      const clock = fakeClock();
      const pacer = createPacer({ ratePerSecond: rate, now: clock.now });
      const starts = run(pacer, clock, 10_000);
      expect(Math.abs(achievedRate(starts) / rate - 1)).toBeLessThan(0.01);
    },
  );

  it.each([3, 9, 30, 200, 1000])(
    'late timers (0–20 ms each) do not drift: %s/s within 1 percent over 10,000 messages',
    (rate) => {
      const clock = fakeClock();
      const random = prng(rate);
      const pacer = createPacer({ ratePerSecond: rate, now: clock.now });
      const starts = run(pacer, clock, 10_000, { lateness: () => random() * 20 });
      expect(Math.abs(achievedRate(starts) / rate - 1)).toBeLessThan(0.01);
    },
  );

  it('the first message goes at once, the second after 1/R', () => {
    const clock = fakeClock();
    const pacer = createPacer({ ratePerSecond: 4, now: clock.now });
    expect(pacer.delay(1)).toBe(0);
    pacer.take(1);
    expect(pacer.delay(1)).toBe(250);
    clock.t += 100;
    expect(pacer.delay(1)).toBe(150);
    expect(pacer.rate).toBe(4);
  });

  it.each([
    [1, 1],
    [5, 1],
    [15, 1],
    [20, 2],
    [100, 10],
    [1000, 100],
  ])('after an hour-long stall at %s/s at most %s messages start at once', (rate, bound) => {
    const clock = fakeClock();
    const pacer = createPacer({ ratePerSecond: rate, now: clock.now });
    run(pacer, clock, 50);
    clock.t += 3_600_000;
    let burst = 0;
    while (pacer.delay(1) === 0 && burst < 10_000) {
      pacer.take(1);
      burst += 1;
    }
    expect(burst).toBe(bound);
  });

  it('a message costing more than the bucket holds goes, and its debt is waited off', () => {
    const clock = fakeClock();
    // 2 recipients per second, messages to 5 recipients.
    const pacer = createPacer({ ratePerSecond: 2, now: clock.now });
    expect(pacer.delay(5)).toBe(0);
    pacer.take(5);
    // 1 − 5 = −4 tokens; the next message waits until the bucket is full (1.0) again: 2.5 s.
    expect(pacer.delay(5)).toBe(2500);
    const starts = run(pacer, clock, 2_000, { cost: 5 });
    expect(Math.abs(achievedRate(starts, 5) / 2 - 1)).toBeLessThan(0.01);
  });

  it('cost 0 does not wait (unless the bucket is in debt)', () => {
    const clock = fakeClock();
    const pacer = createPacer({ ratePerSecond: 1, now: clock.now });
    pacer.take(1);
    expect(pacer.delay(0)).toBe(0);
    pacer.take(3);
    expect(pacer.delay(0)).toBe(3000);
  });

  it('a clock that goes backwards adds no tokens and breaks nothing', () => {
    const clock = fakeClock();
    const pacer = createPacer({ ratePerSecond: 10, now: clock.now });
    pacer.take(1);
    clock.t -= 10_000;
    expect(pacer.delay(1)).toBe(100);
    clock.t += 10_100;
    expect(pacer.delay(1)).toBe(0);
  });

  it('without a rate nothing waits', () => {
    const clock = fakeClock();
    const pacer = createPacer({ now: clock.now });
    for (let i = 0; i < 1000; i += 1) {
      expect(pacer.delay(1)).toBe(0);
      pacer.take(1);
      pacer.accepted(1);
    }
    expect(pacer.rate).toBeUndefined();
    expect(pacer.pausedUntil).toBe(0);
    expect(pacer.throttles).toBe(0);
  });
});

describe('throttle: pause and adaptive rate', () => {
  /** 100 messages per second for `seconds`, unpaced (an unlimited pacer does not slow them). */
  function steady(pacer: Pacer, clock: Clock, perSecond: number, seconds: number): void {
    for (let i = 0; i < perSecond * seconds; i += 1) {
      clock.t += 1000 / perSecond;
      pacer.take(1);
      pacer.accepted(1);
    }
  }

  it('unlimited: the first throttle sets half the rate observed over the last 5 s and pauses', () => {
    const clock = fakeClock();
    const pacer = createPacer({ now: clock.now, random: half });
    steady(pacer, clock, 100, 20);
    const at = clock.t;
    const pause = pacer.throttled();
    // Equal jitter with random 0.5: 0.75 × 1000 ms.
    expect(pause).toBe(750);
    expect(pacer.pausedUntil).toBe(at + 750);
    expect(pacer.throttles).toBe(1);
    expect(pacer.rate).toBeCloseTo(50, 6);
    expect(pacer.delay(1)).toBe(750);
    clock.t += 749;
    expect(pacer.delay(1)).toBe(1);
    clock.t += 1;
    // The bucket filled during the pause (50/s × 0.75 s, capped at max(5, 1 + 50/20)).
    expect(pacer.delay(1)).toBe(0);
  });

  it('a throttle right at the start uses at least 1 s of history and a floor of 0.5/s', () => {
    const clock = fakeClock();
    const pacer = createPacer({ now: clock.now, random: half });
    pacer.throttled();
    expect(pacer.rate).toBe(0.5);

    const clock2 = fakeClock();
    const early = createPacer({ now: clock2.now, random: half });
    // 10 messages within 100 ms: counted over 1 s, not extrapolated to 100/s.
    steady(early, clock2, 100, 0.1);
    early.throttled();
    expect(early.rate).toBeCloseTo(5, 6);
  });

  it('additive increase after the pause: +10% of the rate at the throttle per second', () => {
    const clock = fakeClock();
    const pacer = createPacer({ now: clock.now, random: half });
    steady(pacer, clock, 100, 10);
    pacer.throttled();
    expect(pacer.rate).toBeCloseTo(50, 6);
    // Accepted during the pause: no growth yet.
    clock.t += 500;
    pacer.accepted(1);
    expect(pacer.rate).toBeCloseTo(50, 6);
    clock.t = pacer.pausedUntil + 1000;
    pacer.accepted(1);
    expect(pacer.rate).toBeCloseTo(60, 6);
    clock.t += 4000;
    pacer.accepted(1);
    expect(pacer.rate).toBeCloseTo(100, 6);
    // Without a configured rate it keeps growing until the provider objects again.
    clock.t += 5000;
    pacer.accepted(1);
    expect(pacer.rate).toBeCloseTo(150, 6);
  });

  it('with a configured rate: halves the lower of it and the observed rate, grows back up to it only', () => {
    const clock = fakeClock();
    const pacer = createPacer({ ratePerSecond: 80, now: clock.now, random: half });
    run(pacer, clock, 800);
    pacer.throttled();
    expect(pacer.rate).toBeCloseTo(40, 1);
    clock.t = pacer.pausedUntil;
    run(pacer, clock, 2000);
    expect(pacer.rate).toBe(80);
    // The achieved rate after recovery is the configured one again.
    const starts = run(pacer, clock, 4000);
    expect(Math.abs(achievedRate(starts) / 80 - 1)).toBeLessThan(0.01);
  });

  it('a low configured rate: the floor is half of it, not 0.5/s above it', () => {
    const clock = fakeClock();
    const pacer = createPacer({ ratePerSecond: 0.5, now: clock.now, random: half });
    run(pacer, clock, 20);
    pacer.throttled();
    expect(pacer.rate).toBeCloseTo(0.25, 6);
    clock.t = pacer.pausedUntil + 1;
    pacer.throttled();
    expect(pacer.rate).toBeCloseTo(0.25, 6);
  });

  it('the pause doubles per consecutive throttle, capped, and starts again after an accepted message', () => {
    const clock = fakeClock();
    const pacer = createPacer({
      now: clock.now,
      random: half,
      pauseBaseMs: 1000,
      pauseMaxMs: 8000,
    });
    const pauses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      pauses.push(pacer.throttled());
      clock.t = pacer.pausedUntil;
    }
    expect(pauses).toEqual([750, 1500, 3000, 6000, 6000, 6000]);
    expect(pacer.throttles).toBe(6);

    // Accepted while paused does not reset the count…
    pacer.throttled();
    clock.t += 10;
    pacer.accepted(1);
    clock.t = pacer.pausedUntil;
    expect(pacer.throttled()).toBe(6000);
    // …accepted after the pause does.
    clock.t = pacer.pausedUntil;
    pacer.accepted(1);
    expect(pacer.throttled()).toBe(750);
  });

  it('throttles reported by several lanes within one pause count once', () => {
    const clock = fakeClock();
    const pacer = createPacer({ now: clock.now, random: half });
    steady(pacer, clock, 100, 10);
    const first = pacer.throttled();
    const rate = pacer.rate;
    clock.t += 100;
    expect(pacer.throttled()).toBe(first - 100);
    clock.t += 100;
    expect(pacer.throttled()).toBe(first - 200);
    expect(pacer.throttles).toBe(1);
    expect(pacer.rate).toBe(rate);
    // After the pause a new throttle counts again, with a longer pause.
    clock.t = pacer.pausedUntil;
    expect(pacer.throttled()).toBe(1500);
    expect(pacer.throttles).toBe(2);
  });

  it('the rate is lowered again only after a message was accepted at the new rate and 1 s passed', () => {
    const clock = fakeClock();
    const pacer = createPacer({ now: clock.now, random: half, pauseBaseMs: 20, pauseMaxMs: 200 });
    steady(pacer, clock, 100, 10);
    pacer.throttled();
    const lowered = pacer.rate;
    expect(lowered).toBeDefined();
    // Other lanes hit the provider's still-full window right after the pause: pause, same rate.
    for (let i = 0; i < 3; i += 1) {
      clock.t = pacer.pausedUntil;
      pacer.throttled();
      expect(pacer.rate).toBe(lowered);
    }
    // A message accepted at the new rate, but within the cooldown: still the same rate.
    clock.t = pacer.pausedUntil;
    pacer.accepted(1);
    clock.t += 10;
    pacer.throttled();
    expect(pacer.rate).toBeGreaterThanOrEqual(lowered ?? 0);
    // After the cooldown and an accepted message, a throttle lowers it again.
    clock.t = pacer.pausedUntil + 1000;
    pacer.accepted(1);
    const before = pacer.rate ?? 0;
    pacer.throttled();
    expect(pacer.rate).toBeLessThan(before);
    expect(pacer.throttles).toBe(6);
  });

  it('the jitter spreads pauses between half and all of the ceiling', () => {
    const clock = fakeClock();
    const low = createPacer({ now: clock.now, random: () => 0 });
    const high = createPacer({ now: clock.now, random: () => 0.999999 });
    expect(low.throttled()).toBe(500);
    expect(high.throttled()).toBeCloseTo(1000, 0);
  });
});

describe('validation', () => {
  const expectInternal = (fn: () => unknown): void => {
    let caught: unknown;
    try {
      fn();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SmtpInviteError);
    expect((caught as SmtpInviteError).code).toBe('ERR_INTERNAL');
  };

  it('rejects nonsense options and costs with ERR_INTERNAL', () => {
    const now = (): number => 0;
    expectInternal(() => createPacer({ now, ratePerSecond: 0 }));
    expectInternal(() => createPacer({ now, ratePerSecond: -1 }));
    expectInternal(() => createPacer({ now, ratePerSecond: Number.POSITIVE_INFINITY }));
    expectInternal(() => createPacer({ now, ratePerSecond: Number.NaN }));
    expectInternal(() => createPacer({ now, pauseBaseMs: 0 }));
    expectInternal(() => createPacer({ now, pauseBaseMs: 2000, pauseMaxMs: 1000 }));
    const pacer = createPacer({ now, ratePerSecond: 1 });
    expectInternal(() => pacer.delay(-1));
    expectInternal(() => pacer.take(Number.NaN));
    expectInternal(() => pacer.accepted(Number.POSITIVE_INFINITY));
  });
});
