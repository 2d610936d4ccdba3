/**
 * Shared vocabulary of bulk sending (`smtp-invite batch`, `sendBatch()`): how an SMTP outcome is
 * classified, what pacing a provider allows, and what each row became. The pure modules of
 * src/batch/ implement these; src/flows/send-batch.ts wires them to the ledger and the transport.
 */

/**
 * What to do about one SMTP outcome (RFC 5321 §4.2.1 reply classes, RFC 3463 enhanced codes):
 * - accepted: done.
 * - transient: retry this recipient (or message) later with exponential backoff and jitter
 *   (450/451/452, other 4xx, 4.x.x).
 * - throttle: the provider asks us to slow down (421 4.7.x, "rate"/"too many"/"throttl" wording,
 *   4.7.x): pause the whole batch, lower the rate, requeue the message; never a failure.
 * - quota: a daily or submission quota is exhausted (5.4.5, 554 5.2.0 SubmissionQuotaExceeded,
 *   "quota" wording): stop the batch cleanly (resume later); never a failure.
 * - permanent: this recipient (or message) failed for good (5xx: 5.1.x unknown user, 5.7.1 denied).
 * - unknown: the connection dropped or timed out after the data was (maybe) sent: resend the same
 *   bytes on a new connection.
 * - connection: the connection failed before the message was handed over (refused, reset before
 *   MAIL, 421 without 4.7.x): reconnect after a backoff and requeue; not the recipient's fault.
 * - fatal: a failure that would hit every message (authentication, TLS, the sender refused at MAIL
 *   FROM with 5xx, a configuration error): stop the batch cleanly; nothing is marked failed.
 */
export const OUTCOME_KINDS = [
  'accepted',
  'transient',
  'throttle',
  'quota',
  'permanent',
  'unknown',
  'connection',
  'fatal',
] as const;
export type OutcomeKind = (typeof OUTCOME_KINDS)[number];

export interface ClassifiedOutcome {
  readonly kind: OutcomeKind;
  /** Reply code, e.g. 452; null when there was no reply (dropped connection, timeout). */
  readonly code: number | null;
  /** RFC 3463 enhanced status code from the reply text, e.g. "4.2.2"; null when absent. */
  readonly enhanced: string | null;
  /** The server's words (one line, control characters removed), or our description. */
  readonly text: string;
}

/** Pacing limits; undefined means "no limit". */
export interface PacingLimits {
  /** Messages (or, with `rateUnit: 'recipients'`, recipients) per second. */
  readonly ratePerSecond?: number;
  /** What the rate counts: SES counts recipients, most providers count messages. */
  readonly rateUnit?: 'messages' | 'recipients';
  /** Recipients per rolling 24 hours, across runs (kept in the ledger per sending account). */
  readonly dailyRecipientCap?: number;
  /** Simultaneous SMTP connections. */
  readonly maxConnections?: number;
}

export interface ProviderProfile {
  readonly name: string;
  readonly description: string;
  readonly limits: PacingLimits;
  /** Flags that must be given with this profile (e.g. `rate` for SES: the rate is per account). */
  readonly requires: readonly ('rate' | 'daily-cap')[];
  /** Where each number comes from (URL and the sentence or table it is taken from). */
  readonly sources: readonly string[];
}

/** The final state of one row. */
export interface RecipientOutcome {
  readonly email: string;
  readonly status: 'accepted' | 'failed';
  readonly code: number | null;
  readonly enhanced: string | null;
  /** The server's words for a failure (or our own reason, e.g. "gave up after 6 attempts: …"). */
  readonly response: string | null;
  readonly attempts: number;
}

export interface RowOutcome {
  /** 1-based position of the row in its source. */
  readonly row: number;
  /** Source line of the row (JSONL line, CSV record start line), when it came from a file. */
  readonly line?: number;
  /** sent: every recipient accepted; partial: some failed; failed: all failed; invalid: not sent. */
  readonly status: 'sent' | 'partial' | 'failed' | 'invalid';
  readonly uid?: string;
  readonly messageId?: string;
  readonly recipients: readonly RecipientOutcome[];
  /** For invalid rows: every problem, each naming the field ("attendees[0].email: …"). */
  readonly problems?: readonly string[];
}
