/**
 * The raw iCalendar scanner: exact trees and problems for hand-written inputs (every problem code),
 * folding and parameter edge cases, the real-world files in fixtures/calendars, and our own output.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CalendarScan, Component } from '../../src/inspect/calendar-model.ts';
import {
  AT_MOST_ONCE,
  MAX_COMPONENT_DEPTH,
  MAX_PROBLEMS_PER_CODE,
  TEXT_LIST_PROPERTIES,
  TEXT_PROPERTIES,
  checkTextValue,
  dateValueKind,
  scanCalendar,
} from '../../src/inspect/scan-calendar.ts';

const crlf = (...lines: string[]): string => lines.map((l) => `${l}\r\n`).join('');
const codes = (scan: CalendarScan): string[] => scan.problems.map((p) => p.code);
const problemsOf = (scan: CalendarScan): [string, number][] =>
  scan.problems.map((p) => [p.code, p.line]);
const only = (scan: CalendarScan): Component => {
  expect(scan.components).toHaveLength(1);
  return scan.components[0] as Component;
};
/** The calendar's first child component. */
const firstChild = (scan: CalendarScan): Component => only(scan).components[0] as Component;

describe('scanCalendar: a well-formed calendar', () => {
  const text = crlf(
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Example//Scanner test//EN',
    'METHOD:REQUEST',
    'BEGIN:VEVENT',
    'UID:1@example.com',
    'DTSTART;TZID="FLE":20261201T100000',
    'ATTENDEE;CN="Doe, Jane";ROLE=REQ-PARTICIPANT:mailto:jane@example.com',
    'DESCRIPTION:Agenda\\n1. a\\, b',
    'BEGIN:VALARM',
    'ACTION:DISPLAY',
    'TRIGGER:-PT15M',
    'END:VALARM',
    'END:VEVENT',
    'END:VCALENDAR',
  );

  it('builds the exact tree with line numbers and no problems', () => {
    const scan = scanCalendar(text);
    expect(scan.problems).toEqual([]);
    expect(scan.lines).toBe(15);
    expect(scan.components).toEqual([
      {
        name: 'VCALENDAR',
        line: 1,
        properties: [
          { name: 'VERSION', params: [], value: '2.0', line: 2 },
          { name: 'PRODID', params: [], value: '-//Example//Scanner test//EN', line: 3 },
          { name: 'METHOD', params: [], value: 'REQUEST', line: 4 },
        ],
        components: [
          {
            name: 'VEVENT',
            line: 5,
            properties: [
              { name: 'UID', params: [], value: '1@example.com', line: 6 },
              {
                name: 'DTSTART',
                params: [{ name: 'TZID', values: [{ value: 'FLE', quoted: true }] }],
                value: '20261201T100000',
                line: 7,
              },
              {
                name: 'ATTENDEE',
                params: [
                  { name: 'CN', values: [{ value: 'Doe, Jane', quoted: true }] },
                  { name: 'ROLE', values: [{ value: 'REQ-PARTICIPANT', quoted: false }] },
                ],
                value: 'mailto:jane@example.com',
                line: 8,
              },
              { name: 'DESCRIPTION', params: [], value: 'Agenda\\n1. a\\, b', line: 9 },
            ],
            components: [
              {
                name: 'VALARM',
                line: 10,
                properties: [
                  { name: 'ACTION', params: [], value: 'DISPLAY', line: 11 },
                  { name: 'TRIGGER', params: [], value: '-PT15M', line: 12 },
                ],
                components: [],
              },
            ],
          },
        ],
      },
    ]);
  });

  it('gives the same result for the UTF-8 bytes as for the string', () => {
    expect(scanCalendar(Buffer.from(text, 'utf8'))).toEqual(scanCalendar(text));
  });

  it('tolerates a UTF-8 byte order mark, as bytes and as a decoded string', () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    expect(scanCalendar(withBom)).toEqual(scanCalendar(text));
    expect(scanCalendar(`\ufeff${text}`)).toEqual(scanCalendar(text));
  });
});

describe('scanCalendar: line breaks and physical lines', () => {
  it('reports LF-only input once, with the count and the first line', () => {
    const scan = scanCalendar('BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n');
    expect(problemsOf(scan)).toEqual([['bare-lf', 1]]);
    expect(scan.problems[0]?.message).toContain('3 bare LF');
    expect(only(scan).properties).toEqual([{ name: 'VERSION', params: [], value: '2.0', line: 2 }]);
  });

  it('counts bare CR (old Mac) and mixed endings in the same single problem', () => {
    const scan = scanCalendar('BEGIN:VCALENDAR\r\nVERSION:2.0\rPRODID:x\nEND:VCALENDAR\r\n');
    expect(problemsOf(scan)).toEqual([['bare-lf', 2]]);
    expect(scan.problems[0]?.message).toContain('1 bare LF and 1 bare CR');
    expect(scan.lines).toBe(4);
    expect(only(scan).properties.map((p) => [p.name, p.line])).toEqual([
      ['VERSION', 2],
      ['PRODID', 3],
    ]);
  });

  it('counts octets, not characters, for the 75-octet limit and reports once', () => {
    const ok = `SUMMARY:${'é'.repeat(33)}x`; // 8 + 66 + 1 = 75 octets
    const long = `SUMMARY:${'é'.repeat(34)}`; // 8 + 68 = 76 octets, 42 characters
    expect(Buffer.byteLength(ok)).toBe(75);
    const clean = scanCalendar(crlf('BEGIN:VCALENDAR', ok, 'END:VCALENDAR'));
    expect(clean.problems).toEqual([]);
    const scan = scanCalendar(crlf('BEGIN:VCALENDAR', ok, long, long, 'END:VCALENDAR'));
    expect(problemsOf(scan)).toEqual([['line-too-long', 3]]);
    expect(scan.problems[0]?.message).toMatch(
      /^2 lines longer than 75 octets.*line 3 \(76 octets\)/,
    );
    // Bytes with invalid UTF-8 take the slow path, which measures on the raw bytes.
    const slow = scanCalendar(
      Buffer.concat([
        Buffer.from('BEGIN:VCALENDAR\r\nX-A:'),
        Buffer.from([0xff]),
        Buffer.from(`\r\n${long}\r\n${ok}\r\nEND:VCALENDAR\r\n`),
      ]),
    );
    expect(problemsOf(slow)).toEqual([
      ['invalid-utf8', 2],
      ['line-too-long', 3],
    ]);
    expect(slow.problems[1]?.message).toMatch(/^1 line longer.*\(76 octets\)/);
  });

  it('reports a missing line break after END:VCALENDAR', () => {
    const scan = scanCalendar('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR');
    expect(problemsOf(scan)).toEqual([['missing-final-crlf', 3]]);
    expect(scan.lines).toBe(3);
    expect(only(scan).name).toBe('VCALENDAR');
  });

  it('counts physical lines: a final break ends the last line, it does not start one', () => {
    expect(scanCalendar('').lines).toBe(0);
    expect(scanCalendar('\r\n').lines).toBe(1);
    expect(scanCalendar('A:1\r\nB:2').lines).toBe(2);
    expect(scanCalendar('A:1\r\nB:2\r\n').lines).toBe(2);
  });
});

describe('scanCalendar: bytes and characters', () => {
  it('reports invalid UTF-8 with the first offending line and decodes with U+FFFD', () => {
    const bytes = Buffer.concat([
      Buffer.from('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nSUMMARY:Caf'),
      Buffer.from([0xe9]), // Latin-1 é
      Buffer.from('\r\nLOCATION:'),
      Buffer.from([0xc0, 0xaf]), // overlong "/"
      Buffer.from('\r\nEND:VCALENDAR\r\n'),
    ]);
    const scan = scanCalendar(bytes);
    expect(problemsOf(scan)).toEqual([['invalid-utf8', 3]]);
    expect(scan.problems[0]?.message).toContain('0xE9');
    expect(only(scan).properties.map((p) => p.value)).toEqual(['2.0', 'Caf\ufffd', '\ufffd\ufffd']);
  });

  it('does not take a surrogate code point or a value above U+10FFFF for UTF-8', () => {
    for (const bad of [
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xf8, 0x88, 0x80, 0x80, 0x80],
    ]) {
      const scan = scanCalendar(
        Buffer.concat([
          Buffer.from('BEGIN:VCALENDAR\r\nX-A:'),
          Buffer.from(bad),
          Buffer.from('\r\nEND:VCALENDAR\r\n'),
        ]),
      );
      expect(problemsOf(scan)).toEqual([['invalid-utf8', 2]]);
    }
  });

  it('reports control characters per line and keeps the property as written', () => {
    const scan = scanCalendar(
      crlf(
        'BEGIN:VCALENDAR',
        'SUMMARY:bell\u0007here',
        'X-T:tab\tis fine',
        'X-D:\u007f',
        'END:VCALENDAR',
      ),
    );
    expect(problemsOf(scan)).toEqual([
      ['control-character', 2],
      ['control-character', 4],
    ]);
    expect(scan.problems[0]?.message).toContain('U+0007');
    expect(scan.problems[1]?.message).toContain('U+007F');
    expect(only(scan).properties.map((p) => p.value)).toEqual([
      'bell\u0007here',
      'tab\tis fine',
      '\u007f',
    ]);
  });
});

describe('scanCalendar: unfolding', () => {
  it('removes the line break and exactly one space or tab', () => {
    const scan = scanCalendar(
      crlf('BEGIN:VCALENDAR', 'DESCRIPTION:one', '  two', '\tthree', ' ', ' four', 'END:VCALENDAR'),
    );
    expect(scan.problems).toEqual([]);
    expect(only(scan).properties).toEqual([
      { name: 'DESCRIPTION', params: [], value: 'one twothreefour', line: 2 },
    ]);
    expect(only(scan).components).toEqual([]);
  });

  it('unfolds anywhere: inside a parameter value, after the name, before the colon', () => {
    const scan = scanCalendar(
      'BEGIN:VCALENDAR\nATTENDEE;CN=Person;RSVP=TRU\n E:mailto:person@foo.com\nMETHOD\n :REQUEST\nATTENDEE\n ;ROLE=CHAIR\n :mailto:a@b.c\nEND:VCALENDAR\n',
    );
    expect(codes(scan)).toEqual(['bare-lf']);
    expect(only(scan).properties).toEqual([
      {
        name: 'ATTENDEE',
        params: [
          { name: 'CN', values: [{ value: 'Person', quoted: false }] },
          { name: 'RSVP', values: [{ value: 'TRUE', quoted: false }] },
        ],
        value: 'mailto:person@foo.com',
        line: 2,
      },
      { name: 'METHOD', params: [], value: 'REQUEST', line: 4 },
      {
        name: 'ATTENDEE',
        params: [{ name: 'ROLE', values: [{ value: 'CHAIR', quoted: false }] }],
        value: 'mailto:a@b.c',
        line: 6,
      },
    ]);
  });

  it('joins the bytes of a multi-octet character split by a fold before decoding', () => {
    // "€" is E2 82 AC, "😀" is F0 9F 98 80: folds after the first one, two and three octets.
    const parts = [
      Buffer.from('BEGIN:VCALENDAR\r\nSUMMARY:price '),
      Buffer.from([0xe2, 0x82]),
      Buffer.from('\r\n '),
      Buffer.from([0xac]),
      Buffer.from(' ok '),
      Buffer.from([0xf0]),
      Buffer.from('\r\n\t'),
      Buffer.from([0x9f, 0x98, 0x80]),
      Buffer.from(' '),
      Buffer.from([0xf0, 0x9f, 0x98]),
      Buffer.from('\r\n '),
      Buffer.from([0x80]),
      Buffer.from('\r\nEND:VCALENDAR\r\n'),
    ];
    const scan = scanCalendar(Buffer.concat(parts));
    expect(scan.problems).toEqual([]);
    expect(scan.lines).toBe(6);
    expect(only(scan).properties).toEqual([
      { name: 'SUMMARY', params: [], value: 'price € ok 😀 😀', line: 2 },
    ]);
  });

  it('still reports genuinely invalid bytes next to a repaired fold', () => {
    const scan = scanCalendar(
      Buffer.concat([
        Buffer.from('BEGIN:VCALENDAR\r\nSUMMARY:'),
        Buffer.from([0xc3]),
        Buffer.from('\r\n '),
        Buffer.from([0xa9]),
        Buffer.from('\r\nLOCATION:'),
        Buffer.from([0xc3]),
        Buffer.from('\r\nEND:VCALENDAR\r\n'),
      ]),
    );
    expect(problemsOf(scan)).toEqual([['invalid-utf8', 4]]);
    expect(only(scan).properties.map((p) => [p.name, p.value, p.line])).toEqual([
      ['SUMMARY', 'é', 2],
      ['LOCATION', '\ufffd', 4],
    ]);
  });

  it('reports a blank line (Teams sends one inside VEVENT) and ignores it', () => {
    const scan = scanCalendar(
      crlf(
        'BEGIN:VCALENDAR',
        'BEGIN:VEVENT',
        'ATTENDEE:mailto:a@b.c',
        '',
        'END:VEVENT',
        'END:VCALENDAR',
      ),
    );
    expect(problemsOf(scan)).toEqual([['empty-line', 4]]);
    expect(firstChild(scan).properties.map((p) => p.name)).toEqual(['ATTENDEE']);
  });

  it('does not report blank lines after the end of the text, but does before it', () => {
    expect(scanCalendar(`${crlf('BEGIN:VCALENDAR', 'END:VCALENDAR')}\r\n\r\n`).problems).toEqual(
      [],
    );
    expect(problemsOf(scanCalendar(`\r\n${crlf('BEGIN:VCALENDAR', 'END:VCALENDAR')}`))).toEqual([
      ['empty-line', 1],
    ]);
  });

  it('does not let a continuation line cross a blank line', () => {
    const scan = scanCalendar(crlf('BEGIN:VCALENDAR', 'SUMMARY:a', '', ' b', 'END:VCALENDAR'));
    expect(problemsOf(scan)).toEqual([
      ['empty-line', 3],
      ['malformed-line', 4],
    ]);
    expect(only(scan).properties).toEqual([{ name: 'SUMMARY', params: [], value: 'a', line: 2 }]);
  });
});

describe('scanCalendar: content lines', () => {
  const scanOne = (line: string) => {
    const scan = scanCalendar(crlf('BEGIN:VCALENDAR', line, 'END:VCALENDAR'));
    return { scan, property: only(scan).properties[0] };
  };

  it('takes the value after the first colon outside quotes; the value may contain colons', () => {
    expect(scanOne('X-BAR;PARAM1="VAL1:FOO":BAZ;BAR').property).toEqual({
      name: 'X-BAR',
      params: [{ name: 'PARAM1', values: [{ value: 'VAL1:FOO', quoted: true }] }],
      value: 'BAZ;BAR',
      line: 2,
    });
    expect(scanOne('URL:https://example.com/a:b?c=d;e').property?.value).toBe(
      'https://example.com/a:b?c=d;e',
    );
    expect(scanOne('X-FOO;BAR=";hidden=value";FOO=baz:realvalue').property).toEqual({
      name: 'X-FOO',
      params: [
        { name: 'BAR', values: [{ value: ';hidden=value', quoted: true }] },
        { name: 'FOO', values: [{ value: 'baz', quoted: false }] },
      ],
      value: 'realvalue',
      line: 2,
    });
  });

  it('splits multi-valued parameters and keeps which values were quoted', () => {
    expect(
      scanOne('ATTENDEE;DELEGATED-TO="mailto:a@x","mailto:b@x",c;CN="Foo; Bar":mailto:d@x').property
        ?.params,
    ).toEqual([
      {
        name: 'DELEGATED-TO',
        values: [
          { value: 'mailto:a@x', quoted: true },
          { value: 'mailto:b@x', quoted: true },
          { value: 'c', quoted: false },
        ],
      },
      { name: 'CN', values: [{ value: 'Foo; Bar', quoted: true }] },
    ]);
  });

  it('decodes RFC 6868 caret escapes in quoted and unquoted values, and only those', () => {
    expect(
      scanOne("X-PARAM;NEWLINE=^n;ALL=^^^'^n;UNKNOWN=^a^ ^asd;Q=\"^'x^'\":asd").property?.params,
    ).toEqual([
      { name: 'NEWLINE', values: [{ value: '\n', quoted: false }] },
      { name: 'ALL', values: [{ value: '^"\n', quoted: false }] },
      { name: 'UNKNOWN', values: [{ value: '^a^ ^asd', quoted: false }] },
      { name: 'Q', values: [{ value: '"x"', quoted: true }] },
    ]);
  });

  it('upper-cases names and parameter names, keeps values and groups as written', () => {
    const scan = scanCalendar(
      crlf('begin:vcalendar', 'item1.x-Apple-Thing;x-param=Value:MiXed', 'end:Vcalendar'),
    );
    expect(scan.problems).toEqual([]);
    expect(only(scan)).toEqual({
      name: 'VCALENDAR',
      line: 1,
      components: [],
      properties: [
        {
          name: 'X-APPLE-THING',
          group: 'item1',
          params: [{ name: 'X-PARAM', values: [{ value: 'Value', quoted: false }] }],
          value: 'MiXed',
          line: 2,
        },
      ],
    });
  });

  it('keeps empty values and empty parameter values', () => {
    expect(scanOne('CLASS:').property).toEqual({ name: 'CLASS', params: [], value: '', line: 2 });
    expect(scanOne('DTSTART;TZID=;X="":20260101T000000').property?.params).toEqual([
      { name: 'TZID', values: [{ value: '', quoted: false }] },
      { name: 'X', values: [{ value: '', quoted: true }] },
    ]);
  });

  it('accepts backslashes in parameter values (they are not escapes there)', () => {
    expect(scanOne('ATTENDEE;CN=X\\:mailto:x@example.org').property).toEqual({
      name: 'ATTENDEE',
      params: [{ name: 'CN', values: [{ value: 'X\\', quoted: false }] }],
      value: 'mailto:x@example.org',
      line: 2,
    });
  });

  it.each([
    ['SUMMARY', /no ":" before the value of SUMMARY/],
    ['SUMMARY text', /unexpected " " where ";" or ":" should follow SUMMARY/],
    [':value', /does not start with a property name \(":"\)/],
    ['ATTENDEE;RSVP:mailto:a@b.c', /parameter RSVP has no "="/],
    ['ATTENDEE;=x:mailto:a@b.c', /a parameter has no valid name \("="\)/],
    ['ATTENDEE;CN="unterminated:mailto:a@b.c', /quoted value of parameter CN is never closed/],
    ['ATTENDEE;CN="a"b:mailto:a@b.c', /"b" after the closing quote of parameter CN/],
    ['ATTENDEE;CN=a"b":mailto:a@b.c', /a '"' inside the unquoted value of parameter CN/],
    [
      'ATTENDEE;DELEGATED-TO= "mailto:a@b.c":mailto:d@e.f',
      /whitespace before the opening quote of parameter DELEGATED-TO/,
    ],
    [
      'DTSTART;TZID="W. Europe Standard Time:20200609T090000"',
      /the end of the line after the closing quote/,
    ],
    ['item1.:x', /no property name after the group "item1."/],
    ['ORGANIZER;CN=Jo\u0000hn:mailto:j@x', null],
  ])('reports %j as malformed and skips only that line', (line, reason) => {
    const scan = scanCalendar(
      crlf('BEGIN:VCALENDAR', 'VERSION:2.0', line, 'METHOD:REQUEST', 'END:VCALENDAR'),
    );
    if (reason === null) {
      // A control character is a problem of its own, not a parse failure.
      expect(codes(scan)).toEqual(['control-character']);
      return;
    }
    expect(problemsOf(scan)).toEqual([['malformed-line', 3]]);
    expect(scan.problems[0]?.message).toMatch(reason);
    expect(only(scan).properties.map((p) => p.name)).toEqual(['VERSION', 'METHOD']);
  });

  it('lists a code at most MAX_PROBLEMS_PER_CODE times, then says how many more', () => {
    const junk = Array.from({ length: 50 }, () => 'junk');
    const scan = scanCalendar(crlf('BEGIN:VCALENDAR', ...junk, 'END:VCALENDAR'));
    expect(scan.problems).toHaveLength(MAX_PROBLEMS_PER_CODE + 1);
    expect(scan.problems.every((p) => p.code === 'malformed-line')).toBe(true);
    expect(scan.problems.at(-1)).toEqual({
      code: 'malformed-line',
      line: MAX_PROBLEMS_PER_CODE + 2,
      message: `…and ${50 - MAX_PROBLEMS_PER_CODE} more malformed-line problems not listed`,
    });
  });
});

describe('scanCalendar: structure', () => {
  it('closes an inner component left open by its parent END, and reports it', () => {
    const scan = scanCalendar(
      crlf(
        'BEGIN:VCALENDAR',
        'BEGIN:VEVENT',
        'BEGIN:VALARM',
        'TRIGGER:-PT5M',
        'END:VEVENT',
        'UID:late',
        'END:VCALENDAR',
      ),
    );
    expect(problemsOf(scan)).toEqual([['unbalanced-component', 3]]);
    expect(scan.problems[0]?.message).toContain('closed by END:VEVENT at line 5');
    const vevent = firstChild(scan);
    expect(vevent.components.map((c) => [c.name, c.properties.length])).toEqual([['VALARM', 1]]);
    // After END:VEVENT we are back in VCALENDAR.
    expect(only(scan).properties.map((p) => p.value)).toEqual(['late']);
  });

  it('reports and ignores an END without BEGIN', () => {
    const scan = scanCalendar(
      crlf('BEGIN:VCALENDAR', 'END:VEVENT', 'VERSION:2.0', 'END:VCALENDAR'),
    );
    expect(problemsOf(scan)).toEqual([['unbalanced-component', 2]]);
    expect(scan.problems[0]?.message).toContain('END:VEVENT without a matching BEGIN:VEVENT');
    expect(only(scan).properties.map((p) => p.name)).toEqual(['VERSION']);
  });

  it('closes what is still open at the end of the text, innermost first', () => {
    const scan = scanCalendar(crlf('BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'UID:1'));
    expect(problemsOf(scan)).toEqual([
      ['unbalanced-component', 1],
      ['unbalanced-component', 2],
    ]);
    expect(firstChild(scan).properties.map((p) => p.value)).toEqual(['1']);
  });

  it('keeps several calendars and reports text between and around them', () => {
    const scan = scanCalendar(
      crlf(
        'Hello,',
        'see below',
        'BEGIN:VCALENDAR',
        'END:VCALENDAR',
        'X-STRAY:1',
        'BEGIN:VCALENDAR',
        'END:VCALENDAR',
        'Thanks!',
      ),
    );
    expect(problemsOf(scan)).toEqual([
      ['text-before-begin', 1],
      ['text-after-end', 5],
      ['text-after-end', 8],
    ]);
    expect(scan.problems[0]?.message).toMatch(/^2 lines before the first BEGIN/);
    expect(scan.components.map((c) => [c.name, c.line])).toEqual([
      ['VCALENDAR', 3],
      ['VCALENDAR', 6],
    ]);
  });

  it('reports a BEGIN or END without a component name as malformed', () => {
    const scan = scanCalendar(crlf('BEGIN:VCALENDAR', 'BEGIN:', 'END:V EVENT', 'END:VCALENDAR'));
    expect(problemsOf(scan)).toEqual([
      ['malformed-line', 2],
      ['malformed-line', 3],
    ]);
    expect(only(scan).components).toEqual([]);
  });

  it.each([
    ['empty input', ''],
    ['plain text', 'Hello\r\nworld\r\n'],
    ['a vCard', crlf('BEGIN:VCARD', 'FN:Jane', 'END:VCARD')],
  ])('reports no-calendar for %s', (_, text) => {
    expect(codes(scanCalendar(text))).toContain('no-calendar');
    expect(scanCalendar(text).problems.find((p) => p.code === 'no-calendar')?.line).toBe(0);
  });

  it('ignores components nested deeper than MAX_COMPONENT_DEPTH, up to their END', () => {
    const depth = MAX_COMPONENT_DEPTH + 2;
    const begins = Array.from({ length: depth }, (_, i) => `BEGIN:X-${i}`);
    const ends = Array.from({ length: depth }, (_, i) => `END:X-${depth - 1 - i}`);
    const scan = scanCalendar(
      crlf('BEGIN:VCALENDAR', ...begins, 'X-DEEP:1', ...ends, 'END:VCALENDAR'),
    );
    expect(problemsOf(scan)).toEqual([['nesting-too-deep', MAX_COMPONENT_DEPTH + 1]]);
    let component = only(scan);
    let levels = 1;
    while (component.components[0] !== undefined) {
      component = component.components[0];
      levels++;
    }
    expect(levels).toBe(MAX_COMPONENT_DEPTH);
    expect(component.properties).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Real files (fixtures/calendars, copied from the shared corpus with their licence notices).

const CALENDARS = new URL('../../fixtures/calendars/', import.meta.url).pathname;
const realFiles = readdirSync(CALENDARS, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    readdirSync(join(CALENDARS, d.name))
      .filter((f) => /\.(ics|txt)$/.test(f))
      .map((f) => `${d.name}/${f}`),
  )
  .sort();
const readReal = (name: string): Buffer => readFileSync(join(CALENDARS, name));

/**
 * The problem codes each real file must produce (bare-lf for all but none here is CRLF, so it is
 * listed). Checked by hand against the files: the notes say why the unusual ones are there.
 */
const EXPECTED_CODES: Record<string, string[]> = {
  'ical4j/Standup.ics': ['bare-lf', 'line-too-long'],
  'ical4j/TZ-no-description.txt': ['bare-lf', 'missing-final-crlf'],
  'ical4j/blankTzid.ics': ['bare-lf'],
  'ical4j/calconnect.ics': ['bare-lf', 'missing-final-crlf'],
  'ical4j/example1.ics': ['bare-lf', 'line-too-long'],
  'ical4j/groupwise.ics': ['bare-lf', 'line-too-long'],
  // A blank line between the two VCALENDARs.
  'ical4j/multiple_calendars.ics': ['bare-lf', 'empty-line'],
  'ical4j/outlook1.txt': ['bare-lf', 'line-too-long', 'missing-final-crlf'],
  'ical4j/timezones_outlook1.txt': ['bare-lf', 'line-too-long', 'missing-final-crlf'],
  'ical4j/tmeher.ics': ['bare-lf', 'missing-final-crlf'],
  'ical4j/zidestoreical4jbomb.ics': ['bare-lf', 'line-too-long', 'missing-final-crlf'],
  'icalevents/icloud.ics': ['bare-lf'],
  'icalevents/ms_tz.ics': ['bare-lf'],
  'icalevents/multi_attendee_response.ics': ['bare-lf'],
  'icalevents/multi_exdate_same_line_ms.ics': ['bare-lf'],
  'icalevents/non_ascii_uid.ics': ['bare-lf'],
  'icalevents/recurrenceid_google.ics': ['bare-lf'],
  'icalevents/recurrenceid_ms.ics': ['bare-lf'],
  'icalevents/response.ics': ['bare-lf'],
  'icaljs/duration_instead_of_dtend.ics': ['bare-lf'],
  'icaljs/minimal.ics': ['bare-lf'],
  'icaljs/property_params.ics': ['bare-lf'],
  'icaljs/quoted_params.ics': ['bare-lf'],
  'icaljs/recur_instances.ics': ['bare-lf'],
  // Ends in a blank line, which is tolerated.
  'icaljs/unfold_properties.ics': ['bare-lf'],
  // RFC 5545 examples folded with two spaces: `DELEGATED-FROM=` / `  "mailto:…"`.
  'khal/event_dt_partstat.ics': ['bare-lf', 'malformed-line'],
  'khal/tz_windows_format.ics': ['bare-lf'],
  // Concatenated VCALENDARs separated (and preceded) by blank lines.
  'libical/2446.ics': ['bare-lf', 'empty-line'],
  'libical/classify.ics': ['bare-lf', 'empty-line'],
  'libical/incoming.ics': ['bare-lf', 'empty-line', 'line-too-long'],
  'libical/itip.ics': ['bare-lf', 'empty-line'],
  'libical/outgoing.ics': ['bare-lf'],
  'libical/process-calendar.ics': ['bare-lf', 'empty-line'],
  'libical/process-incoming.ics': ['bare-lf', 'empty-line'],
  'node-ical/Office-2012-owa.ics': ['bare-lf', 'missing-final-crlf'],
  'node-ical/attendee-with-url.ics': ['bare-lf', 'line-too-long'],
  'node-ical/bad_custom_ms_tz.ics': ['bare-lf', 'missing-final-crlf'],
  'node-ical/bad_ms_tz.ics': ['bare-lf', 'missing-final-crlf'],
  'node-ical/duplicate-uid-sequence.ics': ['bare-lf'],
  'node-ical/event-organizer-cn.ics': ['bare-lf'],
  'node-ical/exchange-custom-tz.ics': ['bare-lf'],
  'node-ical/exchange_whole_day_moved_recurrence.ics': ['bare-lf'],
  'node-ical/exchange_whole_day_moved_recurrence_offset_tz.ics': ['bare-lf'],
  'node-ical/google-calendar-kiev-tz.ics': ['bare-lf', 'missing-final-crlf'],
  'node-ical/google-recurrence-order.ics': ['bare-lf'],
  'node-ical/mixed-timezone-handling.ics': ['bare-lf'],
  // TZID="W. Europe Standard Time:20200609T090000": the quote swallows the value.
  'node-ical/ms_timezones.ics': [
    'bare-lf',
    'line-too-long',
    'malformed-line',
    'missing-final-crlf',
  ],
  'node-ical/recurrence-sequence.ics': ['bare-lf'],
  'node-ical/tentative-apple-calendar.ics': ['bare-lf'],
  'node-ical/test_with_int_tzid.ics': ['bare-lf', 'line-too-long'],
  'node-ical/vfreebusy-zimbra.ics': ['bare-lf'],
  'node-ical/windows-quoted-tz-rrule.ics': ['bare-lf'],
  'python-icalendar/issue_165_missing_event.ics': ['bare-lf'],
  'python-icalendar/issue_27_multiple_periods_in_freebusy_multiple_freebusies.ics': ['bare-lf'],
  // A trailing X-COMMENT line after END:VCALENDAR.
  'python-icalendar/issue_350.ics': ['bare-lf', 'text-after-end'],
  'python-icalendar/issue_836_do_not_quote_tzid.ics': ['bare-lf'],
  'python-icalendar/property_params.ics': ['bare-lf', 'line-too-long'],
  'python-icalendar/rfc_6868.ics': ['bare-lf'],
  'python-icalendar/timezone_same_start.ics': ['bare-lf'],
};

describe('scanCalendar: real-world files', () => {
  it('has an expectation for every file in fixtures/calendars', () => {
    expect(realFiles).toEqual(Object.keys(EXPECTED_CODES).sort());
  });

  it.each(realFiles)('%s: raises exactly the expected problem codes', (name) => {
    const scan = scanCalendar(readReal(name));
    expect([...new Set(codes(scan))].sort()).toEqual(EXPECTED_CODES[name]);
    expect(scan.components.some((c) => c.name === 'VCALENDAR')).toBe(true);
    // LF-only files: one bare-lf entry, never one per line.
    expect(codes(scan).filter((c) => c === 'bare-lf')).toHaveLength(1);
    expect(codes(scan).filter((c) => c === 'line-too-long').length).toBeLessThanOrEqual(1);
  });

  it('icaljs/property_params.ics: quoted separators, multi-values, RFC 6868, backslashes', () => {
    const attendees = only(scanCalendar(readReal('icaljs/property_params.ics'))).properties.filter(
      (p) => p.name === 'ATTENDEE',
    );
    expect(attendees.map((a) => a.value)).toEqual([
      'mailto:foo1@bar',
      'mailto:foo2@bar',
      'mailto:foo3@bar',
      'mailto:foo4@bar',
      'mailto:foo5@bar',
      'mailto:foo6@bar',
      'mailto:foo9@bar',
      'mailto:foo@bar.com',
      'mailto:x@example.org',
      'mailto:y@example.org',
    ]);
    expect(attendees[1]?.params).toEqual([
      {
        name: 'DELEGATED-TO',
        values: [
          { value: 'mailto:foo7@bar', quoted: true },
          { value: 'mailto:foo8@bar', quoted: true },
        ],
      },
      { name: 'CN', values: [{ value: 'Foo; Bar', quoted: true }] },
    ]);
    expect(attendees[6]?.params).toEqual([
      { name: 'CN', values: [{ value: '^Ж 4 <>\\\'"\n:', quoted: true }] },
    ]);
    expect(attendees[7]?.params[0]).toEqual({
      name: 'ROLE',
      values: [{ value: 'REQ-PARTICIPANT;foo', quoted: true }],
    });
    expect(attendees[9]?.params).toEqual([
      { name: 'CN', values: [{ value: 'Y\\', quoted: true }] },
    ]);
  });

  it('icaljs/quoted_params.ics: a continuation starting with two spaces keeps one', () => {
    expect(only(scanCalendar(readReal('icaljs/quoted_params.ics'))).properties).toEqual([
      {
        name: 'X-FOO',
        params: [
          { name: 'BAR', values: [{ value: ';hidden=value', quoted: true }] },
          { name: 'FOO', values: [{ value: 'baz', quoted: false }] },
        ],
        value: 'realvalue yep',
        line: 2,
      },
    ]);
  });

  it('ical4j/zidestoreical4jbomb.ics: every parameter quoted, bare DATE values', () => {
    const scan = scanCalendar(readReal('ical4j/zidestoreical4jbomb.ics'));
    expect(problemsOf(scan)).toEqual([
      ['bare-lf', 1],
      ['line-too-long', 21],
      ['missing-final-crlf', 24],
    ]);
    const vevent = firstChild(scan);
    const attendee = vevent.properties.find((p) => p.name === 'ATTENDEE');
    expect(attendee?.params.map((p) => [p.name, p.values])).toEqual([
      ['CUTYPE', [{ value: 'INDIVIDUAL', quoted: true }]],
      ['PARTSTAT', [{ value: 'NEEDS-ACTION', quoted: true }]],
      ['ROLE', [{ value: 'REQ-PARTICIPANT', quoted: true }]],
      ['RSVP', [{ value: 'FALSE', quoted: true }]],
      ['CN', [{ value: 'No Name', quoted: true }]],
    ]);
    const dtstart = vevent.properties.find((p) => p.name === 'DTSTART');
    expect(dtstart === undefined ? undefined : dateValueKind(dtstart)).toBe('date');
  });

  it('python-icalendar/issue_350.ics: tab-folded lines and the trailing line after END', () => {
    const scan = scanCalendar(readReal('python-icalendar/issue_350.ics'));
    expect(problemsOf(scan)).toEqual([
      ['bare-lf', 1],
      ['text-after-end', 36],
    ]);
    const vevent = firstChild(scan);
    expect(vevent.properties.find((p) => p.name === 'X-ALT-DESC')?.value).not.toMatch(/\t/);
  });

  it('khal/event_dt_partstat.ics: names the two-space fold in the message', () => {
    const scan = scanCalendar(readReal('khal/event_dt_partstat.ics'));
    expect(
      scan.problems.filter((p) => p.code === 'malformed-line').map((p) => [p.line, p.message]),
    ).toEqual([
      [
        10,
        expect.stringContaining('whitespace before the opening quote of parameter DELEGATED-FROM'),
      ],
      [
        13,
        expect.stringContaining('whitespace before the opening quote of parameter DELEGATED-TO'),
      ],
    ]);
  });

  it('libical/2446.ics: 53 calendars, none lost to the blank lines between them', () => {
    const scan = scanCalendar(readReal('libical/2446.ics'));
    expect(scan.components.filter((c) => c.name === 'VCALENDAR')).toHaveLength(53);
    expect(scan.lines).toBe(1006);
  });
});

// ---------------------------------------------------------------------------------------------
// Our own output.

const INVITES = new URL('../../fixtures/invites/', import.meta.url).pathname;
const invites = readdirSync(INVITES).sort();

describe('scanCalendar: our own invitations', () => {
  it('has invitations to check', () => {
    expect(invites.length).toBeGreaterThan(10);
  });

  it.each(invites)('%s/expected.ics scans with zero problems and clean values', (name) => {
    const scan = scanCalendar(readFileSync(join(INVITES, name, 'expected.ics')));
    expect(scan.problems).toEqual([]);
    const walk = (component: Component): void => {
      const once = AT_MOST_ONCE[component.name];
      const seen = new Set<string>();
      for (const property of component.properties) {
        if (once?.has(property.name) === true) {
          expect(seen.has(property.name), `${component.name} ${property.name} twice`).toBe(false);
        }
        seen.add(property.name);
        if (TEXT_PROPERTIES.has(property.name) || TEXT_LIST_PROPERTIES.has(property.name)) {
          const list = TEXT_LIST_PROPERTIES.has(property.name);
          expect(checkTextValue(property.value, { list }), property.name).toEqual([]);
        }
        if (['DTSTART', 'DTEND', 'DTSTAMP', 'RECURRENCE-ID', 'EXDATE'].includes(property.name)) {
          expect(dateValueKind(property), `${property.name}:${property.value}`).not.toBe('invalid');
        }
      }
      component.components.forEach(walk);
    };
    scan.components.forEach(walk);
  });
});
