/**
 * The ledger store on SQLite through `node:sqlite`: the only module that imports it.
 *
 * Durability and concurrency choices:
 * - WAL journal: readers never block the writer and a reader never sees half a transaction; with
 *   `synchronous=FULL` the WAL is fsynced at every COMMIT, so a committed command survives a power
 *   cut, and an uncommitted one (process killed before COMMIT) is simply absent on the next open.
 * - Every write goes through `transaction()`, which starts with BEGIN IMMEDIATE: it takes the write
 *   lock up front, so two processes are serialised (the second waits up to busy_timeout) instead of
 *   both reading, then one failing with SQLITE_BUSY_SNAPSHOT at its first write (a deferred
 *   transaction in WAL mode cannot be upgraded once another writer committed).
 * - On top of that, `putEvent` checks a version number, so a process that read an event, then did
 *   IO (sending mail) outside any transaction, cannot overwrite a newer state: ERR_LEDGER_CONFLICT.
 *
 * Node 24.15+ (the project's runtime) loads node:sqlite without any warning (the module is a
 * release candidate there). Node 22.13–24.14 print one "ExperimentalWarning: SQLite is an
 * experimental feature" line on stderr when this module is imported. That is accepted, not
 * suppressed: the only ways to hide it are process-wide (patching process.emitWarning, removing the
 * default 'warning' listener, --no-warnings) and would also hide other libraries' warnings.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { SQLInputValue, StatementSync } from 'node:sqlite';
import { DatabaseSync } from 'node:sqlite';

import { SmtpInviteError } from '../errors.ts';
import type { InviteInput, PartStat } from '../model/invite.ts';
import { createBatchStore } from './batch-store.ts';
import { selectPendingMigrations } from './ledger-migrations.ts';
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
import type {
  AttendeeState,
  BatchStore,
  CounterProposal,
  Delivery,
  DeliveryOutcome,
  IncomingRecord,
  IncomingResult,
  Ledger,
  OutgoingRecord,
  StoredEvent,
} from './ledger-types.ts';

export interface OpenLedgerOptions {
  /** Clock for createdAt/updatedAt (injectable for deterministic tests). */
  readonly now?: () => Date;
  /** How long a writer waits for another process's write transaction (default 5000 ms). */
  readonly busyTimeoutMs?: number;
}

/** The SQLite ledger: the Ledger contract plus maintenance checks. */
export interface SqliteLedger extends Ledger {
  /** `PRAGMA integrity_check`: 'ok', or SQLite's description of the damage. */
  integrityCheck(): string;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000;
// SQLite extended result code for a foreign key violation (sqlite3.h: SQLITE_CONSTRAINT_FOREIGNKEY).
const SQLITE_CONSTRAINT_FOREIGNKEY = 787;

/**
 * Opens (creating the parent directory, the file and the schema on first use) the ledger at
 * `ledgerPath`. Throws ERR_LEDGER_IO naming the path when it cannot be opened, is not a ledger, or
 * was written by a newer smtp-invite.
 */
export function openLedger(ledgerPath: string, options: OpenLedgerOptions = {}): SqliteLedger {
  const file = path.resolve(ledgerPath);
  const now = options.now ?? (() => new Date());
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;

  try {
    mkdirSync(path.dirname(file), { recursive: true });
  } catch (err) {
    throw ioError(file, `cannot create the directory ${path.dirname(file)}`, err);
  }

  let db: DatabaseSync;
  try {
    db = new DatabaseSync(file);
  } catch (err) {
    throw ioError(file, 'cannot open the file', err);
  }
  try {
    configureConnection(db, file, busyTimeoutMs);
    migrate(db, file);
  } catch (err) {
    closeQuietly(db);
    throw err instanceof SmtpInviteError ? err : ioError(file, 'cannot prepare the ledger', err);
  }
  return createSqliteLedger(db, file, now);
}

function configureConnection(db: DatabaseSync, file: string, busyTimeoutMs: number): void {
  // busy_timeout first: switching to WAL needs a lock another opener may briefly hold.
  guard(file, 'cannot configure the connection', () => {
    db.exec(`PRAGMA busy_timeout = ${String(Math.max(0, Math.trunc(busyTimeoutMs)))}`);
  });
  const mode = guard(file, 'cannot switch to WAL (is it an SQLite file?)', () =>
    db.prepare('PRAGMA journal_mode = WAL').get(),
  );
  // journal_mode answers with the mode in force: file systems without shared memory stay in
  // another mode, where readers block writers; refuse rather than run with other guarantees.
  if (mode?.['journal_mode'] !== 'wal') {
    throw new SmtpInviteError(
      'ERR_LEDGER_IO',
      `The ledger ${file} cannot use write-ahead logging (journal mode ${String(mode?.['journal_mode'])}): put it on a local disk.`,
    );
  }
  guard(file, 'cannot configure the connection', () => {
    db.exec(
      'PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 8000;',
    );
  });
}

function migrate(db: DatabaseSync, file: string): void {
  const readVersion = (): number =>
    Number(
      guard(file, 'cannot read the schema version (is it an SQLite file?)', () =>
        db.prepare('PRAGMA user_version').get(),
      )?.['user_version'],
    );
  // Cheap check outside a transaction: an up-to-date file (the usual case) takes no write lock.
  if (selectPendingMigrations(readVersion(), file).length === 0) return;

  guard(file, 'cannot start the schema migration', () => db.exec('BEGIN IMMEDIATE'));
  try {
    // Again under the write lock: another process may have migrated meanwhile.
    const pending = selectPendingMigrations(readVersion(), file);
    for (const step of pending) {
      guard(file, `cannot apply schema migration ${String(step.version)}`, () => {
        db.exec(step.sql);
        db.exec(`PRAGMA user_version = ${String(step.version)}`);
      });
    }
    guard(file, 'cannot commit the schema migration', () => db.exec('COMMIT'));
  } catch (err) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw err;
  }
}

function createSqliteLedger(db: DatabaseSync, file: string, now: () => Date): SqliteLedger {
  const statements = new Map<string, StatementSync>();
  let depth = 0;

  const statement = (sql: string): StatementSync => {
    let stmt = statements.get(sql);
    if (stmt === undefined) {
      stmt = db.prepare(sql);
      statements.set(sql, stmt);
    }
    return stmt;
  };
  const all = (what: string, sql: string, ...params: SQLInputValue[]): Row[] =>
    guard(file, what, () => statement(sql).all(...params));
  const get = (what: string, sql: string, ...params: SQLInputValue[]): Row | undefined =>
    guard(file, what, () => statement(sql).get(...params));
  const run = (what: string, sql: string, ...params: SQLInputValue[]) =>
    guard(file, what, () => statement(sql).run(...params));
  /** Like run, for rows that belong to an event: a missing event is named as such. */
  const runForEvent = (what: string, uid: string, sql: string, ...params: SQLInputValue[]) => {
    try {
      return statement(sql).run(...params);
    } catch (err) {
      if (sqliteErrcode(err) === SQLITE_CONSTRAINT_FOREIGNKEY) {
        throw new SmtpInviteError(
          'ERR_UNKNOWN_EVENT',
          `The ledger ${file} has no event ${uid}: ${what} needs the event stored first.`,
          { cause: err },
        );
      }
      throw ioError(file, what, err);
    }
  };

  let batches: BatchStore | undefined;
  const runner: SqlRunner = {
    file,
    all,
    get,
    run,
    transaction: (fn) => ledger.transaction(fn),
    now,
  };

  const ledger: SqliteLedger = {
    path: file,

    get batches(): BatchStore {
      batches ??= createBatchStore(runner);
      return batches;
    },

    transaction<T>(fn: () => T, options?: { readonly durability?: 'disk' | 'process' }): T {
      // Nested calls run in a SAVEPOINT inside the outer transaction: a throw undoes only the
      // inner part (the outer fn may catch it and go on); everything commits with the outer one.
      const savepoint = depth === 0 ? undefined : `nested_${String(depth)}`;
      // synchronous can only change outside a transaction; FULL is restored after this one.
      const relaxed = savepoint === undefined && options?.durability === 'process';
      if (relaxed) {
        guard(file, 'cannot configure the connection', () =>
          db.exec('PRAGMA synchronous = NORMAL'),
        );
      }
      try {
        return runTransaction(fn, savepoint);
      } finally {
        if (relaxed) {
          guard(file, 'cannot configure the connection', () =>
            db.exec('PRAGMA synchronous = FULL'),
          );
        }
      }
    },

    getEvent(uid) {
      const row = get('cannot read an event', 'SELECT * FROM events WHERE uid = ?', uid);
      return row === undefined ? undefined : toStoredEvent(row, file);
    },

    listEvents() {
      return all('cannot list events', 'SELECT * FROM events ORDER BY created_at, uid').map((row) =>
        toStoredEvent(row, file),
      );
    },

    putEvent(event, expectedVersion) {
      checkEventInput(event);
      const stamp = now().toISOString();
      const inputJson = JSON.stringify(event.input);
      if (expectedVersion === undefined) {
        const { changes } = run(
          'cannot insert an event',
          `INSERT INTO events (uid, sequence, input_json, calendar, state, version, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT (uid) DO NOTHING`,
          event.uid,
          event.sequence,
          inputJson,
          event.calendar,
          event.state,
          stamp,
          stamp,
        );
        if (changes === 0) {
          throw new SmtpInviteError(
            'ERR_LEDGER_CONFLICT',
            `The ledger ${file} already has an event ${event.uid}: nothing was written; use update for an existing event.`,
          );
        }
        return 1;
      }
      // One statement: the version test and the write cannot be separated by another writer.
      const { changes } = run(
        'cannot update an event',
        `UPDATE events SET sequence = ?, input_json = ?, calendar = ?, state = ?,
           version = version + 1, updated_at = ? WHERE uid = ? AND version = ?`,
        event.sequence,
        inputJson,
        event.calendar,
        event.state,
        stamp,
        event.uid,
        expectedVersion,
      );
      if (changes === 0) {
        const current = get(
          'cannot read an event',
          'SELECT version FROM events WHERE uid = ?',
          event.uid,
        );
        throw new SmtpInviteError(
          'ERR_LEDGER_CONFLICT',
          current === undefined
            ? `The ledger ${file} has no event ${event.uid} (expected version ${String(expectedVersion)}): nothing was written.`
            : `The event ${event.uid} changed meanwhile in ${file} (version ${String(current['version'])}, expected ${String(expectedVersion)}): nothing was written; run the command again.`,
        );
      }
      return expectedVersion + 1;
    },

    getAttendees(uid) {
      return all(
        'cannot read attendees',
        'SELECT * FROM attendees WHERE uid = ? ORDER BY position',
        uid,
      ).map((row) => toAttendeeState(row, file));
    },

    setAttendees(uid, attendees) {
      for (const attendee of attendees) {
        if (attendee.email !== attendee.email.toLowerCase()) {
          throw new SmtpInviteError(
            'ERR_INTERNAL',
            `Ledger.setAttendees() needs lower-cased addresses (the key), got ${attendee.email}.`,
          );
        }
      }
      ledger.transaction(() => {
        run('cannot replace attendees', 'DELETE FROM attendees WHERE uid = ?', uid);
        attendees.forEach((a, position) => {
          runForEvent(
            'storing attendees',
            uid,
            `INSERT INTO attendees (uid, email, position, name, role, partstat, answered_at, via,
               reply_sequence, reply_dtstamp, invited) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            uid,
            a.email,
            position,
            a.name ?? null,
            a.role ?? null,
            a.partstat,
            a.answeredAt ?? null,
            a.via ?? null,
            a.replySequence ?? null,
            a.replyDtstamp ?? null,
            a.invited ? 1 : 0,
          );
        });
      });
    },

    addCounter(uid, counter) {
      const { lastInsertRowid } = runForEvent(
        'recording a counter proposal',
        uid,
        `INSERT INTO counters (uid, attendee, message_id, received_at, start, "end", tzid, comment, state)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open')`,
        uid,
        counter.attendee,
        counter.messageId,
        counter.receivedAt,
        counter.start ?? null,
        counter.end ?? null,
        counter.tzid ?? null,
        counter.comment ?? null,
      );
      return Number(lastInsertRowid);
    },

    listCounters(uid) {
      return all(
        'cannot read counter proposals',
        'SELECT * FROM counters WHERE uid = ? ORDER BY id',
        uid,
      ).map((row) => toCounterProposal(row, file));
    },

    setCounterState(id, state) {
      const { changes } = run(
        'cannot update a counter proposal',
        'UPDATE counters SET state = ? WHERE id = ?',
        state,
        id,
      );
      if (changes === 0) {
        throw new SmtpInviteError(
          'ERR_INTERNAL',
          `The ledger ${file} has no counter proposal ${String(id)} (ids come from listCounters()).`,
        );
      }
    },

    recordOutgoing(record) {
      // The hash is what proves a resend is byte-identical: a mismatch here is a caller's bug.
      const actual = createHash('sha256').update(record.raw).digest('hex');
      if (actual !== record.sha256) {
        throw new SmtpInviteError(
          'ERR_INTERNAL',
          `Ledger.recordOutgoing(): sha256 ${record.sha256} of ${record.messageId} does not match its bytes (${actual}).`,
        );
      }
      ledger.transaction(() => {
        const { changes } = runForEvent(
          'recording an outgoing message',
          record.uid,
          `INSERT INTO outgoing (message_id, position, uid, method, sequence, recipients_json, sent_at, sha256, raw)
           VALUES (?, (SELECT coalesce(max(position), 0) + 1 FROM outgoing), ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (message_id) DO NOTHING`,
          record.messageId,
          record.uid,
          record.method,
          record.sequence,
          JSON.stringify(record.recipients),
          record.sentAt,
          record.sha256,
          record.raw,
        );
        if (changes === 0) {
          throw new SmtpInviteError(
            'ERR_LEDGER_IO',
            `The ledger ${file} already has an outgoing message <${record.messageId}>: every message needs its own Message-ID.`,
          );
        }
        for (const delivery of record.deliveries) {
          run(
            'cannot record a delivery',
            'INSERT INTO deliveries (message_id, recipient, outcome, code, response) VALUES (?, ?, ?, ?, ?)',
            record.messageId,
            delivery.recipient,
            delivery.outcome,
            delivery.code ?? null,
            delivery.response ?? null,
          );
        }
      });
    },

    listOutgoing(uid) {
      const deliveries = new Map<string, Delivery[]>();
      for (const row of all(
        'cannot read deliveries',
        `SELECT d.* FROM deliveries d JOIN outgoing o ON o.message_id = d.message_id
         WHERE o.uid = ? ORDER BY d.id`,
        uid,
      )) {
        const messageId = text(row, 'message_id', file);
        const list = deliveries.get(messageId) ?? [];
        list.push(toDelivery(row, file));
        deliveries.set(messageId, list);
      }
      return all(
        'cannot read outgoing messages',
        'SELECT * FROM outgoing WHERE uid = ? ORDER BY position',
        uid,
      ).map((row) =>
        toOutgoingRecord(row, deliveries.get(text(row, 'message_id', file)) ?? [], file),
      );
    },

    recordIncoming(record) {
      const { changes } = run(
        'cannot record an incoming message',
        `INSERT INTO incoming (message_id, from_addr, method, uid, result, reason, processed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING`,
        record.messageId,
        record.from ?? null,
        record.method ?? null,
        record.uid ?? null,
        record.result,
        record.reason,
        record.processedAt,
      );
      // Two ingest runs racing on the same message: the loser retries and then finds it processed.
      if (changes === 0) {
        throw new SmtpInviteError(
          'ERR_LEDGER_CONFLICT',
          `The incoming message <${record.messageId}> is already recorded in ${file} (findIncoming() first): nothing was written.`,
        );
      }
    },

    findIncoming(messageId) {
      const row = get(
        'cannot read an incoming message',
        'SELECT * FROM incoming WHERE message_id = ?',
        messageId,
      );
      return row === undefined ? undefined : toIncomingRecord(row, file);
    },

    integrityCheck() {
      return all('cannot check integrity', 'PRAGMA integrity_check')
        .map((row) => String(row['integrity_check']))
        .join('\n');
    },

    close() {
      if (!db.isOpen) return;
      guard(file, 'cannot close', () => db.close());
    },
  };

  function runTransaction<T>(fn: () => T, savepoint: string | undefined): T {
    guard(file, 'cannot start a transaction', () =>
      db.exec(savepoint === undefined ? 'BEGIN IMMEDIATE' : `SAVEPOINT ${savepoint}`),
    );
    depth += 1;
    let result: T;
    try {
      result = fn();
      if (isThenable(result)) {
        // The transaction would commit before the promise's work ran, outside it.
        void Promise.resolve(result).catch(() => undefined);
        throw new SmtpInviteError(
          'ERR_INTERNAL',
          'Ledger.transaction() received an async function: transactions are synchronous, do the IO before or after.',
        );
      }
    } catch (err) {
      depth -= 1;
      rollback(savepoint);
      throw err;
    }
    depth -= 1;
    try {
      db.exec(savepoint === undefined ? 'COMMIT' : `RELEASE ${savepoint}`);
    } catch (err) {
      rollback(savepoint);
      throw ioError(file, 'cannot commit', err);
    }
    return result;
  }

  function rollback(savepoint: string | undefined): void {
    // SQLite itself rolls back on some errors (SQLITE_FULL, SQLITE_IOERR): then there is nothing
    // left to undo, and ROLLBACK would fail with "no transaction is active".
    if (!db.isTransaction) return;
    guard(file, 'cannot roll back', () =>
      db.exec(
        savepoint === undefined ? 'ROLLBACK' : `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`,
      ),
    );
  }

  return ledger;
}

// ---------------------------------------------------------------------------------------------
// Rows → records. STRICT tables guarantee the column types; a mismatch means a foreign writer.

function toStoredEvent(row: Row, file: string): StoredEvent {
  const uid = text(row, 'uid', file);
  let input: InviteInput;
  try {
    input = JSON.parse(text(row, 'input_json', file)) as InviteInput;
  } catch (err) {
    throw ioError(file, `the stored input of event ${uid} is not JSON (corrupt ledger)`, err);
  }
  return {
    uid,
    sequence: integer(row, 'sequence', file),
    input,
    calendar: text(row, 'calendar', file),
    state: text(row, 'state', file) as StoredEvent['state'],
    version: integer(row, 'version', file),
    createdAt: text(row, 'created_at', file),
    updatedAt: text(row, 'updated_at', file),
  };
}

function toAttendeeState(row: Row, file: string): AttendeeState {
  return {
    email: text(row, 'email', file),
    ...optional('name', optionalText(row, 'name', file)),
    ...optional('role', optionalText(row, 'role', file)),
    partstat: text(row, 'partstat', file) as PartStat,
    ...optional('answeredAt', optionalText(row, 'answered_at', file)),
    ...optional('via', optionalText(row, 'via', file)),
    ...optional('replySequence', optionalInteger(row, 'reply_sequence', file)),
    ...optional('replyDtstamp', optionalText(row, 'reply_dtstamp', file)),
    invited: integer(row, 'invited', file) === 1,
  };
}

function toCounterProposal(row: Row, file: string): CounterProposal {
  return {
    id: integer(row, 'id', file),
    attendee: text(row, 'attendee', file),
    messageId: text(row, 'message_id', file),
    receivedAt: text(row, 'received_at', file),
    ...optional('start', optionalText(row, 'start', file)),
    ...optional('end', optionalText(row, 'end', file)),
    ...optional('tzid', optionalText(row, 'tzid', file)),
    ...optional('comment', optionalText(row, 'comment', file)),
    state: text(row, 'state', file) as CounterProposal['state'],
  };
}

function toDelivery(row: Row, file: string): Delivery {
  return {
    recipient: text(row, 'recipient', file),
    outcome: text(row, 'outcome', file) as DeliveryOutcome,
    ...optional('code', optionalInteger(row, 'code', file)),
    ...optional('response', optionalText(row, 'response', file)),
  };
}

function toOutgoingRecord(row: Row, deliveries: Delivery[], file: string): OutgoingRecord {
  const messageId = text(row, 'message_id', file);
  let recipients: string[];
  try {
    recipients = JSON.parse(text(row, 'recipients_json', file)) as string[];
  } catch (err) {
    throw ioError(file, `the recipients of <${messageId}> are not JSON (corrupt ledger)`, err);
  }
  const raw = row['raw'];
  if (!(raw instanceof Uint8Array)) throw columnError(file, 'raw', 'bytes');
  return {
    messageId,
    uid: text(row, 'uid', file),
    method: text(row, 'method', file),
    sequence: integer(row, 'sequence', file),
    recipients,
    sentAt: text(row, 'sent_at', file),
    sha256: text(row, 'sha256', file),
    raw: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength),
    deliveries,
  };
}

function toIncomingRecord(row: Row, file: string): IncomingRecord {
  return {
    messageId: text(row, 'message_id', file),
    ...optional('from', optionalText(row, 'from_addr', file)),
    ...optional('method', optionalText(row, 'method', file)),
    ...optional('uid', optionalText(row, 'uid', file)),
    result: text(row, 'result', file) as IncomingResult,
    reason: text(row, 'reason', file),
    processedAt: text(row, 'processed_at', file),
  };
}

// ---------------------------------------------------------------------------------------------

function checkEventInput(event: Omit<StoredEvent, 'version' | 'createdAt' | 'updatedAt'>): void {
  // The stored input must describe the stored event: re-validating it must give the same UID and
  // SEQUENCE the calendar was sent with (ledger-types.ts).
  if (event.input.uid !== undefined && event.input.uid !== event.uid) {
    throw new SmtpInviteError(
      'ERR_INTERNAL',
      `Ledger.putEvent(): input.uid ${event.input.uid} differs from the event's UID ${event.uid}.`,
    );
  }
  if (event.input.sequence !== undefined && event.input.sequence !== event.sequence) {
    throw new SmtpInviteError(
      'ERR_INTERNAL',
      `Ledger.putEvent(): input.sequence ${String(event.input.sequence)} differs from the event's SEQUENCE ${String(event.sequence)}.`,
    );
  }
}

function guard<T>(file: string, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SmtpInviteError) throw err;
    throw ioError(file, what, err);
  }
}

function ioError(file: string, what: string, cause: unknown): SmtpInviteError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new SmtpInviteError(
    'ERR_LEDGER_IO',
    `Ledger ${file}: ${what}: ${detail}${hintFor(cause)}`,
    { cause },
  );
}

/** One actionable hint for the failures users actually meet. */
function hintFor(cause: unknown): string {
  const errcode = sqliteErrcode(cause) ?? 0;
  // Primary result codes (low byte): SQLITE_BUSY 5, SQLITE_READONLY 8, SQLITE_CANTOPEN 14,
  // SQLITE_NOTADB 26.
  switch (errcode & 0xff) {
    case 5:
      return ' (another smtp-invite process holds the ledger: try again when it has finished)';
    case 8:
      return ' (the file or its directory is read-only: check permissions or use another --db)';
    case 14:
      return ' (check that the directory exists and is writable, or use another --db)';
    case 26:
      return ' (this file is not an smtp-invite ledger: use another --db)';
    default:
      return '';
  }
}

function sqliteErrcode(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null || !('errcode' in err)) return undefined;
  return typeof err.errcode === 'number' ? err.errcode : undefined;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    'then' in value &&
    typeof value.then === 'function'
  );
}

function closeQuietly(db: DatabaseSync): void {
  try {
    db.close();
  } catch {
    // Already failing with a more useful error.
  }
}
