/**
 * The reading phase of a batch: every row is merged into the template (when there is one),
 * validated, and recorded in the ledger before anything is sent. So a resume needs no rows file,
 * and an invalid row is found before the first message goes out: then the batch is dropped again
 * and nothing is sent (unless the caller chose to skip invalid rows, which are then recorded as such).
 *
 * Memory stays flat: rows are streamed in and written in chunks.
 */
import { randomUUID } from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

import { mergeTemplate } from '../batch/merge-template.ts';
import type { Diagnostic } from '../diagnostics.ts';
import { SmtpInviteError } from '../errors.ts';
import type { Ledger } from '../ledger/ledger-types.ts';
import { validateInvite } from '../model/validate-invite.ts';

/** A row with its place in a file (the CLI's readRows gives these), or a bare record. */
export interface BatchSourceRow {
  readonly row: number;
  readonly line: number;
  readonly record: Readonly<Record<string, unknown>>;
}

export type BatchRowsInput = AsyncIterable<unknown> | Iterable<unknown>;

export interface RecordRowsOptions {
  readonly template?: unknown;
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
  let chunk: { row: number; line?: number; input?: unknown; problems?: string[] }[] = [];
  let count = 0;
  let invalid = 0;
  const listed: Diagnostic[] = [];
  let stopped = false;
  try {
    for await (const item of rows) {
      count += 1;
      const { record, line } = toSourceRow(item, count);
      const result = prepareRow(record, options.template);
      if (result.ok) {
        chunk.push({ row: count, ...(line === undefined ? {} : { line }), input: result.input });
      } else {
        invalid += 1;
        chunk.push({
          row: count,
          ...(line === undefined ? {} : { line }),
          problems: result.problems,
        });
        if (options.skipInvalid) options.onInvalid?.(count, line, result.problems);
        for (const problem of result.problems) {
          if (listed.length < MAX_LISTED_PROBLEMS) {
            listed.push({
              code: 'batch-row-invalid',
              severity: 'error',
              path:
                line === undefined
                  ? `row ${String(count)}`
                  : `row ${String(count)} (line ${String(line)})`,
              message: problem,
            });
          }
        }
      }
      if (chunk.length >= CHUNK_ROWS) {
        ledger.batches.addRows(id, chunk);
        chunk = [];
        // Let a Ctrl-C (and other IO) in between chunks.
        await yieldToEventLoop();
        if (options.stopped()) {
          stopped = true;
          break;
        }
      }
    }
    if (!stopped) ledger.batches.addRows(id, chunk);
  } catch (err) {
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
    const more =
      invalid > 0
        ? ` (${String(invalid)} invalid row${invalid === 1 ? '' : 's'} of ${String(count)})`
        : '';
    throw new SmtpInviteError(
      'ERR_INVALID_INPUT',
      `invalid rows${more}: nothing was sent; fix them, or pass --skip-invalid to send the valid rows and report the others.`,
      { diagnostics: listed },
    );
  }
  ledger.batches.finishReading(id);
  return { rows: count, invalid, stopped: false };
}

function toSourceRow(item: unknown, position: number): { record: unknown; line?: number } {
  if (isSourceRow(item)) return { record: item.record, line: item.line };
  void position;
  return { record: item };
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

type Prepared = { ok: true; input: unknown } | { ok: false; problems: string[] };

/** Template merge, then validation; the UID is fixed now so every build of the row agrees. */
function prepareRow(record: unknown, template: unknown): Prepared {
  let input: unknown = record;
  if (template !== undefined) {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      return { ok: false, problems: ['the row is not an object of column values'] };
    }
    const merged = mergeTemplate(template, record as Record<string, unknown>);
    if (!merged.ok) return { ok: false, problems: merged.problems };
    input = merged.input;
  }
  const validated = validateInvite(input, { newUid: randomUUID });
  if (!validated.ok) {
    return {
      ok: false,
      problems: validated.diagnostics
        .filter((d) => d.severity === 'error')
        .map((d) => (d.path === '' ? d.message : `${d.path}: ${d.message}`)),
    };
  }
  if (validated.invite.attendees.length === 0) {
    return { ok: false, problems: ['attendees: the invite has no attendee to send it to'] };
  }
  const uid = validated.invite.uid;
  return { ok: true, input: { ...(input as Record<string, unknown>), uid } };
}
