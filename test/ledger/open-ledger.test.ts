import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { SmtpInviteError } from '../../src/errors.ts';
import type { AttendeeState, IncomingRecord } from '../../src/ledger/ledger-types.ts';
import { openLedger } from '../../src/ledger/open-ledger.ts';
import {
  makeTempDir,
  openTestLedger,
  sampleEvent,
  sampleInput,
  sampleOutgoing,
} from './ledger-test-support.ts';

function newLedger() {
  const file = path.join(makeTempDir(), 'nested', 'dir', 'ledger.db');
  return { file, ledger: openTestLedger(file) };
}

function thrown(fn: () => unknown): SmtpInviteError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SmtpInviteError);
    return err as SmtpInviteError;
  }
  throw new Error('expected a throw');
}

/** Everything a reader can see, to compare before/after a failed command. */
function snapshot(ledger: ReturnType<typeof openTestLedger>, uid: string) {
  return {
    events: ledger.listEvents(),
    attendees: ledger.getAttendees(uid),
    counters: ledger.listCounters(uid),
    outgoing: ledger.listOutgoing(uid),
  };
}

const attendees: AttendeeState[] = [
  {
    email: 'bob@example.org',
    name: 'Bob « B » Café',
    role: 'OPT-PARTICIPANT',
    partstat: 'ACCEPTED',
    answeredAt: '2026-01-02T09:00:00.000Z',
    via: 'reply-1@example.org',
    replySequence: 2,
    replyDtstamp: '20260102T090000Z',
    invited: true,
  },
  { email: 'carol@example.net', partstat: 'NEEDS-ACTION', invited: true },
  { email: 'mallory@example.com', partstat: 'DECLINED', via: 'reply-2', invited: false },
];

describe('openLedger', () => {
  it('creates the parent directories and the file on first use, in WAL mode', () => {
    const { file, ledger } = newLedger();
    expect(ledger.path).toBe(file);
    expect(existsSync(file)).toBe(true);
    // WAL: the -wal file exists while a connection is open.
    expect(existsSync(`${file}-wal`)).toBe(true);
    expect(ledger.listEvents()).toEqual([]);
    expect(ledger.integrityCheck()).toBe('ok');
  });

  it('reports the resolved absolute path', () => {
    const dir = makeTempDir();
    const ledger = openTestLedger(path.relative(process.cwd(), path.join(dir, 'l.db')));
    expect(ledger.path).toBe(path.join(dir, 'l.db'));
  });

  it('refuses an unwritable location with ERR_LEDGER_IO naming the path', () => {
    const dir = makeTempDir();
    const blocker = path.join(dir, 'not-a-dir');
    writeFileSync(blocker, 'a file where a directory is needed');
    const file = path.join(blocker, 'ledger.db');
    const error = thrown(() => openLedger(file));
    expect(error.code).toBe('ERR_LEDGER_IO');
    expect(error.message).toContain(file);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('refuses a file that is not an SQLite database, leaving it untouched', () => {
    const file = path.join(makeTempDir(), 'ledger.db');
    const garbage = Buffer.from(
      'this is not a database, but it is long enough to have a header '.repeat(20),
    );
    writeFileSync(file, garbage);
    const error = thrown(() => openLedger(file));
    expect(error.code).toBe('ERR_LEDGER_IO');
    expect(error.message).toContain(file);
    expect(error.message).toContain('not an smtp-invite ledger');
    expect(readFileSync(file).equals(garbage)).toBe(true);
  });

  it.skipIf(process.getuid?.() === 0)('refuses a read-only ledger with ERR_LEDGER_IO', () => {
    const dir = makeTempDir();
    const file = path.join(dir, 'ledger.db');
    openLedger(file).close();
    chmodSync(file, 0o444);
    chmodSync(dir, 0o555);
    try {
      const error = thrown(() => {
        const ledger = openLedger(file);
        try {
          ledger.putEvent(sampleEvent());
        } finally {
          ledger.close();
        }
      });
      expect(error.code).toBe('ERR_LEDGER_IO');
      expect(error.message).toContain(file);
    } finally {
      chmodSync(dir, 0o755);
    }
  });

  it('fails with ERR_LEDGER_IO after close()', () => {
    const { ledger } = newLedger();
    ledger.close();
    ledger.close(); // idempotent
    expect(thrown(() => ledger.listEvents()).code).toBe('ERR_LEDGER_IO');
  });
});

describe('events', () => {
  it('round-trips an event: input JSON exactly, calendar text, state, timestamps', () => {
    const { ledger } = newLedger();
    const event = sampleEvent();
    expect(ledger.putEvent(event)).toBe(1);
    const stored = ledger.getEvent(event.uid);
    expect(stored).toStrictEqual({
      ...event,
      version: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(stored?.input).toStrictEqual(sampleInput());
    expect(ledger.getEvent('unknown@example.com')).toBeUndefined();
  });

  it('replaces with the expected version, bumps it, keeps createdAt', () => {
    const { ledger } = newLedger();
    ledger.putEvent(sampleEvent());
    const next = { ...sampleEvent('evt-1@example.com', 1), state: 'cancelled' as const };
    expect(ledger.putEvent(next, 1)).toBe(2);
    expect(ledger.getEvent(next.uid)).toStrictEqual({
      ...next,
      version: 2,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:01.000Z',
    });
  });

  it('refuses a second insert of the same UID with ERR_LEDGER_CONFLICT, writing nothing', () => {
    const { ledger } = newLedger();
    ledger.putEvent(sampleEvent());
    const before = ledger.getEvent('evt-1@example.com');
    const error = thrown(() => ledger.putEvent({ ...sampleEvent(), calendar: 'other' }));
    expect(error.code).toBe('ERR_LEDGER_CONFLICT');
    expect(error.message).toContain('evt-1@example.com');
    expect(ledger.getEvent('evt-1@example.com')).toStrictEqual(before);
  });

  it('refuses a stale expectedVersion with ERR_LEDGER_CONFLICT, writing nothing', () => {
    const { ledger } = newLedger();
    ledger.putEvent(sampleEvent());
    ledger.putEvent(sampleEvent('evt-1@example.com', 1), 1);
    const before = ledger.getEvent('evt-1@example.com');
    const error = thrown(() => ledger.putEvent(sampleEvent('evt-1@example.com', 5), 1));
    expect(error.code).toBe('ERR_LEDGER_CONFLICT');
    expect(error.message).toMatch(/version 2, expected 1/);
    expect(ledger.getEvent('evt-1@example.com')).toStrictEqual(before);
  });

  it('refuses an expectedVersion for an event that is not there', () => {
    const { ledger } = newLedger();
    expect(thrown(() => ledger.putEvent(sampleEvent(), 1)).code).toBe('ERR_LEDGER_CONFLICT');
    expect(ledger.listEvents()).toEqual([]);
  });

  it('refuses an input whose uid or sequence contradicts the event', () => {
    const { ledger } = newLedger();
    const event = sampleEvent();
    expect(thrown(() => ledger.putEvent({ ...event, uid: 'other' })).code).toBe('ERR_INTERNAL');
    expect(thrown(() => ledger.putEvent({ ...event, sequence: 3 })).code).toBe('ERR_INTERNAL');
    expect(ledger.listEvents()).toEqual([]);
  });

  it('lists events by creation time, then UID', () => {
    const dir = makeTempDir();
    const sameInstant = () => new Date(Date.UTC(2026, 4, 1));
    const ledger = openTestLedger(path.join(dir, 'l.db'), { now: sameInstant });
    for (const uid of ['b@x', 'a@x', 'c@x']) ledger.putEvent(sampleEvent(uid));
    expect(ledger.listEvents().map((e) => e.uid)).toEqual(['a@x', 'b@x', 'c@x']);

    const { ledger: ticking } = newLedger();
    for (const uid of ['b@x', 'a@x', 'c@x']) ticking.putEvent(sampleEvent(uid));
    expect(ticking.listEvents().map((e) => e.uid)).toEqual(['b@x', 'a@x', 'c@x']);
  });
});

describe('attendees, counters, outgoing, incoming', () => {
  it('round-trips attendee states in order, optional fields absent when unset', () => {
    const { ledger } = newLedger();
    ledger.putEvent(sampleEvent());
    ledger.setAttendees('evt-1@example.com', attendees);
    expect(ledger.getAttendees('evt-1@example.com')).toStrictEqual(attendees);
    // Replaces the whole set.
    ledger.setAttendees('evt-1@example.com', [attendees[1]!]);
    expect(ledger.getAttendees('evt-1@example.com')).toStrictEqual([attendees[1]]);
    expect(ledger.getAttendees('unknown')).toEqual([]);
  });

  it('refuses attendees of an unknown event with ERR_UNKNOWN_EVENT', () => {
    const { ledger } = newLedger();
    const error = thrown(() => ledger.setAttendees('nope@x', attendees));
    expect(error.code).toBe('ERR_UNKNOWN_EVENT');
    expect(error.message).toContain('nope@x');
  });

  it('refuses a mixed-case attendee address (the key is lower-cased)', () => {
    const { ledger } = newLedger();
    ledger.putEvent(sampleEvent());
    ledger.setAttendees('evt-1@example.com', attendees);
    const error = thrown(() =>
      ledger.setAttendees('evt-1@example.com', [{ ...attendees[1]!, email: 'Carol@example.net' }]),
    );
    expect(error.code).toBe('ERR_INTERNAL');
    expect(ledger.getAttendees('evt-1@example.com')).toStrictEqual(attendees);
  });

  it('replaces attendees atomically: a failing row leaves the old set', () => {
    const { ledger } = newLedger();
    ledger.putEvent(sampleEvent());
    ledger.setAttendees('evt-1@example.com', attendees);
    // The same address twice violates the (uid, email) key on the second insert.
    const duplicate = [attendees[0]!, attendees[0]!];
    expect(thrown(() => ledger.setAttendees('evt-1@example.com', duplicate)).code).toBe(
      'ERR_LEDGER_IO',
    );
    expect(ledger.getAttendees('evt-1@example.com')).toStrictEqual(attendees);
  });

  it('records counter proposals with ids, lists them in order, changes their state', () => {
    const { ledger } = newLedger();
    ledger.putEvent(sampleEvent());
    const first = ledger.addCounter('evt-1@example.com', {
      attendee: 'bob@example.org',
      messageId: 'counter-1@example.org',
      receivedAt: '2026-01-03T08:00:00.000Z',
      start: '20260302T140000',
      end: '20260302T150000',
      tzid: 'Europe/Paris',
      comment: 'Afternoon? « merci »',
    });
    const second = ledger.addCounter('evt-1@example.com', {
      attendee: 'carol@example.net',
      messageId: 'counter-2@example.net',
      receivedAt: '2026-01-03T09:00:00.000Z',
    });
    expect(second).toBeGreaterThan(first);
    ledger.setCounterState(first, 'declined');
    expect(ledger.listCounters('evt-1@example.com')).toStrictEqual([
      {
        id: first,
        attendee: 'bob@example.org',
        messageId: 'counter-1@example.org',
        receivedAt: '2026-01-03T08:00:00.000Z',
        start: '20260302T140000',
        end: '20260302T150000',
        tzid: 'Europe/Paris',
        comment: 'Afternoon? « merci »',
        state: 'declined',
      },
      {
        id: second,
        attendee: 'carol@example.net',
        messageId: 'counter-2@example.net',
        receivedAt: '2026-01-03T09:00:00.000Z',
        state: 'open',
      },
    ]);
    expect(thrown(() => ledger.setCounterState(9999, 'declined')).code).toBe('ERR_INTERNAL');
    expect(
      thrown(() =>
        ledger.addCounter('nope@x', { attendee: 'a@x', messageId: 'm', receivedAt: 'r' }),
      ).code,
    ).toBe('ERR_UNKNOWN_EVENT');
  });

  it('round-trips outgoing messages byte-exact, with deliveries, in sending order', () => {
    const { ledger } = newLedger();
    ledger.putEvent(sampleEvent());
    ledger.putEvent(sampleEvent('other@x'));
    // Every byte value, CR/LF/NUL included, and a size beyond one database page.
    const allBytes = Buffer.alloc(70_000, 0);
    for (let i = 0; i < allBytes.length; i += 1) allBytes[i] = (i * 7) % 256;
    const records = [
      sampleOutgoing('evt-1@example.com', 'z-first@example.com', allBytes),
      { ...sampleOutgoing('evt-1@example.com', 'a-second@example.com'), deliveries: [] },
      {
        ...sampleOutgoing('evt-1@example.com', 'm-third@example.com'),
        method: 'CANCEL',
        sequence: 1,
        recipients: ['carol@example.net'],
        deliveries: [{ recipient: 'carol@example.net', outcome: 'dry-run' as const }],
      },
    ];
    ledger.recordOutgoing(records[0]!);
    ledger.recordOutgoing(sampleOutgoing('other@x', 'other-1@example.com'));
    ledger.recordOutgoing(records[1]!);
    ledger.recordOutgoing(records[2]!);

    const listed = ledger.listOutgoing('evt-1@example.com');
    expect(listed).toStrictEqual(records);
    expect(listed[0]!.raw.equals(allBytes)).toBe(true);
    expect(Buffer.isBuffer(listed[0]!.raw)).toBe(true);
    expect(ledger.listOutgoing('other@x').map((r) => r.messageId)).toEqual(['other-1@example.com']);
  });

  it('refuses an outgoing record whose sha256 does not match its bytes, or a reused Message-ID', () => {
    const { ledger } = newLedger();
    ledger.putEvent(sampleEvent());
    const record = sampleOutgoing('evt-1@example.com', 'm1@example.com');
    expect(thrown(() => ledger.recordOutgoing({ ...record, sha256: '0'.repeat(64) })).code).toBe(
      'ERR_INTERNAL',
    );
    ledger.recordOutgoing(record);
    const again = thrown(() => ledger.recordOutgoing(record));
    expect(again.code).toBe('ERR_LEDGER_IO');
    expect(again.message).toContain('m1@example.com');
    // The refused duplicate added no deliveries.
    expect(ledger.listOutgoing('evt-1@example.com')).toStrictEqual([record]);
    expect(
      thrown(() => ledger.recordOutgoing(sampleOutgoing('nope@x', 'm2@example.com'))).code,
    ).toBe('ERR_UNKNOWN_EVENT');
  });

  it('round-trips incoming records, also for unknown UIDs; a second record of one message is a conflict', () => {
    const { ledger } = newLedger();
    const full: IncomingRecord = {
      messageId: 'reply-1@example.org',
      from: 'calendar-notification@google.com',
      method: 'REPLY',
      uid: 'not-in-ledger@example.com',
      result: 'unknown-event',
      reason: 'no event with this UID',
      processedAt: '2026-01-02T09:00:00.000Z',
    };
    const bare: IncomingRecord = {
      messageId: 'winmail@example.org',
      result: 'no-calendar',
      reason: 'no text/calendar part (winmail.dat)',
      processedAt: '2026-01-02T09:01:00.000Z',
    };
    ledger.recordIncoming(full);
    ledger.recordIncoming(bare);
    expect(ledger.findIncoming('reply-1@example.org')).toStrictEqual(full);
    expect(ledger.findIncoming('winmail@example.org')).toStrictEqual(bare);
    expect(ledger.findIncoming('unknown')).toBeUndefined();
    const error = thrown(() => ledger.recordIncoming({ ...full, result: 'applied' }));
    expect(error.code).toBe('ERR_LEDGER_CONFLICT');
    expect(ledger.findIncoming('reply-1@example.org')).toStrictEqual(full);
  });
});

describe('transaction', () => {
  it('commits everything fn wrote and returns its value', () => {
    const { file, ledger } = newLedger();
    const version = ledger.transaction(() => {
      const v = ledger.putEvent(sampleEvent());
      ledger.setAttendees('evt-1@example.com', attendees);
      return v;
    });
    expect(version).toBe(1);
    const other = openTestLedger(file);
    expect(other.getAttendees('evt-1@example.com')).toStrictEqual(attendees);
  });

  it('rolls back every write when fn throws, and rethrows the same error', () => {
    const { ledger } = newLedger();
    ledger.putEvent(sampleEvent());
    ledger.setAttendees('evt-1@example.com', attendees);
    const before = snapshot(ledger, 'evt-1@example.com');
    const failure = new Error('bad input halfway');
    expect(() =>
      ledger.transaction(() => {
        ledger.putEvent(sampleEvent('evt-1@example.com', 1), 1);
        ledger.setAttendees('evt-1@example.com', []);
        ledger.addCounter('evt-1@example.com', {
          attendee: 'a@x',
          messageId: 'm',
          receivedAt: 'r',
        });
        ledger.recordOutgoing(sampleOutgoing('evt-1@example.com', 'm1@x'));
        ledger.putEvent(sampleEvent('new@x'));
        ledger.recordIncoming({
          messageId: 'in@x',
          result: 'applied',
          reason: 'r',
          processedAt: 'p',
        });
        throw failure;
      }),
    ).toThrow(failure);
    expect(snapshot(ledger, 'evt-1@example.com')).toStrictEqual(before);
    expect(ledger.findIncoming('in@x')).toBeUndefined();
    // The connection is usable afterwards.
    expect(ledger.putEvent(sampleEvent('evt-1@example.com', 1), 1)).toBe(2);
  });

  it('rolls back on a conflict inside the transaction', () => {
    const { ledger } = newLedger();
    ledger.putEvent(sampleEvent());
    const before = snapshot(ledger, 'evt-1@example.com');
    const error = thrown(() =>
      ledger.transaction(() => {
        ledger.setAttendees('evt-1@example.com', attendees);
        ledger.putEvent(sampleEvent('evt-1@example.com', 1), 7);
      }),
    );
    expect(error.code).toBe('ERR_LEDGER_CONFLICT');
    expect(snapshot(ledger, 'evt-1@example.com')).toStrictEqual(before);
  });

  it('nests as a savepoint: an inner throw undoes only the inner part', () => {
    const { ledger } = newLedger();
    ledger.transaction(() => {
      ledger.putEvent(sampleEvent());
      expect(() =>
        ledger.transaction(() => {
          ledger.setAttendees('evt-1@example.com', attendees);
          throw new Error('inner');
        }),
      ).toThrow('inner');
      ledger.transaction(() => ledger.putEvent(sampleEvent('second@x')));
    });
    expect(ledger.listEvents().map((e) => e.uid)).toEqual(['evt-1@example.com', 'second@x']);
    expect(ledger.getAttendees('evt-1@example.com')).toEqual([]);
  });

  it('rolls back the inner part too when the outer transaction fails', () => {
    const { ledger } = newLedger();
    expect(() =>
      ledger.transaction(() => {
        ledger.transaction(() => ledger.putEvent(sampleEvent()));
        throw new Error('outer');
      }),
    ).toThrow('outer');
    expect(ledger.listEvents()).toEqual([]);
  });

  it('refuses an async callback, rolling back what it wrote synchronously', async () => {
    const { ledger } = newLedger();
    const error = thrown(() =>
      ledger.transaction(async () => {
        ledger.putEvent(sampleEvent());
        await Promise.resolve();
      }),
    );
    expect(error.code).toBe('ERR_INTERNAL');
    expect(error.message).toMatch(/synchronous/);
    await Promise.resolve();
    expect(ledger.listEvents()).toEqual([]);
  });
});

describe('two connections on one file', () => {
  it('refuses a stale version written through another connection', () => {
    const { file, ledger: first } = newLedger();
    const second = openTestLedger(file);
    first.putEvent(sampleEvent());
    const readByFirst = first.getEvent('evt-1@example.com')!;
    const readBySecond = second.getEvent('evt-1@example.com')!;

    expect(
      second.putEvent({ ...sampleEvent(), calendar: 'second wins' }, readBySecond.version),
    ).toBe(2);
    const error = thrown(() =>
      first.putEvent({ ...sampleEvent(), calendar: 'first loses' }, readByFirst.version),
    );
    expect(error.code).toBe('ERR_LEDGER_CONFLICT');
    expect(first.getEvent('evt-1@example.com')?.calendar).toBe('second wins');
  });

  it('serialises writers: a second writer cannot start while the first holds the write lock', () => {
    const { file, ledger: first } = newLedger();
    const impatient = openTestLedger(file, { busyTimeoutMs: 0 });
    first.putEvent(sampleEvent());
    first.transaction(() => {
      first.putEvent(sampleEvent('evt-1@example.com', 1), 1);
      const error = thrown(() =>
        impatient.transaction(() => impatient.putEvent(sampleEvent('x@x'))),
      );
      expect(error.code).toBe('ERR_LEDGER_IO');
      expect(error.message).toContain(file);
      expect(error.message).toContain('another smtp-invite process');
      // WAL: a reader is not blocked and sees the last committed state, not the open transaction.
      expect(impatient.getEvent('evt-1@example.com')?.version).toBe(1);
    });
    expect(impatient.getEvent('evt-1@example.com')?.version).toBe(2);
    expect(impatient.getEvent('x@x')).toBeUndefined();
  });
});
