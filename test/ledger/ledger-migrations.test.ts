import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import { describe, expect, it } from 'vitest';

import { SmtpInviteError } from '../../src/errors.ts';
import {
  LEDGER_MIGRATIONS,
  LEDGER_SCHEMA_VERSION,
  selectPendingMigrations,
} from '../../src/ledger/ledger-migrations.ts';
import { openLedger } from '../../src/ledger/open-ledger.ts';
import { makeTempDir, openTestLedger, sampleEvent } from './ledger-test-support.ts';

// The test inspects the file with its own connection: the rule "one module imports node:sqlite"
// is about src/, and an independent reader is what proves the file's state.
function inspectFile<T>(file: string, fn: (db: DatabaseSync) => T): T {
  const db = new DatabaseSync(file);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

function userVersion(db: DatabaseSync): number {
  return Number(db.prepare('PRAGMA user_version').get()?.['user_version']);
}

describe('ledger migrations', () => {
  it('are numbered 1..N in order', () => {
    expect(LEDGER_MIGRATIONS.map((m) => m.version)).toEqual(LEDGER_MIGRATIONS.map((_, i) => i + 1));
    expect(LEDGER_SCHEMA_VERSION).toBe(LEDGER_MIGRATIONS.length);
  });

  it('select what a file still needs', () => {
    expect(selectPendingMigrations(0, 'f')).toEqual(LEDGER_MIGRATIONS);
    expect(selectPendingMigrations(LEDGER_SCHEMA_VERSION, 'f')).toEqual([]);
    for (const bad of [-1, 1.5, Number.NaN]) {
      expect(() => selectPendingMigrations(bad, 'f')).toThrow(SmtpInviteError);
    }
  });

  it('create the whole schema on an empty file, with the tables, keys and indexes the queries use', () => {
    const file = path.join(makeTempDir(), 'ledger.db');
    openTestLedger(file).close();
    const schema = inspectFile(file, (db) => ({
      version: userVersion(db),
      journal: db.prepare('PRAGMA journal_mode').get()?.['journal_mode'],
      tables: db
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .all()
        .map((r) => r['name']),
      indexes: db
        .prepare(
          "SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name",
        )
        .all()
        .map((r) => r['name']),
      foreignKeys: [
        'attendees',
        'counters',
        'outgoing',
        'deliveries',
        'incoming',
        'batch_rows',
        'send_usage',
      ].map((t) =>
        db
          .prepare(`PRAGMA foreign_key_list(${t})`)
          .all()
          .map((r) => `${t}.${String(r['from'])} -> ${String(r['table'])}.${String(r['to'])}`),
      ),
    }));
    expect(schema).toEqual({
      version: LEDGER_SCHEMA_VERSION,
      // WAL is persistent: it is a property of the file, not only of our connection.
      journal: 'wal',
      tables: [
        'attendees',
        'batch_rows',
        'batches',
        'counters',
        'deliveries',
        'events',
        'incoming',
        'outgoing',
        'send_usage',
      ],
      indexes: [
        'batch_rows_by_uid',
        'batch_rows_unfinished',
        'batches_by_creation',
        'counters_by_event',
        'deliveries_by_message',
        'events_by_creation',
        'incoming_by_event',
        'outgoing_by_event',
      ],
      foreignKeys: [
        ['attendees.uid -> events.uid'],
        ['counters.uid -> events.uid'],
        ['outgoing.uid -> events.uid'],
        ['deliveries.message_id -> outgoing.message_id'],
        [],
        ['batch_rows.batch_id -> batches.id'],
        [],
      ],
    });
  });

  it('leave an up-to-date file as it is on the next open', () => {
    const file = path.join(makeTempDir(), 'ledger.db');
    const ledger = openTestLedger(file);
    ledger.putEvent(sampleEvent());
    ledger.close();
    const again = openTestLedger(file);
    expect(again.getEvent('evt-1@example.com')?.version).toBe(1);
  });

  it('refuse a file written by a newer smtp-invite, without touching it', () => {
    const file = path.join(makeTempDir(), 'ledger.db');
    openTestLedger(file).close();
    const newer = LEDGER_SCHEMA_VERSION + 1;
    inspectFile(file, (db) => db.exec(`PRAGMA user_version = ${String(newer)}`));

    let error: unknown;
    try {
      openLedger(file);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SmtpInviteError);
    expect((error as SmtpInviteError).code).toBe('ERR_LEDGER_IO');
    expect((error as SmtpInviteError).message).toContain(file);
    expect((error as SmtpInviteError).message).toContain(`schema version ${String(newer)}`);
    expect(inspectFile(file, userVersion)).toBe(newer);
  });

  it('apply nothing when a step fails: the file stays at its old version', () => {
    const file = path.join(makeTempDir(), 'ledger.db');
    // A foreign table named like one of ours makes migration 1 fail halfway through its script.
    inspectFile(file, (db) => db.exec('CREATE TABLE counters (x TEXT)'));
    expect(() => openLedger(file)).toThrow(/schema migration 1/);
    expect(
      inspectFile(file, (db) => ({
        version: userVersion(db),
        tables: db
          .prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")
          .all()
          .map((r) => r['name']),
      })),
    ).toEqual({ version: 0, tables: ['counters'] });
  });

  it('an empty file left by an interrupted first open is initialised', () => {
    const file = path.join(makeTempDir(), 'ledger.db');
    writeFileSync(file, '');
    const ledger = openTestLedger(file);
    expect(ledger.listEvents()).toEqual([]);
    expect(ledger.integrityCheck()).toBe('ok');
  });
});
