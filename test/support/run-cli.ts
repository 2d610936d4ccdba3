/** Runs the CLI in-process with captured output and a private environment. */
import { run } from '../../src/cli/run.ts';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(
  argv: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; stdin?: Buffer | string; tty?: boolean },
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: options.env ?? {},
    cwd: options.cwd,
    stderrIsTty: options.tty ?? false,
    stdoutIsTty: options.tty ?? false,
    readStdin: () => Promise.resolve(Buffer.from(options.stdin ?? '')),
  });
  return { code, stdout, stderr };
}
