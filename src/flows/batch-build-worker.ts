/**
 * Worker-thread entry of the batch build pool (batch-build-pool.ts): builds rows off the main
 * thread, which keeps the SMTP connections and the ledger busy meanwhile. Builds are pure, so the
 * worker needs nothing but the jobs; bytes go back as transferred buffers (no copy).
 */
import { parentPort } from 'node:worker_threads';

import { buildBatchRow, type BatchBuildJob, type BatchBuildOptions } from './build-batch-row.ts';

export interface WorkerRequest {
  readonly id: number;
  readonly batchId: string;
  readonly options: BatchBuildOptions;
  readonly jobs: readonly BatchBuildJob[];
}

parentPort?.on('message', (request: WorkerRequest) => {
  try {
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
