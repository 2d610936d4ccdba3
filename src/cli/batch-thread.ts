/**
 * Worker-thread entry of `smtp-invite batch` (run-in-batch-thread.ts): the command on this thread,
 * writing to the process's streams, interrupted by a message from the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { SmtpInviteError } from '../errors.ts';
import type { CliIo } from './cli-io.ts';
import { runBatchHere } from './command-batch.ts';
import type { BatchThreadData } from './run-in-batch-thread.ts';
import { reportError } from './report-problems.ts';
import { withSecretMask } from './secret-mask.ts';

const data = workerData as BatchThreadData;
const handlers = new Set<() => void>();
parentPort?.on('message', (message: unknown) => {
  if (message === 'interrupt') for (const handler of handlers) handler();
});

// Masked like the main thread's io (run.ts): the command registers its secrets on this thread.
const io: CliIo = withSecretMask({
  stdout: process.stdout,
  stderr: process.stderr,
  env: data.env,
  cwd: data.cwd,
  stderrIsTty: data.stderrIsTty,
  stdoutIsTty: data.stdoutIsTty,
  readStdin: () => Promise.resolve(Buffer.alloc(0)),
  onInterrupt: (handler) => {
    handlers.add(handler);
    return () => handlers.delete(handler);
  },
});

let code: number;
try {
  code = await runBatchHere(data.argv, io);
} catch (err) {
  // As run() reports them on the main thread.
  if (err instanceof SmtpInviteError && err.code === 'ERR_USAGE') {
    io.stderr.write(`smtp-invite ${err.message}\n`);
    code = 2;
  } else {
    code = reportError(io, err);
  }
}
parentPort?.postMessage({ exit: code });
// The port would keep this thread alive; everything is written, so let it end.
parentPort?.close();
