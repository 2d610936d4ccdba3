/**
 * The reading phase of a batch: every row is merged into the template (when there is one),
 * validated, and recorded in the ledger before anything is sent. So a resume needs no rows file,
 * and an invalid row is found before the first message goes out: then the batch is dropped again
 * and nothing is sent (unless the caller chose to skip invalid rows, which are then recorded as such).
 *
 * Memory stays flat: rows are streamed in and written in chunks.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

import type { Diagnostic } from '../diagnostics.ts';
import { SmtpInviteError } from '../errors.ts';
import type { Ledger } from '../ledger/ledger-types.ts';
import type { PreparedRow } from './prepare-batch-row.ts';

/** A row with its place in a file (the CLI's readRows gives these), or a bare record. */
export interface BatchSourceRow {
  readonly row: number;
  readonly line: number;
  readonly record: Readonly<Record<string, unknown>>;
}

export type BatchRowsInput = AsyncIterable<unknown> | Iterable<unknown>;

export interface RecordRowsOptions {
  /** Merges and validates rows (prepareBatchRow, in the build thread when there is one). */
  readonly prepare: (records: readonly unknown[]) => Promise<PreparedRow[]>;
  readonly skipInvalid: boolean;
  /** Checked between chunks: a stop while reading drops the batch (nothing was sent). */
  readonly stopped: () => boolean;
  /** Called for each invalid row when invalid rows are skipped. */
  readonly onInvalid?: (row: number, line: number | undefined, problems: string[]) => void;
}

export interface RecordRowsResult {
  readonly rows: number;
  readonly invalid: number;
  readonly stopped: boolean;
}

const CHUNK_ROWS = 500;
const MAX_LISTED_PROBLEMS = 20;

/**
 * Reads every row into batch `id` (which must be in state 'reading'). Throws ERR_INVALID_INPUT
 * listing the problems (after deleting the batch) when a row is invalid and invalid rows are not
 * skipped, or when there are no rows; rethrows a rows-reading error after deleting the batch.
 */
export async function recordBatchRows(
  ledger: Ledger,
  id: string,
  rows: BatchRowsInput,
  options: RecordRowsOptions,
): Promise<RecordRowsResult> {
  let chunk: { row: number; line: number | undefined; record: unknown }[] = [];
  let count = 0;
  let invalid = 0;
  const listed: Diagnostic[] = [];
  let stopped = false;
  // One chunk is prepared (merged and validated, in the build thread) while the next is read.
  let previous: Promise<void> = Promise.resolve();

  const record = async (
    rowsRead: readonly { row: number; line: number | undefined; record: unknown }[],
  ): Promise<void> => {
    const prepared = await options.prepare(rowsRead.map((r) => r.record));
    const stored = rowsRead.map(({ row, line }, k) => {
      const result = prepared[k] ?? { ok: false, problems: ['the row was not prepared'] };
      const at = line === undefined ? {} : { line };
      if (result.ok) return { row, ...at, inputJson: result.inputJson };
      invalid += 1;
      if (options.skipInvalid) options.onInvalid?.(row, line, result.problems);
      for (const problem of result.problems) {
        if (listed.length < MAX_LISTED_PROBLEMS) {
          listed.push({
            code: 'batch-row-invalid',
            severity: 'error',
            path:
              line === undefined
                ? `row ${String(row)}`
                : `row ${String(row)} (line ${String(line)})`,
            message: problem,
          });
        }
      }
      return { row, ...at, problems: result.problems };
    });
    ledger.batches.addRows(id, stored);
  };

  try {
    for await (const item of rows) {
      count += 1;
      const { record: data, line } = toSourceRow(item);
      chunk.push({ row: count, line, record: data });
      if (chunk.length >= CHUNK_ROWS) {
        await previous;
        previous = record(chunk);
        // A failed chunk must not be an unhandled rejection while the next one is read.
        previous.catch(() => undefined);
        chunk = [];
        // Let a Ctrl-C (and other IO) in between chunks.
        await yieldToEventLoop();
        if (options.stopped()) {
          stopped = true;
          break;
        }
      }
    }
    await previous;
    if (!stopped && chunk.length > 0) await record(chunk);
  } catch (err) {
    await previous.catch(() => undefined);
    ledger.batches.deleteBatch(id);
    throw err;
  }
  if (stopped) {
    ledger.batches.deleteBatch(id);
    return { rows: count, invalid, stopped: true };
  }
  if (count === 0) {
    ledger.batches.deleteBatch(id);
    throw new SmtpInviteError('ERR_INVALID_INPUT', 'the rows contain no row: nothing to send.');
  }
  if (invalid > 0 && !options.skipInvalid) {
    ledger.batches.deleteBatch(id);
    throw new SmtpInviteError(
      'ERR_INVALID_INPUT',
      `invalid rows (${String(invalid)} invalid row${invalid === 1 ? '' : 's'} of ${String(count)}): nothing was sent; fix them, or pass --skip-invalid to send the valid rows and report the others.`,
      { diagnostics: listed },
    );
  }
  ledger.batches.finishReading(id);
  return { rows: count, invalid, stopped: false };
}

function toSourceRow(item: unknown): { record: unknown; line: number | undefined } {
  if (isSourceRow(item)) return { record: item.record, line: item.line };
  return { record: item, line: undefined };
}

/** `{ row, line, record }` and nothing else: what readRows yields (an invite never looks like it). */
export function isSourceRow(item: unknown): item is BatchSourceRow {
  if (typeof item !== 'object' || item === null) return false;
  const keys = Object.keys(item);
  const r = item as Record<string, unknown>;
  return (
    keys.length === 3 &&
    typeof r['row'] === 'number' &&
    typeof r['line'] === 'number' &&
    typeof r['record'] === 'object' &&
    r['record'] !== null
  );
}
