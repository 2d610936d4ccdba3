/** `--db PATH` (or SMTP_INVITE_DB): every command that reads or writes the ledger takes it. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/**
 * For --dry-run: the ledger when it exists (to read the event), else a throw-away one, so that a
 * dry run never creates the ledger file ("send and write nothing"). The caller closes it; a
 * throw-away ledger deletes itself on close.
 */
export function openLedgerForDryRun(
  values: { readonly db?: string | undefined },
  io: CliIo,
): Ledger {
  const path = resolveLedgerPath(values.db, io.env, io.cwd);
  if (existsSync(path)) return openLedger(path);
  const dir = mkdtempSync(join(tmpdir(), 'smtp-invite-dry-run-'));
  const ledger = openLedger(join(dir, 'ledger.db'));
  const close = () => {
    ledger.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return new Proxy(ledger, {
    get(target, key) {
      if (key === 'close') return close;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}
