/**
 * `smtp-invite batch` runs in a worker thread of its own, with a small young generation.
 *
 * Why: a batch allocates at a high rate for minutes (rows, SMTP, ledger records) while keeping
 * little alive (under 50 MB), and V8 lets the main thread's young generation grow to 16 MB
 * semi-spaces and its old generation with it; measured peak RSS was 330 MB for 100,000 rows.
 * `--max-semi-space-size` would fix that but cannot be set once the process runs, and a flag in the
 * bin's shebang would not reach `node src/cli/main.ts` or Windows shims; a worker's resourceLimits
 * can, for the thread that does the work. With it: about 230 MB for 100,000 rows, close to the
 * figure for 10,000 (scripts/bench/batch.bench.ts measures it).
 *
 * The worker writes to the process's stdout and stderr (Node forwards a worker's streams), gets
 * Ctrl-C as a message, and answers with its exit code; a kill of the process ends it too.
 */
import { Worker } from 'node:worker_threads';

import type { CliIo } from './cli-io.ts';

export interface BatchThreadData {
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly stderrIsTty: boolean;
  readonly stdoutIsTty: boolean;
}

/**
 * Young generation of the batch thread, in MB (about what --max-semi-space-size=2 gives), and an
 * old generation bound far above what a batch keeps alive (rows and messages are streamed in
 * chunks) but low enough that V8 collects instead of growing: 330 → 230 MB peak for 100,000 rows.
 */
const YOUNG_GENERATION_MB = 6;
const OLD_GENERATION_MB = 256;

export async function runInBatchThread(argv: readonly string[], io: CliIo): Promise<number> {
  const suffix = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const data: BatchThreadData = {
    argv: [...argv],
    env: { ...io.env },
    cwd: io.cwd,
    stderrIsTty: io.stderrIsTty,
    stdoutIsTty: io.stdoutIsTty,
  };
  const worker = new Worker(new URL(`./batch-thread${suffix}`, import.meta.url), {
    workerData: data,
    resourceLimits: {
      maxYoungGenerationSizeMb: YOUNG_GENERATION_MB,
      maxOldGenerationSizeMb: OLD_GENERATION_MB,
    },
  });
  const removeInterrupt = io.onInterrupt?.(() => worker.postMessage('interrupt'));
  try {
    let code: number | undefined;
    worker.on('message', (message: { exit?: number }) => {
      if (typeof message.exit === 'number') code = message.exit;
    });
    const failure = await new Promise<Error | undefined>((resolve) => {
      worker.once('error', (err: Error) => resolve(err));
      worker.once('exit', () => resolve(undefined));
    });
    if (failure !== undefined) {
      io.stderr.write(`batch: unexpected error: ${failure.stack ?? failure.message}\n`);
      return 3;
    }
    return code ?? 3;
  } finally {
    removeInterrupt?.();
  }
}
