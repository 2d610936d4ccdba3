/**
 * The three sender-identity modes (README "Who sends: three modes") as golden cases:
 * fixtures/invites/identity-<mode>/ with an options.json for the build options (invites.test.ts
 * compares the bytes; UPDATE_GOLDEN=1 rewrites them). Here: what each mode puts in From, Sender,
 * Reply-To, the SMTP envelope, ORGANIZER;SENT-BY and the Message-ID, and that the inspector finds
 * each of them clean for all four clients.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildInvite, deterministicIds, type BuildOptions } from '../../src/flows/build-invite.ts';
import { readCalendar } from '../../src/ical/read-calendar.ts';
import { inspect } from '../../src/inspect/inspect-engine.ts';

const root = new URL('../../fixtures/invites/', import.meta.url).pathname;

interface Expected {
  readonly from: string;
  readonly sender?: string;
  readonly replyTo?: string;
  readonly envelope: string;
  readonly organizer: string;
  readonly sentBy?: string;
  readonly messageIdDomain: string;
}

const CASES: Record<string, Expected> = {
  // 1. The organizer sends as itself.
  'identity-organizer': {
    from: 'Olga Organizer <olga@example.com>',
    envelope: 'olga@example.com',
    organizer: 'olga@example.com',
    messageIdDomain: 'example.com',
  },
  // 2. A service (booking platform) sends for the organizer: its own domain everywhere SPF, DKIM
  // and DMARC look; people's replies go to the organizer.
  'identity-service': {
    from: 'Example Bookings <bookings@bookings.example.net>',
    replyTo: '"Dr. Olga Organizer" <olga@example.com>',
    envelope: 'bookings@bookings.example.net',
    organizer: 'olga@example.com',
    sentBy: 'bookings@bookings.example.net',
    messageIdDomain: 'bookings.example.net',
  },
  // 3a. A shared mailbox, the member sending with Send As rights: nothing but the organizer shows.
  'identity-shared-mailbox': {
    from: 'Example Events <events@example.com>',
    envelope: 'events@example.com',
    organizer: 'events@example.com',
    messageIdDomain: 'example.com',
  },
  // 3b. The same mailbox, the member sending with Send on Behalf rights.
  'identity-shared-mailbox-delegate': {
    from: 'Example Events <events@example.com>',
    sender: 'Grace Hopper <grace@example.com>',
    envelope: 'grace@example.com',
    organizer: 'events@example.com',
    sentBy: 'grace@example.com',
    messageIdDomain: 'example.com',
  },
};

/** A header of the message's own header block (unfolded), or undefined. */
function header(raw: string, name: string): string | undefined {
  const head = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]/g, ' ');
  const line = head.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

describe.each(Object.entries(CASES))('sender identity %s', (name, expected) => {
  const dir = join(root, name);
  const input: unknown = JSON.parse(readFileSync(join(dir, 'input.json'), 'utf8'));
  const options = existsSync(join(dir, 'options.json'))
    ? (JSON.parse(readFileSync(join(dir, 'options.json'), 'utf8')) as BuildOptions)
    : {};
  const built = buildInvite(input, { ...options, ids: deterministicIds(input, {}) });
  const message = built.messages[0];
  const raw = message?.raw.toString('latin1') ?? '';
  const golden = readFileSync(join(dir, 'expected.eml'));

  it('is the golden message', () => {
    expect(message?.raw.equals(golden)).toBe(true);
  });

  it('writes From, Sender and Reply-To for its mode, and nothing else', () => {
    expect(header(raw, 'From')).toBe(expected.from);
    expect(header(raw, 'Sender')).toBe(expected.sender);
    expect(header(raw, 'Reply-To')).toBe(expected.replyTo);
  });

  it('uses its envelope sender and Message-ID domain', () => {
    expect(message?.envelope.from).toBe(expected.envelope);
    expect(message?.envelope.to).toEqual(['ada@example.org']);
    expect(message?.messageId.endsWith(`@${expected.messageIdDomain}`)).toBe(true);
  });

  it('names the organizer, and SENT-BY exactly when someone else sends', () => {
    const event = readCalendar(built.calendar).events[0];
    expect(event?.organizer?.address).toBe(expected.organizer);
    expect(event?.organizer?.sentBy).toBe(
      expected.sentBy === undefined ? undefined : `mailto:${expected.sentBy}`,
    );
    expect(built.invite.organizer.sentBy).toBe(expected.sentBy);
  });

  it('inspects clean: no error or warning, an invitation for every client', () => {
    const report = inspect(golden, { recipient: 'ada@example.org' });
    expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(report.summary.errors + report.summary.warnings).toBe(0);
    expect(report.clients.map((c) => [c.client, c.outcome])).toEqual([
      ['outlook', 'invitation'],
      ['gmail', 'invitation'],
      ['apple', 'invitation'],
      ['thunderbird', 'invitation'],
    ]);
  });
});

describe('the inspector sees the difference', () => {
  it('warns when the service mode loses its SENT-BY (From is then a stranger)', () => {
    const golden = readFileSync(join(root, 'identity-service', 'expected.eml'), 'latin1');
    const stripped = golden.replace(/;SENT-BY="mailto:bookings@bookings\.example\r\n \.net"/g, '');
    expect(stripped).not.toBe(golden);
    const report = inspect(Buffer.from(stripped, 'latin1'), { recipient: 'ada@example.org' });
    expect(report.findings.map((f) => f.rule)).toEqual(['from-not-organizer']);
  });
});
