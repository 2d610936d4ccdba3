/**
 * The ledger across real processes: a writer killed before COMMIT, a writer that waits for another
 * process's transaction, and a clean stderr. Children run process.execPath (the Node 24 running
 * vitest) on a small .mts script importing the real open-ledger.ts.
 */
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { SmtpInviteError } from '../../src/errors.ts';
import type { SqliteLedger } from '../../src/ledger/open-ledger.ts';
import {
  makeTempDir,
  OPEN_LEDGER_URL,
  openTestLedger,
  runChild,
  sampleEvent,
  sampleOutgoing,
} from './ledger-test-support.ts';

function seed(file: string): SqliteLedger {
  const ledger = openTestLedger(file);
  ledger.putEvent(sampleEvent());
  ledger.setAttendees('evt-1@example.com', [
    { email: 'bob@example.org', partstat: 'ACCEPTED', via: 'r1', invited: true },
  ]);
  ledger.recordOutgoing(sampleOutgoing('evt-1@example.com', 'first@example.com'));
  return ledger;
}

function state(ledger: SqliteLedger) {
  return {
    events: ledger.listEvents(),
    attendees: ledger.getAttendees('evt-1@example.com'),
    outgoing: ledger.listOutgoing('evt-1@example.com'),
    counters: ledger.listCounters('evt-1@example.com'),
  };
}

// The child's half of an `update`: new event version, new attendees, a large outgoing message
// (several MB: more than SQLite's page cache, so uncommitted pages spill into the WAL file before
// the kill, which is the case recovery must ignore).
const HALF_AN_UPDATE = `
import { createHash } from 'node:crypto';
import { openLedger } from ${JSON.stringify(OPEN_LEDGER_URL)};
const [file, mode] = process.argv.slice(2);
const ledger = openLedger(file);
const uid = 'evt-1@example.com';
const raw = Buffer.alloc(6 * 1024 * 1024, 0x41);
ledger.transaction(() => {
  const event = ledger.getEvent(uid);
  ledger.putEvent({ uid, sequence: 1, input: { ...event.input, sequence: 1, summary: 'Moved' },
    calendar: 'NEW CALENDAR', state: 'active' }, event.version);
  ledger.setAttendees(uid, [{ email: 'bob@example.org', partstat: 'NEEDS-ACTION', via: 'organizer', invited: true }]);
  ledger.recordOutgoing({ messageId: 'update@example.com', uid, method: 'REQUEST', sequence: 1,
    recipients: ['bob@example.org'], sentAt: '2026-01-02T00:00:00.000Z',
    sha256: createHash('sha256').update(raw).digest('hex'), raw, deliveries: [] });
  if (mode === 'before-commit') process.kill(process.pid, 'SIGKILL');
});
if (mode === 'after-commit') process.kill(process.pid, 'SIGKILL');
`;

describe('ledger across processes', () => {
  it('a process killed before COMMIT leaves an intact ledger in the old state', async () => {
    const file = path.join(makeTempDir(), 'ledger.db');
    const before = state(seed(file));

    const child = await runChild(path.dirname(file), HALF_AN_UPDATE, [file, 'before-commit']);
    expect(child.stderr).toBe('');
    expect(child.signal).toBe('SIGKILL');
    // The uncommitted pages did reach the WAL file: recovery has something to ignore.
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(1024 * 1024);

    const reopened = openTestLedger(file);
    expect(reopened.integrityCheck()).toBe('ok');
    expect(state(reopened)).toStrictEqual(before);
    // And it takes the next write normally.
    expect(reopened.putEvent(sampleEvent('evt-1@example.com', 1), 1)).toBe(2);
  });

  it('a process killed right after COMMIT leaves an intact ledger in the new state', async () => {
    const file = path.join(makeTempDir(), 'ledger.db');
    seed(file).close();

    const child = await runChild(path.dirname(file), HALF_AN_UPDATE, [file, 'after-commit']);
    expect(child.stderr).toBe('');
    expect(child.signal).toBe('SIGKILL');

    const reopened = openTestLedger(file);
    expect(reopened.integrityCheck()).toBe('ok');
    const after = state(reopened);
    expect(after.events.map((e) => [e.sequence, e.version, e.calendar])).toEqual([
      [1, 2, 'NEW CALENDAR'],
    ]);
    expect(after.attendees.map((a) => a.partstat)).toEqual(['NEEDS-ACTION']);
    expect(after.outgoing.map((o) => [o.messageId, o.raw.length])).toEqual([
      ['first@example.com', sampleOutgoing('evt-1@example.com', 'first@example.com').raw.length],
      ['update@example.com', 6 * 1024 * 1024],
    ]);
  });

  it('a second writer waits for the other process to commit, then sees its write and cannot overwrite it', async () => {
    const dir = makeTempDir();
    const file = path.join(dir, 'ledger.db');
    const go = path.join(dir, 'go');
    seed(file);
    const ledger = openTestLedger(file);
    const readBefore = ledger.getEvent('evt-1@example.com')!;

    // The child takes the write lock, says so, and holds it until the parent creates `go`.
    const holder = `
import { existsSync } from 'node:fs';
import { openLedger } from ${JSON.stringify(OPEN_LEDGER_URL)};
const [file, go] = process.argv.slice(2);
const ledger = openLedger(file);
ledger.transaction(() => {
  const event = ledger.getEvent('evt-1@example.com');
  ledger.putEvent({ uid: event.uid, sequence: event.sequence, input: event.input,
    calendar: 'written by the child', state: event.state }, event.version);
  process.stdout.write('locked\\n');
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 3000 && !existsSync(go); i += 1) Atomics.wait(sleeper, 0, 0, 10);
});
process.stdout.write('committed\\n');
`;
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const child = runChild(dir, holder, [file, go], (chunk) => {
      if (chunk.includes('locked')) locked();
    });
    await isLocked;

    // While the child holds the lock, a writer that does not wait is refused…
    const impatient = openTestLedger(file, { busyTimeoutMs: 0 });
    let refused: unknown;
    try {
      impatient.transaction(() => impatient.putEvent(sampleEvent('other@x')));
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(SmtpInviteError);
    expect((refused as SmtpInviteError).code).toBe('ERR_LEDGER_IO');

    // …and a waiting writer blocks until the child commits (busy_timeout), then runs on the
    // child's state: its stale version from before is refused, nothing is lost.
    writeFileSync(go, '');
    const seen = ledger.transaction(() => {
      const current = ledger.getEvent('evt-1@example.com')!;
      let conflict: unknown;
      try {
        ledger.putEvent({ ...sampleEvent(), calendar: 'stale parent write' }, readBefore.version);
      } catch (err) {
        conflict = err;
      }
      return { calendar: current.calendar, version: current.version, conflict };
    });
    expect(seen.calendar).toBe('written by the child');
    expect(seen.version).toBe(readBefore.version + 1);
    expect((seen.conflict as SmtpInviteError).code).toBe('ERR_LEDGER_CONFLICT');

    const result = await child;
    expect(result.stdout).toBe('locked\ncommitted\n');
    expect(result.code).toBe(0);
    expect(ledger.getEvent('evt-1@example.com')?.calendar).toBe('written by the child');
  });

  it('prints nothing on stderr: no ExperimentalWarning from node:sqlite on this Node', async () => {
    const dir = makeTempDir();
    const script = `
import { openLedger } from ${JSON.stringify(OPEN_LEDGER_URL)};
const ledger = openLedger(process.argv[2]);
ledger.listEvents();
ledger.close();
process.stdout.write(process.version);
`;
    const result = await runChild(dir, script, [path.join(dir, 'ledger.db')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^v2[4-9]\./);
    expect(result.stderr).toBe('');
  });
});
