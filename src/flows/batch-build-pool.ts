/**
 * Where batch rows are built: in this thread, or in worker threads so that building (the CPU-heavy
 * part: iCalendar, MIME, hashing) runs on another core while this thread drives the SMTP
 * connections and the ledger. Results come back in job order.
 */
import { Worker } from 'node:worker_threads';

import { SmtpInviteError } from '../errors.ts';
import {
  buildBatchRow,
  type BatchBuildJob,
  type BatchBuildOptions,
  type BuiltBatchRow,
} from './build-batch-row.ts';
import type { WorkerRequest } from './batch-build-worker.ts';
import { prepareBatchRow, type PreparedRow } from './prepare-batch-row.ts';

/** A request before the pool numbers it (Omit distributed over the union's members). */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

export interface BuildPool {
  /** Merges and validates rows of the reading phase (prepareBatchRow). */
  prepare(template: unknown, records: readonly unknown[]): Promise<PreparedRow[]>;
  build(jobs: readonly BatchBuildJob[]): Promise<BuiltBatchRow[]>;
  close(): Promise<void>;
}

export function createBuildPool(
  batchId: string,
  options: BatchBuildOptions,
  threads: number,
): BuildPool {
  if (threads <= 0) {
    return {
      prepare: (template, records) =>
        Promise.resolve(records.map((r) => prepareBatchRow(r, template))),
      build: (jobs) => Promise.resolve(jobs.map((job) => buildBatchRow(batchId, job, options))),
      close: () => Promise.resolve(),
    };
  }
  // Run from src/ (type stripping) or from dist/ (compiled): the worker file has the same suffix.
  const suffix = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const workerUrl = new URL(`./batch-build-worker${suffix}`, import.meta.url);
  const workers = Array.from({ length: threads }, () => {
    // A small young generation: the worker's garbage is short-lived, and the default semi-spaces
    // would keep tens of megabytes resident for nothing during a long batch.
    const worker = new Worker(workerUrl, {
      resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 128 },
    });
    // A pool idle between jobs must not keep the process alive on its own.
    worker.unref();
    return worker;
  });
  const pending = new Map<
    number,
    { resolve: (r: unknown[]) => void; reject: (e: Error) => void }
  >();
  let nextId = 1;
  let turn = 0;
  let failure: Error | undefined;

  for (const worker of workers) {
    worker.on('message', (reply: { id: number; results?: unknown[]; error?: string }) => {
      const waiter = pending.get(reply.id);
      if (waiter === undefined) return;
      pending.delete(reply.id);
      if (reply.results === undefined) {
        waiter.reject(
          new SmtpInviteError('ERR_INTERNAL', `a batch worker job failed: ${reply.error ?? '?'}`),
        );
        return;
      }
      waiter.resolve(reply.results);
    });
    worker.on('error', (err: Error) => {
      failure = new SmtpInviteError('ERR_INTERNAL', `a batch build worker failed: ${err.message}`, {
        cause: err,
      });
      for (const waiter of pending.values()) waiter.reject(failure);
      pending.clear();
    });
  }

  /** Sends a request to the next worker in turn; resolves with its results. */
  const ask = (request: WithoutId<WorkerRequest>): Promise<unknown[]> => {
    if (failure !== undefined) return Promise.reject(failure);
    const id = nextId++;
    const worker = workers[turn++ % workers.length];
    if (worker === undefined) return Promise.reject(new Error('no worker'));
    return new Promise<unknown[]>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ ...request, id });
    }).finally(() => {
      if (pending.size === 0) for (const w of workers) w.unref();
    });
  };

  return {
    async prepare(template, records) {
      return (await ask({ kind: 'prepare', template, records })) as PreparedRow[];
    },
    async build(jobs) {
      const results = (await ask({ kind: 'build', batchId, options, jobs })) as BuiltBatchRow[];
      // Buffers arrive as plain Uint8Arrays after the transfer.
      return results.map((r) =>
        r.ok ? { ...r, raw: Buffer.from(r.raw.buffer, r.raw.byteOffset, r.raw.byteLength) } : r,
      );
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
