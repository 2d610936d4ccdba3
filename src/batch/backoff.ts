/**
 * How long to wait before retrying after a failure: exponential backoff with "equal jitter".
 * Pure: the randomness is injected.
 *
 * After n failed attempts the ceiling is min(maxMs, baseMs × 2^(n−1)); the delay is half of that
 * ceiling fixed plus a random share of the other half, so it lies in [ceiling/2, ceiling). The
 * fixed half keeps the wait from collapsing to nothing (as "full jitter" may), and the random
 * half spreads the retries of many lanes or recipients that failed at the same moment, so they
 * do not all come back together ("Exponential Backoff And Jitter", AWS Architecture Blog, 2015).
 */
import { SmtpInviteError } from '../errors.ts';

export interface BackoffOptions {
  /** The ceiling after the first failure, ms (> 0). */
  readonly baseMs: number;
  /** The largest ceiling, ms (≥ baseMs). */
  readonly maxMs: number;
  /** A uniform random number in [0, 1), e.g. Math.random. */
  readonly random: () => number;
}

/**
 * The delay in ms (not rounded) before the next attempt after `failedAttempts` failures (a whole
 * number ≥ 0; 0 failures: no wait). Throws ERR_INTERNAL for arguments that make no sense: they
 * come from our own code, never from the user.
 */
export function backoffDelay(failedAttempts: number, o: BackoffOptions): number {
  if (!Number.isInteger(failedAttempts) || failedAttempts < 0) {
    throw internal(`failedAttempts must be a whole number ≥ 0, not ${String(failedAttempts)}`);
  }
  if (!Number.isFinite(o.baseMs) || o.baseMs <= 0) {
    throw internal(`baseMs must be a finite number > 0, not ${String(o.baseMs)}`);
  }
  if (!Number.isFinite(o.maxMs) || o.maxMs < o.baseMs) {
    throw internal(`maxMs must be a finite number ≥ baseMs (${o.baseMs}), not ${String(o.maxMs)}`);
  }
  if (typeof o.random !== 'function') throw internal('random must be a function');
  if (failedAttempts === 0) return 0;
  // 2^(n−1) overflows to Infinity past n = 1025; the ceiling is reached long before.
  const ceiling = Math.min(o.maxMs, o.baseMs * 2 ** Math.min(failedAttempts - 1, 1023));
  const r = o.random();
  if (!(r >= 0 && r < 1)) throw internal(`random() must return a number in [0, 1), not ${r}`);
  const half = ceiling / 2;
  // For r just below 1, half + r·half can round up to the ceiling itself: keep it below.
  return Math.min(half + r * half, ceiling * (1 - Number.EPSILON));
}

function internal(message: string): SmtpInviteError {
  return new SmtpInviteError('ERR_INTERNAL', `backoffDelay: ${message}`);
}
