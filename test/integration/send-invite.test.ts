/**
 * The library path end to end over real SMTP: what arrives is byte for byte what was built, the
 * envelope is the attendees (never the organizer), and every part parses back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildInvite, deterministicIds } from '../../src/flows/build-invite.ts';
import { sendInvite } from '../../src/flows/send-invite.ts';
import { readCalendar } from '../../src/ical/read-calendar.ts';
import { readMessage } from '../../src/mime/read-message.ts';
import { createSmtpTransport } from '../../src/transport/smtp-transport.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-test-server.ts';

const input = {
  uid: 'integration@example.com',
  summary: 'Integration: Zoë’s review',
  html: '<p>Agenda</p>',
  timeZone: 'America/New_York',
  start: '2026-12-03T10:00',
  end: '2026-12-03T11:00',
  organizer: { name: 'Olga', email: 'olga@example.com' },
  attendees: [
    { name: 'Ada', email: 'ada@example.com' },
    { name: 'Room 1', email: 'room-1@example.com', kind: 'room' },
  ],
};

let server: TestSmtpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('sendInvite over real SMTP', () => {
  it.each(['default', 'outlook'] as const)(
    'delivers the built bytes unchanged (%s profile)',
    async (profile) => {
      server = await startTestSmtpServer();
      const transport = createSmtpTransport({ url: server.url });
      const ids = deterministicIds(input, {});
      try {
        const report = await sendInvite(input, { transport, profile, ids });
        const expected = buildInvite(input, { profile, ids });
        expect(report).toEqual({
          dryRun: false,
          messages: [
            {
              messageId: expected.messages[0]?.messageId,
              method: 'REQUEST',
              sequence: 0,
              recipients: ['ada@example.com', 'room-1@example.com'],
              accepted: ['ada@example.com', 'room-1@example.com'],
              rejected: [],
            },
          ],
        });
        const received = server.received[0];
        expect(received?.envelope).toEqual({
          from: 'olga@example.com',
          to: ['ada@example.com', 'room-1@example.com'],
        });
        expect(received?.raw.equals(expected.messages[0]?.raw ?? Buffer.alloc(0))).toBe(true);

        const message = await readMessage(received?.raw ?? '');
        expect(message.subject).toMatch(
          /^Invitation: Integration: Zoë’s review @ Thu 3 Dec 2026 10:00–11:00 \(America\/New_York\)$/,
        );
        const calendar = message.calendars.find((c) => c.contentType === 'text/calendar');
        expect(calendar?.method).toBe('REQUEST');
        const event = readCalendar(calendar?.text ?? '').events[0];
        expect(event?.start?.utc).toBe('2026-12-03T15:00:00.000Z');
        expect(event?.attendees.map((a) => [a.address, a.cutype, a.rsvp])).toEqual([
          ['ada@example.com', 'INDIVIDUAL', 'TRUE'],
          ['room-1@example.com', 'ROOM', 'TRUE'],
        ]);
        expect(message.calendars.length).toBe(profile === 'default' ? 2 : 1);
      } finally {
        await transport.close();
      }
    },
  );

  it('sends nothing for invalid input', async () => {
    server = await startTestSmtpServer();
    const transport = createSmtpTransport({ url: server.url });
    try {
      await expect(
        sendInvite({ ...input, attendees: [{ email: 'olga@example.com' }] }, { transport }),
      ).rejects.toMatchObject({
        code: 'ERR_INVALID_INPUT',
        diagnostics: [
          expect.objectContaining({ path: 'attendees[0].email', code: 'organizer-is-attendee' }),
        ],
      });
      expect(server.received).toHaveLength(0);
    } finally {
      await transport.close();
    }
  });
});
