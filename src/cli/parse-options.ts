/**
 * Strict option parsing on node:util parseArgs: an unknown option or a missing value is a usage error
 * (exit 2) with the command's --help hint, never silently ignored.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SmtpInviteError } from '../errors.ts';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export function parseOptions<T extends OptionSpec>(
  command: string,
  argv: readonly string[],
  options: T,
): {
  values: ReturnType<
    typeof parseArgs<{ options: T; allowPositionals: true; strict: true }>
  >['values'];
  positionals: string[];
} {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options,
      allowPositionals: true,
      strict: true,
    });
    return { values, positionals };
  } catch (err) {
    const message =
      err instanceof Error
        ? err.message.replace(/\. To specify a positional argument.*$/s, '')
        : String(err);
    throw new SmtpInviteError(
      'ERR_USAGE',
      `${command}: ${message} (see smtp-invite ${command} --help)`,
      { cause: err },
    );
  }
}
