import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readItipMessage } from '../../src/replies/read-itip-message.ts';
import { calendarText, eventLines, replyEmail } from './itip-samples.ts';

const root = new URL('../../fixtures/replies/', import.meta.url).pathname;
const samples = readdirSync(root).flatMap((dir) =>
  readdirSync(`${root}${dir}`)
    .filter((f) => !f.endsWith('.md') && !f.endsWith('.expected.json'))
    .map((f) => `${dir}/${f}`),
);

describe('readItipMessage on real answers (fixtures/replies)', () => {
  it('has samples from Apple, Outlook, Thunderbird and libical, each with its expectation', () => {
    expect(samples.length).toBeGreaterThanOrEqual(11);
    for (const sample of samples)
      expect(existsSync(`${root}${sample}.expected.json`), sample).toBe(true);
  });

  it.each(samples)('%s', (sample) => {
    const expected: unknown = JSON.parse(readFileSync(`${root}${sample}.expected.json`, 'utf8'));
    expect(readItipMessage(readFileSync(`${root}${sample}`))).toEqual(expected);
  });

  it('reads the Apple Mail reply by its ATTENDEE, the Outlook reply from a bare .ics with its COMMENT', () => {
    const apple = readItipMessage(readFileSync(`${root}apple-ccs/good_reply`));
    expect(apple).toMatchObject({
      method: 'REPLY',
      sequence: 7,
      attendee: 'xyzzy@example.com',
      partstat: 'ACCEPTED',
    });
    const outlook = readItipMessage(readFileSync(`${root}icalevents/response.ics`));
    expect(outlook).toMatchObject({
      partstat: 'DECLINED',
      attendeeName: 'Eigenmann, Martin',
      comment: 'test-message-from-the-calendar',
    });
    expect(outlook.messageId).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe('readItipMessage decisions', () => {
  it('matches by the calendar ATTENDEE, lower-cased and without mailto:, never by From', () => {
    const item = readItipMessage(
      replyEmail({ from: 'Google Calendar <calendar-notification@google.com>' }),
    );
    expect(item).toMatchObject({
      messageId: 'reply-1@example.com',
      from: 'calendar-notification@google.com',
      method: 'REPLY',
      uid: 'meeting-1@example.com',
      sequence: 2,
      dtstamp: '20261121T090000Z',
      attendee: 'ada@example.com',
      attendeeName: 'Lovelace, Ada',
      partstat: 'ACCEPTED',
    });
  });

  it('hashes the bytes when there is no Message-ID', () => {
    const raw = replyEmail({ messageId: null });
    const expected = `sha256:${createHash('sha256').update(raw).digest('hex')}`;
    expect(readItipMessage(raw).messageId).toBe(expected);
  });

  it('takes SEQUENCE 0 when absent, NEEDS-ACTION when PARTSTAT is absent, and unescapes COMMENT', () => {
    const item = readItipMessage(
      replyEmail({
        vevents: [
          eventLines({ SEQUENCE: null, ATTENDEE: 'ATTENDEE:mailto:bob@example.org' }, [
            'COMMENT:Late\\, sorry\\; see\\nyou',
            'COMMENT:second',
          ]),
        ],
      }),
    );
    expect(item).toMatchObject({
      sequence: 0,
      partstat: 'NEEDS-ACTION',
      comment: 'Late, sorry; see\nyou\nsecond',
    });
  });

  it('reads a COUNTER with its proposed times and TZID', () => {
    const item = readItipMessage(
      replyEmail({
        method: 'COUNTER',
        vevents: [
          eventLines({}, [
            'DTSTART;TZID=Europe/Berlin:20261202T140000',
            'DTEND;TZID=Europe/Berlin:20261202T150000',
            'COMMENT:Afternoon?',
          ]),
        ],
      }),
    );
    expect(item).toMatchObject({
      method: 'COUNTER',
      proposal: { start: '20261202T140000', end: '20261202T150000', tzid: 'Europe/Berlin' },
      comment: 'Afternoon?',
    });
  });

  it('reads a REFRESH, and the MIME method when the calendar has no METHOD', () => {
    expect(readItipMessage(replyEmail({ method: 'REFRESH' }))).toMatchObject({ method: 'REFRESH' });
    expect(readItipMessage(replyEmail({ method: null, mimeMethod: 'REPLY' }))).toMatchObject({
      method: 'REPLY',
    });
    expect(readItipMessage(replyEmail({ method: null, mimeMethod: null }))).toMatchObject({
      result: 'malformed',
      reason: 'the calendar has no METHOD',
    });
  });

  it('refuses what an organizer sends (REQUEST, CANCEL) as unsupported', () => {
    for (const method of ['REQUEST', 'CANCEL', 'PUBLISH']) {
      const item = readItipMessage(replyEmail({ method }));
      expect(item).toMatchObject({ result: 'unsupported', messageId: 'reply-1@example.com' });
      expect('reason' in item && item.reason).toContain(`METHOD:${method}`);
    }
  });

  it('reports no UID, no ATTENDEE, an unknown PARTSTAT and a bad SEQUENCE as malformed', () => {
    const cases: [Record<string, string | null>, string][] = [
      [{ UID: null }, 'no UID'],
      [{ ATTENDEE: null }, 'no ATTENDEE'],
      [{ ATTENDEE: 'ATTENDEE;PARTSTAT=COMPLETED:mailto:ada@example.com' }, 'PARTSTAT=COMPLETED'],
      [{ SEQUENCE: 'SEQUENCE:two' }, 'SEQUENCE:two'],
    ];
    for (const [overrides, reason] of cases) {
      const item = readItipMessage(replyEmail({ vevents: [eventLines(overrides)] }));
      expect(item).toMatchObject({ result: 'malformed' });
      expect('reason' in item ? item.reason : '').toContain(reason);
    }
  });

  it('refuses a REPLY with two ATTENDEEs, and treats a delegation as unsupported', () => {
    const two = eventLines({}, ['ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.org']);
    expect(readItipMessage(replyEmail({ vevents: [two] }))).toMatchObject({ result: 'malformed' });
    const delegation = eventLines(
      {
        ATTENDEE:
          'ATTENDEE;PARTSTAT=DELEGATED;DELEGATED-TO="mailto:bob@example.org":mailto:ada@example.com',
      },
      ['ATTENDEE;DELEGATED-FROM="mailto:ada@example.com":mailto:bob@example.org'],
    );
    expect(readItipMessage(replyEmail({ vevents: [delegation] }))).toMatchObject({
      result: 'unsupported',
    });
    expect(readItipMessage(replyEmail({ method: 'COUNTER', vevents: [two] }))).toMatchObject({
      result: 'unsupported',
    });
  });

  it('reads the master VEVENT of a per-occurrence answer, the occurrence when it is alone', () => {
    const occurrence = eventLines(
      { ATTENDEE: 'ATTENDEE;PARTSTAT=DECLINED:mailto:ada@example.com' },
      ['RECURRENCE-ID;TZID=Europe/Berlin:20261208T100000'],
    );
    const both = readItipMessage(replyEmail({ vevents: [occurrence, eventLines()] }));
    expect(both).toMatchObject({ partstat: 'ACCEPTED' });
    expect(both).not.toHaveProperty('recurrenceId');
    expect(readItipMessage(replyEmail({ vevents: [occurrence] }))).toMatchObject({
      partstat: 'DECLINED',
      recurrenceId: '20261208T100000',
    });
  });

  it('reports a message without calendar, and names winmail.dat', () => {
    const plain = Buffer.from(
      'From: a@example.com\r\nMessage-ID: <x@y>\r\nSubject: Accepted\r\n\r\nYes.\r\n',
    );
    expect(readItipMessage(plain)).toEqual({
      messageId: 'x@y',
      from: 'a@example.com',
      result: 'no-calendar',
      reason: 'no calendar part (text/calendar or .ics) in the message',
    });
    const tnef = Buffer.from(
      [
        'From: a@example.com',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        'Accepted',
        '--b',
        'Content-Type: application/ms-tnef; name="winmail.dat"',
        'Content-Transfer-Encoding: base64',
        '',
        'eJ8+IgAAAA==',
        '--b--',
        '',
      ].join('\r\n'),
    );
    const item = readItipMessage(tnef);
    expect(item).toMatchObject({ result: 'no-calendar' });
    expect('reason' in item ? item.reason : '').toContain('winmail.dat');
  });

  it('reads a bare .ics (inspect tells a calendar from a message) and a calendar without VEVENT', () => {
    const ics = Buffer.from(calendarText('REPLY', [eventLines()]));
    expect(readItipMessage(ics)).toMatchObject({ method: 'REPLY', attendee: 'ada@example.com' });
    expect(readItipMessage(Buffer.from(calendarText('REPLY', [])))).toMatchObject({
      result: 'malformed',
      reason: 'the REPLY has no VEVENT',
    });
  });
});
