/** Value checks the lint rules use: TEXT escaping, dates, periods, durations, at-most-once sets. */
import { describe, expect, it } from 'vitest';
import type { ContentLine } from '../../src/inspect/calendar-model.ts';
import {
  AT_MOST_ONCE,
  TEXT_LIST_PROPERTIES,
  TEXT_PROPERTIES,
  checkTextValue,
  dateValueKind,
  parseDateValue,
  parseDurationValue,
  splitTextList,
  unescapeText,
} from '../../src/inspect/scan-calendar.ts';

describe('checkTextValue', () => {
  it('accepts properly escaped TEXT, including \\N and characters TEXT allows raw', () => {
    expect(checkTextValue('Agenda\\n1. a\\, b\\; c \\\\ d\\N: "quoted" é 🎉')).toEqual([]);
    expect(checkTextValue('')).toEqual([]);
  });

  it('reports unescaped semicolons and commas with their position', () => {
    expect(checkTextValue('a;b')).toEqual(['unescaped ";" at character 2']);
    expect(checkTextValue('a, b, c')).toEqual(['2× unescaped "," (first at character 2)']);
    expect(checkTextValue('x;y,z')).toEqual([
      'unescaped ";" at character 2',
      'unescaped "," at character 4',
    ]);
  });

  it('lets an unescaped comma separate values in a list, but not a semicolon', () => {
    expect(checkTextValue('work,home\\, mostly', { list: true })).toEqual([]);
    expect(checkTextValue('work;home', { list: true })).toEqual(['unescaped ";" at character 5']);
  });

  it('reports backslashes that are not TEXT escapes, and a trailing lone backslash', () => {
    expect(checkTextValue('C:\\Users')).toEqual([
      'backslash not followed by \\, ;, , or n at character 3 ("\\U")',
    ]);
    expect(checkTextValue('a\\:b\\tc')).toEqual([
      '2× backslash not followed by \\, ;, , or n (first at character 2) ("\\:")',
    ]);
    expect(checkTextValue('ends with \\')).toEqual(['trailing lone backslash']);
    // An escaped backslash followed by a lone one: the second is the trailing one.
    expect(checkTextValue('a\\\\\\')).toEqual(['trailing lone backslash']);
    // An escaped backslash does not escape what follows it.
    expect(checkTextValue('\\\\;')).toEqual(['unescaped ";" at character 3']);
  });
});

describe('unescapeText and splitTextList', () => {
  it('decodes the five TEXT escapes and leaves anything else as written', () => {
    expect(unescapeText('a\\,b\\;c\\\\d\\ne\\Nf')).toBe('a,b;c\\d\ne\nf');
    expect(unescapeText('C:\\Users\\')).toBe('C:\\Users\\');
    expect(unescapeText('\\\\n')).toBe('\\n');
    expect(unescapeText('plain')).toBe('plain');
  });

  it('splits a list at unescaped commas only', () => {
    expect(splitTextList('work,home\\, mostly,,x\\\\')).toEqual([
      'work',
      'home, mostly',
      '',
      'x\\',
    ]);
    expect(splitTextList('')).toEqual(['']);
  });
});

describe('parseDateValue', () => {
  it('parses DATE and DATE-TIME, floating and UTC', () => {
    expect(parseDateValue('20261224')).toEqual({
      kind: 'date',
      utc: false,
      year: 2026,
      month: 12,
      day: 24,
      hour: 0,
      minute: 0,
      second: 0,
    });
    expect(parseDateValue('20261201T100503')).toMatchObject({
      kind: 'date-time',
      utc: false,
      hour: 10,
      minute: 5,
      second: 3,
    });
    expect(parseDateValue('20261201T235960Z')).toMatchObject({
      kind: 'date-time',
      utc: true,
      second: 60,
    });
  });

  it('knows real calendar dates (leap years) and clock ranges', () => {
    expect(parseDateValue('20240229')).toBeDefined();
    expect(parseDateValue('20000229')).toBeDefined();
    expect(parseDateValue('20250229')).toBeUndefined();
    expect(parseDateValue('19000229')).toBeUndefined();
    expect(parseDateValue('20260431')).toBeUndefined();
    expect(parseDateValue('20261301')).toBeUndefined();
    expect(parseDateValue('20260001')).toBeUndefined();
    expect(parseDateValue('20260100')).toBeUndefined();
    expect(parseDateValue('20260101T240000')).toBeUndefined();
    expect(parseDateValue('20260101T006000')).toBeUndefined();
    expect(parseDateValue('20260101T000061')).toBeUndefined();
  });

  it('takes only the exact forms', () => {
    for (const bad of [
      '',
      '2026-12-24',
      '20261224T',
      '20261224T1000',
      '20261224T100000z',
      '20261224T100000+0100',
      ' 20261224',
      '20261224 ',
      '19970701T10300Z', // libical/incoming.ics
      '２０２６１２２４', // full-width digits are not DIGIT
    ]) {
      expect(parseDateValue(bad), bad).toBeUndefined();
    }
  });
});

const line = (value: string, params: Record<string, string> = {}): ContentLine => ({
  name: 'DTSTART',
  params: Object.entries(params).map(([name, v]) => ({
    name,
    values: [{ value: v, quoted: false }],
  })),
  value,
  line: 1,
});

describe('dateValueKind', () => {
  it.each([
    ['20261224', {}, 'date'],
    ['20261224', { VALUE: 'DATE' }, 'date'],
    ['20261224', { VALUE: 'date' }, 'date'],
    ['20261224', { VALUE: 'DATE-TIME' }, 'invalid'],
    ['20261224T100000', {}, 'date-time'],
    ['20261224T100000', { TZID: 'Europe/Berlin' }, 'date-time'],
    ['20261224T100000Z', {}, 'date-time-utc'],
    ['20261224T100000Z', { VALUE: 'DATE-TIME' }, 'date-time-utc'],
    ['20261224T100000', { VALUE: 'DATE' }, 'invalid'],
    ['20261224T100000Z/20261224T110000Z', { VALUE: 'PERIOD' }, 'period'],
    ['20261224T100000Z/PT1H', { VALUE: 'PERIOD' }, 'period'],
    ['20261224/PT1H', { VALUE: 'PERIOD' }, 'invalid'],
    ['20261224T100000Z/20261225', { VALUE: 'PERIOD' }, 'invalid'],
    ['20261224T100000Z', { VALUE: 'PERIOD' }, 'invalid'],
    ['20261224T100000Z', { VALUE: 'TEXT' }, 'invalid'],
    ['20261224T100000,20261231T100000', {}, 'date-time'],
    ['20261224T100000,20261231T100000Z', {}, 'invalid'],
    ['20261224,20261231', { VALUE: 'DATE' }, 'date'],
    ['20261224,', { VALUE: 'DATE' }, 'invalid'],
    ['', {}, 'invalid'],
    ['tomorrow', {}, 'invalid'],
  ] as const)('%s %j → %s', (value, params, kind) => {
    expect(dateValueKind(line(value, params))).toBe(kind);
  });
});

describe('parseDurationValue', () => {
  it.each([
    ['PT15M', 900],
    ['-PT15M', -900],
    ['+PT15M', 900],
    ['P1D', 86_400],
    ['P2W', 1_209_600],
    ['P1DT2H3M4S', 93_784],
    ['PT1H', 3600],
    ['PT1H30M', 5400],
    ['PT90S', 90],
    ['PT0S', 0],
    ['-PT0S', 0],
    ['P0D', 0],
  ])('%s → %d seconds', (value, seconds) => {
    expect(parseDurationValue(value)).toBe(seconds);
  });

  it.each([
    '',
    'P',
    'PT',
    '-P',
    'P1',
    'PT1H30S', // dur-hour may only be followed by dur-minute
    'P1W2D', // dur-week stands alone
    'P1DT',
    'P1H',
    'pt15m',
    'PT15M ',
    '15M',
    'PT1.5H',
    `PT${'9'.repeat(20)}S`,
  ])('rejects %j', (value) => {
    expect(parseDurationValue(value)).toBeUndefined();
  });
});

describe('property sets', () => {
  it('lists the TEXT properties the rules check, and the multi-valued ones apart', () => {
    expect([...TEXT_PROPERTIES].sort()).toEqual(
      [
        'COMMENT',
        'CONTACT',
        'DESCRIPTION',
        'LOCATION',
        'RELATED-TO',
        'SUMMARY',
        'X-ALT-DESC',
      ].sort(),
    );
    expect([...TEXT_LIST_PROPERTIES].sort()).toEqual(['CATEGORIES', 'RESOURCES']);
  });

  it('has the RFC 5545 §3.6.1 at-most-once set for VEVENT, and never repeatable properties', () => {
    expect([...(AT_MOST_ONCE['VEVENT'] ?? [])]).toEqual(
      expect.arrayContaining([
        'UID',
        'DTSTAMP',
        'DTSTART',
        'CLASS',
        'CREATED',
        'DESCRIPTION',
        'GEO',
        'LAST-MODIFIED',
        'LOCATION',
        'ORGANIZER',
        'PRIORITY',
        'SEQUENCE',
        'STATUS',
        'SUMMARY',
        'TRANSP',
        'URL',
        'RECURRENCE-ID',
        'DTEND',
        'DURATION',
      ]),
    );
    for (const name of [
      'ATTENDEE',
      'ATTACH',
      'CATEGORIES',
      'COMMENT',
      'EXDATE',
      'RDATE',
      'RRULE',
    ]) {
      expect(AT_MOST_ONCE['VEVENT']?.has(name), name).toBe(false);
    }
    expect([...(AT_MOST_ONCE['VCALENDAR'] ?? [])]).toEqual(
      expect.arrayContaining(['PRODID', 'VERSION', 'CALSCALE', 'METHOD']),
    );
    expect(AT_MOST_ONCE['VTIMEZONE']?.has('TZID')).toBe(true);
    expect(AT_MOST_ONCE['VALARM']?.has('TRIGGER')).toBe(true);
    expect(AT_MOST_ONCE['VALARM']?.has('ATTACH')).toBe(false);
  });
});
