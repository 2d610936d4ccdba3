/**
 * Bulk sending: `sendBatch(rows, options)` and `resumeBatch(id, options)`.
 *
 * Phases. (1) Reading (record-batch-rows.ts): every row is merged, validated and recorded in the
 * ledger; an invalid row stops everything before the first message. (2) Sending: rows are taken
 * from the ledger in order, built (in a worker thread when the machine has a spare core), their
 * intents (exact bytes) committed, then sent over `maxConnections` lanes, each on its own SMTP
 * connection, at the pace the pacer allows; outcomes are committed in small groups.
 *
 * Crash safety (issue 5 §3): a message goes out only after its intent is committed, and a row is
 * done only after its outcome is. After a crash, rows with an intent but no final outcome are sent
 * again with the stored bytes (same Message-ID, UID, SEQUENCE, DTSTAMP) to the recipients still
 * pending: every recipient gets the invitation at least once, and a duplicate can only come from a
 * message in flight (intent written, outcome not yet committed) and is byte-identical.
 *
 * Failures (classify-smtp-outcome.ts): transient refusals are retried with exponential backoff and
 * jitter; throttling pauses every lane and lowers the rate; a quota, the daily cap, a fatal
 * failure (authentication, TLS, sender refused) or a server that stays unreachable stop the batch
 * cleanly (nothing is marked failed: resume later); permanent refusals fail that recipient with the
 * server's words.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

import { backoffDelay } from '../batch/backoff.ts';
import type { ClassifiedOutcome, PacingLimits, RowOutcome } from '../batch/batch-types.ts';
import { classifyError, classifyReply } from '../batch/classify-smtp-outcome.ts';
import { createPacer, type Pacer } from '../batch/pacer.ts';
import { SmtpInviteError, type ErrorCode } from '../errors.ts';
import type {
  BatchIntent,
  BatchRecipientState,
  BatchRecord,
  BatchRowRecord,
  Ledger,
} from '../ledger/ledger-types.ts';
import type { MailAddress, MessageProfile } from '../mime/compose-message.ts';
import type {
  DeliveryResult,
  OutgoingMessage,
  Transport,
  TransportSession,
} from '../transport/transport.ts';
import { createBuildPool, type BuildPool } from './batch-build-pool.ts';
import type { BatchBuildOptions } from './build-batch-row.ts';
import { checkIdentityOptions } from './sender-identity.ts';
import { recordBatchRows, type BatchRowsInput } from './record-batch-rows.ts';

export interface BatchSettings {
  /** Stored with the batch: a resume builds the remaining rows the same way, same identity. */
  readonly build: BatchBuildOptions;
  readonly pacing: PacingLimits;
  readonly maxAttempts: number;
  /** Whatever the caller wants back on resume (the CLI keeps its transport flags there). */
  readonly extra?: unknown;
}

export interface BatchCommonOptions {
  readonly ledger: Ledger;
  readonly transport: Transport;
  /** Overrides the stored pacing on resume; default for a new batch: 5 connections, no rate. */
  readonly pacing?: PacingLimits;
  /** The daily cap's key: the sending account. Default: the transport's description. */
  readonly account?: string;
  readonly maxAttempts?: number;
  /** Backoff of transient failures: base and cap (defaults 1 s and 2 min). */
  readonly retry?: { readonly baseMs?: number; readonly maxMs?: number };
  /** Pause after a throttling reply: base and cap (defaults 1 s and 60 s). */
  readonly throttle?: { readonly pauseBaseMs?: number; readonly pauseMaxMs?: number };
  /** Consecutive failed connection attempts before the batch stops (default 8). */
  readonly maxConnectionFailures?: number;
  /** Worker threads that build messages (default: 1 when the machine has a spare core, else 0). */
  readonly buildThreads?: number;
  /** Stops the batch cleanly: messages in flight finish, nothing new starts. */
  readonly signal?: AbortSignal;
  /** Called with the batch id before the first message goes out. */
  readonly onStart?: (id: string) => void;
  /** Called for every invalid row recorded when invalid rows are skipped (also yielded). */
  readonly clock?: { readonly now: () => number; readonly random: () => number };
}

export interface BatchOptions extends BatchCommonOptions {
  /** Rows are variables merged into this invite template; without it each row is a full invite. */
  readonly template?: unknown;
  /** Layout and sender identity of every row's message (`service` or `sender`, not both). */
  readonly build?: {
    readonly profile?: MessageProfile;
    readonly attachment?: boolean;
    readonly service?: MailAddress;
    readonly sender?: MailAddress;
  };
  /** Record invalid rows and send the others (default: any invalid row stops the batch before sending). */
  readonly skipInvalid?: boolean;
  /** The batch id (default: generated, `YYYYMMDD-` and 6 hex digits). */
  readonly id?: string;
  /** The rows file as given, kept for messages. */
  readonly source?: string;
  readonly extra?: unknown;
}

export type StopReason = 'interrupted' | 'fatal' | 'quota' | 'daily-cap' | 'unreachable';

export interface BatchSummary {
  readonly id: string;
  /** finished: every row is done (sent, failed or invalid). stopped: resume to continue. */
  readonly state: 'finished' | 'stopped';
  readonly stop?: {
    readonly reason: StopReason;
    readonly message: string;
    readonly code?: ErrorCode;
    /** daily-cap: when the rolling window frees capacity (ISO). */
    readonly resumeAfter?: string;
  };
  readonly rows: number;
  readonly sent: number;
  readonly partial: number;
  readonly failed: number;
  readonly invalid: number;
  /** Rows not done yet (a stopped batch). */
  readonly remaining: number;
  readonly recipientsAccepted: number;
  readonly recipientsFailed: number;
  /** This run: messages handed to the server and accepted (fully or partly). */
  readonly messagesSent: number;
  readonly retries: number;
  readonly throttles: number;
  readonly elapsedMs: number;
  /** This run's accepted messages per second. */
  readonly ratePerSecond: number;
}

export interface BatchProgress {
  readonly id: string | undefined;
  readonly phase: 'reading' | 'sending' | 'done';
  readonly rows: number;
  readonly done: number;
  readonly sent: number;
  /** Rows with a failed recipient, and invalid rows. */
  readonly failed: number;
  readonly retrying: number;
  readonly inFlight: number;
  readonly pausedUntil: number | undefined;
  /** Accepted messages per second over the last 10 s. */
  readonly rate: number;
  /** Seconds to go at the current rate, when known. */
  readonly etaSeconds: number | undefined;
}

export interface BatchRun extends AsyncIterable<RowOutcome> {
  /** Resolves when the batch finished or stopped (runs it if nobody iterates). */
  summary(): Promise<BatchSummary>;
  progress(): BatchProgress;
  /** Stop cleanly, like the signal. */
  stop(): void;
}

const DEFAULT_CONNECTIONS = 5;
const DEFAULT_MAX_ATTEMPTS = 8;
const BUILD_CHUNK = 64;
const OUTCOME_FLUSH_ROWS = 128;
const OUTCOME_FLUSH_MS = 25;
const QUEUE_HIGH_WATER = 256;
const MAX_YIELD_BUFFER = 1024;
const RATE_WINDOW_S = 10;

/** Sends rows (records, or `{ row, line, record }` from readRows) as a new batch. */
export function sendBatch(rows: BatchRowsInput, options: BatchOptions): BatchRun {
  return createRun((emit, engine) => engine.runNew(rows, options, emit), options);
}

/**
 * Continues batch `id` (default: the newest unfinished one) from the ledger alone. A finished
 * batch resolves at once with its summary (state 'finished', nothing sent).
 */
export function resumeBatch(id: string | undefined, options: BatchCommonOptions): BatchRun {
  return createRun((emit, engine) => engine.runResume(id, options, emit), options);
}

/** The batch to resume: `id`, or the newest unfinished; ERR_UNKNOWN_BATCH when there is none. */
export function findBatchToResume(ledger: Ledger, id: string | undefined): BatchRecord {
  const batch = id === undefined ? ledger.batches.latestUnfinished() : ledger.batches.getBatch(id);
  if (batch === undefined) {
    throw new SmtpInviteError(
      'ERR_UNKNOWN_BATCH',
      id === undefined
        ? `the ledger ${ledger.path} has no unfinished batch to resume`
        : `the ledger ${ledger.path} has no batch ${id}: check the id or --db`,
    );
  }
  return batch;
}

export function newBatchId(now: Date = new Date()): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '');
  return `${day}-${randomBytes(3).toString('hex')}`;
}

// ---------------------------------------------------------------------------------------------

type Emit = (outcome: RowOutcome) => Promise<void>;

function createRun(
  start: (emit: Emit, engine: Engine) => Promise<BatchSummary>,
  options: BatchCommonOptions,
): BatchRun {
  const engine = new Engine(options);
  let running: Promise<BatchSummary> | undefined;
  // Outcomes wait here for the iterator; the engine waits when it is full (backpressure).
  const buffer: RowOutcome[] = [];
  let iterating = false;
  let wakeReader: (() => void) | undefined;
  let wakeWriter: (() => void) | undefined;
  let finished = false;

  const emit: Emit = async (outcome) => {
    if (!iterating) return;
    buffer.push(outcome);
    wakeReader?.();
    while (iterating && buffer.length >= MAX_YIELD_BUFFER) {
      await new Promise<void>((resolve) => (wakeWriter = resolve));
    }
  };
  const run = (): Promise<BatchSummary> => {
    running ??= start(emit, engine).finally(() => {
      finished = true;
      wakeReader?.();
    });
    return running;
  };

  return {
    summary: run,
    progress: () => engine.progress(),
    stop: () => engine.requestStop('interrupted'),
    [Symbol.asyncIterator](): AsyncIterator<RowOutcome> {
      if (running !== undefined && !iterating) {
        throw new SmtpInviteError(
          'ERR_INTERNAL',
          'iterate a batch before (or instead of) awaiting summary(): its outcomes are not kept',
        );
      }
      iterating = true;
      const done = run();
      return {
        async next(): Promise<IteratorResult<RowOutcome>> {
          for (;;) {
            const outcome = buffer.shift();
            if (outcome !== undefined) {
              wakeWriter?.();
              return { value: outcome, done: false };
            }
            if (finished) {
              await done; // rethrows the engine's failure
              return { value: undefined, done: true };
            }
            await new Promise<void>((resolve) => (wakeReader = resolve));
          }
        },
        async return(): Promise<IteratorResult<RowOutcome>> {
          // Leaving the loop early stops the batch cleanly.
          iterating = false;
          buffer.length = 0;
          wakeWriter?.();
          engine.requestStop('interrupted');
          await done.catch(() => undefined);
          return { value: undefined, done: true };
        },
      };
    },
  };
}

interface Job {
  readonly row: number;
  readonly line: number | undefined;
  readonly uid: string;
  readonly messageId: string;
  readonly envelopeFrom: string;
  readonly raw: Buffer;
  recipients: BatchRecipientState[];
  /** Not before this time (ms): retries. */
  notBefore: number;
}

class Engine {
  private readonly options: BatchCommonOptions;
  private readonly now: () => number;
  private readonly random: () => number;
  private id: string | undefined;
  private phase: BatchProgress['phase'] = 'reading';
  private stopInfo: BatchSummary['stop'];
  private stopping = false;
  // Work queues.
  private readonly ready: Job[] = [];
  private readonly retries: Job[] = [];
  private cursor = 0;
  private exhausted = false;
  private building = 0;
  /** Chunk builds in flight, and how many may be. */
  private readonly builds = new Set<Promise<void>>();
  private maxBuilds = 2;
  private inFlight = 0;
  private wakers: (() => void)[] = [];
  // Outcomes not yet committed.
  private readonly unflushed = new Map<number, Job>();
  private usageDelta = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  // Counters.
  private rows = 0;
  private doneRows = 0;
  private sentRows = 0;
  private failedRows = 0;
  private messagesSent = 0;
  private retryCount = 0;
  private connectionFailures = 0;
  /** Accepted messages per second over the last RATE_WINDOW_S seconds (a ring), for progress. */
  private readonly acceptedPerSecond = new Array<number>(RATE_WINDOW_S).fill(0);
  private acceptedSecond = 0;
  private startedAt = 0;
  private pacer: Pacer | undefined;
  private usage = new Map<string, number>();
  private account = '';
  private settings: BatchSettings | undefined;
  private emit: Emit = () => Promise.resolve();
  private pool: BuildPool | undefined;
  private readonly sessions = new Set<TransportSession>();
  private fatalError: unknown;

  constructor(options: BatchCommonOptions) {
    this.options = options;
    this.now = options.clock?.now ?? Date.now;
    this.random = options.clock?.random ?? Math.random;
    options.signal?.addEventListener('abort', () => this.requestStop('interrupted'), {
      once: true,
    });
  }

  requestStop(
    reason: StopReason,
    message?: string,
    extra?: Partial<NonNullable<BatchSummary['stop']>>,
  ): void {
    if (this.stopInfo === undefined) {
      this.stopInfo = {
        reason,
        message: message ?? 'stopped on request after the messages in flight',
        ...extra,
      };
    }
    this.stopping = true;
    this.wake();
  }

  progress(): BatchProgress {
    const now = this.now();
    const rate = this.currentRate(now);
    const remaining = this.rows - this.doneRows;
    const pacedRate = this.pacer?.rate;
    const effective = rate > 0 ? rate : pacedRate;
    const pausedUntil =
      this.pacer !== undefined && this.pacer.pausedUntil > now ? this.pacer.pausedUntil : undefined;
    return {
      id: this.id,
      phase: this.phase,
      rows: this.rows,
      done: this.doneRows,
      sent: this.sentRows,
      failed: this.failedRows,
      retrying: this.retries.length,
      inFlight: this.inFlight,
      pausedUntil,
      rate,
      etaSeconds:
        this.phase === 'sending' && effective !== undefined && effective > 0
          ? Math.ceil(remaining / effective)
          : undefined,
    };
  }

  async runNew(rows: BatchRowsInput, options: BatchOptions, emit: Emit): Promise<BatchSummary> {
    const { ledger } = this.options;
    this.emit = emit;
    const id = options.id ?? newBatchId(new Date(this.now()));
    // Checked once here: in a row's build, a bad identity would mark every row invalid instead.
    const service = options.build?.service;
    const sender = options.build?.sender;
    checkIdentityOptions({
      ...(service === undefined ? {} : { service }),
      ...(sender === undefined ? {} : { sender }),
    });
    const settings: BatchSettings = {
      build: {
        profile: options.build?.profile ?? 'default',
        attachment: options.build?.attachment ?? true,
        ...(service === undefined ? {} : { service: plainAddress(service) }),
        ...(sender === undefined ? {} : { sender: plainAddress(sender) }),
      },
      pacing: { maxConnections: DEFAULT_CONNECTIONS, ...options.pacing },
      maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      ...(options.extra === undefined ? {} : { extra: options.extra }),
    };
    ledger.batches.createBatch(id, settings, options.source);
    this.id = id;
    this.pool = createBuildPool(id, settings.build, this.threads());
    const invalidOutcomes: RowOutcome[] = [];
    const pool = this.pool;
    let read;
    try {
      read = await recordBatchRows(ledger, id, rows, {
        prepare: (records) => pool.prepare(options.template, records),
        skipInvalid: options.skipInvalid ?? false,
        stopped: () => this.stopping,
        onInvalid: (row, line, problems) => {
          // Kept for the iterator (bounded by the rows read; a batch of only invalid rows is rare).
          if (invalidOutcomes.length < MAX_YIELD_BUFFER) {
            invalidOutcomes.push({
              row,
              ...(line === undefined ? {} : { line }),
              status: 'invalid',
              recipients: [],
              problems,
            });
          }
        },
      });
    } catch (err) {
      await pool.close();
      throw err;
    }
    if (read.stopped) {
      await pool.close();
      return this.summaryOf(undefined, 0);
    }
    for (const outcome of invalidOutcomes) await emit(outcome);
    return this.send(id, settings);
  }

  async runResume(
    id: string | undefined,
    options: BatchCommonOptions,
    emit: Emit,
  ): Promise<BatchSummary> {
    const { ledger } = this.options;
    this.emit = emit;
    const batch = findBatchToResume(ledger, id);
    this.id = batch.id;
    if (batch.state === 'reading') {
      // Nothing was sent: the rows were not all read. Drop the remains so the rows file can be
      // given again under a new batch.
      ledger.batches.deleteBatch(batch.id);
      throw new SmtpInviteError(
        'ERR_UNKNOWN_BATCH',
        `batch ${batch.id} was interrupted while its rows were read, before anything was sent: it was removed; run the batch again with the rows file`,
      );
    }
    const stored = batch.settings as BatchSettings;
    const settings: BatchSettings = {
      ...stored,
      pacing: options.pacing ?? stored.pacing,
      maxAttempts: options.maxAttempts ?? stored.maxAttempts,
    };
    if (options.pacing !== undefined || options.maxAttempts !== undefined) {
      ledger.batches.updateSettings(batch.id, settings);
    }
    if (batch.state === 'finished') {
      this.phase = 'done';
      return this.summaryOf(undefined, 0, true);
    }
    return this.send(batch.id, settings);
  }

  // -------------------------------------------------------------------------------------------

  private threads(): number {
    return this.options.buildThreads ?? (availableParallelism() > 1 ? 1 : 0);
  }

  private async send(id: string, settings: BatchSettings): Promise<BatchSummary> {
    const { ledger, transport } = this.options;
    this.settings = settings;
    this.phase = 'sending';
    const counts = ledger.batches.counts(id);
    this.rows = counts.rows;
    this.doneRows = counts.sent + counts.partial + counts.failed + counts.invalid;
    this.sentRows = counts.sent;
    this.failedRows = counts.partial + counts.failed + counts.invalid;
    this.account = this.options.account ?? transport.description.replace(/ \(.*\)$/, '');
    this.loadUsage();
    const pacing = settings.pacing;
    this.pacer = createPacer({
      ...(pacing.ratePerSecond === undefined ? {} : { ratePerSecond: pacing.ratePerSecond }),
      now: this.now,
      random: this.random,
      ...(this.options.throttle?.pauseBaseMs === undefined
        ? {}
        : { pauseBaseMs: this.options.throttle.pauseBaseMs }),
      ...(this.options.throttle?.pauseMaxMs === undefined
        ? {}
        : { pauseMaxMs: this.options.throttle.pauseMaxMs }),
    });
    const threads = this.threads();
    this.pool ??= createBuildPool(id, settings.build, threads);
    this.maxBuilds = Math.max(2, threads * 2);
    this.startedAt = this.now();
    this.options.onStart?.(id);
    try {
      const lanes = Math.max(1, pacing.maxConnections ?? DEFAULT_CONNECTIONS);
      await Promise.all(Array.from({ length: lanes }, () => this.lane()));
      while (this.builds.size > 0) await Promise.all([...this.builds]);
      await this.flush();
    } finally {
      if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
      await Promise.all([...this.sessions].map((s) => s.close()));
      await this.pool.close();
    }
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrown as it was caught
    if (this.fatalError !== undefined) throw this.fatalError;
    const finished = !this.stopping && this.isComplete();
    if (finished) ledger.batches.finishBatch(id);
    this.phase = 'done';
    return this.summaryOf(finished ? undefined : this.stopInfo, this.now() - this.startedAt);
  }

  private summaryOf(
    stop: BatchSummary['stop'],
    elapsedMs: number,
    alreadyFinished = false,
  ): BatchSummary {
    const { ledger } = this.options;
    const id = this.id ?? '';
    const batch = ledger.batches.getBatch(id);
    const counts = batch === undefined ? undefined : ledger.batches.counts(id);
    const state = alreadyFinished || batch?.state === 'finished' ? 'finished' : 'stopped';
    return {
      id,
      state,
      ...(state === 'stopped'
        ? {
            stop: stop ??
              this.stopInfo ?? {
                reason: 'interrupted',
                message: 'stopped while reading the rows: nothing was sent',
              },
          }
        : {}),
      rows: counts?.rows ?? 0,
      sent: counts?.sent ?? 0,
      partial: counts?.partial ?? 0,
      failed: counts?.failed ?? 0,
      invalid: counts?.invalid ?? 0,
      remaining: (counts?.pending ?? 0) + (counts?.sending ?? 0),
      recipientsAccepted: counts?.recipientsAccepted ?? 0,
      recipientsFailed: counts?.recipientsFailed ?? 0,
      messagesSent: this.messagesSent,
      retries: this.retryCount,
      throttles: this.pacer?.throttles ?? 0,
      elapsedMs,
      ratePerSecond: elapsedMs > 0 ? (this.messagesSent * 1000) / elapsedMs : 0,
    };
  }

  private isComplete(): boolean {
    return (
      this.exhausted &&
      this.ready.length === 0 &&
      this.retries.length === 0 &&
      this.building === 0 &&
      this.inFlight === 0
    );
  }

  private wake(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const w of wakers) w();
  }

  private waitForWork(ms: number | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        resolve();
      };
      this.wakers.push(done);
      if (ms !== undefined) timer = setTimeout(done, Math.max(1, ms));
    });
  }

  // --- feeding: ledger → build → intent → ready -------------------------------------------

  /**
   * Keeps the queue of ready messages filled: takes unfinished rows from the ledger in chunks and
   * has them built, with several chunks in flight so that the build thread never waits for this
   * one (committing intents, sending) and the lanes never wait for a build.
   */
  private fill(): void {
    const { ledger } = this.options;
    const id = this.id ?? '';
    let changed = false;
    try {
      while (
        !this.stopping &&
        !this.exhausted &&
        this.builds.size < this.maxBuilds &&
        this.ready.length + this.building < QUEUE_HIGH_WATER
      ) {
        const page = ledger.batches.nextRows(id, this.cursor, BUILD_CHUNK);
        changed = true;
        if (page.length === 0) {
          this.exhausted = true;
          break;
        }
        this.cursor = page[page.length - 1]?.row ?? this.cursor;
        const toBuild: BatchRowRecord[] = [];
        for (const row of page) {
          if (row.state === 'sending') this.queueResend(row);
          else toBuild.push(row);
        }
        if (toBuild.length > 0) this.startBuild(id, toBuild);
      }
    } catch (err) {
      this.fail(err);
    }
    // Only news wakes the lanes: a lane calls fill() while looking for work, and waking the others
    // each time would keep them passing the turn around without ever yielding to IO.
    if (changed) this.wake();
  }

  private startBuild(id: string, rows: readonly BatchRowRecord[]): void {
    const { ledger } = this.options;
    this.building += rows.length;
    const nowMs = this.now();
    const lines = new Map(rows.map((row) => [row.row, row.line]));
    const build: Promise<void> = this.pool!.build(
      rows.map((row) => ({ row: row.row, inputJson: row.inputJson ?? 'null', nowMs })),
    )
      .then((built) => {
        if (this.fatalError !== undefined) return;
        // The intents of the whole chunk in one transaction (one fsync), before any is sent.
        ledger.transaction(() => {
          for (const b of built) {
            if (!b.ok) {
              throw new SmtpInviteError(
                'ERR_INTERNAL',
                `row ${String(b.row)} of batch ${id} was valid when read but not when built: ${b.problems.join('; ')}`,
              );
            }
            ledger.batches.recordIntent(id, b);
          }
        });
        for (const b of built) {
          if (!b.ok) continue;
          this.ready.push(toJob(b, lines.get(b.row)));
        }
      })
      .catch((err: unknown) => this.fail(err))
      .finally(() => {
        this.building -= rows.length;
        this.builds.delete(build);
        this.wake();
        this.fill();
      });
    this.builds.add(build);
  }

  /** A row whose intent was written by an earlier run: the stored bytes, to the recipients still pending. */
  private queueResend(row: BatchRowRecord): void {
    if (
      row.raw === undefined ||
      row.recipients === undefined ||
      row.messageId === undefined ||
      row.uid === undefined ||
      row.envelopeFrom === undefined
    ) {
      throw new SmtpInviteError(
        'ERR_INTERNAL',
        `row ${String(row.row)} is being sent but has no stored message`,
      );
    }
    this.ready.push(
      toJob(
        {
          row: row.row,
          uid: row.uid,
          messageId: row.messageId,
          envelopeFrom: row.envelopeFrom,
          raw: row.raw,
          recipients: row.recipients,
        },
        row.line,
      ),
    );
  }

  // --- lanes ---------------------------------------------------------------------------------

  private async nextJob(): Promise<Job | undefined> {
    for (;;) {
      if (this.stopping) return undefined;
      const now = this.now();
      if (this.ready.length < QUEUE_HIGH_WATER / 2) this.fill();
      // Due retries first (kept in notBefore order by scheduleRetry), then new work.
      const retry = this.retries[0];
      const candidate = retry !== undefined && retry.notBefore <= now ? retry : this.ready[0];
      if (candidate === undefined) {
        if (this.isComplete()) {
          this.wake();
          return undefined;
        }
        await this.waitForWork(retry === undefined ? undefined : retry.notBefore - now);
        continue;
      }
      const cost = this.costOf(candidate);
      const delay = this.pacer!.delay(cost);
      if (delay > 0) {
        await this.waitForWork(delay);
        continue;
      }
      const cap = this.settings?.pacing.dailyRecipientCap;
      const pending = pendingOf(candidate).length;
      if (cap !== undefined && this.usedToday(now) + pending > cap) {
        this.stopForCap(cap, now);
        return undefined;
      }
      if (candidate === retry) this.retries.shift();
      else this.ready.shift();
      this.pacer!.take(cost);
      this.addUsage(now, pending);
      return candidate;
    }
  }

  private costOf(job: Job): number {
    return this.settings?.pacing.rateUnit === 'recipients' ? pendingOf(job).length : 1;
  }

  private async lane(): Promise<void> {
    let session: TransportSession | undefined;
    try {
      for (;;) {
        const job = await this.nextJob();
        if (job === undefined) return;
        if (session === undefined || !session.usable) {
          if (session !== undefined) this.sessions.delete(session);
          session = await this.connect(job);
          if (session === undefined) continue;
        }
        this.inFlight += 1;
        const to = pendingOf(job).map((r) => r.email);
        const message: OutgoingMessage = {
          messageId: job.messageId,
          envelope: { from: job.envelopeFrom, to },
          raw: job.raw,
        };
        let result: DeliveryResult | undefined;
        let failure: unknown;
        try {
          result = await session.send(message);
        } catch (err) {
          failure = err;
        }
        this.inFlight -= 1;
        if (result !== undefined) this.handleResult(job, result);
        else this.handleFailure(job, failure);
        this.wake();
      }
    } catch (err) {
      this.fail(err);
    } finally {
      if (session !== undefined) {
        this.sessions.delete(session);
        await session.close();
      }
    }
  }

  /** Opens a session for `job`'s lane; on failure the job goes back and undefined is returned. */
  private async connect(job: Job): Promise<TransportSession | undefined> {
    const { transport } = this.options;
    try {
      const session =
        transport.openSession === undefined
          ? wholeTransportSession(transport)
          : await transport.openSession();
      this.sessions.add(session);
      return session;
    } catch (err) {
      this.requeueFront(job);
      const c = classifyError(err);
      if (c.kind === 'throttle') {
        this.pacer!.throttled();
        return undefined;
      }
      if (c.kind === 'fatal' || c.kind === 'quota') {
        this.stopFor(c, err);
        return undefined;
      }
      this.connectionFailures += 1;
      const limit = this.options.maxConnectionFailures ?? 8;
      if (this.connectionFailures >= limit) {
        this.requestStop(
          'unreachable',
          `the server could not be reached ${String(this.connectionFailures)} times in a row (${errorText(err)})`,
          err instanceof SmtpInviteError ? { code: err.code } : {},
        );
        return undefined;
      }
      await sleep(this.backoff(this.connectionFailures));
      return undefined;
    }
  }

  private requeueFront(job: Job): void {
    // Taken tokens and usage are not given back: the next attempt is paced like a new message.
    job.notBefore = 0;
    this.ready.unshift(job);
  }

  private backoff(failures: number): number {
    return backoffDelay(failures, {
      baseMs: this.options.retry?.baseMs ?? 1000,
      maxMs: this.options.retry?.maxMs ?? 120_000,
      random: this.random,
    });
  }

  private handleResult(job: Job, result: DeliveryResult): void {
    this.connectionFailures = 0;
    const accepted = new Set(result.accepted.map((a) => a.toLowerCase()));
    const rejected = new Map(result.rejected.map((r) => [r.email.toLowerCase(), r]));
    if (result.accepted.length > 0) {
      this.messagesSent += 1;
      this.pacer!.accepted(this.costOf(job));
      this.countAccepted(this.now());
    }
    const outcomes = new Map<string, ClassifiedOutcome>();
    for (const r of pendingOf(job)) {
      const key = r.email.toLowerCase();
      if (accepted.has(key))
        outcomes.set(key, {
          kind: 'accepted',
          code: 250,
          enhanced: null,
          text: result.response ?? '',
        });
      else {
        const refusal = rejected.get(key);
        outcomes.set(
          key,
          refusal === undefined
            ? {
                kind: 'unknown',
                code: null,
                enhanced: null,
                text: 'the server neither accepted nor refused this recipient',
              }
            : classifyReply(refusal.code, refusal.response, 'rcpt'),
        );
      }
    }
    this.apply(job, outcomes);
  }

  private handleFailure(job: Job, err: unknown): void {
    const outcomes = new Map<string, ClassifiedOutcome>();
    const rejected = err instanceof SmtpInviteError ? err.rejected : [];
    if (rejected.length > 0) {
      this.connectionFailures = 0;
      const byEmail = new Map(rejected.map((r) => [r.email.toLowerCase(), r]));
      for (const r of pendingOf(job)) {
        const refusal = byEmail.get(r.email.toLowerCase());
        outcomes.set(
          r.email.toLowerCase(),
          refusal === undefined
            ? classifyError(err)
            : classifyReply(refusal.code, refusal.response, 'rcpt'),
        );
      }
    } else {
      const c = classifyError(err);
      if (c.kind === 'connection') {
        // Not handed over: not the recipients' fault, and no attempt is counted.
        this.connectionFailures += 1;
        this.requeueFront(job);
        return;
      }
      if (c.kind === 'fatal') {
        this.requeueFront(job);
        this.stopFor(c, err);
        return;
      }
      this.connectionFailures = 0;
      for (const r of pendingOf(job)) outcomes.set(r.email.toLowerCase(), c);
    }
    this.apply(job, outcomes);
  }

  /** Applies each pending recipient's classified outcome, then requeues, records and emits. */
  private apply(job: Job, outcomes: ReadonlyMap<string, ClassifiedOutcome>): void {
    const maxAttempts = this.settings?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    let throttled = false;
    let stop: { c: ClassifiedOutcome } | undefined;
    let retry = false;
    let changed = false;
    let attemptsForBackoff = 0;
    job.recipients = job.recipients.map((r) => {
      if (r.status !== 'pending') return r;
      const c = outcomes.get(r.email.toLowerCase());
      if (c === undefined) return r;
      switch (c.kind) {
        case 'accepted':
          changed = true;
          return {
            ...r,
            status: 'accepted',
            code: c.code,
            enhanced: c.enhanced,
            response: c.text,
            attempts: r.attempts + 1,
          };
        case 'permanent':
          changed = true;
          return {
            ...r,
            status: 'failed',
            code: c.code,
            enhanced: c.enhanced,
            response: c.text,
            attempts: r.attempts + 1,
          };
        case 'throttle':
          throttled = true;
          return r;
        case 'quota':
        case 'fatal':
          stop ??= { c };
          return r;
        case 'transient':
        case 'unknown':
        case 'connection': {
          const attempts = r.attempts + 1;
          changed = true;
          if (attempts >= maxAttempts) {
            const why =
              c.kind === 'unknown'
                ? `no reply after the data (it may have been delivered): ${c.text}`
                : c.text;
            return {
              ...r,
              status: 'failed',
              code: c.code,
              enhanced: c.enhanced,
              response: `gave up after ${String(attempts)} attempts: ${why}`,
              attempts,
            };
          }
          retry = true;
          attemptsForBackoff = Math.max(attemptsForBackoff, attempts);
          return { ...r, code: c.code, enhanced: c.enhanced, response: c.text, attempts };
        }
      }
    });
    if (stop !== undefined) this.stopFor(stop.c, undefined);
    const stillPending = pendingOf(job).length > 0;
    if (stillPending) {
      if (throttled) {
        const pause = this.pacer!.throttled();
        this.scheduleRetry(job, this.now() + pause);
      } else if (retry) {
        this.retryCount += 1;
        this.scheduleRetry(job, this.now() + this.backoff(attemptsForBackoff));
      } else {
        // Only a stop left recipients pending: the row stays 'sending' for the resume.
        this.requeueFront(job);
      }
    }
    if (changed) this.record(job);
  }

  /** Retries stay ordered by when they are due: nextJob looks at the first one only. */
  private scheduleRetry(job: Job, notBefore: number): void {
    job.notBefore = notBefore;
    let i = this.retries.length;
    while (i > 0 && (this.retries[i - 1]?.notBefore ?? 0) > notBefore) i -= 1;
    this.retries.splice(i, 0, job);
  }

  private stopFor(c: ClassifiedOutcome, err: unknown): void {
    const code = err instanceof SmtpInviteError ? err.code : undefined;
    const base = err instanceof SmtpInviteError ? err.message : c.text;
    if (c.kind === 'quota') {
      this.requestStop(
        'quota',
        `the provider's sending quota is exhausted (${c.text}): nothing failed; resume when the quota resets`,
      );
    } else {
      this.requestStop('fatal', base, code === undefined ? {} : { code });
    }
  }

  private stopForCap(cap: number, now: number): void {
    const hours = [...this.usage.keys()].filter((h) => h >= hourKey(now - 23 * 3600_000)).sort();
    const first = hours[0];
    const freesAt =
      first === undefined ? new Date(now) : new Date(Date.parse(`${first}:00:00Z`) + 24 * 3600_000);
    this.requestStop(
      'daily-cap',
      `the daily cap of ${String(cap)} recipients (rolling 24 hours, ${this.account}) is reached: ${String(this.usedToday(now))} used`,
      { resumeAfter: freesAt.toISOString() },
    );
  }

  private fail(err: unknown): void {
    this.fatalError ??= err;
    this.stopping = true;
    this.wake();
  }

  // --- outcomes → ledger -------------------------------------------------------------------------

  private record(job: Job): void {
    this.unflushed.set(job.row, job);
    if (this.unflushed.size >= OUTCOME_FLUSH_ROWS) {
      void this.flush();
    } else {
      this.flushTimer ??= setTimeout(() => {
        this.flushTimer = undefined;
        void this.flush();
      }, OUTCOME_FLUSH_MS);
    }
  }

  private flush(): Promise<void> {
    this.flushing = this.flushing
      .then(() => this.flushNow())
      .catch((err: unknown) => this.fail(err));
    return this.flushing;
  }

  private async flushNow(): Promise<void> {
    if (this.flushTimer !== undefined) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    if (this.unflushed.size === 0 && this.usageDelta === 0) return;
    const { ledger } = this.options;
    const id = this.id ?? '';
    const jobs = [...this.unflushed.values()].map((job) => ({ job, recipients: job.recipients }));
    this.unflushed.clear();
    const usage = this.usageDelta;
    this.usageDelta = 0;
    const hour = hourKey(this.now());
    // Outcomes need not wait for the disk: one lost in a power cut only means the message is
    // resent with its stored bytes (its intent was committed durably before it was sent).
    ledger.transaction(
      () => {
        for (const { job, recipients } of jobs) {
          ledger.batches.recordOutcome(id, job.row, recipients);
        }
        ledger.batches.addUsage(this.account, hour, usage);
      },
      { durability: 'process' },
    );
    for (const { job, recipients } of jobs) {
      if (recipients.some((r) => r.status === 'pending')) continue;
      const outcome = toRowOutcome(job, recipients);
      this.doneRows += 1;
      if (outcome.status === 'sent') this.sentRows += 1;
      else this.failedRows += 1;
      await this.emit(outcome);
    }
  }

  // --- daily cap ---------------------------------------------------------------------------------

  private loadUsage(): void {
    const since = hourKey(this.now() - 23 * 3600_000);
    this.usage = new Map(
      this.options.ledger.batches
        .usageSince(this.account, since)
        .map((u) => [u.hour, u.recipients]),
    );
  }

  private usedToday(now: number): number {
    const since = hourKey(now - 23 * 3600_000);
    let sum = 0;
    for (const [hour, n] of this.usage) if (hour >= since) sum += n;
    return sum;
  }

  private addUsage(now: number, recipients: number): void {
    const hour = hourKey(now);
    this.usage.set(hour, (this.usage.get(hour) ?? 0) + recipients);
    this.usageDelta += recipients;
  }

  /** Moves the ring to the second of `now`, zeroing the seconds that passed without a message. */
  private advanceRate(now: number): void {
    const second = Math.floor(now / 1000);
    const gap = Math.min(RATE_WINDOW_S, second - this.acceptedSecond);
    for (let k = 1; k <= gap; k++)
      this.acceptedPerSecond[(this.acceptedSecond + k) % RATE_WINDOW_S] = 0;
    if (second > this.acceptedSecond) this.acceptedSecond = second;
  }

  private countAccepted(now: number): void {
    this.advanceRate(now);
    const slot = this.acceptedSecond % RATE_WINDOW_S;
    this.acceptedPerSecond[slot] = (this.acceptedPerSecond[slot] ?? 0) + 1;
  }

  private currentRate(now: number): number {
    this.advanceRate(now);
    const total = this.acceptedPerSecond.reduce((a, b) => a + b, 0);
    const span = Math.min(RATE_WINDOW_S * 1000, Math.max(1000, now - this.startedAt));
    return (total * 1000) / span;
  }
}

/** A message ready to go: its stored (or just built) intent, with its own copy of the recipients. */
function toJob(intent: Omit<BatchIntent, 'sha256'>, line: number | undefined): Job {
  return {
    row: intent.row,
    line,
    uid: intent.uid,
    messageId: intent.messageId,
    envelopeFrom: intent.envelopeFrom,
    raw: intent.raw,
    recipients: intent.recipients.map((r) => ({ ...r })),
    notBefore: 0,
  };
}

function pendingOf(job: Job): BatchRecipientState[] {
  return job.recipients.filter((r) => r.status === 'pending');
}

function toRowOutcome(job: Job, recipients: readonly BatchRecipientState[]): RowOutcome {
  const accepted = recipients.filter((r) => r.status === 'accepted').length;
  const status = accepted === recipients.length ? 'sent' : accepted === 0 ? 'failed' : 'partial';
  return {
    row: job.row,
    ...(job.line === undefined ? {} : { line: job.line }),
    status,
    uid: job.uid,
    messageId: job.messageId,
    recipients: recipients.map((r) => ({
      email: r.email,
      status: r.status === 'accepted' ? 'accepted' : 'failed',
      code: r.code,
      enhanced: r.enhanced,
      response: r.status === 'accepted' ? null : r.response,
      attempts: r.attempts,
    })),
  };
}

/** `2026-11-21T09`: the hour bucket of the daily cap (UTC). */
function hourKey(ms: number): string {
  return new Date(ms).toISOString().slice(0, 13);
}

/** Outbox and memory transports: "sessions" over the transport itself. */
function wholeTransportSession(transport: Transport): TransportSession {
  return {
    usable: true,
    send: (message) => transport.send(message),
    close: () => Promise.resolve(),
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Only `name` and `email`: the address is stored as JSON with the batch and cloned into the build
 * worker, so a caller's object with extra (or non-cloneable) properties must not travel.
 */
function plainAddress(address: MailAddress): MailAddress {
  return address.name === undefined
    ? { email: address.email }
    : { name: address.name, email: address.email };
}
