import { describe, expect, it } from 'vitest';
import type { AttendeeState } from '../../src/ledger/ledger-types.ts';
import { interpretReply, type ReplyEventState } from '../../src/replies/interpret-reply.ts';
import type { IncomingItip } from '../../src/replies/reply-types.ts';

const NOW = new Date('2026-11-21T10:00:00Z');
const EVENT: ReplyEventState = { uid: 'm1@example.com', sequence: 2, state: 'active' };
const ADA: AttendeeState = {
  email: 'ada@example.com',
  name: 'Ada',
  partstat: 'NEEDS-ACTION',
  invited: true,
};
const BOB: AttendeeState = { email: 'bob@example.org', partstat: 'NEEDS-ACTION', invited: true };

function reply(overrides: Partial<IncomingItip> = {}): IncomingItip {
  return {
    messageId: 'r1@example.com',
    method: 'REPLY',
    uid: 'm1@example.com',
    sequence: 2,
    dtstamp: '20261121T090000Z',
    attendee: 'ada@example.com',
    partstat: 'ACCEPTED',
    ...overrides,
  };
}

const ANSWERED: AttendeeState = {
  ...ADA,
  partstat: 'ACCEPTED',
  answeredAt: '2026-11-20T08:00:00.000Z',
  via: 'r0@example.com',
  replySequence: 2,
  replyDtstamp: '20261121T090000Z',
};

describe('interpretReply', () => {
  it('applies a REPLY: PARTSTAT, answeredAt = now, via, SEQUENCE and DTSTAMP; others untouched', () => {
    const out = interpretReply(reply(), EVENT, [ADA, BOB], false, NOW);
    expect(out.decision).toEqual({
      result: 'applied',
      reason: 'ada@example.com accepted (SEQUENCE 2)',
    });
    expect(out.attendees).toEqual([
      {
        ...ADA,
        partstat: 'ACCEPTED',
        answeredAt: '2026-11-21T10:00:00.000Z',
        via: 'r1@example.com',
        replySequence: 2,
        replyDtstamp: '20261121T090000Z',
      },
      BOB,
    ]);
    expect(out.counter).toBeUndefined();
  });

  it('changes nothing for a message already processed (same Message-ID), even for an unknown UID', () => {
    const out = interpretReply(reply({ uid: 'other' }), EVENT, [ADA], true, NOW);
    expect(out).toEqual({
      decision: { result: 'duplicate', reason: 'message r1@example.com was already processed' },
    });
  });

  it('reports an unknown UID and changes nothing', () => {
    expect(interpretReply(reply(), undefined, [], false, NOW)).toEqual({
      decision: {
        result: 'unknown-event',
        reason: 'no event with UID m1@example.com in the ledger',
      },
    });
    expect(interpretReply(reply({ uid: 'x' }), EVENT, [ADA], false, NOW).decision.result).toBe(
      'unknown-event',
    );
  });

  it('records an uninvited replier as invited:false, never as an attendee', () => {
    const out = interpretReply(
      reply({ attendee: 'eve@example.net', attendeeName: 'Eve' }),
      EVENT,
      [ADA],
      false,
      NOW,
    );
    expect(out.decision.result).toBe('unknown-attendee');
    expect(out.decision.reason).toContain('eve@example.net is not an attendee');
    expect(out.attendees).toEqual([
      ADA,
      {
        email: 'eve@example.net',
        name: 'Eve',
        partstat: 'ACCEPTED',
        answeredAt: '2026-11-21T10:00:00.000Z',
        via: 'r1@example.com',
        replySequence: 2,
        replyDtstamp: '20261121T090000Z',
        invited: false,
      },
    ]);
    // An uninvited COUNTER or REFRESH changes nothing: the event is never sent to a stranger.
    for (const method of ['COUNTER', 'REFRESH'] as const) {
      const other = interpretReply(
        reply({ method, attendee: 'eve@example.net' }),
        EVENT,
        [ADA],
        false,
        NOW,
      );
      expect(other).toEqual({
        decision: {
          result: 'unknown-attendee',
          reason: `eve@example.net is not an attendee of m1@example.com; ${method} ignored`,
        },
      });
    }
  });

  it("refuses an answer to an older SEQUENCE than the event's (RFC 5546 §2.1.5)", () => {
    const out = interpretReply(reply({ sequence: 1 }), EVENT, [ADA], false, NOW);
    expect(out.decision.result).toBe('stale');
    expect(out.decision.reason).toContain("SEQUENCE 1 is below the event's 2");
    expect(out.attendees).toBeUndefined();
  });

  it('refuses an older DTSTAMP at the same SEQUENCE, and a SEQUENCE below the applied answer', () => {
    const older = interpretReply(
      reply({ dtstamp: '20261121T080000Z', partstat: 'DECLINED' }),
      EVENT,
      [ANSWERED],
      false,
      NOW,
    );
    expect(older.decision.result).toBe('stale');
    expect(older.decision.reason).toContain(
      'DTSTAMP 20261121T080000Z is older than 20261121T090000Z',
    );
    const below = interpretReply(
      reply({ sequence: 2 }),
      { ...EVENT, sequence: 1 },
      [{ ...ANSWERED, replySequence: 3 }],
      false,
      NOW,
    );
    expect(below.decision).toMatchObject({ result: 'stale' });
    expect(below.decision.reason).toContain('below 3 of the answer already applied');
  });

  it('applies a later DTSTAMP at the same SEQUENCE (the attendee changed their mind)', () => {
    const out = interpretReply(
      reply({ messageId: 'r2@example.com', dtstamp: '20261121T093000Z', partstat: 'DECLINED' }),
      EVENT,
      [ANSWERED],
      false,
      NOW,
    );
    expect(out.decision).toEqual({
      result: 'applied',
      reason: 'ada@example.com declined (SEQUENCE 2)',
    });
    expect(out.attendees?.[0]).toMatchObject({
      partstat: 'DECLINED',
      via: 'r2@example.com',
      replyDtstamp: '20261121T093000Z',
    });
  });

  it('treats the same answer under another Message-ID as a duplicate: answeredAt unchanged', () => {
    const out = interpretReply(
      reply({ messageId: 'copy@example.com' }),
      EVENT,
      [ANSWERED],
      false,
      NOW,
    );
    expect(out).toEqual({
      decision: { result: 'duplicate', reason: 'same answer as message r0@example.com (accepted)' },
    });
  });

  it('records a COUNTER as a proposal without touching the PARTSTAT', () => {
    const out = interpretReply(
      reply({
        method: 'COUNTER',
        partstat: 'TENTATIVE',
        comment: 'Afternoon?',
        proposal: { start: '20261202T140000', end: '20261202T150000', tzid: 'Europe/Berlin' },
      }),
      EVENT,
      [ADA],
      false,
      NOW,
    );
    expect(out.decision).toEqual({
      result: 'applied',
      reason:
        'ada@example.com proposed a new time: 20261202T140000 to 20261202T150000 Europe/Berlin (SEQUENCE 2)',
    });
    expect(out.attendees).toBeUndefined();
    expect(out.counter).toEqual({
      attendee: 'ada@example.com',
      messageId: 'r1@example.com',
      receivedAt: '2026-11-21T10:00:00.000Z',
      start: '20261202T140000',
      end: '20261202T150000',
      tzid: 'Europe/Berlin',
      comment: 'Afternoon?',
    });
    const stale = interpretReply(
      reply({ method: 'COUNTER', sequence: 0 }),
      EVENT,
      [ADA],
      false,
      NOW,
    );
    expect(stale.decision.result).toBe('stale');
    expect(stale.counter).toBeUndefined();
  });

  it('applies a REFRESH as "refresh requested" with nothing to store', () => {
    expect(
      interpretReply(reply({ method: 'REFRESH', sequence: 0 }), EVENT, [ADA], false, NOW),
    ).toEqual({
      decision: { result: 'applied', reason: 'refresh requested by ada@example.com' },
    });
  });

  it('does not record an answer for one occurrence (one PARTSTAT per attendee in the ledger)', () => {
    const out = interpretReply(
      reply({ recurrenceId: '20261208T100000' }),
      EVENT,
      [ADA],
      false,
      NOW,
    );
    expect(out.decision.result).toBe('unsupported');
    expect(out.decision.reason).toContain('RECURRENCE-ID 20261208T100000');
    expect(out.attendees).toBeUndefined();
  });

  it('ignores answers to a cancelled event', () => {
    const out = interpretReply(
      reply({ sequence: 3 }),
      { ...EVENT, sequence: 3, state: 'cancelled' },
      [ADA],
      false,
      NOW,
    );
    expect(out.decision.result).toBe('stale');
    expect(out.attendees).toBeUndefined();
  });
});
