/**
 * Reading SQLite rows into typed records, shared by the ledger's modules. STRICT tables guarantee
 * the column types; a mismatch means a foreign writer or a corrupt file (ERR_LEDGER_IO).
 */
import { SmtpInviteError } from '../errors.ts';

/** A column value as node:sqlite returns it (declared here so that only open-ledger.ts imports node:sqlite). */
export type SqlValue = null | number | bigint | string | Uint8Array;
export type Row = Record<string, SqlValue>;
export type SqlParam = null | number | bigint | string | Uint8Array;

/**
 * The statements of one open ledger, for the modules that add tables to it (batch-store.ts):
 * prepared-statement caching, error wrapping (ERR_LEDGER_IO naming the file and what failed) and
 * transactions (nested calls become savepoints) stay in open-ledger.ts.
 */
export interface SqlRunner {
  readonly file: string;
  all(what: string, sql: string, ...params: SqlParam[]): Row[];
  get(what: string, sql: string, ...params: SqlParam[]): Row | undefined;
  run(what: string, sql: string, ...params: SqlParam[]): { changes: number | bigint };
  transaction<T>(fn: () => T): T;
  now(): Date;
}

/** `{ key: value }`, or `{}` for NULL: optional properties stay absent (exactOptionalPropertyTypes). */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}

export function text(row: Row, column: string, file: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw columnError(file, column, 'text');
  return value;
}

export function optionalText(row: Row, column: string, file: string): string | undefined {
  return row[column] === null ? undefined : text(row, column, file);
}

export function integer(row: Row, column: string, file: string): number {
  const value = row[column];
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw columnError(file, column, 'an integer');
  }
  return value;
}

export function optionalInteger(row: Row, column: string, file: string): number | undefined {
  return row[column] === null ? undefined : integer(row, column, file);
}

export function columnError(file: string, column: string, expected: string): SmtpInviteError {
  return new SmtpInviteError(
    'ERR_LEDGER_IO',
    `The ledger ${file} holds a value that is not ${expected} in column ${column} (corrupt or foreign file).`,
  );
}
