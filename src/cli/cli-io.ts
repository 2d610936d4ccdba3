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
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    stderrIsTty: process.stderr.isTTY === true,
    stdoutIsTty: process.stdout.isTTY === true,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
  };
}

/** Exit codes (README "Exit codes"). */
export const EXIT = { ok: 0, partial: 1, usage: 2, operational: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
