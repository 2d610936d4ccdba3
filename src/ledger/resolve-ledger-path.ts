/**
 * Where the ledger lives: `--db PATH`, else the SMTP_INVITE_DB environment variable, else
 * `./.smtp-invite/ledger.db`; always resolved against the caller's working directory (the CLI
 * passes its own cwd, so tests and embedding apps never depend on process.cwd()).
 */
import path from 'node:path';

import { SmtpInviteError } from '../errors.ts';

export const LEDGER_PATH_ENV = 'SMTP_INVITE_DB';
export const DEFAULT_LEDGER_PATH = path.join('.smtp-invite', 'ledger.db');

export function resolveLedgerPath(
  option: string | undefined,
  env: NodeJS.ProcessEnv,
  cwd: string,
): string {
  if (option !== undefined) {
    // `--db ""` (e.g. an unset shell variable) is a mistake, not a request for the default.
    if (option.trim() === '') {
      throw new SmtpInviteError('ERR_USAGE', '--db needs a file path, e.g. --db ./ledger.db.');
    }
    return path.resolve(cwd, option);
  }
  // An empty variable counts as unset, as shells make `SMTP_INVITE_DB=` easy to leave behind.
  const fromEnv = env[LEDGER_PATH_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return path.resolve(cwd, fromEnv);
  return path.resolve(cwd, DEFAULT_LEDGER_PATH);
}
