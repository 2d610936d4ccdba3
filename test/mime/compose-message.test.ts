import fc from 'fast-check';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { SmtpInviteError } from '../../src/errors.ts';
import {
  composeMessage,
  readCalendarMethod,
  type ComposeInput,
  type MailAddress,
} from '../../src/mime/compose-message.ts';
import { renderHtmlBody, renderSubject, renderTextBody } from '../../src/mime/render-bodies.ts';
import { attendee, makeInvite } from './invite-fixtures.ts';
import { describeShape, header, readMimeTree, type MimeNode } from './mime-tree.ts';

const CALENDAR = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//smtp-invite//test//EN',
  'METHOD:REQUEST',
  'BEGIN:VEVENT',
  'UID:uid-1@example.com',
  'DTSTAMP:20261120T100000Z',
  'DTSTART:20261201T090000Z',
  'DTEND:20261201T100000Z',
  'SUMMARY:Quarterly planning',
  'ORGANIZER;CN=Alice Example:mailto:alice@example.com',
  'ATTENDEE;CN=Bob Builder;RSVP=TRUE:mailto:bob@example.com',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

function calendarWith(method: string, extra = ''): string {
  return CALENDAR.replace('METHOD:REQUEST', `METHOD:${method}`).replace(
    'SUMMARY:Quarterly planning',
    `SUMMARY:Quarterly planning${extra}`,
  );
}

function input(overrides: Partial<ComposeInput> = {}): ComposeInput {
  return {
    from: { name: 'Alice Example', email: 'alice@example.com' },
    to: [{ name: 'Bob Builder', email: 'bob@example.com' }, { email: 'carol@example.com' }],
    subject: 'Invitation: Quarterly planning',
    date: new Date('2026-11-20T10:00:00Z'),
    messageId: 'msg-1@example.com',
    text: 'Quarterly planning\n\nWhen: Tuesday\n',
    html: '<p>Quarterly planning</p>\n',
    calendar: CALENDAR,
    attachment: true,
    profile: 'default',
    boundary: (depth) => `b${depth}_0123456789`,
    ...overrides,
  };
}

async function parse(message: Buffer): Promise<ParsedMail> {
  return simpleParser(message, {
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipTextLinks: true,
    skipImageLinks: true,
  });
}

function addresses(value: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return list.flatMap((group) =>
    group.value.map((a) =>
      a.name === '' ? { email: a.address ?? '' } : { name: a.name, email: a.address ?? '' },
    ),
  );
}

/** The header block's field names, in order (continuation lines folded into their field). */
function headerNames(message: Buffer): string[] {
  return readMimeTree(message.toString('latin1')).headers.map(([name]) => name);
}

function assertWellFormed(message: Buffer): void {
  for (const byte of message) expect(byte < 0x80 && byte !== 0).toBe(true);
  const text = message.toString('latin1');
  expect(/\r(?!\n)|(?<!\r)\n/.test(text)).toBe(false);
  expect(text.endsWith('\r\n')).toBe(true);
  for (const line of text.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
}

function leaves(node: MimeNode): MimeNode[] {
  return node.children.length === 0 ? [node] : node.children.flatMap(leaves);
}

describe('composeMessage: the default profile (Google layout)', () => {
  it('writes these exact bytes for a small ASCII invitation', () => {
    const calendar = 'BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n';
    const message = composeMessage(input({ calendar, text: 'Hi\n', html: '<p>Hi</p>' }));
    expect(message.toString('latin1')).toBe(
      [
        'From: Alice Example <alice@example.com>',
        'To: Bob Builder <bob@example.com>, carol@example.com',
        'Subject: Invitation: Quarterly planning',
        'Date: Fri, 20 Nov 2026 10:00:00 +0000',
        'Message-ID: <msg-1@example.com>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b0_0123456789"',
        '',
        '--b0_0123456789',
        'Content-Type: multipart/alternative; boundary="b1_0123456789"',
        '',
        '--b1_0123456789',
        'Content-Type: text/plain; charset=UTF-8',
        'Content-Transfer-Encoding: 7bit',
        '',
        'Hi',
        '',
        '--b1_0123456789',
        'Content-Type: text/html; charset=UTF-8',
        'Content-Transfer-Encoding: 7bit',
        '',
        '<p>Hi</p>',
        '--b1_0123456789',
        'Content-Type: text/calendar; charset=UTF-8; method=REQUEST',
        'Content-Transfer-Encoding: 7bit',
        '',
        'BEGIN:VCALENDAR',
        'METHOD:REQUEST',
        'END:VCALENDAR',
        '',
        '--b1_0123456789--',
        '--b0_0123456789',
        'Content-Type: application/ics; name="invite.ics"',
        'Content-Disposition: attachment; filename="invite.ics"',
        'Content-Transfer-Encoding: 7bit',
        '',
        'BEGIN:VCALENDAR',
        'METHOD:REQUEST',
        'END:VCALENDAR',
        '',
        '--b0_0123456789--',
        '',
      ].join('\r\n'),
    );
  });

  it('nests alternative{text, html, calendar} in mixed with the .ics attachment, readable by mailparser', async () => {
    const message = composeMessage(input());
    assertWellFormed(message);
    const tree = readMimeTree(message.toString('latin1'));
    expect(describeShape(tree)).toBe(
      'multipart/mixed[multipart/alternative[text/plain,text/html,text/calendar],application/ics]',
    );
    const [alternative, attachment] = tree.children;
    const calendarPart = alternative?.children[2];
    expect(calendarPart?.params).toEqual({ charset: 'UTF-8', method: 'REQUEST' });
    expect(attachment?.params).toEqual({ name: 'invite.ics' });
    expect(header(attachment!, 'content-disposition')).toBe('attachment; filename="invite.ics"');

    const parsed = await parse(message);
    expect(addresses(parsed.from)).toEqual([{ name: 'Alice Example', email: 'alice@example.com' }]);
    expect(addresses(parsed.to)).toEqual([
      { name: 'Bob Builder', email: 'bob@example.com' },
      { email: 'carol@example.com' },
    ]);
    expect(parsed.subject).toBe('Invitation: Quarterly planning');
    expect(parsed.date?.toISOString()).toBe('2026-11-20T10:00:00.000Z');
    expect(parsed.messageId).toBe('<msg-1@example.com>');
    expect(parsed.text).toBe('Quarterly planning\n\nWhen: Tuesday\n');
    expect(parsed.html).toBe('<p>Quarterly planning</p>\n');
    expect(parsed.headers.get('mime-version')).toBe('1.0');
    expect(parsed.headers.has('x-mailer')).toBe(false);
    expect(parsed.headers.has('content-class')).toBe(false);

    const [inline, attached] = parsed.attachments;
    expect(inline?.contentType).toBe('text/calendar');
    expect(inline?.content.equals(Buffer.from(CALENDAR))).toBe(true);
    expect(attached?.contentType).toBe('application/ics');
    expect(attached?.filename).toBe('invite.ics');
    expect(attached?.contentDisposition).toBe('attachment');
    expect(attached?.content.equals(Buffer.from(CALENDAR))).toBe(true);
  });

  it('writes the headers in a fixed order, and nothing volatile besides Date, Message-ID and boundaries', () => {
    const message = composeMessage(
      input({
        sender: { name: 'Calendar service', email: 'calendar@example.net' },
        replyTo: { email: 'alice@example.com' },
      }),
    );
    expect(headerNames(message)).toEqual([
      'from',
      'sender',
      'reply-to',
      'to',
      'subject',
      'date',
      'message-id',
      'mime-version',
      'content-type',
    ]);
    expect(composeMessage(input()).equals(composeMessage(input()))).toBe(true);
  });

  it('carries Sender and Reply-To through mailparser', async () => {
    const parsed = await parse(
      composeMessage(
        input({
          sender: { name: 'Zoë’s assistant', email: 'assistant@example.net' },
          replyTo: { name: 'Alice', email: 'alice@example.com' },
        }),
      ),
    );
    expect(parsed.headers.get('sender')).toMatchObject({
      value: [{ name: 'Zoë’s assistant', address: 'assistant@example.net' }],
    });
    expect(addresses(parsed.replyTo)).toEqual([{ name: 'Alice', email: 'alice@example.com' }]);
  });

  it('is just the multipart/alternative without the attachment', async () => {
    const message = composeMessage(input({ attachment: false }));
    assertWellFormed(message);
    const tree = readMimeTree(message.toString('latin1'));
    expect(describeShape(tree)).toBe('multipart/alternative[text/plain,text/html,text/calendar]');
    expect(tree.params['boundary']).toBe('b0_0123456789');
    const parsed = await parse(message);
    expect(parsed.attachments.map((a) => a.contentType)).toEqual(['text/calendar']);
  });

  it('leaves the To header out when there is nobody to name', () => {
    expect(headerNames(composeMessage(input({ to: [] })))).not.toContain('to');
  });
});

describe('composeMessage: the outlook profile', () => {
  it('is a flat alternative with a base64 calendar, Content-Class, and never an attachment', async () => {
    const message = composeMessage(input({ profile: 'outlook', attachment: true }));
    assertWellFormed(message);
    const tree = readMimeTree(message.toString('latin1'));
    expect(describeShape(tree)).toBe('multipart/alternative[text/plain,text/html,text/calendar]');
    const calendarPart = tree.children[2]!;
    expect(header(calendarPart, 'content-transfer-encoding')).toBe('base64');
    expect(calendarPart.params).toEqual({ charset: 'UTF-8', method: 'REQUEST' });
    for (const line of calendarPart.body.split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
    expect(headerNames(message)).toEqual([
      'from',
      'to',
      'subject',
      'date',
      'message-id',
      'mime-version',
      'content-class',
      'content-type',
    ]);
    const parsed = await parse(message);
    expect(parsed.headers.get('content-class')).toBe('urn:content-classes:calendarmessage');
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]?.content.equals(Buffer.from(CALENDAR))).toBe(true);
  });
});

describe('composeMessage: the calendar part', () => {
  it.each(['REQUEST', 'CANCEL', 'PUBLISH', 'REPLY', 'COUNTER'])(
    'takes method=%s from the calendar text',
    (method) => {
      const tree = readMimeTree(
        composeMessage(input({ calendar: calendarWith(method) })).toString('latin1'),
      );
      expect(tree.children[0]?.children[2]?.params['method']).toBe(method);
    },
  );

  it('is 7bit when ASCII, base64 when not, with the same bytes in the attachment', async () => {
    const ascii = readMimeTree(composeMessage(input()).toString('latin1'));
    expect(leaves(ascii).map((n) => header(n, 'content-transfer-encoding'))).toEqual([
      '7bit',
      '7bit',
      '7bit',
      '7bit',
    ]);

    const calendar = calendarWith('REQUEST', ' – Zoë 🎉 日本語');
    const message = composeMessage(input({ calendar }));
    const tree = readMimeTree(message.toString('latin1'));
    const [, , inline, attached] = leaves(tree);
    expect(header(inline!, 'content-transfer-encoding')).toBe('base64');
    expect(header(attached!, 'content-transfer-encoding')).toBe('base64');
    expect(inline!.body).toBe(attached!.body);
    const parsed = await parse(message);
    for (const a of parsed.attachments) expect(a.content.toString('utf8')).toBe(calendar);
  });

  it('keeps odd line breaks byte for byte by switching to base64', async () => {
    const calendar = 'BEGIN:VCALENDAR\nMETHOD:REQUEST\r\nX-A:1\rX-B:2\r\nEND:VCALENDAR';
    const message = composeMessage(input({ calendar }));
    assertWellFormed(message);
    const parsed = await parse(message);
    expect(parsed.attachments[0]?.content.equals(Buffer.from(calendar))).toBe(true);
    expect(parsed.attachments[1]?.content.equals(Buffer.from(calendar))).toBe(true);
  });

  it('never lets the calendar carry a delimiter line', async () => {
    const calendar = CALENDAR.replace(
      'END:VEVENT',
      '--b1_0123456789\r\n--b0_0123456789--\r\nEND:VEVENT',
    );
    const message = composeMessage(input({ calendar }));
    const tree = readMimeTree(message.toString('latin1'));
    expect(describeShape(tree)).toBe(
      'multipart/mixed[multipart/alternative[text/plain,text/html,text/calendar],application/ics]',
    );
    const parsed = await parse(message);
    expect(parsed.attachments.map((a) => a.content.toString('utf8'))).toEqual([calendar, calendar]);
  });
});

describe('composeMessage: text and HTML bodies', () => {
  it('uses quoted-printable for non-ASCII and long lines, and decodes back to the same text', async () => {
    const text = `Zoë – 日本語 🎉\n${'x'.repeat(1500)}\nend with space \n-- \nsignature\n.dot\n`;
    const html = `<p>${'Grüße, '.repeat(300)}</p>\n<p>a=b</p>`;
    const message = composeMessage(input({ text, html }));
    assertWellFormed(message);
    const [plain, rich] = leaves(readMimeTree(message.toString('latin1')));
    expect(header(plain!, 'content-transfer-encoding')).toBe('quoted-printable');
    expect(header(rich!, 'content-transfer-encoding')).toBe('quoted-printable');
    for (const line of (plain!.body + rich!.body).split('\r\n')) {
      expect(line.length).toBeLessThanOrEqual(76);
      expect(/^[-.]/.test(line)).toBe(false);
    }
    const parsed = await parse(message);
    expect(parsed.text).toBe(text);
    expect(parsed.html).toBe(html);
  });

  it('normalises LF, CR and CRLF line breaks to CRLF', async () => {
    const message = composeMessage(input({ text: 'a\r\nb\nc\rd', html: 'ü\r\nb\nc\rd' }));
    assertWellFormed(message);
    const parsed = await parse(message);
    expect(parsed.text).toBe('a\nb\nc\nd');
    expect(parsed.html).toBe('ü\nb\nc\nd');
  });

  it('still parses right when a body contains the boundary delimiters', async () => {
    const text = 'hello\n--b1_0123456789\nContent-Type: text/html\n\n--b0_0123456789--\nworld\n';
    const html = '--b1_0123456789--\n<p>x</p>';
    for (const profile of ['default', 'outlook'] as const) {
      const message = composeMessage(input({ text, html, profile }));
      const tree = readMimeTree(message.toString('latin1'));
      expect(leaves(tree).map((n) => n.type)).toEqual(
        profile === 'default'
          ? ['text/plain', 'text/html', 'text/calendar', 'application/ics']
          : ['text/plain', 'text/html', 'text/calendar'],
      );
      const parsed = await parse(message);
      expect(parsed.text).toBe(text);
      expect(parsed.html).toBe(html);
    }
  });

  it('keeps the ASCII "-- " signature separator as 7bit when it cannot be mistaken for a delimiter', () => {
    const tree = readMimeTree(
      composeMessage(input({ text: 'Hi\n-- \nAlice\n' })).toString('latin1'),
    );
    expect(header(leaves(tree)[0]!, 'content-transfer-encoding')).toBe('7bit');
  });
});

describe('composeMessage: headers against hostile and non-ASCII text', () => {
  const hostileNames = [
    'Evil\r\nBcc: victim@example.com',
    'Quote " and \\ backslash',
    'Comma, semi; <angle> @at',
    '=?UTF-8?B?RXZpbA==?=',
    'nul\u0000 tab\t bell\u0007',
    '  padded  ',
    'Zoë 日本語 🎉',
    'x'.repeat(2000),
    'ü'.repeat(700),
  ];

  it.each(hostileNames)('round-trips the display name %j without adding a header', async (name) => {
    const message = composeMessage(
      input({
        from: { name, email: 'alice@example.com' },
        to: [
          { name, email: 'bob@example.com' },
          { name: 'Plain', email: 'carol@example.com' },
        ],
        subject: name,
      }),
    );
    assertWellFormed(message);
    expect(headerNames(message)).toEqual([
      'from',
      'to',
      'subject',
      'date',
      'message-id',
      'mime-version',
      'content-type',
    ]);
    const head = message.toString('latin1').split('\r\n\r\n')[0]!;
    // Folded at 78 (RFC 5322 §2.1.1) however long the name: encoded-words can always be split.
    for (const line of head.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
    const expected = name.replace(/[\r\n]/g, ' ');
    const parsed = await parse(message);
    expect(addresses(parsed.from)).toEqual([{ name: expected, email: 'alice@example.com' }]);
    expect(addresses(parsed.to)).toEqual([
      { name: expected, email: 'bob@example.com' },
      { name: 'Plain', email: 'carol@example.com' },
    ]);
    expect(parsed.subject).toBe(expected);
  });

  it('folds a long plain subject at single spaces only, keeping runs of spaces', async () => {
    const words = Array.from({ length: 30 }, (_, i) => `word${i}`);
    const subject = words.slice(0, 10).join(' ') + '  ' + words.slice(10).join(' ');
    const message = composeMessage(input({ subject }));
    const head = message.toString('latin1').split('\r\n\r\n')[0]!;
    expect(head).toContain(
      'Subject: word0 word1 word2 word3 word4 word5 word6 word7 word8 word9  word10\r\n word11',
    );
    // Readers collapse whitespace at a fold, so a run of spaces is never a fold point.
    expect(head).not.toMatch(/ \r\n|\r\n  /);
    for (const line of head.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
    expect((await parse(message)).subject).toBe(subject);
  });

  it('writes an empty subject as an empty field', async () => {
    const message = composeMessage(input({ subject: '' }));
    expect(message.toString('latin1')).toContain('\r\nSubject:\r\n');
    expect((await parse(message)).subject ?? '').toBe('');
  });

  /**
   * The only change a name or subject goes through: CR and LF become spaces (a header cannot carry
   * them), and lone UTF-16 surrogates become U+FFFD (UTF-8 cannot carry them).
   */
  function normalise(value: string): string {
    return wellFormed(value).replace(/[\r\n]/g, ' ');
  }

  function wellFormed(value: string): string {
    return value.replace(
      /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
      '\uFFFD',
    );
  }

  const hostileChar = fc.constantFrom(
    '\r',
    '\n',
    '\r\n',
    '"',
    '\\',
    ',',
    ';',
    '<',
    '>',
    '@',
    ':',
    '(',
    ')',
    '=?',
    '?=',
    '_',
    '=',
    ' ',
    '  ',
    '\t',
    '\u0000',
    'ë',
    '日本',
    '🎉',
    '\uD800',
    'Bcc: x@y.z',
    '\u2028',
  );
  const hostileString = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 120 }),
    fc
      .array(fc.oneof(hostileChar, fc.string({ maxLength: 8 })), { maxLength: 40 })
      .map((a) => a.join('')),
  );

  it('never adds a header line and round-trips names and subjects (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileString,
        hostileString,
        hostileString,
        async (fromName, toName, subject) => {
          const message = composeMessage(
            input({
              from: { name: fromName, email: 'alice@example.com' },
              to: [{ name: toName, email: 'bob@example.com' }, { email: 'carol@example.com' }],
              subject,
            }),
          );
          assertWellFormed(message);
          expect(headerNames(message)).toEqual([
            'from',
            'to',
            'subject',
            'date',
            'message-id',
            'mime-version',
            'content-type',
          ]);
          const head = message.toString('latin1').split('\r\n\r\n')[0]!;
          for (const line of head.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
          const parsed = await parse(message);
          const named = (name: string, email: string): MailAddress =>
            normalise(name) === '' ? { email } : { name: normalise(name), email };
          expect(addresses(parsed.from)).toEqual([named(fromName, 'alice@example.com')]);
          expect(addresses(parsed.to)).toEqual([
            named(toName, 'bob@example.com'),
            { email: 'carol@example.com' },
          ]);
          expect(parsed.subject ?? '').toBe(normalise(subject));
          expect(parsed.text).toBe('Quarterly planning\n\nWhen: Tuesday\n');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('round-trips arbitrary text and HTML bodies (property)', async () => {
    const body = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 400 }),
      fc
        .array(
          fc.oneof(hostileChar, fc.constantFrom('-', '.', '--b0_0123456789', 'x'.repeat(90))),
          {
            maxLength: 60,
          },
        )
        .map((a) => a.join('')),
    );
    await fc.assert(
      fc.asyncProperty(body, body, async (text, html) => {
        const message = composeMessage(input({ text, html }));
        assertWellFormed(message);
        const tree = readMimeTree(message.toString('latin1'));
        expect(leaves(tree)).toHaveLength(4);
        const parsed = await parse(message);
        // Bodies change only in their line breaks (any of CRLF, CR, LF is one line break).
        const expected = (value: string) => wellFormed(value).replace(/\r\n|\r/g, '\n');
        // mailparser reports an empty text part as a single line break.
        const decoded = (value: string | false | undefined, original: string) =>
          original === '' && value === '\n' ? '' : value;
        expect(decoded(parsed.text, expected(text))).toBe(expected(text));
        expect(decoded(parsed.html, expected(html))).toBe(expected(html));
      }),
      { numRuns: 200 },
    );
  });
});

describe('composeMessage with the rendered bodies', () => {
  it('round-trips subject, text and HTML of a non-ASCII invitation', async () => {
    const invite = makeInvite({
      summary: 'Café planning 🎉',
      location: 'Zürich, Raum 3',
      html: '<p>Grüße</p>',
      description: 'Grüße',
      attendees: [attendee('zoe@example.com', 'Zoë Ünal'), attendee('jp@example.com', '山田太郎')],
    });
    const message = composeMessage(
      input({
        to: invite.attendees,
        subject: renderSubject(invite),
        text: renderTextBody(invite),
        html: renderHtmlBody(invite),
      }),
    );
    assertWellFormed(message);
    const parsed = await parse(message);
    expect(parsed.subject).toBe(
      'Invitation: Café planning 🎉 @ Tue 1 Dec 2026 10:00–11:00 (Europe/Berlin)',
    );
    expect(addresses(parsed.to)).toEqual([
      { name: 'Zoë Ünal', email: 'zoe@example.com' },
      { name: '山田太郎', email: 'jp@example.com' },
    ]);
    expect(parsed.text).toBe(renderTextBody(invite));
    expect(parsed.html).toBe(renderHtmlBody(invite));
  });

  it('keeps a 254-octet address whole, on a line of its own', async () => {
    const email = `${'l'.repeat(64)}@${'d'.repeat(60)}.${'e'.repeat(60)}.${'f'.repeat(59)}.example`;
    expect(email.length).toBe(254);
    const message = composeMessage(
      input({ to: [{ name: 'Long', email }, { email: 'x@example.com' }] }),
    );
    assertWellFormed(message);
    expect(message.toString('latin1')).toContain(`\r\n <${email}>,\r\n x@example.com\r\n`);
    expect(addresses((await parse(message)).to)).toEqual([
      { name: 'Long', email },
      { email: 'x@example.com' },
    ]);
  });
});

describe('composeMessage: refuses to write what it cannot write safely', () => {
  function refusal(overrides: Partial<ComposeInput>): unknown {
    try {
      composeMessage(input(overrides));
    } catch (error) {
      return error;
    }
    return undefined;
  }

  it.each([
    ['an empty boundary', ''],
    ['a boundary over 70 characters', 'b'.repeat(71)],
    ['a quote', 'a"b'],
    ['a line break', 'a\r\nb'],
    ['a trailing space', 'ab '],
    ['a non-ASCII character', 'äb'],
  ])('boundaries: %s', (_, boundary) => {
    const error = refusal({ boundary: () => boundary });
    expect(error).toBeInstanceOf(SmtpInviteError);
    expect((error as SmtpInviteError).code).toBe('ERR_INTERNAL');
  });

  it('boundaries that are prefixes of each other', () => {
    expect(refusal({ boundary: (depth) => (depth === 0 ? 'abc' : 'abcd') })).toBeInstanceOf(
      SmtpInviteError,
    );
    // …which only matters when there are two of them.
    expect(refusal({ boundary: () => 'abc', attachment: false })).toBeUndefined();
  });

  it('accepts every RFC 2046 bchar, quoting the boundary', async () => {
    const boundary = (depth: number) => `'()+_,-./:=? x${depth}`;
    const message = composeMessage(input({ boundary }));
    expect(describeShape(readMimeTree(message.toString('latin1')))).toBe(
      'multipart/mixed[multipart/alternative[text/plain,text/html,text/calendar],application/ics]',
    );
    expect((await parse(message)).text).toBe('Quarterly planning\n\nWhen: Tuesday\n');
  });

  it.each([
    ['a name in the address', { from: { email: 'Alice <alice@example.com>' } }],
    ['a line break in the address', { to: [{ email: 'bob@example.com\r\nBcc: x@y.z' }] }],
    ['a non-ASCII address', { to: [{ email: 'zoë@example.com' }] }],
    ['a message id with brackets', { messageId: '<abc@example.com>' }],
    ['a message id with a line break', { messageId: 'abc@example.com\r\nBcc: x@y.z' }],
    ['an invalid date', { date: new Date(Number.NaN) }],
    ['a calendar without METHOD', { calendar: CALENDAR.replace('METHOD:REQUEST\r\n', '') }],
  ] satisfies [string, Partial<ComposeInput>][])('%s', (_, overrides) => {
    const error = refusal(overrides);
    expect(error).toBeInstanceOf(SmtpInviteError);
    expect((error as SmtpInviteError).code).toBe('ERR_INTERNAL');
  });
});

describe('readCalendarMethod', () => {
  it.each([
    ['the usual line', CALENDAR, 'REQUEST'],
    ['lower case', CALENDAR.replace('METHOD:REQUEST', 'method:cancel'), 'CANCEL'],
    ['a parameter', CALENDAR.replace('METHOD:REQUEST', 'METHOD;X-A="a:b":PUBLISH'), 'PUBLISH'],
    ['a folded line', CALENDAR.replace('METHOD:REQUEST', 'METHOD:REQ\r\n UEST'), 'REQUEST'],
    ['LF line breaks', CALENDAR.replaceAll('\r\n', '\n').replace('REQUEST', 'REPLY'), 'REPLY'],
    [
      'METHOD after a nested component',
      CALENDAR.replace('METHOD:REQUEST\r\n', '').replace(
        'END:VCALENDAR',
        'METHOD:ADD\r\nEND:VCALENDAR',
      ),
      'ADD',
    ],
  ])('reads %s', (_, calendar, method) => {
    expect(readCalendarMethod(calendar)).toBe(method);
  });

  it.each([
    ['no METHOD', CALENDAR.replace('METHOD:REQUEST\r\n', '')],
    [
      'METHOD only inside the VEVENT',
      CALENDAR.replace('METHOD:REQUEST\r\n', '').replace('UID:', 'METHOD:REQUEST\r\nUID:'),
    ],
    [
      'METHOD only before the VCALENDAR',
      'METHOD:REQUEST\r\n' + CALENDAR.replace('METHOD:REQUEST\r\n', ''),
    ],
    [
      'METHOD only after the VCALENDAR',
      CALENDAR.replace('METHOD:REQUEST\r\n', '') + 'METHOD:REQUEST\r\n',
    ],
    ['an unknown method', CALENDAR.replace('METHOD:REQUEST', 'METHOD:INVITE')],
    ['an empty method', CALENDAR.replace('METHOD:REQUEST', 'METHOD:')],
    [
      'a property merely starting with METHOD',
      CALENDAR.replace('METHOD:REQUEST', 'METHODS:REQUEST'),
    ],
    ['not a calendar', ''],
  ])('refuses %s', (_, calendar) => {
    expect(() => readCalendarMethod(calendar)).toThrow(SmtpInviteError);
  });
});
