import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { SmtpInviteError } from '../../src/errors.ts';
import { inspect } from '../../src/inspect/inspect-engine.ts';
import { parseMimeTree } from '../../src/inspect/parse-mime-tree.ts';
import { buildReply, type BuildReplyOptions } from '../../src/replies/build-reply.ts';
import { readItipMessage } from '../../src/replies/read-itip-message.ts';

const invites = new URL('../../fixtures/invites/', import.meta.url).pathname;
const NOW = new Date('2026-11-21T09:30:00Z');
const BASE: BuildReplyOptions = {
  as: 'ada@example.com',
  partstat: 'ACCEPTED',
  now: NOW,
  messageId: 'reply-1@example.com',
  boundary: (depth) => `reply-boundary-${depth}`,
};

function invitation(name: string): Buffer {
  return readFileSync(`${invites}${name}/expected.eml`);
}

// Every golden REQUEST (the CANCEL fixture has nothing to answer), answered by its first attendee.
const requests = readdirSync(invites).filter((name) => name !== 'cancel');

describe('buildReply', () => {
  it.each(requests)('the REPLY to %s inspects clean for the organizer and reads back', (name) => {
    const input = JSON.parse(readFileSync(`${invites}${name}/input.json`, 'utf8')) as {
      organizer: { email: string };
      attendees: { email: string }[];
    };
    const as = input.attendees[0]?.email ?? '';
    for (const partstat of ['ACCEPTED', 'TENTATIVE', 'DECLINED'] as const) {
      const reply = buildReply(invitation(name), {
        ...BASE,
        as,
        partstat,
        comment: 'See you; bring slides, please\\',
      });
      expect(reply.to).toBe(input.organizer.email);
      const report = inspect(reply.raw, { recipient: reply.to });
      expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
      expect(report.calendarParts).toMatchObject([{ method: 'REPLY', primary: true }]);
      const read = readItipMessage(reply.raw);
      expect(read).toMatchObject({
        method: 'REPLY',
        messageId: 'reply-1@example.com',
        attendee: as.toLowerCase(),
        partstat,
        dtstamp: '20261121T093000Z',
        comment: 'See you; bring slides, please\\',
      });
    }
  });

  it('writes the RFC 5546 §3.2.3 REPLY: one ATTENDEE, no RSVP, SEQUENCE echoed, zones copied', () => {
    const reply = buildReply(invitation('simple-meeting'), {
      ...BASE,
      partstat: 'TENTATIVE',
      comment: 'Maybe',
    });
    expect(reply.calendar).toBe(
      [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'PRODID:-//smtp-invite//smtp-invite//EN',
        'METHOD:REPLY',
        'BEGIN:VTIMEZONE',
        'TZID:Europe/Berlin',
        'X-LIC-LOCATION:Europe/Berlin',
        'BEGIN:DAYLIGHT',
        'TZOFFSETFROM:+0100',
        'TZOFFSETTO:+0200',
        'TZNAME:+02',
        'DTSTART:19700329T020000',
        'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
        'END:DAYLIGHT',
        'BEGIN:STANDARD',
        'TZOFFSETFROM:+0200',
        'TZOFFSETTO:+0100',
        'TZNAME:+01',
        'DTSTART:19701025T030000',
        'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
        'END:STANDARD',
        'END:VTIMEZONE',
        'BEGIN:VEVENT',
        'UID:simple-meeting@example.com',
        'SEQUENCE:0',
        'DTSTAMP:20261121T093000Z',
        'DTSTART;TZID=Europe/Berlin:20261201T100000',
        'DTEND;TZID=Europe/Berlin:20261201T110000',
        'SUMMARY:Project kick-off',
        'ORGANIZER;CN="Olga Organizer":mailto:olga@example.com',
        'ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=TENTATIVE;CN="Ada ',
        ' Lovelace":mailto:ada@example.com',
        'COMMENT:Maybe',
        'END:VEVENT',
        'END:VCALENDAR',
        '',
      ].join('\r\n'),
    );
    expect(reply.from).toBe('ada@example.com');
    const root = parseMimeTree(reply.raw);
    const header = (name: string): string | undefined =>
      root.headers.find((h) => h.name.toLowerCase() === name)?.value;
    expect(header('subject')).toBe('Tentative: Project kick-off');
    expect(header('from')).toBe('Ada Lovelace <ada@example.com>');
    expect(header('to')).toBe('Olga Organizer <olga@example.com>');
    expect(header('message-id')).toBe('<reply-1@example.com>');
    expect(reply.raw.toString('latin1')).toContain(
      'Content-Type: text/calendar; charset=UTF-8; method=REPLY',
    );
  });

  it('echoes a non-zero SEQUENCE and answers for a room or resource with its CUTYPE', () => {
    const reply = buildReply(invitation('rooms-and-optional'), {
      ...BASE,
      as: 'BOARDROOM@example.com',
    });
    expect(reply.calendar).toMatch(/\r\nATTENDEE;CUTYPE=ROOM;ROLE=[A-Z-]+;PARTSTAT=ACCEPTED[;:]/);
    expect(reply.calendar).not.toMatch(/RSVP/);
    expect(reply.calendar.match(/\r\nATTENDEE/g)).toHaveLength(1);
  });

  it('refuses --as when it is not an attendee, naming --as and the attendees', () => {
    const attempt = (): unknown =>
      buildReply(invitation('simple-meeting'), { ...BASE, as: 'eve@example.net' });
    expect(attempt).toThrow(SmtpInviteError);
    expect(attempt).toThrow(
      /--as eve@example\.net is not an ATTENDEE of the invitation \(attendees: ada@example\.com\)/,
    );
    try {
      attempt();
    } catch (error) {
      expect((error as SmtpInviteError).code).toBe('ERR_INVALID_INPUT');
    }
  });

  it('refuses to answer a CANCEL, and input without a calendar', () => {
    expect(() => buildReply(invitation('cancel'), BASE)).toThrow(/is a CANCEL, not a REQUEST/);
    expect(() => buildReply(Buffer.from('Subject: hi\r\n\r\nno calendar\r\n'), BASE)).toThrow(
      /no calendar/,
    );
  });

  it('accepts a bare .ics invitation', () => {
    const ics = readFileSync(`${invites}simple-meeting/expected.ics`);
    const reply = buildReply(ics, BASE);
    expect(readItipMessage(reply.raw)).toMatchObject({
      uid: 'simple-meeting@example.com',
      partstat: 'ACCEPTED',
    });
  });

  it('never lets a hostile comment add a property, a parameter or a header', () => {
    const raw = invitation('simple-meeting');
    const hostile = fc.string({
      unit: fc.oneof(
        fc.constantFrom(
          '\r',
          '\n',
          '\r\n',
          ';',
          ',',
          ':',
          '\\',
          '"',
          '^',
          'BEGIN:VEVENT',
          'Bcc: x@evil.example',
          '\u0000',
          'é',
          '🎉',
        ),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      ),
      maxLength: 60,
    });
    fc.assert(
      fc.property(hostile, (comment) => {
        const reply = buildReply(raw, { ...BASE, comment });
        const vevent = new ICAL.Component(
          ICAL.parse(reply.calendar) as unknown[],
        ).getFirstSubcomponent('vevent');
        const names = vevent?.getAllProperties().map((p) => p.name) ?? [];
        const expected = [
          'uid',
          'sequence',
          'dtstamp',
          'dtstart',
          'dtend',
          'summary',
          'organizer',
          'attendee',
        ];
        const wantsComment = comment.trim() !== '';
        expect(names).toEqual(wantsComment ? [...expected, 'comment'] : expected);
        const attendee = vevent?.getFirstProperty('attendee')?.toJSON() as [string, unknown];
        expect(attendee[1]).toEqual({
          cutype: 'INDIVIDUAL',
          role: 'REQ-PARTICIPANT',
          partstat: 'ACCEPTED',
          cn: 'Ada Lovelace',
        });
        const headers = parseMimeTree(reply.raw).headers.map((h) => h.name.toLowerCase());
        expect(headers).toEqual([
          'from',
          'to',
          'subject',
          'date',
          'message-id',
          'mime-version',
          'content-type',
        ]);
        if (wantsComment) {
          const read = readItipMessage(reply.raw);
          // TEXT cannot carry control characters (RFC 5545 §3.1): those become spaces, line breaks \n.
          const expectedComment = comment
            .replace(/\r\n|\r/g, '\n')
            .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, ' ')
            .trim();
          expect('comment' in read ? read.comment : undefined).toBe(
            expectedComment === '' ? undefined : expectedComment,
          );
        }
      }),
      { numRuns: 200 },
    );
  });
});
