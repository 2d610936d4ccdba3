import { describe, expect, it } from 'vitest';
import { SmtpInviteError } from '../../src/errors.ts';
import {
  checkEmail,
  flattenHeaderText,
  foldTokens,
  formatAddressHeader,
  formatDateHeader,
  formatMessageIdHeader,
  formatTextHeader,
} from '../../src/mime/format-header.ts';

describe('formatAddressHeader', () => {
  it.each([
    [
      'a plain name',
      { name: 'Bob Builder', email: 'bob@example.com' },
      'Bob Builder <bob@example.com>',
    ],
    ['no name', { email: 'bob@example.com' }, 'bob@example.com'],
    ['an empty name', { name: '', email: 'bob@example.com' }, 'bob@example.com'],
    [
      'a dot (a special)',
      { name: 'J. Smith', email: 'j@example.com' },
      '"J. Smith" <j@example.com>',
    ],
    [
      'quotes and backslashes',
      { name: 'Bob "the" \\ Builder', email: 'bob@example.com' },
      '"Bob \\"the\\" \\\\ Builder" <bob@example.com>',
    ],
    [
      'a line break',
      { name: 'Evil\r\nBcc: victim@example.com', email: 'a@example.com' },
      '"Evil  Bcc: victim@example.com" <a@example.com>',
    ],
    [
      'non-ASCII',
      { name: 'Zoë', email: 'zoe@example.com' },
      '=?UTF-8?Q?Zo=C3=AB?= <zoe@example.com>',
    ],
    [
      'an encoded-word look-alike',
      { name: '=?UTF-8?Q?x?=', email: 'x@example.com' },
      '=?UTF-8?Q?=3D=3FUTF-8=3FQ=3Fx=3F=3D?= <x@example.com>',
    ],
    ['edge spaces', { name: ' x ', email: 'x@example.com' }, '=?UTF-8?Q?_x_?= <x@example.com>'],
  ])('%s', (_, address, value) => {
    expect(formatAddressHeader('From', [address])).toBe(`From: ${value}\r\n`);
  });

  it('folds between addresses, after the comma', () => {
    const people = Array.from({ length: 6 }, (_, i) => ({
      name: `Person Number ${i}`,
      email: `person${i}@example.com`,
    }));
    expect(formatAddressHeader('To', people)).toBe(
      'To: Person Number 0 <person0@example.com>,\r\n' +
        ' Person Number 1 <person1@example.com>, Person Number 2 <person2@example.com>,\r\n' +
        ' Person Number 3 <person3@example.com>, Person Number 4 <person4@example.com>,\r\n' +
        ' Person Number 5 <person5@example.com>\r\n',
    );
  });

  it('folds inside the first mailbox when it does not fit after the field name', () => {
    const name = 'O\'Brien, "The Boss"; ROLE=CHAIR:x Subject: hi';
    expect(formatAddressHeader('From', [{ name, email: 'o.brien+cal@example.com' }])).toBe(
      'From: "O\'Brien, \\"The Boss\\"; ROLE=CHAIR:x Subject: hi"\r\n <o.brien+cal@example.com>\r\n',
    );
  });

  it('splits a long name into encoded-words on lines of at most 78 characters', () => {
    const field = formatAddressHeader('To', [{ name: 'Zoë '.repeat(60), email: 'z@example.com' }]);
    const lines = field.slice(0, -2).split('\r\n');
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(78);
    expect(lines.at(-1)).toMatch(/\?= <z@example\.com>$/);
  });
});

describe('formatTextHeader', () => {
  it.each([
    ['plain ASCII as it is', 'Invitation: Quarterly planning', 'Invitation: Quarterly planning'],
    ['nothing', '', ''],
    ['a line break as a space', 'a\r\nb', 'a  b'],
    ['non-ASCII as Q words', 'Zoë – ok', '=?UTF-8?Q?Zo=C3=AB_=E2=80=93_ok?='],
    ['edge spaces encoded (readers trim them)', ' x', '=?UTF-8?Q?_x?='],
    ['a TAB encoded', 'a\tb', '=?UTF-8?Q?a=09b?='],
    ['an encoded-word look-alike encoded', 'see =?x?=', '=?UTF-8?Q?see_=3D=3Fx=3F=3D?='],
  ])('%s', (_, value, written) => {
    expect(formatTextHeader('Subject', value)).toBe(
      written === '' ? 'Subject:\r\n' : `Subject: ${written}\r\n`,
    );
  });

  it('encodes a word too long to fold', () => {
    const field = formatTextHeader('Subject', 'x'.repeat(100));
    expect(field.startsWith('Subject: =?UTF-8?Q?xxx')).toBe(true);
    for (const line of field.slice(0, -2).split('\r\n'))
      expect(line.length).toBeLessThanOrEqual(78);
  });
});

describe('foldTokens', () => {
  it('never folds right after the field name', () => {
    expect(foldTokens('Subject', ['x'.repeat(90), 'y'])).toBe(
      `Subject: ${'x'.repeat(90)}\r\n y\r\n`,
    );
  });
});

describe('flattenHeaderText', () => {
  it('turns each CR and LF into a space and leaves everything else', () => {
    expect(flattenHeaderText('a\r\nb\rc\nd\te\u0000')).toBe('a  b c d\te\u0000');
  });
});

describe('formatDateHeader', () => {
  it('writes RFC 5322 dates in +0000 with English names', () => {
    expect(formatDateHeader(new Date('2026-12-01T09:05:03Z'))).toBe(
      'Date: Tue, 01 Dec 2026 09:05:03 +0000\r\n',
    );
    // 01:30 in Berlin on the 1st is still the previous day in UTC.
    expect(formatDateHeader(new Date('2027-01-01T01:30:00+01:00'))).toBe(
      'Date: Fri, 01 Jan 2027 00:30:00 +0000\r\n',
    );
    expect(formatDateHeader(new Date('2026-07-05T23:59:59.999Z'))).toBe(
      'Date: Sun, 05 Jul 2026 23:59:59 +0000\r\n',
    );
  });

  it('refuses dates it cannot write', () => {
    expect(() => formatDateHeader(new Date(Number.NaN))).toThrow(SmtpInviteError);
    expect(() => formatDateHeader(new Date('1850-01-01T00:00:00Z'))).toThrow(SmtpInviteError);
  });
});

describe('formatMessageIdHeader and checkEmail', () => {
  it('writes ids in angle brackets', () => {
    expect(formatMessageIdHeader('a.b+c@host.example')).toBe(
      'Message-ID: <a.b+c@host.example>\r\n',
    );
  });

  it.each(['', 'no-at', 'a@b@c', '<a@b>', 'a b@c', 'a@b\r\nX: y', 'a..b@c', 'ä@b'])(
    'refuses the id %j',
    (id) => {
      expect(() => formatMessageIdHeader(id)).toThrow(SmtpInviteError);
    },
  );

  it.each(['alice@example.com', "o'brien+tag@sub.example.co", 'x@localhost'])(
    'accepts the address %j',
    (email) => {
      expect(checkEmail(email)).toBe(email);
    },
  );

  it.each([
    'Alice <alice@example.com>',
    '"quoted"@example.com',
    'a@[127.0.0.1]',
    'a@-bad.example',
    'zoë@example.com',
    'a@b.com\r\nBcc: c@d.com',
    `${'a'.repeat(250)}@example.com`,
  ])('refuses the address %j', (email) => {
    expect(() => checkEmail(email)).toThrow(SmtpInviteError);
  });
});
