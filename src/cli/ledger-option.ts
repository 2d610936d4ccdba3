/** `--db PATH` (or SMTP_INVITE_DB): every command that reads or writes the ledger takes it. */
import type { Ledger } from '../ledger/ledger-types.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { resolveLedgerPath } from '../ledger/resolve-ledger-path.ts';
import type { CliIo } from './cli-io.ts';

export const LEDGER_OPTIONS = { db: { type: 'string' } } as const;

export const LEDGER_HELP = `Ledger:
  --db PATH            The ledger (SQLite) that remembers every invite, message and answer.
                       Default: $SMTP_INVITE_DB, else ./.smtp-invite/ledger.db (created on first use).
`;

export function openLedgerFor(values: { readonly db?: string | undefined }, io: CliIo): Ledger {
  return openLedger(resolveLedgerPath(values.db, io.env, io.cwd));
}
