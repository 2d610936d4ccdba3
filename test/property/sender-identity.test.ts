/**
 * Hostile sender identities (property): whatever a service or delegate name holds (CR/LF, quotes,
 * `;`, `,`, `\`, encoded-word look-alikes, huge), it never adds a header line or a calendar
 * parameter and reads back as the one-line name; whatever an address holds, it is either refused
 * with ERR_INVALID_INPUT or a plain address that goes out verbatim — never anything in between.
 */
import fc from 'fast-check';
import ICAL from 'ical.js';
import { simpleParser, type AddressObject } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { SmtpInviteError } from '../../src/errors.ts';
import { buildInvite, deterministicIds, type BuildOptions } from '../../src/flows/build-invite.ts';
import { describeEmailProblem } from '../../src/model/check-email.ts';
import { sanitizeSingleLine } from '../../src/model/sanitize-text.ts';

const SPECIALS = [
  '\r',
  '\n',
  '\r\n',
  '\r\nBcc: victim@example.org',
  '\r\n\r\n',
  '"',
  "'",
  ';',
  ',',
  '\\',
  ':',
  '<',
  '>',
  '@',
  '(',
  ')',
  '\t',
  '\u0000',
  '\u2028',
  '=?UTF-8?B?',
  '?=',
  'SENT-BY="mailto:x@example.org"',
  ' ',
  'é',
  '🎉',
];
const hostile = (maxLength: number) =>
  fc.string({
    unit: fc.oneof(
      { weight: 2, arbitrary: fc.constantFrom(...SPECIALS) },
      { weight: 5, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
    ),
    maxLength,
  });

const input = {
  uid: 'identity-property@example.com',
  summary: 'Property',
  timeZone: 'Europe/Berlin',
  start: '2026-12-01T10:00',
  end: '2026-12-01T11:00',
  organizer: { name: 'Olga', email: 'olga@example.com' },
  attendees: [{ name: 'Ada', email: 'ada@example.org' }],
};
const ids = deterministicIds(input, {});

/** Header names of the top-level header block, in order. */
function headerNames(raw: Buffer): string[] {
  const text = raw.toString('latin1');
  const head = text.slice(0, text.indexOf('\r\n\r\n'));
  expect(head.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  return head
    .split('\r\n')
    .filter((l) => !/^[ \t]/.test(l))
    .map((l) => l.slice(0, l.indexOf(':')));
}

/** The ORGANIZER's parameters as ical.js reads them. */
function organizerParams(calendar: string): Record<string, unknown> {
  const vevent = new ICAL.Component(ICAL.parse(calendar) as unknown[]).getFirstSubcomponent(
    'vevent',
  );
  const json = vevent?.getFirstProperty('organizer')?.toJSON() as [string, Record<string, unknown>];
  return json[1];
}

const expectedName = (name: string) => {
  const clean = [...sanitizeSingleLine(name).trim()].slice(0, 200).join('').trim();
  return clean === '' ? undefined : clean;
};

describe('sender identity with hostile text (property)', () => {
  it('a service name never adds a header or a parameter, and reads back as one line', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostile(60), hostile(400)), async (name) => {
        const email = 'bookings@bookings.example.net';
        const built = buildInvite(input, { ids, service: { name, email } });
        const message = built.messages[0];
        expect(message?.envelope.from).toBe(email);
        const raw = message?.raw ?? Buffer.alloc(0);
        expect(headerNames(raw)).toEqual([
          'From',
          'Reply-To',
          'To',
          'Subject',
          'Date',
          'Message-ID',
          'MIME-Version',
          'Content-Type',
        ]);
        const parsed = await simpleParser(raw);
        const from = (parsed.from as AddressObject).value;
        expect(from.map((a) => a.address)).toEqual([email]);
        // mailparser reads an absent name as ''; it collapses runs of spaces inside a quoted string.
        expect(from[0]?.name.replace(/ +/g, ' ')).toBe(
          (expectedName(name) ?? '').replace(/ +/g, ' '),
        );
        expect((parsed.replyTo as AddressObject).value.map((a) => a.address)).toEqual([
          'olga@example.com',
        ]);
        expect(organizerParams(built.calendar)).toEqual({
          cn: 'Olga',
          'sent-by': `mailto:${email}`,
        });
      }),
      { numRuns: 200 },
    );
  });

  it('a delegate name never adds a header, and reads back as one line', async () => {
    await fc.assert(
      fc.asyncProperty(hostile(80), async (name) => {
        const built = buildInvite(input, {
          ids,
          sender: { name, email: 'grace@example.com' },
        });
        const raw = built.messages[0]?.raw ?? Buffer.alloc(0);
        expect(headerNames(raw)).toEqual([
          'From',
          'Sender',
          'To',
          'Subject',
          'Date',
          'Message-ID',
          'MIME-Version',
          'Content-Type',
        ]);
        const parsed = await simpleParser(raw);
        const sender = parsed.headers.get('sender') as AddressObject;
        expect(sender.value.map((a) => a.address)).toEqual(['grace@example.com']);
        expect(sender.value[0]?.name.replace(/ +/g, ' ')).toBe(
          (expectedName(name) ?? '').replace(/ +/g, ' '),
        );
      }),
      { numRuns: 150 },
    );
  });

  it('an address is refused with ERR_INVALID_INPUT, or goes out verbatim', () => {
    const address = fc.oneof(
      hostile(40),
      hostile(20).map((s) => `${s}@example.net`),
      hostile(20).map((s) => `bookings@${s}`),
      fc.constantFrom(
        'bookings@example.net\r\nBcc: victim@example.org',
        'bookings@example.net>',
        '"quoted"@example.net',
        'a@b@example.net',
        ` bookings@example.net `,
        'mailto:bookings@example.net',
      ),
    );
    fc.assert(
      fc.property(address, fc.constantFrom('service', 'sender'), (email, key) => {
        const options: BuildOptions = { ids, [key]: { email } };
        let built;
        try {
          built = buildInvite(input, options);
        } catch (err) {
          expect(err).toBeInstanceOf(SmtpInviteError);
          expect((err as SmtpInviteError).code).toBe('ERR_INVALID_INPUT');
          expect(describeEmailProblem(email.trim())).toBeDefined();
          return;
        }
        const trimmed = email.trim();
        expect(describeEmailProblem(trimmed)).toBeUndefined();
        const message = built.messages[0];
        // The organizer's own address means "the organizer sends as itself".
        const self = trimmed.toLowerCase() === 'olga@example.com';
        expect(message?.envelope.from).toBe(self ? 'olga@example.com' : trimmed);
        expect(built.invite.organizer.sentBy).toBe(self ? undefined : trimmed);
      }),
      { numRuns: 400 },
    );
  });
});
