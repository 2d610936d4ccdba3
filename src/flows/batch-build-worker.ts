/**
 * Worker-thread entry of the batch build pool (batch-build-pool.ts): prepares rows (merge and
 * validate) and builds messages off the main thread, which keeps the rows file, the SMTP
 * connections and the ledger busy meanwhile. Both are pure, so the worker needs nothing but the
 * requests; message bytes go back as transferred buffers (no copy).
 */
import { parentPort } from 'node:worker_threads';

import { buildBatchRow, type BatchBuildJob, type BatchBuildOptions } from './build-batch-row.ts';
import { prepareBatchRow } from './prepare-batch-row.ts';

export type WorkerRequest =
  | {
      readonly kind: 'build';
      readonly id: number;
      readonly batchId: string;
      readonly options: BatchBuildOptions;
      readonly jobs: readonly BatchBuildJob[];
    }
  | {
      readonly kind: 'prepare';
      readonly id: number;
      readonly template: unknown;
      readonly records: readonly unknown[];
    };

parentPort?.on('message', (request: WorkerRequest) => {
  try {
    if (request.kind === 'prepare') {
      const results = request.records.map((r) => prepareBatchRow(r, request.template));
      parentPort?.postMessage({ id: request.id, results });
      return;
    }
    const results = request.jobs.map((job) => buildBatchRow(request.batchId, job, request.options));
    const transfer = results.flatMap((r) =>
      r.ok && r.raw.byteOffset === 0 && r.raw.byteLength === r.raw.buffer.byteLength
        ? [r.raw.buffer as ArrayBuffer]
        : [],
    );
    parentPort?.postMessage({ id: request.id, results }, transfer);
  } catch (err) {
    parentPort?.postMessage({
      id: request.id,
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    });
  }
});
