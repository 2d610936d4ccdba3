/** Who a build addresses: one message to all, one per attendee, or only some attendees. */
import { describe, expect, it } from 'vitest';
import { buildInvite, deterministicIds } from '../../src/flows/build-invite.ts';
import { readCalendar } from '../../src/ical/read-calendar.ts';

const input = {
  uid: 'who@example.com',
  summary: 'Who gets what',
  timeZone: 'Europe/Berlin',
  start: '2026-12-01T10:00',
  end: '2026-12-01T11:00',
  organizer: { email: 'olga@example.com' },
  attendees: [
    { email: 'ada@example.com' },
    { email: 'Bob@example.org' },
    { email: 'cy@example.net' },
  ],
};
const ids = deterministicIds(input);

describe('buildInvite recipients', () => {
  it('sends one message to every attendee by default', () => {
    const built = buildInvite(input, { ids });
    expect(built.messages.map((m) => m.recipients)).toEqual([
      ['ada@example.com', 'Bob@example.org', 'cy@example.net'],
    ]);
  });

  it('sends one message per attendee with perRecipient', () => {
    const built = buildInvite(input, { ids, perRecipient: true });
    expect(built.messages.map((m) => m.envelope.to)).toEqual([
      ['ada@example.com'],
      ['Bob@example.org'],
      ['cy@example.net'],
    ]);
    expect(new Set(built.messages.map((m) => m.messageId)).size).toBe(3);
  });

  it('addresses only the given attendees, case-insensitively, while the calendar lists all', () => {
    const built = buildInvite(input, { ids, recipients: ['bob@EXAMPLE.org'] });
    expect(built.messages.map((m) => m.envelope.to)).toEqual([['Bob@example.org']]);
    expect(readCalendar(built.calendar).events[0]?.attendees).toHaveLength(3);
    expect(buildInvite(input, { ids, recipients: [] }).messages).toEqual([]);
  });
});
