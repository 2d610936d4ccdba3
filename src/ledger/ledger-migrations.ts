/**
 * The ledger's schema as an ordered list of migrations. `PRAGMA user_version` records how many have
 * been applied; open-ledger.ts applies the missing ones in one write transaction, so a crash or a
 * concurrent opener never leaves a half-migrated file (SQLite DDL is transactional).
 *
 * Rules for adding a step: append, never edit a released step (files in the field already ran it);
 * one step = one schema version. Tables are STRICT (SQLite ≥ 3.37, bundled with node:sqlite) so a
 * wrong type is refused at write time instead of being read back as something else.
 */
import { SmtpInviteError } from '../errors.ts';

export interface LedgerMigration {
  /** The user_version after this step (1, 2, …: the step's position). */
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const LEDGER_MIGRATIONS: readonly LedgerMigration[] = [
  {
    version: 1,
    description:
      'events, attendees, counters, outgoing messages with deliveries, incoming messages',
    sql: `
      CREATE TABLE events (
        uid TEXT PRIMARY KEY NOT NULL,
        sequence INTEGER NOT NULL CHECK (sequence >= 0),
        input_json TEXT NOT NULL,
        calendar TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('active', 'cancelled')),
        version INTEGER NOT NULL CHECK (version >= 1),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      -- listEvents() order.
      CREATE INDEX events_by_creation ON events (created_at, uid);

      CREATE TABLE attendees (
        uid TEXT NOT NULL REFERENCES events (uid) ON DELETE CASCADE,
        email TEXT NOT NULL,
        -- The order the flows gave (the invite's attendee order), kept for status output.
        position INTEGER NOT NULL,
        name TEXT,
        role TEXT,
        partstat TEXT NOT NULL,
        answered_at TEXT,
        via TEXT,
        reply_sequence INTEGER,
        reply_dtstamp TEXT,
        invited INTEGER NOT NULL CHECK (invited IN (0, 1)),
        PRIMARY KEY (uid, email)
      ) STRICT;

      CREATE TABLE counters (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL REFERENCES events (uid) ON DELETE CASCADE,
        attendee TEXT NOT NULL,
        message_id TEXT NOT NULL,
        received_at TEXT NOT NULL,
        start TEXT,
        "end" TEXT,
        tzid TEXT,
        comment TEXT,
        state TEXT NOT NULL CHECK (state IN ('open', 'declined'))
      ) STRICT;
      CREATE INDEX counters_by_event ON counters (uid, id);

      CREATE TABLE outgoing (
        message_id TEXT PRIMARY KEY NOT NULL,
        -- Sending order. An explicit column, not the implicit rowid, which VACUUM may renumber.
        position INTEGER NOT NULL UNIQUE,
        uid TEXT NOT NULL REFERENCES events (uid) ON DELETE CASCADE,
        method TEXT NOT NULL,
        sequence INTEGER NOT NULL,
        recipients_json TEXT NOT NULL,
        sent_at TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        raw BLOB NOT NULL
      ) STRICT;
      CREATE INDEX outgoing_by_event ON outgoing (uid, position);

      CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY,
        message_id TEXT NOT NULL REFERENCES outgoing (message_id) ON DELETE CASCADE,
        recipient TEXT NOT NULL,
        outcome TEXT NOT NULL,
        code INTEGER,
        response TEXT
      ) STRICT;
      CREATE INDEX deliveries_by_message ON deliveries (message_id, id);

      -- No foreign key on uid: a reply for an unknown UID is recorded too (result 'unknown-event').
      CREATE TABLE incoming (
        message_id TEXT PRIMARY KEY NOT NULL,
        from_addr TEXT,
        method TEXT,
        uid TEXT,
        result TEXT NOT NULL,
        reason TEXT NOT NULL,
        processed_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX incoming_by_event ON incoming (uid);
    `,
  },
  {
    version: 2,
    description:
      'bulk batches: their settings, every row as read with its intent and per-recipient outcomes, and recipients sent per account per hour (daily caps)',
    sql: `
      CREATE TABLE batches (
        id TEXT PRIMARY KEY NOT NULL,
        -- The rows file as given, for messages; NULL when the rows came from a program.
        source TEXT,
        -- What a resume needs without the rows file: build options, pacing, transport (no secrets).
        settings_json TEXT NOT NULL,
        -- reading: rows still being read (nothing sent yet); open: sending; finished: every row final.
        state TEXT NOT NULL CHECK (state IN ('reading', 'open', 'finished')),
        row_count INTEGER NOT NULL DEFAULT 0 CHECK (row_count >= 0),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        finished_at TEXT
      ) STRICT;
      CREATE INDEX batches_by_creation ON batches (created_at, id);

      CREATE TABLE batch_rows (
        batch_id TEXT NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
        row_no INTEGER NOT NULL CHECK (row_no >= 1),
        line INTEGER,
        -- The invite input after merging the template (UID assigned); NULL for an invalid row.
        input_json TEXT,
        problems_json TEXT,
        -- pending: not sent; sending: the intent is written (bytes below), outcome not final;
        -- done: every recipient accepted or failed; invalid: never sent.
        state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'done', 'invalid')),
        uid TEXT,
        message_id TEXT,
        -- MAIL FROM of the message (the organizer, or the service sending for it).
        envelope_from TEXT,
        sha256 TEXT,
        -- The exact bytes, kept while a resend may be needed (a resend must be byte-identical);
        -- cleared once the row is done, so the ledger does not grow with every message sent.
        raw BLOB,
        recipients_json TEXT,
        accepted INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (batch_id, row_no)
      ) STRICT;
      -- The sender's work list: only unfinished rows are indexed.
      CREATE INDEX batch_rows_unfinished ON batch_rows (batch_id, row_no)
        WHERE state IN ('pending', 'sending');
      -- update/cancel/status/ingest of an event a batch sent (flows/adopt-batch-event.ts).
      CREATE INDEX batch_rows_by_uid ON batch_rows (uid) WHERE uid IS NOT NULL;

      CREATE TABLE send_usage (
        -- The sending account (SMTP URL without secrets) and the hour (ISO, UTC) recipients were sent in.
        account TEXT NOT NULL,
        hour TEXT NOT NULL,
        recipients INTEGER NOT NULL CHECK (recipients >= 0),
        PRIMARY KEY (account, hour)
      ) STRICT;
    `,
  },
];

/** The schema version this code writes. */
export const LEDGER_SCHEMA_VERSION = LEDGER_MIGRATIONS.length;

/**
 * The steps a file at `userVersion` still needs, in order. A file written by a newer smtp-invite
 * is refused: its schema may mean things this code would silently get wrong.
 */
export function selectPendingMigrations(
  userVersion: number,
  ledgerPath: string,
): readonly LedgerMigration[] {
  if (!Number.isInteger(userVersion) || userVersion < 0) {
    throw new SmtpInviteError(
      'ERR_LEDGER_IO',
      `The ledger ${ledgerPath} has an invalid schema version (user_version ${String(userVersion)}): it was not written by smtp-invite.`,
    );
  }
  if (userVersion > LEDGER_SCHEMA_VERSION) {
    throw new SmtpInviteError(
      'ERR_LEDGER_IO',
      `The ledger ${ledgerPath} has schema version ${String(userVersion)}, newer than the ${String(LEDGER_SCHEMA_VERSION)} this smtp-invite knows: upgrade smtp-invite or use another --db.`,
    );
  }
  return LEDGER_MIGRATIONS.slice(userVersion);
}
