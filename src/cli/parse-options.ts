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
    const refused = refusedOption(err);
    if (refused !== undefined) {
      throw new SmtpInviteError(
        'ERR_USAGE',
        `${command}: ${refused} (see smtp-invite ${command} --help)`,
      );
    }
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

/**
 * Options that do not exist on purpose, with the reason and what to use instead (instead of
 * parseArgs' "Unknown option"). A secret on the command line is readable by every local user
 * (ps, /proc/<pid>/cmdline) and kept in the shell history.
 */
const REFUSED_OPTIONS: Readonly<Record<string, string>> = {
  '--password':
    'there is no --password option, as other users can read the command line: give the password in SMTP_PASSWORD, --password-file FILE (chmod 600) or the config file (password or passwordFile)',
  '--oauth-token':
    'there is no --oauth-token option, as other users can read the command line: give the token in SMTP_OAUTH_TOKEN or the config file (oauth2.accessToken)',
  '--oauth-client-secret':
    'there is no --oauth-client-secret option, as other users can read the command line: use --oauth-client-secret-file FILE or SMTP_INVITE_OAUTH_CLIENT_SECRET',
  '--oauth-refresh-token':
    'there is no --oauth-refresh-token option, as other users can read the command line: use --oauth-refresh-token-file FILE or SMTP_INVITE_OAUTH_REFRESH_TOKEN',
};

function refusedOption(err: unknown): string | undefined {
  if ((err as { code?: unknown } | null)?.code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
    return undefined;
  const option = /Unknown option '([^'=]+)/.exec(err instanceof Error ? err.message : '')?.[1];
  return option === undefined ? undefined : REFUSED_OPTIONS[option];
}
