import { formatDiagnostic, type Diagnostic } from '../diagnostics.ts';
import { SmtpInviteError } from '../errors.ts';
import type { CliIo } from './cli-io.ts';

/** Prints an error (with every diagnostic for invalid input) on stderr; returns its exit code. */
export function reportError(io: CliIo, err: unknown, prefix = ''): 2 | 3 {
  const lead = prefix === '' ? '' : `${prefix}: `;
  if (err instanceof SmtpInviteError) {
    if (err.code === 'ERR_INVALID_INPUT' && err.diagnostics.length > 0) {
      io.stderr.write(
        `${lead}invalid invite (${err.diagnostics.length} problem${err.diagnostics.length === 1 ? '' : 's'}); nothing was written or sent:\n`,
      );
      for (const d of err.diagnostics) io.stderr.write(`  ${formatDiagnostic(d)}\n`);
    } else {
      io.stderr.write(`${lead}error ${err.code}: ${err.message}\n`);
    }
    return err.exitCode;
  }
  io.stderr.write(
    `${lead}unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  return 3;
}

/** Non-fatal diagnostics (e.g. an ambiguous local time) on stderr. */
export function reportWarnings(io: CliIo, warnings: readonly Diagnostic[], prefix: string): void {
  for (const w of warnings) io.stderr.write(`${prefix}: ${formatDiagnostic(w)}\n`);
}
