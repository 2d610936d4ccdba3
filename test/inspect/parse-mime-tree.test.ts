/**
 * parseMimeTree on real invitation emails (exact tree shapes, decoded calendars), on our own
 * output (no problems at all, calendar byte for byte), and on hand-made damage.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildInvite, deterministicIds, type BuildOptions } from '../../src/flows/build-invite.ts';
import { headerValue, walkMime, type MimeNode } from '../../src/inspect/mime-model.ts';
import { decodeText, parseMimeTree } from '../../src/inspect/parse-mime-tree.ts';

const messages = new URL('../../fixtures/messages/', import.meta.url).pathname;
const invites = new URL('../../fixtures/invites/', import.meta.url).pathname;

function fixture(name: string): Buffer {
  return readFileSync(join(messages, name));
}

/** The parts of a node a test asserts on; leaves have no `children` key. */
interface Shape {
  readonly path: string;
  readonly type: string;
  readonly params?: Record<string, string>;
  readonly encoding?: string;
  readonly disposition?: string;
  readonly filename?: string;
  readonly problems?: readonly string[];
  readonly children?: readonly Shape[];
}

function shape(node: MimeNode): Shape {
  return {
    path: node.path,
    type: node.contentType,
    params: { ...node.params },
    ...(node.transferEncoding === undefined ? {} : { encoding: node.transferEncoding }),
    ...(node.disposition === undefined ? {} : { disposition: node.disposition }),
    ...(node.filename === undefined ? {} : { filename: node.filename }),
    problems: node.problems.map((p) => p.code),
    ...(node.children.length === 0 ? {} : { children: node.children.map(shape) }),
  };
}

/** Expected shape with defaults: no params, no problems. */
function part(path: string, type: string, rest: Partial<Shape> = {}): Shape {
  return { path, type, params: {}, problems: [], ...rest };
}

function byPath(root: MimeNode, path: string): MimeNode {
  const node = walkMime(root).find((n) => n.path === path);
  if (node === undefined) throw new Error(`no part ${path}`);
  return node;
}

function text(node: MimeNode): string {
  return node.content?.toString('utf8') ?? '';
}

function allProblems(root: MimeNode): string[] {
  return walkMime(root).flatMap((n) => n.problems.map((p) => `${n.path || 'message'} ${p.code}`));
}

function crlf(...lines: string[]): Buffer {
  return Buffer.from(lines.join('\r\n'), 'latin1');
}

describe('real invitation emails', () => {
  it('Outlook: flat multipart/alternative with a base64 calendar', () => {
    const root = parseMimeTree(fixture('thunderbird/outlook-test-invite.eml'));
    expect(shape(root)).toEqual(
      part('', 'multipart/alternative', {
        params: { boundary: '_000_HE1P190MB0540579ABA18FCE320901B31E39C9HE1P190MB0540EURP_' },
        children: [
          part('1', 'text/plain', {
            params: { charset: 'iso-8859-1' },
            encoding: 'quoted-printable',
          }),
          part('2', 'text/html', {
            params: { charset: 'iso-8859-1' },
            encoding: 'quoted-printable',
          }),
          part('3', 'text/calendar', {
            params: { charset: 'utf-8', method: 'REQUEST' },
            encoding: 'base64',
          }),
        ],
      }),
    );
    const calendar = text(byPath(root, '3'));
    expect(calendar).toMatch(/^BEGIN:VCALENDAR\nMETHOD:REQUEST\nPRODID:Microsoft Exchange/);
    expect(calendar.endsWith('END:VEVENT\nEND:VCALENDAR\n')).toBe(true);
    expect(headerValue(root, 'content-type')).toBe(
      'multipart/alternative;\tboundary="_000_HE1P190MB0540579ABA18FCE320901B31E39C9HE1P190MB0540EURP_"',
    );
    // QP soft breaks and =3D undone.
    expect(text(byPath(root, '2'))).toContain(
      '<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"',
    );
  });

  it('Gmail: mixed{alternative{plain, html, calendar}, application/ics}', () => {
    const root = parseMimeTree(fixture('thunderbird/meet-meeting-invite.eml'));
    expect(shape(root)).toEqual(
      part('', 'multipart/mixed', {
        params: { boundary: '0000000000008c6d6205be1c767e' },
        children: [
          part('1', 'multipart/alternative', {
            params: { boundary: '0000000000008c6d6005be1c767c' },
            children: [
              part('1.1', 'text/plain', {
                params: { charset: 'UTF-8', format: 'flowed', delsp: 'yes' },
                encoding: 'base64',
              }),
              part('1.2', 'text/html', {
                params: { charset: 'UTF-8' },
                encoding: 'quoted-printable',
              }),
              part('1.3', 'text/calendar', {
                params: { charset: 'UTF-8', method: 'REQUEST' },
                encoding: 'quoted-printable',
              }),
            ],
          }),
          part('2', 'application/ics', {
            params: { name: 'invite.ics' },
            encoding: 'base64',
            disposition: 'attachment',
            filename: 'invite.ics',
          }),
        ],
      }),
    );
    const inline = text(byPath(root, '1.3'));
    const attachment = text(byPath(root, '2'));
    expect(inline.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(attachment.startsWith('BEGIN:VCALENDAR\n')).toBe(true);
    // The same calendar, CRLF inline and LF in the attachment (as the corpus notes).
    expect(inline.replace(/\r\n/g, '\n')).toBe(attachment);
    expect(text(byPath(root, '1.1'))).toContain('Du har blivit inbjuden till följande händelse');
  });

  it('Thunderbird single-event: LF-only, outer multipart never closed, loose QP kept literally', () => {
    const root = parseMimeTree(fixture('thunderbird/single-event.eml'));
    expect(shape(root)).toEqual(
      part('', 'multipart/mixed', {
        params: { boundary: '_----------=_1647458162153312762582' },
        encoding: 'binary',
        problems: ['bare-lf', 'unclosed-boundary'],
        children: [
          part('1', 'multipart/alternative', {
            params: { boundary: '_----------=_1647458162153312762583' },
            encoding: 'binary',
            children: [
              part('1.1', 'text/plain', {
                params: { charset: 'utf-8' },
                encoding: 'binary',
                disposition: 'inline',
              }),
              part('1.2', 'text/calendar', {
                params: { charset: 'utf-8', method: 'REQUEST' },
                encoding: 'quoted-printable',
                disposition: 'inline',
                problems: ['bad-quoted-printable'],
              }),
            ],
          }),
        ],
      }),
    );
    expect(root.problems[0]?.message).toMatch(/^78 line\(s\) end in a bare LF/);
    const calendar = text(byPath(root, '1.2'));
    expect(calendar.startsWith('BEGIN:VCALENDAR\nVERSION:2.0\n')).toBe(true);
    // `=3D` decoded, the unencoded `=` of `CN=Receiver` and `EMAIL=other…` kept as clients do.
    expect(calendar).toContain('ATTENDEE;CN=Sender;\n EMAIL=sender@example.com;CUTYPE=INDIVIDUAL;');
    expect(calendar).toContain('ATTENDEE;CN=Receiver;EMAIL=receiver@example.com;');
    expect(calendar).toContain('ATTENDEE;CN=Other;EMAIL=other@example.com;');
    expect(byPath(root, '1.2').problems[0]?.message).toMatch(/^3 "=" not followed/);
    expect(text(byPath(root, '1.1'))).toBe(
      'Single Event\n\nWhen:\n    Wed, Mar 16 2022\n    11:00 - 12:00 AST\nWhere:\n    Somewhere\n',
    );
  });

  it('invite.eml: mixed{related{alternative}} with a space in a boundary', () => {
    const root = parseMimeTree(fixture('thunderbird/invite.eml'));
    expect(shape(root)).toEqual(
      part('', 'multipart/mixed', {
        params: { boundary: '=_mixed_36138BFC6A7B03EFC2258776003DB5C5_=' },
        children: [
          part('1', 'multipart/related', {
            params: { boundary: '=_related_36138BFC6A7B03EFC2258776003DB5C5_=' },
            children: [
              part('1.1', 'multipart/alternative', {
                params: { boundary: '=_alternative 36138BFC6A7B03EFC2258776003DB5C5_=' },
                children: [
                  part('1.1.1', 'text/plain', { params: { charset: 'windows-1257' } }),
                  part('1.1.2', 'text/html', {
                    params: { charset: 'windows-1257' },
                    disposition: 'inline',
                  }),
                  part('1.1.3', 'text/calendar', {
                    params: { method: 'REQUEST', charset: 'UTF-8' },
                  }),
                ],
              }),
              part('1.2', 'text/html', {
                params: { charset: 'windows-1257' },
                disposition: 'inline',
              }),
            ],
          }),
          part('2', 'text/plain', {
            params: { charset: 'UTF-8', name: 'c141520.ics' },
            disposition: 'attachment',
            filename: 'c141520.ics',
          }),
        ],
      }),
    );
    const inline = byPath(root, '1.1.3');
    expect(text(inline).startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
    expect(text(inline).endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(text(byPath(root, '2'))).toBe(text(inline));
    // 7bit: the content is the raw body, so its size is the size.
    expect(inline.size).toBe(inline.content?.length);
  });

  it('message-containing-event.eml: a mixed-case media type', () => {
    const root = parseMimeTree(fixture('thunderbird/message-containing-event.eml'));
    expect(shape(root)).toEqual(
      part('', 'multipart/mixed', {
        params: { boundary: '_=aspNetEmail=_51bed191ceac49f7a22392ea84b6ef35' },
        problems: ['bare-lf'],
        children: [
          part('1', 'multipart/alternative', {
            params: { boundary: '_=ALT_=aspNetEmail=_51bed191ceac49f7a22392ea84b6ef35' },
            children: [
              part('1.1', 'text/plain', { params: { charset: 'UTF-8' } }),
              part('1.2', 'text/html', { params: { charset: 'UTF-8' } }),
            ],
          }),
          part('2', 'text/calendar', {
            params: { method: 'PUBLISH', charset: 'UTF-8' },
            encoding: 'base64',
            disposition: 'attachment',
            filename: 'booking.ics',
          }),
        ],
      }),
    );
    expect(text(byPath(root, '2'))).toMatch(
      /^BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:PUBLISH\r\n/,
    );
  });

  it('Apple good_reply: alternative>mixed, QP with =0D=0A, parameters on folded lines', () => {
    const root = parseMimeTree(fixture('apple-ccs/good_reply'));
    expect(shape(root)).toEqual(
      part('', 'multipart/alternative', {
        params: { boundary: 'example-Mail-1--253014167' },
        problems: ['bare-lf'],
        children: [
          part('1', 'text/plain', {
            params: { charset: 'US-ASCII', format: 'flowed', delsp: 'yes' },
            encoding: '7bit',
          }),
          part('2', 'multipart/mixed', {
            params: { boundary: 'example-Mail-2--253014167' },
            children: [
              part('2.1', 'text/html', { params: { charset: 'US-ASCII' }, encoding: '7bit' }),
              part('2.2', 'text/calendar', {
                params: { 'x-unix-mode': '0644', name: 'iCal-20080812-131911.ics' },
                encoding: 'quoted-printable',
                disposition: 'attachment',
                filename: 'iCal-20080812-131911.ics',
              }),
              part('2.3', 'text/html', { params: { charset: 'US-ASCII' }, encoding: '7bit' }),
            ],
          }),
        ],
      }),
    );
    const calendar = text(byPath(root, '2.2'));
    expect(calendar.startsWith('BEGIN:VCALENDAR\r\nPRODID:-//example Inc.//iCal 3.0//EN\r\n')).toBe(
      true,
    );
    // The trailing soft break ("=" before the delimiter's line break) adds nothing.
    expect(calendar.endsWith('END:VEVENT\r\nEND:VCALENDAR\r\n')).toBe(true);
    expect(calendar).toContain('ORGANIZER;CN="User 01":mailto:ical-living-on+d7cdf68d');
    expect(headerValue(byPath(root, '2.2'), 'Content-Type')).toBe(
      'text/calendar;\tx-unix-mode=0644;\tname="iCal-20080812-131911.ics"',
    );
    expect(headerValue(root, 'Received')).toBe(
      'from hemlock.example.com ([17.128.115.180]) by mail4.example.com (Sun Java(tm) System Messaging Server 6.3-6.03 (built Mar 14 2008; 32bit)) with ESMTP id <0K5I00I8I8G50QC0@mail4.example.com> for ical-living-on+d7cdf68d-8b73-4df1-ad3b-f08002fb285f@example.com; Tue, 12 Aug 2008 13:19:17 -0700 (PDT)',
    );
  });

  it('james gmail.mime: a forwarded Google invite, 8bit parts and a calendar attachment', () => {
    const root = parseMimeTree(fixture('james/gmail.mime'));
    expect(shape(root)).toEqual(
      part('', 'multipart/mixed', {
        params: { boundary: '------------17D96D411CBD55D8239A8C1F' },
        problems: ['bare-lf'],
        children: [
          part('1', 'multipart/alternative', {
            params: { boundary: '------------64D716A3DDAEC185D3E67448' },
            children: [
              part('1.1', 'text/plain', {
                params: { charset: 'utf-8', format: 'flowed' },
                encoding: '8bit',
              }),
              part('1.2', 'text/html', { params: { charset: 'utf-8' }, encoding: '8bit' }),
            ],
          }),
          part('2', 'text/calendar', {
            params: { name: 'Portion de message joint' },
            encoding: '8bit',
            disposition: 'attachment',
            filename: 'Portion de message joint',
          }),
          part('3', 'application/ics', {
            params: { name: 'invite.ics' },
            encoding: 'base64',
            disposition: 'attachment',
            filename: 'invite.ics',
          }),
        ],
      }),
    );
    expect(text(byPath(root, '2')).startsWith('BEGIN:VCALENDAR\nPRODID:-//Google Inc')).toBe(true);
    expect(text(byPath(root, '3')).startsWith('BEGIN:VCALENDAR\r\nPRODID:-//Google Inc')).toBe(
      true,
    );
    // Header values stay raw: the RFC 2047 word is not decoded, the fold is undone.
    expect(headerValue(root, 'To')).toBe('=?UTF-8?Q?Beno=c3=aet_TELLIER?= <tellier@linagora.com>');
    expect(headerValue(root, 'Subject')).toBe(
      'Fwd: Invitation: (Aucun objet) - ven. 20 janv. 2017 14:00 - 15:00 (CET) (aduprat@linagora.com)',
    );
    expect(text(byPath(root, '1.1'))).toContain('-------- Message transéré --------');
  });

  it('libical complex-mime.txt: boundaries starting with "--", a bad base64 tail', () => {
    const root = parseMimeTree(fixture('libical/complex-mime.txt'));
    const vcs = {
      params: { method: 'REQUEST', charset: 'US-ASCII', component: 'vevent' },
      disposition: 'attachment',
      filename: 'event.vcs',
    };
    expect(shape(root)).toEqual(
      part('', 'multipart/related', {
        params: { boundary: '--FEE3790DC7E35189CA67CE2C' },
        problems: ['bare-lf'],
        children: [
          part('1', 'multipart/alternative', {
            params: { boundary: '--00FEE3790DC7E35189CA67CE2C00' },
            children: [
              part('1.1', 'text/plain', { params: { charset: 'us-ascii' }, encoding: '7bit' }),
              part('1.2', 'text/calendar', { ...vcs, encoding: 'quoted-printable' }),
              part('1.3', 'text/calendar', { ...vcs, encoding: 'base64' }),
            ],
          }),
          part('2', 'application/msword', {
            params: { name: 'FieldReport.doc' },
            encoding: 'base64',
            disposition: 'inline',
            filename: 'FieldReport.doc',
            problems: ['bad-base64', 'bad-base64'],
          }),
        ],
      }),
    );
    expect(text(byPath(root, '1.2'))).toContain(
      'ATTENDEE;RSVP=TRUE;ROLE=REQ-PARTICIPANT;CUTYPE=GROUP:MAILTO:employee-A@host.com\n',
    );
    expect(text(byPath(root, '1.3')).startsWith('BEGIN:VCALENDAR\nPRODID:-//ACME/')).toBe(true);
    expect(byPath(root, '2').content?.subarray(0, 6).toString('latin1')).toBe('GIF87a');
  });

  it('libical complex-mime-error.txt: every kind of damage, still a tree', () => {
    const root = parseMimeTree(fixture('libical/complex-mime-error.txt'));
    expect(shape(root)).toEqual(
      part('', 'multipart/related', {
        params: { boundary: '--FEE3790DC7E35189CA67CE2C' },
        problems: ['bare-lf', 'unclosed-boundary'],
        children: [
          part('1', 'multipart/alternat', {
            params: { boundary: '--00FEE3790DC7E35189CA67CE2C00' },
            problems: ['unclosed-boundary'],
            children: [
              // " Content-Type: …" continues nothing; the part then has an empty header section.
              part('1.1', 'text/plain', { problems: ['invalid-header'] }),
              // Starts with the empty line: no headers, so the "headers" are body text.
              part('1.2', 'text/plain'),
            ],
          }),
          part('2', 'application/msword', {
            params: { name: 'FieldReport' },
            encoding: 'base64',
            disposition: 'inline',
            filename: 'FieldReport.doc',
            problems: ['invalid-header', 'bad-base64', 'bad-base64'],
          }),
        ],
      }),
    );
    expect(text(byPath(root, '1.1')).startsWith('Content-Transfer-Encoding: 7bit\n\nWhen:')).toBe(
      true,
    );
    expect(text(byPath(root, '1.2')).startsWith('Content-Type:text/calendar; method=REQUEST')).toBe(
      true,
    );
    // The last part of the unclosed inner multipart runs to the outer delimiter.
    expect(
      text(byPath(root, '1.2')).endsWith('END:VCALENDAR\n\n00FEE3790DC7E35189CA67CE2C00--\n'),
    ).toBe(true);
  });

  it('decodes every calendar part of the clean files to a VCALENDAR', () => {
    const files = [
      'thunderbird/outlook-test-invite.eml',
      'thunderbird/meet-meeting-invite.eml',
      'thunderbird/single-event.eml',
      'thunderbird/invite.eml',
      'thunderbird/message-containing-event.eml',
      'apple-ccs/good_reply',
      'james/gmail.mime',
      'libical/complex-mime.txt',
    ];
    for (const file of files) {
      const calendars = walkMime(parseMimeTree(fixture(file))).filter(
        (n) =>
          ['text/calendar', 'application/ics'].includes(n.contentType) ||
          n.filename?.endsWith('.ics'),
      );
      expect(calendars.length, file).toBeGreaterThan(0);
      for (const node of calendars)
        expect(text(node), `${file} ${node.path}`).toMatch(/^BEGIN:VCALENDAR\r?\n/);
    }
  });
});

describe('our own messages', () => {
  const cases = readdirSync(invites).filter((name) =>
    existsSync(join(invites, name, 'input.json')),
  );

  it.each(cases)('%s: the golden expected.eml has no problem and carries expected.ics', (name) => {
    const root = parseMimeTree(readFileSync(join(invites, name, 'expected.eml')));
    const calendar = readFileSync(join(invites, name, 'expected.ics'), 'utf8');
    expect(allProblems(root)).toEqual([]);
    const parts = walkMime(root).filter((n) => n.contentType === 'text/calendar');
    expect(parts).toHaveLength(1);
    expect(text(parts[0] as MimeNode)).toBe(calendar);
  });

  const variants: [string, BuildOptions, string][] = [
    [
      'default',
      {},
      'multipart/mixed[multipart/alternative[text/plain,text/html,text/calendar],application/ics]',
    ],
    [
      'default without attachment',
      { attachment: false },
      'multipart/alternative[text/plain,text/html,text/calendar]',
    ],
    [
      'outlook',
      { profile: 'outlook' },
      'multipart/alternative[text/plain,text/html,text/calendar]',
    ],
  ];
  const layout = (node: MimeNode): string =>
    node.children.length === 0
      ? node.contentType
      : `${node.contentType}[${node.children.map(layout).join(',')}]`;

  describe.each(variants)('buildInvite, %s profile', (_label, options, expectedLayout) => {
    it.each(cases)('%s', (name) => {
      const input: unknown = JSON.parse(readFileSync(join(invites, name, 'input.json'), 'utf8'));
      const built = buildInvite(input, { ...options, ids: deterministicIds(input, {}) });
      const root = parseMimeTree(built.messages[0]?.raw ?? Buffer.alloc(0));
      expect(allProblems(root)).toEqual([]);
      expect(layout(root)).toBe(expectedLayout);
      const calendars = walkMime(root).filter(
        (n) => n.children.length === 0 && /calendar|ics/.test(n.contentType),
      );
      expect(calendars.length).toBe(
        options.attachment === false || options.profile === 'outlook' ? 1 : 2,
      );
      for (const node of calendars) expect(text(node)).toBe(built.calendar);
      const inline = calendars[0] as MimeNode;
      expect(inline.params).toEqual({ charset: 'UTF-8', method: built.invite.method });
      if (options.profile === 'outlook') expect(inline.transferEncoding).toBe('base64');
      if (calendars.length === 2) expect(calendars[1]?.filename).toBe('invite.ics');
    });
  });
});

describe('header section', () => {
  it('unfolds CRLF and bare-LF folds, keeping the WSP, and keeps names as written', () => {
    const root = parseMimeTree(
      Buffer.from('Subject: a\r\n  b\n\tc\r\nX-Empty:\r\nx-LOWER :  v  \r\n\r\nbody'),
    );
    expect(root.headers).toEqual([
      { name: 'Subject', value: 'a  b\tc' },
      { name: 'X-Empty', value: '' },
      { name: 'x-LOWER', value: 'v' },
    ]);
    expect(root.content?.toString()).toBe('body');
    expect(root.size).toBe(4);
  });

  it('reads LF-only messages and reports one bare-lf problem on the root', () => {
    const root = parseMimeTree(
      Buffer.from('Content-Type: multipart/mixed; boundary=b\n\n--b\n\nhello\n--b--\n'),
    );
    expect(root.problems.map((p) => p.code)).toEqual(['bare-lf']);
    expect(root.children.map((c) => text(c))).toEqual(['hello']);
    expect(root.children[0]?.problems).toEqual([]);
  });

  it('a message without an empty line is all headers, with an empty body', () => {
    const root = parseMimeTree(crlf('Subject: x', 'BEGIN:VCALENDAR', 'END:VCALENDAR'));
    expect(root.headers.map((h) => h.name)).toEqual(['Subject', 'BEGIN', 'END']);
    expect(root.problems.map((p) => p.code)).toEqual(['no-header-separator']);
    expect(root.size).toBe(0);
    expect(root.content?.length).toBe(0);
  });

  it('an empty input is an empty text/plain message without problems', () => {
    expect(shape(parseMimeTree(Buffer.alloc(0)))).toEqual(part('', 'text/plain'));
  });

  it('reports lines that are not header fields, and skips them', () => {
    const root = parseMimeTree(
      crlf(
        ' leading continuation',
        'no colon here',
        ': no name',
        'Bad Name: kept',
        'Ok: 1',
        '',
        'b',
      ),
    );
    expect(root.headers).toEqual([
      { name: 'Bad Name', value: 'kept' },
      { name: 'Ok', value: '1' },
    ]);
    expect(root.problems.map((p) => p.message)).toEqual([
      'continuation line " leading continuation" before any header field; ignored',
      'line "no colon here" is not a header field (no name and ":"); ignored',
      'line ": no name" is not a header field (no name and ":"); ignored',
      'header field name "Bad Name" has characters not allowed in a name',
    ]);
  });

  it('skips an mbox "From " line before the headers', () => {
    const root = parseMimeTree(
      crlf('From alice@example.com Thu Jan  1 00:00:00 2026', 'Subject: x', '', ''),
    );
    expect(root.headers).toEqual([{ name: 'Subject', value: 'x' }]);
    expect(root.problems.map((p) => p.code)).toEqual(['invalid-header']);
  });

  it('reads 8-bit header values as UTF-8 when valid, else one char per octet', () => {
    const utf8 = Buffer.concat([
      Buffer.from('Subject: '),
      Buffer.from('Réunion 日本'),
      Buffer.from('\r\n\r\n'),
    ]);
    expect(headerValue(parseMimeTree(utf8), 'subject')).toBe('Réunion 日本');
    const latin1 = Buffer.from('Subject: R\xe9union\r\n\r\n', 'latin1');
    expect(headerValue(parseMimeTree(latin1), 'subject')).toBe('R\xe9union');
  });

  it('keeps the first of repeated MIME fields and reports the repetition', () => {
    const root = parseMimeTree(
      crlf('Content-Type: text/calendar', 'content-type: text/html', '', 'x'),
    );
    expect(root.contentType).toBe('text/calendar');
    expect(root.problems.map((p) => p.message)).toEqual([
      '2 Content-Type header fields; the first is used',
    ]);
  });

  it('caps the problems of one kind on one node, keeping a count', () => {
    const root = parseMimeTree(Buffer.from('junk\r\n'.repeat(50) + '\r\nbody'));
    expect(root.problems).toHaveLength(11);
    expect(root.problems[10]?.message).toBe('… and 40 more invalid-header problem(s) on this part');
  });
});

describe('Content-Type and Content-Disposition', () => {
  it('defaults to text/plain when absent or unreadable', () => {
    expect(parseMimeTree(crlf('Subject: x', '', 'b')).contentType).toBe('text/plain');
    const root = parseMimeTree(crlf('Content-Type: calendar; charset=utf-8', '', 'b'));
    expect(root.contentType).toBe('text/plain');
    expect(root.params).toEqual({ charset: 'utf-8' });
    expect(root.problems.map((p) => p.message)).toEqual([
      'Content-Type "calendar; charset=utf-8" has no valid type/subtype; read as text/plain (RFC 2045 §5.2)',
    ]);
  });

  it('lower-cases the media type and parameter names, not the values', () => {
    const root = parseMimeTree(
      crlf('Content-Type: TeXt/CaLeNdAr; METHOD=Request; Charset="UTF-8"', '', 'b'),
    );
    expect(root.contentType).toBe('text/calendar');
    expect(root.params).toEqual({ method: 'Request', charset: 'UTF-8' });
  });

  it('takes the filename from the disposition, else from the name, decoding RFC 2231 and RFC 2047', () => {
    const node = (headers: string[]): MimeNode => parseMimeTree(crlf(...headers, '', 'b'));
    expect(
      node([
        'Content-Type: application/ics; name="type.ics"',
        'Content-Disposition: attachment; filename="disposition.ics"',
      ]).filename,
    ).toBe('disposition.ics');
    expect(
      node(['Content-Type: application/ics; name="=?UTF-8?B?UsOpdW5pb24uaWNz?="']).filename,
    ).toBe('Réunion.ics');
    expect(
      node([
        'Content-Type: text/calendar',
        "Content-Disposition: attachment; filename*0*=UTF-8''R%C3%A9; filename*1*=union%20;",
        ' filename*2=".ics"',
      ]).filename,
    ).toBe('Réunion .ics');
    expect(
      node(['Content-Disposition: ATTACHMENT; filename==?iso-8859-1?Q?caf=E9?=']).filename,
    ).toBe('café');
    expect(node(['Content-Disposition: inline']).disposition).toBe('inline');
    expect(node(['Content-Type: text/plain']).filename).toBeUndefined();
  });

  it('reports an unreadable disposition and keeps its parameters', () => {
    const root = parseMimeTree(crlf('Content-Disposition: ; filename=a.ics', '', 'b'));
    expect(root.disposition).toBeUndefined();
    expect(root.filename).toBe('a.ics');
    expect(root.problems.map((p) => p.code)).toEqual(['invalid-header']);
  });
});

describe('multipart bodies', () => {
  const multipart = (boundary: string, body: string): Buffer =>
    Buffer.from(`Content-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n${body}`, 'latin1');

  it('skips preamble and epilogue; the CRLF before a delimiter belongs to the delimiter', () => {
    const root = parseMimeTree(
      multipart(
        'b',
        'preamble\r\n--b\r\n\r\none\r\n--b\r\n\r\ntwo, no final line break\r\n--b--\r\nepilogue\r\n--b\r\n\r\nnot a part',
      ),
    );
    expect(root.children.map((c) => text(c))).toEqual(['one', 'two, no final line break']);
    expect(allProblems(root)).toEqual([]);
  });

  it('accepts transport padding after delimiters and a first delimiter right at the body start', () => {
    const root = parseMimeTree(
      multipart('b', '--b \t\r\n\r\none\r\n--b\t\r\n\r\ntwo\r\n--b-- \r\n'),
    );
    expect(root.children.map((c) => text(c))).toEqual(['one', 'two']);
    expect(allProblems(root)).toEqual([]);
  });

  it('does not take "--boundary" followed by more text for a delimiter', () => {
    const root = parseMimeTree(
      multipart('b', '--b\r\n\r\none\r\n--bc\r\n--b x\r\n--b\r\n\r\ntwo\r\n--b--'),
    );
    expect(root.children.map((c) => text(c))).toEqual(['one\r\n--bc\r\n--b x', 'two']);
  });

  it('is not confused when a boundary is a prefix of the other (either way round)', () => {
    const inner = (boundary: string): string =>
      `Content-Type: multipart/alternative; boundary="${boundary}"\r\n\r\n--${boundary}\r\n\r\ninner 1\r\n--${boundary}\r\n\r\ninner 2\r\n--${boundary}--`;
    for (const [outer, nested] of [
      ['abc', 'abcdef'],
      ['abcdef', 'abc'],
    ] as const) {
      const root = parseMimeTree(
        multipart(
          outer,
          `--${outer}\r\n${inner(nested)}\r\n--${outer}\r\n\r\nouter 2\r\n--${outer}--\r\n`,
        ),
      );
      expect(shape(root), `${outer} / ${nested}`).toEqual(
        part('', 'multipart/mixed', {
          params: { boundary: outer },
          children: [
            part('1', 'multipart/alternative', {
              params: { boundary: nested },
              children: [part('1.1', 'text/plain'), part('1.2', 'text/plain')],
            }),
            part('2', 'text/plain'),
          ],
        }),
      );
      expect(
        walkMime(root)
          .filter((n) => n.children.length === 0)
          .map(text),
      ).toEqual(['inner 1', 'inner 2', 'outer 2']);
    }
  });

  it('matches a non-ASCII (UTF-8) boundary against the octets of the body', () => {
    const root = parseMimeTree(
      Buffer.from('Content-Type: multipart/mixed; boundary="é"\r\n\r\n--é\r\n\r\none\r\n--é--\r\n'),
    );
    expect(root.params).toEqual({ boundary: 'é' });
    expect(root.children.map((c) => text(c))).toEqual(['one']);
    expect(allProblems(root)).toEqual([]);
  });

  it('without a boundary parameter, reads the body as a leaf', () => {
    const root = parseMimeTree(crlf('Content-Type: multipart/mixed', '', '--x', '', 'a', '--x--'));
    expect(root.problems.map((p) => p.code)).toEqual(['missing-boundary']);
    expect(root.children).toEqual([]);
    expect(text(root)).toBe('--x\r\n\r\na\r\n--x--');
    const empty = parseMimeTree(crlf('Content-Type: multipart/mixed; boundary=""', '', 'a'));
    expect(empty.problems.map((p) => p.message)).toEqual([
      'multipart/mixed has an empty boundary parameter (RFC 2046 §5.1.1); its body was read as a single part',
    ]);
  });

  it('keeps the parts of a body that is never closed', () => {
    const root = parseMimeTree(multipart('b', '--b\r\n\r\none\r\n--b\r\n\r\ntwo\r\n'));
    expect(root.children.map((c) => text(c))).toEqual(['one', 'two\r\n']);
    expect(root.problems.map((p) => p.code)).toEqual(['unclosed-boundary']);
    const trailing = parseMimeTree(multipart('b', '--b\r\n\r\none\r\n--b\r\n'));
    expect(trailing.children.map((c) => text(c))).toEqual(['one']);
    expect(trailing.problems.map((p) => p.code)).toEqual(['unclosed-boundary']);
  });

  it('reports a body in which the boundary never appears', () => {
    const root = parseMimeTree(multipart('b', 'just text\r\n'));
    expect(root.children).toEqual([]);
    expect(root.problems.map((p) => p.message)).toEqual([
      'no delimiter line "--" + "b" in the multipart/mixed body; it has no parts',
    ]);
  });

  it('reads message/rfc822 as one child message, also when (illegally) base64-encoded', () => {
    const inner =
      'Subject: inner\r\nContent-Type: multipart/mixed; boundary=i\r\n\r\n--i\r\nContent-Type: text/calendar\r\n\r\nBEGIN:VCALENDAR\r\n--i--\r\n';
    const root = parseMimeTree(
      multipart(
        'b',
        `--b\r\nContent-Type: message/rfc822\r\n\r\n${inner}\r\n--b\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from(inner).toString('base64')}\r\n--b--\r\n`,
      ),
    );
    const message = part('1.1', 'multipart/mixed', {
      params: { boundary: 'i' },
      children: [part('1.1.1', 'text/calendar')],
    });
    expect(shape(root)).toEqual(
      part('', 'multipart/mixed', {
        params: { boundary: 'b' },
        children: [
          part('1', 'message/rfc822', { children: [message] }),
          part('2', 'message/rfc822', {
            encoding: 'base64',
            problems: ['invalid-header'],
            children: [
              {
                ...message,
                path: '2.1',
                children: [part('2.1.1', 'text/calendar')],
              },
            ],
          }),
        ],
      }),
    );
    expect(headerValue(byPath(root, '2.1'), 'subject')).toBe('inner');
    expect(text(byPath(root, '2.1.1'))).toBe('BEGIN:VCALENDAR');
  });

  it('defaults the parts of multipart/digest to message/rfc822 (RFC 2046 §5.1.5)', () => {
    const root = parseMimeTree(
      crlf(
        'Content-Type: multipart/digest; boundary=d',
        '',
        '--d',
        '',
        'Subject: one',
        '',
        'x',
        '--d--',
      ),
    );
    expect(layoutOf(root)).toBe('multipart/digest[message/rfc822[text/plain]]');
  });
});

function layoutOf(node: MimeNode): string {
  return node.children.length === 0
    ? node.contentType
    : `${node.contentType}[${node.children.map(layoutOf).join(',')}]`;
}

describe('leaf content', () => {
  const leaf = (encoding: string | undefined, body: string | Buffer): MimeNode =>
    parseMimeTree(
      Buffer.concat([
        Buffer.from(
          `Content-Type: text/calendar\r\n${encoding === undefined ? '' : `Content-Transfer-Encoding: ${encoding}\r\n`}\r\n`,
        ),
        Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'),
      ]),
    );

  it('undoes base64 and quoted-printable, whatever the case of the encoding name', () => {
    const b64 = leaf('Base64', 'QkVHSU46\r\nVkNBTEVOREFS\r\n');
    expect(b64.transferEncoding).toBe('base64');
    expect(text(b64)).toBe('BEGIN:VCALENDAR');
    expect(b64.size).toBe(24);
    expect(text(leaf(' QUOTED-PRINTABLE ', 'a=3Db=\r\nc'))).toBe('a=bc');
  });

  it('reports damaged base64 and quoted-printable, decoding what it can', () => {
    const b64 = leaf('base64', 'QkVH*SU46');
    expect(text(b64)).toBe('BEGIN:');
    expect(b64.problems.map((p) => p.code)).toEqual(['bad-base64']);
    const qp = leaf('quoted-printable', 'a=ZZb');
    expect(text(qp)).toBe('a=ZZb');
    expect(qp.problems.map((p) => p.code)).toEqual(['bad-quoted-printable']);
  });

  it('keeps 7bit, 8bit and binary bodies as they are; 8-bit octets in 7bit are reported', () => {
    const octets = Buffer.from('caf\xe9', 'latin1');
    for (const encoding of ['8bit', 'binary']) {
      expect(leaf(encoding, octets).content, encoding).toEqual(octets);
      expect(leaf(encoding, octets).problems, encoding).toEqual([]);
    }
    for (const encoding of ['7bit', undefined]) {
      const node = leaf(encoding, octets);
      expect(node.content).toEqual(octets);
      expect(node.problems.map((p) => p.code)).toEqual(['eight-bit-in-seven-bit']);
    }
    expect(leaf(undefined, 'ascii').problems).toEqual([]);
  });

  it('leaves unknown transfer encodings as written', () => {
    for (const encoding of ['x-uuencode', 'base-64', '']) {
      const node = leaf(encoding, 'begin 644 x');
      expect(text(node)).toBe('begin 644 x');
      expect(
        node.problems.map((p) => p.code),
        encoding,
      ).toEqual(['unknown-transfer-encoding']);
    }
  });
});

describe('limits', () => {
  const nested = (levels: number): Buffer => {
    let body = 'Content-Type: text/plain\r\n\r\nleaf';
    for (let i = levels - 1; i >= 0; i--)
      body = `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n${body}\r\n--b${i}--\r\n`;
    return Buffer.from(body);
  };
  const depthOf = (root: MimeNode): number =>
    Math.max(...walkMime(root).map((n) => (n.path === '' ? 0 : n.path.split('.').length)));

  it('opens containers down to maxDepth (default 20), then reports too-deep', () => {
    const twenty = parseMimeTree(nested(20));
    expect(depthOf(twenty)).toBe(20);
    expect(allProblems(twenty)).toEqual([]);
    const deeper = parseMimeTree(nested(21));
    expect(depthOf(deeper)).toBe(20);
    expect(allProblems(deeper)).toEqual([`${'1.'.repeat(19)}1 too-deep`]);
    const limited = parseMimeTree(nested(5), { maxDepth: 2 });
    expect(depthOf(limited)).toBe(2);
    expect(allProblems(limited)).toEqual(['1.1 too-deep']);
  });

  it('stops at maxParts nodes (default 500) and says so', () => {
    const many = (parts: number): Buffer =>
      Buffer.from(
        `Content-Type: multipart/mixed; boundary=x\r\n\r\n${'--x\r\n\r\np\r\n'.repeat(parts)}--x--\r\n`,
      );
    expect(walkMime(parseMimeTree(many(499)))).toHaveLength(500);
    expect(allProblems(parseMimeTree(many(499)))).toEqual([]);
    const over = parseMimeTree(many(100_000));
    expect(walkMime(over)).toHaveLength(500);
    expect(over.problems.map((p) => p.message)).toEqual([
      'more than 500 MIME parts; reading stopped here and the remaining parts were ignored',
    ]);
    const small = parseMimeTree(nested(3), { maxParts: 2 });
    expect(walkMime(small).map((n) => n.path)).toEqual(['', '1']);
    expect(allProblems(small)).toEqual(['1 too-many-parts']);
  });
});

describe('decodeText', () => {
  it('decodes UTF-8 by default and in the charset given', () => {
    expect(decodeText(Buffer.from('Réunion'), undefined)).toEqual({ text: 'Réunion' });
    expect(decodeText(Buffer.from('R\xe9union', 'latin1'), 'ISO-8859-1')).toEqual({
      text: 'Réunion',
    });
    expect(decodeText(Buffer.from([0xc4, 0xe8]), ' windows-1257 ')).toEqual({ text: 'Äč' });
  });

  it('reports invalid bytes and unknown charsets, decoding with replacement characters', () => {
    expect(decodeText(Buffer.from([0x61, 0xff, 0x62]), 'utf-8')).toEqual({
      text: 'a\ufffdb',
      problem: 'the content is not valid utf-8; invalid bytes were replaced with U+FFFD',
    });
    expect(decodeText(Buffer.from('abc'), 'x-klingon')).toEqual({
      text: 'abc',
      problem: 'unknown charset "x-klingon"; the content was decoded as UTF-8',
    });
  });
});
