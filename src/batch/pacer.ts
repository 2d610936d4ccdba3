/**
 * The pace of a batch, shared by all its lanes: a token bucket for the configured rate, an adaptive
 * rate (AIMD: multiplicative decrease when the provider says "slow down", additive increase while
 * it stays quiet), and a pause of every lane after such a throttle reply. Pure: the clock and the
 * randomness are injected; it never sleeps, it only says how long to wait.
 *
 * Token bucket: tokens are added from the time elapsed on the injected clock (rate × Δt), never by
 * timer ticks, so a late timer does not make the batch drift slower: the next delay() is shorter by
 * what the last wake-up was late. The bucket lets whole messages through up to max(1, R/10) at
 * once, so a stall (a slow server, a laptop asleep) cannot turn into a large burst afterwards. It
 * may hold a fraction of a token beyond that (up to 1 + R/20, i.e. 50 ms of lateness), so that at
 * low rates, where that bound is a single message, a late wake-up is made up instead of lost.
 * A message costing more than the bound (e.g. a message to many recipients when the rate counts
 * recipients) starts once the bucket holds the bound and leaves it in debt, waited off by the
 * following messages: the long-run rate stays exact.
 *
 * Adaptive rate: without a configured rate the batch runs unpaced until the first throttle; then the
 * rate becomes half the rate accepted over the last 5 s (at least 0.5/s). With a configured rate R
 * it becomes half of the lower of R and that observed rate (at least min(0.5/s, R/2)). It then grows
 * by a tenth of the rate at the throttle (twice the lowered rate) per second after the pause ends,
 * so five quiet seconds bring it back to where the provider objected, and on up to R if any.
 *
 * Pause: pauseBaseMs × 2^(consecutive throttles − 1), capped at pauseMaxMs, with equal jitter (see
 * backoff.ts: half fixed, half random, so lanes spread but never skip the pause). All lanes hit by
 * the same 421 report it: throttles reported while a pause is running count once. The consecutive
 * count starts again after a message is accepted once the pause is over.
 */
import { SmtpInviteError } from '../errors.ts';
import { backoffDelay } from './backoff.ts';

export interface Pacer {
  /** ms until a message costing `cost` tokens may start (0: now). Includes an active pause. Does not take tokens. */
  delay(cost: number): number;
  /** The message starts now: take its tokens (the bucket may go negative for a cost above capacity: it then waits that debt off). */
  take(cost: number): void;
  /** The provider said slow down: pause every lane and lower the rate (multiplicative decrease). Returns the pause in ms. */
  throttled(): number;
  /** A message was accepted (cost tokens): after a quiet period the rate creeps back up (additive increase) toward the configured rate. */
  accepted(cost: number): void;
  /** Current allowed rate per second (undefined: unlimited), pause end (ms on the injected clock, 0: none), throttle count. */
  readonly rate: number | undefined;
  readonly pausedUntil: number;
  readonly throttles: number;
}

export interface PacerOptions {
  /** Messages (or recipients: whatever `cost` counts) per second; undefined: unlimited until a throttle. */
  readonly ratePerSecond?: number;
  /** The clock, in ms (Date.now, performance.now, or a test's fake clock). */
  readonly now: () => number;
  /** Uniform in [0, 1); Math.random by default. */
  readonly random?: () => number;
  /** First pause after a throttle, ms; default 1000. */
  readonly pauseBaseMs?: number;
  /** Longest pause, ms; default 60000. */
  readonly pauseMaxMs?: number;
}

/** How far back accepted messages count towards the rate observed at a throttle. */
const OBSERVED_WINDOW_MS = 5_000;
/** The observed rate is never taken over less than this (a throttle right at the start). */
const MIN_OBSERVED_SPAN_MS = 1_000;
const MIN_RATE = 0.5;
/** Timer lateness made up instead of lost, in seconds of tokens. */
const LATENESS_ALLOWANCE_S = 0.05;
/** Additive increase per second, as a share of the rate at the throttle. */
const INCREASE_SHARE = 0.1;
/**
 * A throttle soon after a decrease says nothing about the new rate: the provider's window (a
 * second, a minute) still holds the messages sent before it. So the rate is lowered again only
 * once a message was accepted after the last decrease and at least this long has passed; until
 * then a new throttle only lengthens the pause. Without this, four lanes hitting a per-second
 * window in turn halved the rate four times in 100 ms (25/s → 1.6/s) and the batch crawled.
 */
const DECREASE_COOLDOWN_MS = 1_000;
/** Float noise tolerated when comparing token counts. */
const EPSILON = 1e-9;

export function createPacer(o: PacerOptions): Pacer {
  const configured = o.ratePerSecond;
  if (configured !== undefined && !(Number.isFinite(configured) && configured > 0)) {
    throw internal(`ratePerSecond must be a finite number > 0, not ${String(configured)}`);
  }
  if (typeof o.now !== 'function') throw internal('now must be a function');
  const now = o.now;
  const random = o.random ?? Math.random;
  const pauseBaseMs = o.pauseBaseMs ?? 1_000;
  const pauseMaxMs = o.pauseMaxMs ?? 60_000;
  // Validated once here rather than at the first throttle, which may come hours later.
  backoffDelay(0, { baseMs: pauseBaseMs, maxMs: pauseMaxMs, random });

  const createdAt = now();
  let rate = configured;
  // One token to start with: the first message goes at once, and no burst precedes the pace.
  let tokens = 1;
  let refilledAt = createdAt;
  let pausedUntil = 0;
  let throttles = 0;
  let consecutive = 0;
  let increasePerSecond = 0;
  let growFrom = 0;
  let firstTakeAt: number | undefined;
  let lastDecreaseAt: number | undefined;
  let acceptedSinceDecrease = false;

  // Accepted messages of the last OBSERVED_WINDOW_MS: a queue (two arrays and a head index, so
  // dropping old entries is O(1) amortised), with the running sum of their costs.
  let times: number[] = [];
  let costs: number[] = [];
  let head = 0;
  let windowSum = 0;

  /** Whole messages (cost 1) the bucket lets through at once: max(1, R/10). */
  const burst = (r: number): number => Math.max(1, r / 10);
  /** What the bucket may hold: the burst, plus up to 50 ms of lateness below one extra message. */
  const capacity = (r: number): number => Math.max(r / 10, 1 + r * LATENESS_ALLOWANCE_S);

  function refill(t: number): void {
    if (rate === undefined) return;
    const elapsed = t - refilledAt;
    // A clock that went backwards adds nothing and keeps the later mark.
    if (elapsed <= 0) return;
    tokens = Math.min(capacity(rate), tokens + (elapsed * rate) / 1000);
    refilledAt = t;
  }

  function setRate(r: number): void {
    rate = r;
    tokens = Math.min(tokens, capacity(r));
  }

  function prune(t: number): void {
    const oldest = t - OBSERVED_WINDOW_MS;
    while (head < times.length && (times[head] ?? Infinity) <= oldest) {
      windowSum -= costs[head] ?? 0;
      head += 1;
    }
    if (head === times.length) {
      times = [];
      costs = [];
      head = 0;
      windowSum = 0;
    } else if (head > 1024 && head * 2 > times.length) {
      times = times.slice(head);
      costs = costs.slice(head);
      head = 0;
    }
  }

  function observedRate(t: number): number {
    prune(t);
    const since = t - (firstTakeAt ?? createdAt);
    const span = Math.min(OBSERVED_WINDOW_MS, Math.max(MIN_OBSERVED_SPAN_MS, since));
    return Math.max(0, windowSum) / (span / 1000);
  }

  function grow(t: number): void {
    if (rate === undefined || increasePerSecond === 0 || t <= growFrom) return;
    const ceiling = configured ?? Infinity;
    if (rate >= ceiling) return;
    refill(t);
    setRate(Math.min(ceiling, rate + (increasePerSecond * (t - growFrom)) / 1000));
    growFrom = t;
  }

  return {
    delay(cost: number): number {
      checkCost(cost);
      const t = now();
      const pause = Math.max(0, pausedUntil - t);
      if (rate === undefined) return pause;
      refill(t);
      const needed = Math.min(cost, burst(rate));
      const missing = needed - tokens;
      // Whole ms, rounded up, so a timer set to it never fires before the tokens are there.
      const wait = missing <= EPSILON ? 0 : Math.ceil((missing * 1000) / rate - EPSILON);
      return Math.max(pause, wait);
    },

    take(cost: number): void {
      checkCost(cost);
      const t = now();
      firstTakeAt ??= t;
      if (rate === undefined) return;
      refill(t);
      tokens -= cost;
    },

    throttled(): number {
      const t = now();
      // The same slow-down seen by several lanes: one throttle, one pause.
      if (t < pausedUntil) return pausedUntil - t;
      throttles += 1;
      consecutive += 1;

      const cooling =
        lastDecreaseAt !== undefined &&
        (!acceptedSinceDecrease || t - lastDecreaseAt < DECREASE_COOLDOWN_MS);
      if (!cooling) {
        const observed = observedRate(t);
        let atThrottle: number;
        if (rate === undefined) atThrottle = observed;
        else atThrottle = observed > 0 ? Math.min(rate, observed) : rate;
        const floor = configured === undefined ? MIN_RATE : Math.min(MIN_RATE, configured / 2);
        const lowered = Math.max(floor, atThrottle / 2);
        if (rate === undefined) {
          // From unlimited to paced: an empty bucket that fills during the pause.
          tokens = 0;
          refilledAt = t;
        } else {
          refill(t);
        }
        setRate(lowered);
        increasePerSecond = INCREASE_SHARE * Math.max(atThrottle, 2 * lowered);
        lastDecreaseAt = t;
        acceptedSinceDecrease = false;
      }

      const pause = backoffDelay(consecutive, { baseMs: pauseBaseMs, maxMs: pauseMaxMs, random });
      pausedUntil = t + pause;
      growFrom = pausedUntil;
      return pause;
    },

    accepted(cost: number): void {
      checkCost(cost);
      const t = now();
      times.push(t);
      costs.push(cost);
      windowSum += cost;
      prune(t);
      if (lastDecreaseAt !== undefined && t >= lastDecreaseAt) acceptedSinceDecrease = true;
      if (consecutive > 0 && t >= pausedUntil) consecutive = 0;
      grow(t);
    },

    get rate(): number | undefined {
      return rate;
    },
    get pausedUntil(): number {
      return pausedUntil;
    },
    get throttles(): number {
      return throttles;
    },
  };
}

function checkCost(cost: number): void {
  if (!(Number.isFinite(cost) && cost >= 0)) {
    throw internal(`cost must be a finite number ≥ 0, not ${String(cost)}`);
  }
}

function internal(message: string): SmtpInviteError {
  return new SmtpInviteError('ERR_INTERNAL', `pacer: ${message}`);
}
