import { Settings } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import type { Invite } from '../../src/model/invite.ts';
import {
  escapeHtml,
  renderHtmlBody,
  renderSubject,
  renderTextBody,
} from '../../src/mime/render-bodies.ts';
import { allDay, attendee, makeInvite, zoned } from './invite-fixtures.ts';

function fullInvite(overrides: Partial<Invite> = {}): Invite {
  return makeInvite({
    location: 'Room 4.01',
    url: 'https://meet.example.com/q4?a=1&b=2',
    description: 'Agenda:\n1. Numbers\n2. Plans',
    recurrence: {
      rrule: 'FREQ=WEEKLY;COUNT=10;BYDAY=TU',
      exdates: [zoned('2026-12-15T10:00', 'Europe/Berlin')],
    },
    attendees: [
      attendee('bob@example.com', 'Bob Builder'),
      attendee('carol@example.com', 'Carol', { role: 'OPT-PARTICIPANT' }),
      attendee('room@example.com', 'Board room', {
        role: 'NON-PARTICIPANT',
        cutype: 'ROOM',
        rsvp: false,
      }),
      attendee('chair@example.com', undefined, { role: 'CHAIR' }),
    ],
    ...overrides,
  });
}

describe('renderSubject', () => {
  it.each([
    [
      'a new REQUEST',
      {},
      'Invitation: Quarterly planning @ Tue 1 Dec 2026 10:00–11:00 (Europe/Berlin)',
    ],
    [
      'an updated REQUEST',
      { sequence: 3 },
      'Updated: Quarterly planning @ Tue 1 Dec 2026 10:00–11:00 (Europe/Berlin)',
    ],
    [
      'a CANCEL',
      { method: 'CANCEL', sequence: 1, status: 'CANCELLED' },
      'Cancelled: Quarterly planning @ Tue 1 Dec 2026 10:00–11:00 (Europe/Berlin)',
    ],
    [
      'a PUBLISH',
      { method: 'PUBLISH' },
      'Event: Quarterly planning @ Tue 1 Dec 2026 10:00–11:00 (Europe/Berlin)',
    ],
    [
      'a UTC event',
      {
        timeZone: null,
        start: zoned('2026-12-01T09:00', 'UTC'),
        end: zoned('2026-12-01T10:00', 'UTC'),
      },
      'Invitation: Quarterly planning @ Tue 1 Dec 2026 09:00–10:00 (UTC)',
    ],
    [
      'a stray line break in the summary',
      { summary: 'Quarterly\r\nplanning' },
      'Invitation: Quarterly planning @ Tue 1 Dec 2026 10:00–11:00 (Europe/Berlin)',
    ],
  ] satisfies [string, Partial<Invite>, string][])('%s', (_, overrides, subject) => {
    expect(renderSubject(makeInvite(overrides))).toBe(subject);
  });

  it('names an all-day range by its inclusive dates', () => {
    expect(renderSubject(allDay('2026-12-24', '2026-12-27'))).toBe(
      'Invitation: Quarterly planning @ Thu 24 Dec – Sat 26 Dec 2026 (all day)',
    );
  });
});

describe('renderTextBody', () => {
  it('writes what, when, recurrence, where, link, organizer, attendees and description', () => {
    expect(renderTextBody(fullInvite())).toBe(
      [
        'Quarterly planning',
        '',
        'When: Tuesday 1 December 2026, 10:00–11:00 (Europe/Berlin, UTC+01:00)',
        'Repeats: Weekly on Tuesday, 10 times',
        'Except: Tuesday 15 December 2026',
        'Where: Room 4.01',
        'Join: https://meet.example.com/q4?a=1&b=2',
        'Organizer: Alice Example <alice@example.com>',
        '',
        'Attendees:',
        '- Bob Builder <bob@example.com>',
        '- Carol <carol@example.com> (optional)',
        '- Board room <room@example.com> (for information only, room)',
        '- chair@example.com (chair)',
        '',
        'Agenda:',
        '1. Numbers',
        '2. Plans',
        '',
      ].join('\n'),
    );
  });

  it('announces cancellations and updates, and shows tentative events and SENT-BY', () => {
    expect(
      renderTextBody(
        allDay('2026-12-24', '2026-12-25', {
          method: 'CANCEL',
          sequence: 2,
          status: 'CANCELLED',
          attendees: [],
          organizer: { email: 'alice@example.com', sentBy: 'assistant@example.com' },
        }),
      ),
    ).toBe(
      [
        'This event has been cancelled.',
        '',
        'Quarterly planning',
        '',
        'When: Thursday 24 December 2026 (all day)',
        'Organizer: alice@example.com (sent by assistant@example.com)',
        '',
      ].join('\n'),
    );
    const updated = renderTextBody(makeInvite({ sequence: 1, status: 'TENTATIVE' }));
    expect(updated.startsWith('This event has been updated.\n\nQuarterly planning\n')).toBe(true);
    expect(updated).toContain('\nStatus: Tentative\n');
    expect(
      renderTextBody(makeInvite({ method: 'PUBLISH' })).startsWith('Quarterly planning\n'),
    ).toBe(true);
  });

  it('shows events crossing midnight, on DST days and in UTC with their dates and zone', () => {
    const crossing = makeInvite({
      timeZone: 'America/New_York',
      start: zoned('2026-11-01T00:30', 'America/New_York'),
      end: zoned('2026-11-01T02:30', 'America/New_York'),
    });
    expect(renderTextBody(crossing)).toContain(
      'When: Sunday 1 November 2026, 00:30–02:30 (America/New_York, UTC\u221204:00 to UTC\u221205:00)\n',
    );
    const overnight = makeInvite({
      timeZone: null,
      start: zoned('2026-12-31T23:00', 'UTC'),
      end: zoned('2027-01-01T01:00', 'UTC'),
    });
    expect(renderTextBody(overnight)).toContain(
      'When: Thursday 31 December 2026, 23:00 – Friday 1 January 2027, 01:00 (UTC)\n',
    );
  });

  it('keeps the description as written, with CRLF made LF', () => {
    const text = renderTextBody(makeInvite({ attendees: [], description: 'a\r\nb\n\nc\n' }));
    expect(text.endsWith('Organizer: Alice Example <alice@example.com>\n\na\nb\n\nc\n')).toBe(true);
  });
});

describe('renderHtmlBody', () => {
  it('writes a small document with every value escaped', () => {
    expect(renderHtmlBody(fullInvite())).toBe(
      [
        '<!DOCTYPE html>',
        '<html>',
        '<head>',
        '<meta charset="UTF-8">',
        '<title>Quarterly planning</title>',
        '<style>th{text-align:left;vertical-align:top;padding:2px 12px 2px 0}td{padding:2px 0}</style>',
        '</head>',
        '<body>',
        '<h2>Quarterly planning</h2>',
        '<table>',
        '<tr><th>When</th><td>Tuesday 1 December 2026, 10:00–11:00 (Europe/Berlin, UTC+01:00)</td></tr>',
        '<tr><th>Repeats</th><td>Weekly on Tuesday, 10 times</td></tr>',
        '<tr><th>Except</th><td>Tuesday 15 December 2026</td></tr>',
        '<tr><th>Where</th><td>Room 4.01</td></tr>',
        '<tr><th>Join</th><td><a href="https://meet.example.com/q4?a=1&amp;b=2">https://meet.example.com/q4?a=1&amp;b=2</a></td></tr>',
        '<tr><th>Organizer</th><td>Alice Example &lt;<a href="mailto:alice@example.com">alice@example.com</a>&gt;</td></tr>',
        '<tr><th>Attendees</th><td>Bob Builder &lt;<a href="mailto:bob@example.com">bob@example.com</a>&gt;<br>',
        'Carol &lt;<a href="mailto:carol@example.com">carol@example.com</a>&gt; (optional)<br>',
        'Board room &lt;<a href="mailto:room@example.com">room@example.com</a>&gt; (for information only, room)<br>',
        '<a href="mailto:chair@example.com">chair@example.com</a> (chair)</td></tr>',
        '</table>',
        '<p>Agenda:<br>',
        '1. Numbers<br>',
        '2. Plans</p>',
        '</body>',
        '</html>',
        '',
      ].join('\n'),
    );
  });

  it('escapes hostile text everywhere but embeds the user HTML description as given', () => {
    const evil = `<script>alert("x")</script> & 'quotes'`;
    const html = renderHtmlBody(
      makeInvite({
        sequence: 1,
        summary: evil,
        location: evil,
        url: 'javascript:alert(1)',
        description: evil,
        html: '<p onclick="x()">My <b>own</b> HTML</p>',
        organizer: { name: evil, email: 'alice@example.com' },
        attendees: [attendee('bob@example.com', evil)],
      }),
    );
    const escaped = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;';
    expect(html).not.toContain('<script>');
    expect(html).toContain(`<title>${escaped}</title>`);
    expect(html).toContain(`<h2>${escaped}</h2>`);
    expect(html).toContain(`<tr><th>Where</th><td>${escaped}</td></tr>`);
    expect(html).toContain(`<td>${escaped} &lt;<a href="mailto:alice@example.com">`);
    expect(html).toContain(`<td>${escaped} &lt;<a href="mailto:bob@example.com">`);
    // A non-web link is shown, never linked.
    expect(html).toContain('<tr><th>Join</th><td>javascript:alert(1)</td></tr>');
    expect(html).not.toContain('href="javascript');
    expect(html).toContain('<div>\n<p onclick="x()">My <b>own</b> HTML</p>\n</div>\n');
    // The text description is not repeated when there is an HTML one.
    expect(html.split(escaped)).toHaveLength(6);
    expect(html).toContain('<p><strong>This event has been updated.</strong></p>');
  });

  it('shows an all-day range with its inclusive last day', () => {
    expect(renderHtmlBody(allDay('2026-12-31', '2027-01-03'))).toContain(
      '<tr><th>When</th><td>Thursday 31 December 2026 – Saturday 2 January 2027 (all day)</td></tr>',
    );
  });
});

describe('escapeHtml', () => {
  it('escapes the five characters and nothing else', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a> é`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt; é',
    );
    expect(escapeHtml('plain')).toBe('plain');
  });
});

describe('the bodies on a host with another default zone and locale', () => {
  const saved = { zone: Settings.defaultZone, locale: Settings.defaultLocale };
  afterEach(() => {
    Settings.defaultZone = saved.zone;
    Settings.defaultLocale = saved.locale;
  });

  it('are the same', () => {
    const render = () => {
      const invite = fullInvite();
      return [renderSubject(invite), renderTextBody(invite), renderHtmlBody(invite)];
    };
    const before = render();
    Settings.defaultZone = 'Pacific/Chatham';
    Settings.defaultLocale = 'th-TH-u-nu-thai';
    expect(render()).toEqual(before);
  });
});
