import type { SecretMask } from './secret-mask.ts';

/** What a command may touch: streams, environment and working directory (injected for tests). */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Colour and progress only on a terminal. */
  readonly stderrIsTty: boolean;
  readonly stdoutIsTty: boolean;
  /** Standard input, for commands that read `-`. */
  readonly readStdin: () => Promise<Buffer>;
  /**
   * Long-running commands (batch) stop cleanly on Ctrl-C: `handler` runs on the first SIGINT or
   * SIGTERM; a second one exits at once (130). Returns the function that removes the handler.
   * Absent in tests that do not need it.
   */
  readonly onInterrupt?: (handler: () => void) => () => void;
  /**
   * A real process: `batch` may run in a worker thread with a small young generation (see
   * run-in-batch-thread.ts). Tests running the CLI in-process leave it out.
   */
  readonly memoryBoundedThreads?: boolean;
  /**
   * The secrets masked in everything written to stdout and stderr (set by run() and the batch
   * thread, see secret-mask.ts): a command registers those it reads (password file, tokens).
   */
  readonly secrets?: SecretMask;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    stderrIsTty: process.stderr.isTTY === true,
    stdoutIsTty: process.stdout.isTTY === true,
    memoryBoundedThreads: true,
    onInterrupt: (handler) => {
      let interrupted = false;
      const listener = (): void => {
        if (interrupted) process.exit(130);
        interrupted = true;
        handler();
      };
      process.on('SIGINT', listener);
      process.on('SIGTERM', listener);
      return () => {
        process.off('SIGINT', listener);
        process.off('SIGTERM', listener);
      };
    },
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
  };
}

/** Exit codes (README "Exit codes"). */
export const EXIT = { ok: 0, partial: 1, usage: 2, operational: 3, interrupted: 130 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
