/**
 * The sender identity through every organizer path of the library: buildInvite (REQUEST, CANCEL,
 * PUBLISH), the iTIP flows (send, update, cancel, cancel one occurrence, decline a counter, answer
 * a REFRESH), with a real ledger; the ledger keeps the event, not how it was sent.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SmtpInviteError } from '../../src/errors.ts';
import { buildInvite, deterministicIds } from '../../src/flows/build-invite.ts';
import { ingestMessages } from '../../src/flows/ingest-replies.ts';
import {
  cancelAndRecord,
  cancelOccurrenceAndRecord,
  declineCounterAndRecord,
  sendAndRecord,
  updateAndRecord,
} from '../../src/flows/organizer-flows.ts';
import { checkIdentityOptions, resolveSenderIdentity } from '../../src/flows/sender-identity.ts';
import { readCalendar } from '../../src/ical/read-calendar.ts';
import { inspect } from '../../src/inspect/inspect-engine.ts';
import { openLedger } from '../../src/ledger/open-ledger.ts';
import { createMemoryTransport } from '../../src/transport/memory-transport.ts';
import type { OutgoingMessage } from '../../src/transport/transport.ts';
import { eventLines, replyEmail } from '../replies/itip-samples.ts';

const SERVICE = { name: 'Example Bookings', email: 'bookings@bookings.example.net' };
const DELEGATE = { name: 'Grace Hopper', email: 'grace@example.com' };
const organizer = { name: 'Olga Organizer', email: 'olga@example.com' };

const input = {
  uid: 'identity-flows@example.com',
  summary: 'Weekly consultation',
  timeZone: 'Europe/Berlin',
  start: '2026-12-01T10:00',
  end: '2026-12-01T10:30',
  recurrence: { rrule: 'FREQ=WEEKLY;COUNT=4' },
  organizer,
  attendees: [
    { name: 'Ada', email: 'ada@example.org' },
    { name: 'Bob', email: 'bob@example.org' },
  ],
};

function header(raw: Buffer, name: string): string | undefined {
  const text = raw.toString('latin1');
  const head = text.slice(0, text.indexOf('\r\n\r\n')).replace(/\r\n[ \t]/g, ' ');
  const line = head.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

interface Seen {
  readonly method: string | undefined;
  readonly from: string | undefined;
  readonly sender: string | undefined;
  readonly replyTo: string | undefined;
  readonly envelope: string;
  readonly sentBy: string | undefined;
  readonly messageIdDomain: string;
}

/** What a recipient sees of who sent it; every message must also inspect clean for them. */
function seen(message: OutgoingMessage): Seen {
  for (const recipient of message.envelope.to) {
    // A PUBLISH has Outlook's method-param-unsupported warning whoever sends it.
    const problems = inspect(message.raw, { recipient }).findings.filter(
      (f) => f.severity !== 'info' && f.rule !== 'method-param-unsupported',
    );
    expect(problems.map((f) => `${f.rule}: ${f.message}`)).toEqual([]);
  }
  const report = inspect(message.raw);
  return {
    method: report.calendars[0]?.method,
    from: header(message.raw, 'From'),
    sender: header(message.raw, 'Sender'),
    replyTo: header(message.raw, 'Reply-To'),
    envelope: message.envelope.from,
    sentBy: report.calendars[0]?.events[0]?.organizer?.sentBy,
    messageIdDomain: message.messageId.slice(message.messageId.indexOf('@') + 1),
  };
}

const AS_SERVICE = {
  from: 'Example Bookings <bookings@bookings.example.net>',
  sender: undefined,
  replyTo: 'Olga Organizer <olga@example.com>',
  envelope: 'bookings@bookings.example.net',
  sentBy: 'bookings@bookings.example.net',
  messageIdDomain: 'bookings.example.net',
};
const AS_DELEGATE = {
  from: 'Olga Organizer <olga@example.com>',
  sender: 'Grace Hopper <grace@example.com>',
  replyTo: undefined,
  envelope: 'grace@example.com',
  sentBy: 'grace@example.com',
  messageIdDomain: 'example.com',
};
const AS_ORGANIZER = {
  from: 'Olga Organizer <olga@example.com>',
  sender: undefined,
  replyTo: undefined,
  envelope: 'olga@example.com',
  sentBy: undefined,
  messageIdDomain: 'example.com',
};

describe('resolveSenderIdentity', () => {
  const plain = { name: 'Olga', email: 'olga@example.com' };

  it('gives each mode its addresses', () => {
    expect(resolveSenderIdentity(plain)).toEqual({
      mode: 'organizer',
      from: plain,
      envelopeFrom: 'olga@example.com',
    });
    expect(resolveSenderIdentity(plain, { service: SERVICE })).toEqual({
      mode: 'service',
      from: SERVICE,
      replyTo: plain,
      envelopeFrom: SERVICE.email,
      sentBy: SERVICE.email,
    });
    expect(resolveSenderIdentity(plain, { sender: DELEGATE })).toEqual({
      mode: 'sender',
      from: plain,
      sender: DELEGATE,
      envelopeFrom: DELEGATE.email,
      sentBy: DELEGATE.email,
    });
  });

  it("takes the input's sentBy as a delegate, and lets the options replace it", () => {
    const withPa = { ...plain, sentBy: 'pa@example.com' };
    expect(resolveSenderIdentity(withPa).sender).toEqual({ email: 'pa@example.com' });
    expect(resolveSenderIdentity(withPa, { sender: DELEGATE }).sentBy).toBe(DELEGATE.email);
    expect(resolveSenderIdentity(withPa, { service: SERVICE })).toMatchObject({
      mode: 'service',
      sentBy: SERVICE.email,
    });
  });

  it("treats the organizer's own address as the organizer sending itself", () => {
    expect(resolveSenderIdentity(plain, { service: { email: 'OLGA@example.com' } }).mode).toBe(
      'organizer',
    );
    expect(resolveSenderIdentity(plain, { sender: { email: 'olga@EXAMPLE.com' } }).mode).toBe(
      'organizer',
    );
    expect(resolveSenderIdentity({ ...plain, sentBy: 'olga@example.com' }).sentBy).toBeUndefined();
  });

  it('flattens a hostile display name to one line and drops an empty one', () => {
    const hostile = resolveSenderIdentity(plain, {
      service: { name: 'Evil\r\nBcc: victim@example.net', email: SERVICE.email },
    });
    expect(hostile.from.name).toBe('Evil Bcc: victim@example.net');
    expect(
      resolveSenderIdentity(plain, { service: { name: ' \r\n ', email: SERVICE.email } }).from,
    ).toEqual({ email: SERVICE.email });
  });
});

describe('checkIdentityOptions', () => {
  const problem = (options: unknown): SmtpInviteError => {
    try {
      checkIdentityOptions(options as never);
    } catch (err) {
      if (err instanceof SmtpInviteError) return err;
    }
    throw new Error('expected ERR_INVALID_INPUT');
  };

  it('refuses service and sender together, naming both', () => {
    const err = problem({ service: SERVICE, sender: DELEGATE });
    expect(err.code).toBe('ERR_INVALID_INPUT');
    expect(err.message).toMatch(
      /^invalid sender identity: options: give either service .* or sender/,
    );
    expect(err.diagnostics.map((d) => d.code)).toEqual(['identity-conflict']);
  });

  it.each([
    [{ service: { email: 'nope' } }, 'options.service.email'],
    [{ sender: { email: 'grace@example.com\r\nBcc: x@example.net' } }, 'options.sender.email'],
    [{ service: { email: 'a b@example.com' } }, 'options.service.email'],
    [{ service: { email: 42 } }, 'options.service.email'],
    [{ service: 'bookings@example.net' }, 'options.service'],
    [{ sender: { email: 'g@example.com', name: 7 } }, 'options.sender.name'],
  ])('refuses %j at %s', (options, path) => {
    const err = problem(options);
    expect(err.code).toBe('ERR_INVALID_INPUT');
    expect(err.diagnostics.map((d) => d.path)).toEqual([path]);
  });

  it('accepts a valid service or sender (and nothing)', () => {
    expect(() => checkIdentityOptions({})).not.toThrow();
    expect(() => checkIdentityOptions({ service: SERVICE })).not.toThrow();
    expect(() => checkIdentityOptions({ sender: { email: 'grace@example.com' } })).not.toThrow();
  });
});

describe('buildInvite', () => {
  const ids = deterministicIds(input, {});

  it.each([
    ['REQUEST', undefined],
    ['CANCEL', 'CANCEL'],
    ['PUBLISH', 'PUBLISH'],
  ] as const)('sends a %s as the service', (method, override) => {
    const built = buildInvite(input, {
      ids,
      service: SERVICE,
      ...(override === undefined ? {} : { method: override }),
    });
    expect(built.messages.map(seen)).toEqual([{ method, ...AS_SERVICE }]);
    expect(readCalendar(built.calendar).events[0]?.organizer?.sentBy).toBe(
      `mailto:${AS_SERVICE.sentBy}`,
    );
  });

  it('refuses service with sender before building anything, with ERR_INVALID_INPUT', () => {
    expect(() => buildInvite(input, { ids, service: SERVICE, sender: DELEGATE })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT' }),
    );
  });

  it('never lets a hostile service address reach a header (a clear ERR_INVALID_INPUT)', () => {
    expect(() =>
      buildInvite(input, { ids, service: { email: 'b@example.net>\r\nBcc: x@example.net' } }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
  });
});

describe('the iTIP flows with a ledger', () => {
  const ledger = openLedger(join(mkdtempSync(join(tmpdir(), 'smtp-invite-identity-')), 'l.db'));
  const transport = createMemoryTransport();
  let seenCount = 0;
  const fresh = () => {
    const out = transport.sent.slice(seenCount).map(seen);
    seenCount = transport.sent.length;
    return out;
  };
  const as = (build: object) => ({ ledger, transport, build });

  it('sends the REQUEST as the service and stores the event without it', async () => {
    await sendAndRecord(input, as({ service: SERVICE }));
    expect(fresh()).toEqual([{ method: 'REQUEST', ...AS_SERVICE }]);
    const stored = ledger.getEvent(input.uid);
    expect(JSON.stringify(stored?.input)).not.toContain('sentBy');
    expect(stored?.calendar).not.toContain('SENT-BY');
    expect(stored?.calendar).toContain('ORGANIZER;CN="Olga Organizer":mailto:olga@example.com');
  });

  it('switching identity is not a change of the event: nothing to send', async () => {
    for (const build of [{ sender: DELEGATE }, {}, { service: SERVICE }]) {
      const result = await updateAndRecord(input, as(build));
      expect(result.changes).toEqual([]);
      expect(result.messages).toEqual([]);
    }
    expect(fresh()).toEqual([]);
    expect(ledger.getEvent(input.uid)?.sequence).toBe(0);
  });

  it('sends an update as a delegate, at the same SEQUENCE, listing only the real change', async () => {
    const result = await updateAndRecord(
      { ...input, summary: 'Weekly consultation (room 3)' },
      as({ sender: DELEGATE }),
    );
    expect(result.changes).toEqual(['SUMMARY']);
    expect(result.sequence).toBe(0);
    expect(fresh()).toEqual([{ method: 'REQUEST', ...AS_DELEGATE }]);
    expect(JSON.stringify(ledger.getEvent(input.uid)?.input)).not.toContain('sentBy');
  });

  it('cancels one occurrence as the service', async () => {
    await cancelOccurrenceAndRecord(input.uid, '2026-12-08T10:00', as({ service: SERVICE }));
    expect(fresh()).toEqual([{ method: 'CANCEL', ...AS_SERVICE }]);
  });

  it('answers a REFRESH as the service (to that attendee only)', async () => {
    const refresh = replyEmail({
      method: 'REFRESH',
      messageId: 'refresh-1@example.org',
      from: 'Ada <ada@example.org>',
      vevents: [
        eventLines({
          UID: `UID:${input.uid}`,
          SEQUENCE: null,
          ATTENDEE: 'ATTENDEE:mailto:ada@example.org',
        }),
      ],
    });
    const [result] = await ingestMessages(
      [{ source: 'refresh.eml', raw: refresh }],
      as({ service: SERVICE }),
    );
    expect(result?.result).toBe('applied');
    const got = fresh();
    expect(got).toEqual([{ method: 'REQUEST', ...AS_SERVICE }]);
    expect(transport.sent.at(-1)?.envelope.to).toEqual(['ada@example.org']);
  });

  it('declines a counter-proposal as the service', async () => {
    const counter = replyEmail({
      method: 'COUNTER',
      messageId: 'counter-1@example.org',
      from: 'Bob <bob@example.org>',
      vevents: [
        eventLines(
          {
            UID: `UID:${input.uid}`,
            SEQUENCE: 'SEQUENCE:1',
            DTSTAMP: 'DTSTAMP:20261120T090000Z',
            ATTENDEE: 'ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:bob@example.org',
          },
          [
            'DTSTART;TZID=Europe/Berlin:20261201T140000',
            'DTEND;TZID=Europe/Berlin:20261201T143000',
          ],
        ),
      ],
    });
    const [ingested] = await ingestMessages([{ source: 'counter.eml', raw: counter }], {
      ledger,
      transport,
    });
    expect(ingested?.result).toBe('applied');
    await declineCounterAndRecord(
      input.uid,
      { attendee: 'bob@example.org' },
      as({ service: SERVICE }),
    );
    expect(fresh()).toEqual([{ method: 'DECLINECOUNTER', ...AS_SERVICE }]);
  });

  it('refuses a conflicting identity before claiming the event or sending', async () => {
    const before = ledger.getEvent(input.uid);
    await expect(
      cancelAndRecord(input.uid, {}, as({ service: SERVICE, sender: DELEGATE })),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    expect(ledger.getEvent(input.uid)?.version).toBe(before?.version);
    expect(fresh()).toEqual([]);
  });

  it('cancels the event as the organizer itself, SEQUENCE + 1', async () => {
    const result = await cancelAndRecord(input.uid, {}, as({}));
    expect(result.sequence).toBe(2);
    expect(fresh()).toEqual([{ method: 'CANCEL', ...AS_ORGANIZER }]);
  });
});
