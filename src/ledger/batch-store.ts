/**
 * The ledger's batch tables (migration 2): batches, their rows with intents and outcomes, and the
 * recipients each sending account used per hour. SQL through open-ledger.ts's runner, so this module
 * never touches node:sqlite itself and shares the connection, its transactions and error wrapping.
 */
import { createHash } from 'node:crypto';

import { SmtpInviteError } from '../errors.ts';
import type {
  BatchCounts,
  BatchRecipientState,
  BatchRecord,
  BatchRowRecord,
  BatchState,
  BatchStore,
} from './ledger-types.ts';
import {
  columnError,
  integer,
  optional,
  optionalInteger,
  optionalText,
  text,
  type Row,
  type SqlRunner,
} from './ledger-rows.ts';

export function createBatchStore(sql: SqlRunner): BatchStore {
  const { file } = sql;

  const requireBatch = (id: string): BatchRecord => {
    const batch = store.getBatch(id);
    if (batch === undefined) {
      throw new SmtpInviteError(
        'ERR_UNKNOWN_BATCH',
        `The ledger ${file} has no batch ${id}: check the id (smtp-invite batch --list) or --db.`,
      );
    }
    return batch;
  };
  const touch = (id: string): void => {
    sql.run(
      'cannot update a batch',
      'UPDATE batches SET updated_at = ? WHERE id = ?',
      sql.now().toISOString(),
      id,
    );
  };

  const store: BatchStore = {
    createBatch(id, settings, source) {
      const stamp = sql.now().toISOString();
      const { changes } = sql.run(
        'cannot create a batch',
        `INSERT INTO batches (id, source, settings_json, state, row_count, created_at, updated_at)
         VALUES (?, ?, ?, 'reading', 0, ?, ?) ON CONFLICT (id) DO NOTHING`,
        id,
        source ?? null,
        JSON.stringify(settings),
        stamp,
        stamp,
      );
      if (Number(changes) === 0) {
        throw new SmtpInviteError(
          'ERR_LEDGER_CONFLICT',
          `The ledger ${file} already has a batch ${id}: nothing was written.`,
        );
      }
      return requireBatch(id);
    },

    getBatch(id) {
      const row = sql.get('cannot read a batch', 'SELECT * FROM batches WHERE id = ?', id);
      return row === undefined ? undefined : toBatchRecord(row, file);
    },

    latestUnfinished() {
      const row = sql.get(
        'cannot read batches',
        `SELECT * FROM batches WHERE state <> 'finished' ORDER BY created_at DESC, id DESC LIMIT 1`,
      );
      return row === undefined ? undefined : toBatchRecord(row, file);
    },

    listBatches() {
      return sql
        .all('cannot list batches', 'SELECT * FROM batches ORDER BY created_at, id')
        .map((row) => toBatchRecord(row, file));
    },

    addRows(id, rows) {
      if (rows.length === 0) return;
      sql.transaction(() => {
        for (const row of rows) {
          sql.run(
            'cannot record a batch row',
            `INSERT INTO batch_rows (batch_id, row_no, line, input_json, problems_json, state)
             VALUES (?, ?, ?, ?, ?, ?)`,
            id,
            row.row,
            row.line ?? null,
            row.inputJson ?? null,
            row.problems === undefined ? null : JSON.stringify(row.problems),
            row.problems === undefined ? 'pending' : 'invalid',
          );
        }
        sql.run(
          'cannot update a batch',
          'UPDATE batches SET row_count = row_count + ?, updated_at = ? WHERE id = ?',
          rows.length,
          sql.now().toISOString(),
          id,
        );
      });
    },

    finishReading(id) {
      setState(id, 'open', 'reading');
    },

    deleteBatch(id) {
      sql.run('cannot delete a batch', 'DELETE FROM batches WHERE id = ?', id);
    },

    updateSettings(id, settings) {
      requireBatch(id);
      sql.run(
        'cannot update a batch',
        'UPDATE batches SET settings_json = ?, updated_at = ? WHERE id = ?',
        JSON.stringify(settings),
        sql.now().toISOString(),
        id,
      );
    },

    nextRows(id, afterRow, limit) {
      return sql
        .all(
          'cannot read batch rows',
          `SELECT * FROM batch_rows WHERE batch_id = ? AND row_no > ?
             AND state IN ('pending', 'sending') ORDER BY row_no LIMIT ?`,
          id,
          afterRow,
          limit,
        )
        .map((row) => toBatchRow(row, file));
    },

    problemRows(id, afterRow, limit) {
      return sql
        .all(
          'cannot read batch rows',
          `SELECT * FROM batch_rows WHERE batch_id = ? AND row_no > ?
             AND (state = 'invalid' OR failed > 0) ORDER BY row_no LIMIT ?`,
          id,
          afterRow,
          limit,
        )
        .map((row) => toBatchRow(row, file));
    },

    recordIntent(id, intent) {
      // The builder hashed the bytes (off the main thread); they are checked against the hash
      // when read back for a resend (toBatchRow), where a mismatch would matter.
      const { changes } = sql.run(
        'cannot record a batch intent',
        `UPDATE batch_rows SET state = 'sending', uid = ?, message_id = ?, envelope_from = ?,
           sha256 = ?, raw = ?, recipients_json = ? WHERE batch_id = ? AND row_no = ? AND state = 'pending'`,
        intent.uid,
        intent.messageId,
        intent.envelopeFrom,
        intent.sha256,
        intent.raw,
        JSON.stringify(intent.recipients),
        id,
        intent.row,
      );
      if (Number(changes) === 0) {
        throw new SmtpInviteError(
          'ERR_LEDGER_CONFLICT',
          `Row ${String(intent.row)} of batch ${id} is not pending in ${file} (another process is sending this batch?): nothing was written.`,
        );
      }
    },

    recordOutcome(id, row, recipients) {
      const done = recipients.every((r) => r.status !== 'pending');
      const accepted = recipients.filter((r) => r.status === 'accepted').length;
      const failed = recipients.filter((r) => r.status === 'failed').length;
      const { changes } = sql.run(
        'cannot record a batch outcome',
        `UPDATE batch_rows SET recipients_json = ?, accepted = ?, failed = ?,
           state = CASE WHEN ? THEN 'done' ELSE state END,
           raw = CASE WHEN ? THEN NULL ELSE raw END
         WHERE batch_id = ? AND row_no = ? AND state = 'sending'`,
        JSON.stringify(recipients),
        accepted,
        failed,
        done ? 1 : 0,
        done ? 1 : 0,
        id,
        row,
      );
      if (Number(changes) === 0) {
        throw new SmtpInviteError(
          'ERR_INTERNAL',
          `BatchStore.recordOutcome(): row ${String(row)} of batch ${id} has no intent.`,
        );
      }
    },

    counts(id) {
      const row = sql.get(
        'cannot count batch rows',
        `SELECT count(*) AS rows,
           coalesce(sum(state = 'pending'), 0) AS pending,
           coalesce(sum(state = 'sending'), 0) AS sending,
           coalesce(sum(state = 'done' AND failed = 0), 0) AS sent,
           coalesce(sum(state = 'done' AND failed > 0 AND accepted > 0), 0) AS partial,
           coalesce(sum(state = 'done' AND failed > 0 AND accepted = 0), 0) AS failed,
           coalesce(sum(state = 'invalid'), 0) AS invalid,
           coalesce(sum(accepted), 0) AS recipients_accepted,
           coalesce(sum(failed), 0) AS recipients_failed
         FROM batch_rows WHERE batch_id = ?`,
        id,
      );
      const n = (column: string): number => (row === undefined ? 0 : integer(row, column, file));
      const counts: BatchCounts = {
        rows: n('rows'),
        pending: n('pending'),
        sending: n('sending'),
        sent: n('sent'),
        partial: n('partial'),
        failed: n('failed'),
        invalid: n('invalid'),
        recipientsAccepted: n('recipients_accepted'),
        recipientsFailed: n('recipients_failed'),
      };
      return counts;
    },

    sentRowsForUid(uid) {
      return sql
        .all(
          'cannot read batch rows',
          `SELECT r.input_json, b.created_at FROM batch_rows r JOIN batches b ON b.id = r.batch_id
           WHERE r.uid = ? AND r.accepted > 0 AND r.input_json IS NOT NULL
           ORDER BY b.created_at, b.id, r.row_no`,
          uid,
        )
        .map((row) => ({
          inputJson: text(row, 'input_json', file),
          sentAt: text(row, 'created_at', file),
        }));
    },

    finishBatch(id) {
      const stamp = sql.now().toISOString();
      sql.run(
        'cannot finish a batch',
        `UPDATE batches SET state = 'finished', finished_at = ?, updated_at = ? WHERE id = ?`,
        stamp,
        stamp,
        id,
      );
    },

    usageSince(account, sinceHour) {
      return sql
        .all(
          'cannot read the sending usage',
          'SELECT hour, recipients FROM send_usage WHERE account = ? AND hour >= ? ORDER BY hour',
          account,
          sinceHour,
        )
        .map((row) => ({
          hour: text(row, 'hour', file),
          recipients: integer(row, 'recipients', file),
        }));
    },

    addUsage(account, hour, recipients) {
      if (recipients === 0) return;
      sql.run(
        'cannot record the sending usage',
        `INSERT INTO send_usage (account, hour, recipients) VALUES (?, ?, ?)
         ON CONFLICT (account, hour) DO UPDATE SET recipients = recipients + excluded.recipients`,
        account,
        hour,
        recipients,
      );
    },
  };

  function setState(id: string, state: BatchState, from: BatchState): void {
    const { changes } = sql.run(
      'cannot update a batch',
      'UPDATE batches SET state = ?, updated_at = ? WHERE id = ? AND state = ?',
      state,
      sql.now().toISOString(),
      id,
      from,
    );
    if (Number(changes) === 0) {
      const batch = requireBatch(id);
      throw new SmtpInviteError(
        'ERR_LEDGER_CONFLICT',
        `Batch ${id} is ${batch.state} in ${file}, not ${from}: another process changed it meanwhile.`,
      );
    }
    touch(id);
  }

  return store;
}

function toBatchRecord(row: Row, file: string): BatchRecord {
  return {
    id: text(row, 'id', file),
    ...optional('source', optionalText(row, 'source', file)),
    settings: parseJson(row, 'settings_json', file),
    state: text(row, 'state', file) as BatchState,
    rowCount: integer(row, 'row_count', file),
    createdAt: text(row, 'created_at', file),
    updatedAt: text(row, 'updated_at', file),
    ...optional('finishedAt', optionalText(row, 'finished_at', file)),
  };
}

function toBatchRow(row: Row, file: string): BatchRowRecord {
  const raw = row['raw'];
  if (raw !== null && !(raw instanceof Uint8Array)) throw columnError(file, 'raw', 'bytes');
  return {
    row: integer(row, 'row_no', file),
    ...optional('line', optionalInteger(row, 'line', file)),
    ...optional('inputJson', optionalText(row, 'input_json', file)),
    ...optional(
      'problems',
      row['problems_json'] === null
        ? undefined
        : (parseJson(row, 'problems_json', file) as string[]),
    ),
    state: text(row, 'state', file) as BatchRowRecord['state'],
    ...optional('uid', optionalText(row, 'uid', file)),
    ...optional('messageId', optionalText(row, 'message_id', file)),
    ...optional('envelopeFrom', optionalText(row, 'envelope_from', file)),
    ...optional('sha256', optionalText(row, 'sha256', file)),
    ...optional('raw', raw === null ? undefined : checkedRaw(raw, row, file)),
    ...optional(
      'recipients',
      row['recipients_json'] === null
        ? undefined
        : (parseJson(row, 'recipients_json', file) as BatchRecipientState[]),
    ),
  };
}

/** The stored bytes of a row being sent, checked against their SHA-256 before any resend. */
function checkedRaw(stored: Uint8Array, row: Row, file: string): Buffer {
  const raw = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  const expected = optionalText(row, 'sha256', file);
  if (expected !== createHash('sha256').update(raw).digest('hex')) {
    throw new SmtpInviteError(
      'ERR_LEDGER_IO',
      `The ledger ${file} holds message bytes for row ${String(row['row_no'])} that do not match their SHA-256 (corrupt file): they cannot be resent.`,
    );
  }
  return raw;
}

function parseJson(row: Row, column: string, file: string): unknown {
  try {
    return JSON.parse(text(row, column, file)) as unknown;
  } catch (err) {
    if (err instanceof SmtpInviteError) throw err;
    throw columnError(file, column, 'JSON');
  }
}
