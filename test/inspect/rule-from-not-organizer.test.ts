/**
 * from-not-organizer: an organizer's message sent by someone who is neither the ORGANIZER nor its
 * SENT-BY. Inputs are the clean simple-meeting email with its headers or calendar edited.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inspect } from '../../src/inspect/inspect-engine.ts';
import type { InspectReport } from '../../src/inspect/inspect-types.ts';
import { headerAddresses } from '../../src/inspect/mail-address-header.ts';

const SIMPLE = readFileSync(
  new URL('../../fixtures/invites/simple-meeting/expected.eml', import.meta.url),
  'latin1',
);
const FROM = 'From: Olga Organizer <olga@example.com>\r\n';
const ORGANIZER = 'ORGANIZER;CN="Olga Organizer":mailto:olga@example.com';

function edit(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`test input: ${from} not found`);
  return text.split(from).join(to);
}

/** The message with its From line replaced by these header lines (CRLF added). */
const withHeaders = (...lines: string[]) =>
  edit(SIMPLE, FROM, lines.map((l) => `${l}\r\n`).join(''));

const withMethod = (text: string, method: string) =>
  edit(
    edit(text, 'METHOD:REQUEST\r\n', `METHOD:${method}\r\n`),
    'method=REQUEST',
    `method=${method}`,
  );

const withSentBy = (text: string, sentBy: string) =>
  edit(
    text,
    ORGANIZER,
    `ORGANIZER;CN="Olga Organizer";SENT-BY="mailto:${sentBy}":mailto:olga@example.com`,
  );

function hits(text: string): InspectReport['findings'] {
  return inspect(Buffer.from(text, 'latin1')).findings.filter(
    (f) => f.rule === 'from-not-organizer',
  );
}

describe('from-not-organizer fires', () => {
  it('on a REQUEST from a stranger, once, at the ORGANIZER, without a client effect', () => {
    const report = inspect(
      Buffer.from(withHeaders('From: Bookings <noreply@bookings.example.net>'), 'latin1'),
    );
    const found = report.findings.filter((f) => f.rule === 'from-not-organizer');
    expect(found).toHaveLength(1);
    expect(found[0]?.severity).toBe('warning');
    expect(found[0]?.path).toBe('1.3/VEVENT[0]/ORGANIZER');
    expect(found[0]?.clients).toBeUndefined();
    expect(found[0]?.message).toBe(
      'the REQUEST is From noreply@bookings.example.net, not the ORGANIZER olga@example.com (no SENT-BY)',
    );
    expect(report.clients.every((c) => c.outcome === 'invitation')).toBe(true);
  });

  it('on every organizer-side method: REQUEST, ADD, CANCEL, DECLINECOUNTER', () => {
    const stranger = withHeaders('From: mallory@example.net');
    for (const method of ['REQUEST', 'ADD', 'CANCEL', 'DECLINECOUNTER'])
      expect(hits(withMethod(stranger, method)), method).toHaveLength(1);
  });

  it('when SENT-BY names someone else than From and Sender', () => {
    const text = withSentBy(
      withHeaders('From: Bookings <bookings@bookings.example.net>', 'Sender: relay@example.net'),
      'pa@example.com',
    );
    const found = hits(text);
    expect(found).toHaveLength(1);
    expect(found[0]?.message).toBe(
      'the REQUEST is From bookings@bookings.example.net (Sender relay@example.net), not the ORGANIZER olga@example.com nor its SENT-BY pa@example.com',
    );
  });

  it('when the organizer address is only in the display name (a spoofing pattern)', () => {
    expect(hits(withHeaders('From: "olga@example.com" <mallory@example.net>'))).toHaveLength(1);
    expect(hits(withHeaders('From: mallory@example.net (olga@example.com)'))).toHaveLength(1);
  });
});

describe('from-not-organizer stays quiet', () => {
  it('for the three sender-identity modes', () => {
    // 1. The organizer itself, however the address is written.
    for (const from of [
      'From: Olga Organizer <olga@example.com>',
      'From: OLGA@Example.COM',
      'From: "Organizer, Olga" <Olga@example.com> (the boss)',
      'From: =?UTF-8?Q?Olga_=C3=96rganizer?= <olga@example.com>',
    ])
      expect(hits(withHeaders(from)), from).toEqual([]);
    // 2. A service named in SENT-BY.
    expect(
      hits(
        withSentBy(
          withHeaders(
            'From: Bookings <bookings@bookings.example.net>',
            'Reply-To: olga@example.com',
          ),
          'bookings@bookings.example.net',
        ),
      ),
    ).toEqual([]);
    // 3. A delegate: Sender = SENT-BY, From = the organizer (or a Sender without SENT-BY, as
    // Google Calendar sends: Sender calendar-notification@google.com, From the organizer).
    expect(
      hits(withSentBy(withHeaders(FROM.trim(), 'Sender: grace@example.com'), 'grace@example.com')),
    ).toEqual([]);
    expect(
      hits(withHeaders(FROM.trim(), 'Sender: Google Calendar <calendar-notification@google.com>')),
    ).toEqual([]);
  });

  it('for messages attendees send (REPLY, COUNTER, REFRESH) and for PUBLISH', () => {
    const stranger = withHeaders('From: ada@example.com');
    for (const method of ['REPLY', 'COUNTER', 'REFRESH', 'PUBLISH'])
      expect(hits(withMethod(stranger, method)), method).toEqual([]);
  });

  it('without a From to compare, or an ORGANIZER that is not an email address', () => {
    expect(hits(edit(SIMPLE, FROM, ''))).toEqual([]);
    expect(hits(withHeaders('From: undisclosed-recipients:;'))).toEqual([]);
    const urn = edit(withHeaders('From: x@example.net'), 'mailto:olga@example.com', 'urn:uuid:1');
    expect(hits(urn)).toEqual([]);
  });

  it('for a calendar file (no email headers at all)', () => {
    const ics = readFileSync(
      new URL('../../fixtures/invites/simple-meeting/expected.ics', import.meta.url),
    );
    expect(inspect(ics).findings.filter((f) => f.rule === 'from-not-organizer')).toEqual([]);
  });
});

describe('headerAddresses', () => {
  it.each([
    ['Olga <olga@example.com>', ['olga@example.com']],
    ['olga@example.com', ['olga@example.com']],
    ['"Doe, Jane <jane@evil.example>" <Jane@Example.com>', ['jane@example.com']],
    ['jane@example.com (Jane <x@y.z> (nested))', ['jane@example.com']],
    ['a@x.example, "B" <b@y.example>; c@z.example', ['a@x.example', 'b@y.example', 'c@z.example']],
    ['team: a@x.example, b@y.example;, c@z.example', ['a@x.example', 'b@y.example', 'c@z.example']],
    ['<@relay.example:olga@example.com>', ['olga@example.com']],
    ['<mailto:olga@example.com>', ['olga@example.com']],
    ['Olga <olga@example.com', ['olga@example.com']],
    ['Olga Organizer', []],
    ['"unterminated <a@b.example>', []],
    ['', []],
  ])('%j → %j', (value, expected) => {
    expect(headerAddresses(value)).toEqual(expected);
  });

  it('stops at 50 addresses and stays linear on hostile input', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => `u${i}@example.com`).join(', ');
    expect(headerAddresses(many)).toHaveLength(50);
    expect(headerAddresses('('.repeat(100_000) + 'a@b.example')).toEqual([]);
    expect(headerAddresses(`${'"'.repeat(100_001)}a@b.example`)).toEqual([]);
  });
});
