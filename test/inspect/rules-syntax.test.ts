/**
 * The iCalendar syntax rules (category 'syntax') beyond their one hand-made fixture each: the
 * message-vs-saved-file decisions (bare-lf, missing-final-crlf), the invalid-utf8 / invalid-charset
 * split, what must NOT fire, and caps on hostile input.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scanCalendar } from '../../src/inspect/scan-calendar.ts';
import { inspect, inspectCalendar } from '../../src/inspect/inspect-engine.ts';
import type { InspectContext, InspectReport } from '../../src/inspect/inspect-types.ts';
import { RULES } from '../../src/inspect/rule-catalogue.ts';
import { SYNTAX_RULES } from '../../src/inspect/rules/syntax-rules.ts';
import { noVcalendar } from '../../src/inspect/rules/no-vcalendar.ts';

const fixture = (p: string) => readFileSync(new URL(`../../fixtures/${p}`, import.meta.url));
/** The clean calendar (CRLF, zero findings) that the cases below alter. */
const ICS = fixture('invites/simple-meeting/expected.ics').toString('utf8');
const SYNTAX_IDS = new Set(SYNTAX_RULES.map((r) => r.id));

const rulesOf = (report: InspectReport): string[] =>
  [...new Set(report.findings.map((f) => f.rule))].sort();
const syntaxRulesOf = (report: InspectReport): string[] =>
  rulesOf(report).filter((id) => SYNTAX_IDS.has(id));
const hits = (report: InspectReport, rule: string) =>
  report.findings.filter((f) => f.rule === rule);
/** The clean calendar with `from` replaced (which must occur). */
const ics = (from: string, to: string): string => {
  expect(ICS).toContain(from);
  return ICS.replace(from, to);
};
const toLf = (s: string): string => s.replace(/\r\n/g, '\n');

/** A one-part message carrying `calendar` (a string is UTF-8) with the given headers. */
function message(
  calendar: string | Buffer,
  options: { encoding?: '7bit' | 'base64'; charset?: string | null; eol?: string } = {},
): Buffer {
  const eol = options.eol ?? '\r\n';
  const bytes = typeof calendar === 'string' ? Buffer.from(calendar, 'utf8') : calendar;
  const encoding = options.encoding ?? '7bit';
  const charset =
    options.charset === null ? '' : `; charset=${JSON.stringify(options.charset ?? 'UTF-8')}`;
  const head = [
    'From: Olga Organizer <olga@example.com>',
    'To: Ada Lovelace <ada@example.com>',
    'Subject: Invitation: Project kick-off',
    'Date: Thu, 01 Jan 2026 00:00:00 +0000',
    'Message-ID: <rules-syntax@example.com>',
    'MIME-Version: 1.0',
    `Content-Type: text/calendar; method=REQUEST${charset}`,
    `Content-Transfer-Encoding: ${encoding}`,
    '',
    '',
  ].join(eol);
  const body =
    encoding === 'base64'
      ? Buffer.from(
          (bytes.toString('base64').match(/.{1,76}/g) ?? []).map((l) => l + eol).join(''),
          'latin1',
        )
      : bytes;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

describe('syntax rules', () => {
  it('none fires on our own output (fixtures/invites/*/expected.eml|ics)', () => {
    const invites = new URL('../../fixtures/invites/', import.meta.url);
    for (const name of readdirSync(invites)) {
      for (const file of ['expected.eml', 'expected.ics']) {
        const report = inspect(fixture(`invites/${name}/${file}`), {
          recipient: 'ada@example.com',
        });
        expect(syntaxRulesOf(report), `${name}/${file}`).toEqual([]);
      }
    }
  });
});

describe('bare-lf', () => {
  it('always judges a standalone .ics', () => {
    const report = inspectCalendar(toLf(ICS));
    expect(syntaxRulesOf(report)).toEqual(['bare-lf']);
    expect(hits(report, 'bare-lf')[0]).toMatchObject({ path: 'calendar', line: 1 });
  });

  it('does not fire on a message saved with LF line endings (7bit calendar part)', () => {
    const saved = toLf(fixture('invites/simple-meeting/expected.eml').toString('latin1'));
    expect(syntaxRulesOf(inspect(Buffer.from(saved, 'latin1')))).toEqual([]);
    expect(syntaxRulesOf(inspect(message(toLf(ICS), { eol: '\n' })))).toEqual([]);
  });

  it('fires for an LF calendar in a message whose own headers end in CRLF', () => {
    const report = inspect(message(toLf(ICS)));
    expect(syntaxRulesOf(report)).toEqual(['bare-lf']);
  });

  it('fires for an LF calendar inside base64, even in a message saved with LF', () => {
    const report = inspect(message(toLf(ICS), { encoding: 'base64', eol: '\n' }));
    expect(syntaxRulesOf(report)).toEqual(['bare-lf']);
  });

  it('reports bare CR line ends too', () => {
    expect(syntaxRulesOf(inspectCalendar(ICS.replace(/\r\n/g, '\r')))).toEqual(['bare-lf']);
  });
});

describe('missing-final-crlf', () => {
  const unterminated = ICS.slice(0, -2);

  it('does not judge a 7bit part that ends right at the boundary (the CRLF is the delimiter’s)', () => {
    const report = inspect(message(unterminated));
    expect(syntaxRulesOf(report)).toEqual([]);
  });

  it('judges a base64 part, whose bytes are exactly what was written', () => {
    const report = inspect(message(unterminated, { encoding: 'base64' }));
    expect(syntaxRulesOf(report)).toEqual(['missing-final-crlf']);
    expect(hits(report, 'missing-final-crlf')[0]?.line).toBe(ICS.split('\r\n').length - 1);
  });

  it('is reported next to bare-lf: LF→CRLF conversion does not add the last line break', () => {
    expect(syntaxRulesOf(inspectCalendar(toLf(unterminated)))).toEqual([
      'bare-lf',
      'missing-final-crlf',
    ]);
  });

  it('does not fire for trailing blank lines (nor does empty-line)', () => {
    expect(syntaxRulesOf(inspectCalendar(`${ICS}\r\n\r\n`))).toEqual([]);
  });
});

describe('line-too-long', () => {
  it('counts octets: 75 ASCII characters pass, 75 characters with one "ü" do not', () => {
    const at75 = `SUMMARY:${'x'.repeat(75 - 8)}`;
    expect(syntaxRulesOf(inspectCalendar(ics('SUMMARY:Project kick-off', at75)))).toEqual([]);
    const umlaut = `SUMMARY:ü${'x'.repeat(75 - 9)}`;
    expect(syntaxRulesOf(inspectCalendar(ics('SUMMARY:Project kick-off', umlaut)))).toEqual([
      'line-too-long',
    ]);
  });

  it('reports once per part, with the count of long lines', () => {
    const long = `DESCRIPTION:${'x'.repeat(100)}`;
    const text = ics('SUMMARY:Project kick-off', `SUMMARY:${'y'.repeat(90)}\r\n${long}`);
    const found = hits(inspectCalendar(text), 'line-too-long');
    expect(found).toHaveLength(1);
    expect(found[0]?.message).toMatch(/^2 lines longer than 75 octets/);
  });
});

describe('invalid-utf8 and invalid-charset', () => {
  const latin1 = Buffer.from(ics('SUMMARY:Project kick-off', 'SUMMARY:M\xfcnchen'), 'latin1');
  const owners = (report: InspectReport) =>
    rulesOf(report).filter((id) => id === 'invalid-utf8' || id === 'invalid-charset');

  it('invalid-utf8 owns a part without a charset parameter', () => {
    const report = inspect(message(latin1, { charset: null }));
    expect(owners(report)).toEqual(['invalid-utf8']);
    expect(hits(report, 'invalid-utf8')[0]?.line).toBe(29);
  });

  it('does not fire when charset=UTF-8 is declared (invalid-charset owns it)', () => {
    expect(owners(inspect(message(latin1, { charset: 'UTF-8' })))).toEqual(['invalid-charset']);
  });

  it('does not fire for a part in a declared legacy charset', () => {
    expect(rulesOf(inspect(message(latin1, { charset: 'ISO-8859-1' })))).not.toContain(
      'invalid-utf8',
    );
  });

  it('owns an empty charset= parameter (read as UTF-8)', () => {
    expect(owners(inspect(message(latin1, { charset: '' })))).toEqual(['invalid-utf8']);
  });

  it('does not fire when a fold splits a UTF-8 character (RFC 5545 §3.1 says to rejoin it)', () => {
    const split = Buffer.concat([
      Buffer.from(ics('SUMMARY:Project kick-off', 'SUMMARY:M\u0000nchen').split('\u0000')[0] ?? ''),
      Buffer.from([0xc3, 0x0d, 0x0a, 0x20, 0xbc]),
      Buffer.from(ics('SUMMARY:Project kick-off', 'SUMMARY:M\u0000nchen').split('\u0000')[1] ?? ''),
    ]);
    expect(syntaxRulesOf(inspectCalendar(split))).toEqual([]);
    expect(syntaxRulesOf(inspect(message(split, { charset: null })))).toEqual([]);
  });
});

describe('control-character', () => {
  it('allows HTAB, reports others with their code point', () => {
    expect(syntaxRulesOf(inspectCalendar(ics('kick-off', 'kick\toff')))).toEqual([]);
    const report = inspectCalendar(ics('kick-off', 'kick\u0000off'));
    expect(syntaxRulesOf(report)).toEqual(['control-character']);
    expect(hits(report, 'control-character')[0]?.message).toContain('U+0000');
  });
});

describe('no-vcalendar', () => {
  it('names what it found instead', () => {
    const start = ICS.indexOf('BEGIN:VEVENT');
    const end = ICS.indexOf('END:VCALENDAR');
    const report = inspect(message(ICS.slice(start, end)));
    expect(hits(report, 'no-vcalendar')[0]?.message).toContain('it starts with BEGIN:VEVENT');
  });

  it('reports an empty calendar part, and predicts an attachment for every client', () => {
    const report = inspect(message(''));
    expect(syntaxRulesOf(report)).toEqual(['no-vcalendar']);
    expect(hits(report, 'no-vcalendar')[0]?.message).toContain('is empty');
    expect(new Set(report.clients.map((c) => c.outcome))).toEqual(new Set(['attachment']));
  });

  it('does not double a message with no calendar part at all (no-calendar-part owns it)', () => {
    const plain = Buffer.from(
      'From: a@example.com\r\nTo: b@example.com\r\nSubject: x\r\nContent-Type: text/plain\r\n\r\nHello\r\n',
    );
    const ids = rulesOf(inspect(plain));
    expect(ids).toContain('no-calendar-part');
    expect(ids).not.toContain('no-vcalendar');
  });

  it('reports a scan the scanner gave up on (unreadable)', () => {
    const scan = {
      components: [],
      problems: [{ code: 'unreadable', line: 0, message: 'Could not scan: RangeError' }],
      lines: 0,
    };
    const part = {
      path: 'calendar',
      placement: 'standalone' as const,
      contentType: 'text/calendar',
      bytes: Buffer.alloc(0),
      text: '',
      scan,
      events: [],
      primary: true,
    };
    const context: InspectContext = {
      kind: 'calendar',
      options: {},
      raw: Buffer.alloc(0),
      calendarParts: [part],
      primary: part,
    };
    expect([...noVcalendar.check(context)]).toEqual([
      { message: 'Could not scan: RangeError', path: 'calendar' },
    ]);
  });
});

describe('text-outside-calendar, empty-line, malformed-line, unbalanced-component', () => {
  it('reports text before BEGIN:VCALENDAR once per run of lines', () => {
    const report = inspectCalendar(`Here is the invitation:\r\nPlease accept.\r\n${ICS}`);
    expect(syntaxRulesOf(report)).toEqual(['text-outside-calendar']);
    expect(hits(report, 'text-outside-calendar')).toHaveLength(1);
  });

  it('reports a blank line inside a folded value as empty-line and the orphaned continuation', () => {
    const report = inspectCalendar(
      ics(
        'ATTENDEE;ROLE=REQ-PARTICIPANT;CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;RSVP=\r\n',
        'ATTENDEE;ROLE=REQ-PARTICIPANT;CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;RSVP=\r\n\r\n',
      ),
    );
    expect(syntaxRulesOf(report)).toEqual(['empty-line', 'malformed-line']);
  });

  it('reports a missing END:VCALENDAR (a truncated calendar)', () => {
    const report = inspectCalendar(ics('END:VCALENDAR\r\n', ''));
    expect(syntaxRulesOf(report)).toEqual(['unbalanced-component']);
    expect(hits(report, 'unbalanced-component')[0]?.line).toBe(1);
  });
});

describe('unescaped-text', () => {
  const summary = (value: string) => inspectCalendar(ics('SUMMARY:Project kick-off', value));

  it('accepts every valid escape', () => {
    expect(syntaxRulesOf(summary('SUMMARY:a\\, b\\; c\\\\ d\\n e\\N f'))).toEqual([]);
  });

  it('reports an unescaped comma, a bad escape and a trailing backslash', () => {
    const report = summary('SUMMARY:Room 1, Building 2 \\t done\\');
    expect(syntaxRulesOf(report)).toEqual(['unescaped-text']);
    const [hit] = hits(report, 'unescaped-text');
    expect(hit).toMatchObject({ path: 'calendar/VEVENT[0]/SUMMARY', line: 29 });
    expect(hit?.message).toContain('unescaped ","');
    expect(hit?.message).toContain('("\\t")');
    expect(hit?.message).toContain('trailing lone backslash');
  });

  it('lets "," separate CATEGORIES and RESOURCES, but not ";"', () => {
    expect(syntaxRulesOf(summary('SUMMARY:x\r\nCATEGORIES:Work,Planning'))).toEqual([]);
    expect(syntaxRulesOf(summary('SUMMARY:x\r\nRESOURCES:Projector;Screen'))).toEqual([
      'unescaped-text',
    ]);
  });

  it('does not judge properties that are not TEXT (ATTENDEE, RRULE) or have VALUE≠TEXT', () => {
    expect(syntaxRulesOf(summary('SUMMARY:x\r\nDESCRIPTION;VALUE=URI:http://a/b,c;d'))).toEqual([]);
  });

  it('walks nested components: a VALARM DESCRIPTION gets its path', () => {
    const alarm =
      'BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nDESCRIPTION:Go; now\r\nEND:VALARM';
    const report = inspectCalendar(ics('STATUS:CONFIRMED', `STATUS:CONFIRMED\r\n${alarm}`));
    expect(hits(report, 'unescaped-text').map((h) => h.path)).toEqual([
      'calendar/VEVENT[0]/VALARM[0]/DESCRIPTION',
    ]);
  });
});

describe('invalid-date-value', () => {
  const start = 'DTSTART;TZID=Europe/Berlin:20261201T100000';
  const withStart = (line: string) => inspectCalendar(ics(start, line));
  const reasons = (report: InspectReport) =>
    hits(report, 'invalid-date-value').map((h) => h.message);

  it('accepts DATE and DATE-TIME in their forms, leap days and a leap second', () => {
    for (const line of [
      'DTSTART;TZID=Europe/Berlin:20280229T100000',
      'DTSTART;TZID=Europe/Berlin;VALUE=DATE-TIME:20261201T100000',
      `${start}\r\nEXDATE:20261208T090000Z,20261215T100000`,
      `${start}\r\nRDATE;VALUE=PERIOD:20261208T090000Z/PT1H,20261209T090000Z/20261209T100000Z`,
      `${start}\r\nCREATED:20261231T235960Z`,
    ]) {
      expect(reasons(withStart(line)), line).toEqual([]);
    }
  });

  it.each([
    ['DTSTART;TZID=Europe/Berlin:20261301T100000', 'no such date or time'],
    ['DTSTART;TZID=Europe/Berlin:20270229T100000', 'no such date or time'],
    ['DTSTART;TZID=Europe/Berlin:20261201T240000', 'no such date or time'],
    ['DTSTART;TZID=Europe/Berlin:2026-12-01T10:00:00', 'separators are not allowed'],
    ['DTSTART;VALUE=DATE:20261201T100000', 'VALUE=DATE but the value has a time'],
    ['DTSTART;VALUE=DATE-TIME:20261201', 'VALUE=DATE-TIME but the value has no time'],
    ['DTSTART;TZID=Europe/Berlin:20261201T100000 ', 'whitespace around the value'],
    ['DTSTART;TZID=Europe/Berlin:', 'the value is empty'],
    ['DTSTART;TZID=Europe/Berlin:20261201T100000,20261202T100000', 'single value, not a list'],
    ['DTSTART;VALUE=TEXT:tomorrow', 'VALUE=TEXT is not a date type'],
    [`${start}\r\nEXDATE:20261208,20261215T100000`, 'mixes DATE and DATE-TIME'],
    [`${start}\r\nEXDATE;VALUE=PERIOD:20261208T090000Z/PT1H`, 'VALUE=PERIOD is not allowed'],
    [`${start}\r\nRDATE;VALUE=PERIOD:20261208T090000Z`, 'not a PERIOD'],
    [`${start}\r\nLAST-MODIFIED:20261201`, 'a DATE where a DATE-TIME is required'],
  ])('%s: %s', (line, reason) => {
    const report = withStart(line);
    expect(reasons(report)).toHaveLength(1);
    expect(reasons(report)[0]).toContain(reason);
  });

  it('leaves a non-UTC DTSTAMP to dtstamp-not-utc, but reports a UTC-form DTSTAMP that is no date', () => {
    const local = inspectCalendar(ics('DTSTAMP:20260101T000000Z', 'DTSTAMP:20260101'));
    expect(rulesOf(local)).toEqual(['dtstamp-not-utc']);
    const impossible = inspectCalendar(ics('DTSTAMP:20260101T000000Z', 'DTSTAMP:20261301T000000Z'));
    expect(rulesOf(impossible)).toEqual(['invalid-date-value']);
  });

  it('checks VTIMEZONE observances too, with their path', () => {
    const report = inspectCalendar(ics('DTSTART:19701025T030000', 'DTSTART:19701025T036000'));
    expect(hits(report, 'invalid-date-value').map((h) => h.path)).toEqual([
      'calendar/VTIMEZONE[0]/STANDARD[0]/DTSTART',
    ]);
  });
});

describe('duplicate-property', () => {
  it('reports each duplicated name once, at its second occurrence', () => {
    const report = inspectCalendar(
      ics(
        'SUMMARY:Project kick-off',
        'SUMMARY:Project kick-off\r\nSUMMARY:Kick-off\r\nSUMMARY:Third',
      ),
    );
    const found = hits(report, 'duplicate-property');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ path: 'calendar/VEVENT[0]/SUMMARY', line: 30 });
    expect(found[0]?.message).toBe(
      'VEVENT has 3 SUMMARY properties (lines 29, 30, 31); RFC 5545 allows one',
    );
  });

  it('does not report properties that may repeat (ATTENDEE, RRULE, X-…, CATEGORIES)', () => {
    const repeats = [
      'ATTENDEE;CN=Bob:mailto:bob@example.com',
      'CATEGORIES:A',
      'CATEGORIES:B',
      'X-FOO:1',
      'X-FOO:2',
    ].join('\r\n');
    const report = inspectCalendar(ics('STATUS:CONFIRMED', `STATUS:CONFIRMED\r\n${repeats}`));
    expect(hits(report, 'duplicate-property')).toEqual([]);
  });

  it('judges the VCALENDAR and nested components with their own lists', () => {
    const report = inspectCalendar(
      ics('METHOD:REQUEST', 'METHOD:REQUEST\r\nVERSION:2.0').replace(
        'TZOFFSETTO:+0100\r\n',
        'TZOFFSETTO:+0100\r\nTZOFFSETTO:+0100\r\n',
      ),
    );
    expect(hits(report, 'duplicate-property').map((h) => h.path)).toEqual([
      'calendar/VERSION',
      'calendar/VTIMEZONE[0]/STANDARD[0]/TZOFFSETTO',
    ]);
  });
});

describe('caps on hostile input', () => {
  const events = (n: number, body: (i: number) => string): string => {
    const one = ICS.slice(ICS.indexOf('BEGIN:VEVENT'), ICS.indexOf('END:VCALENDAR'));
    const many = Array.from({ length: n }, (_, i) =>
      one
        .replace('UID:simple-meeting@example.com', `UID:${i}@example.com`)
        .replace('SUMMARY:Project kick-off', body(i)),
    );
    return ICS.slice(0, ICS.indexOf('BEGIN:VEVENT')) + many.join('') + 'END:VCALENDAR\r\n';
  };

  it.each([
    ['unescaped-text', (i: number) => `SUMMARY:a;b ${i}`],
    ['duplicate-property', (i: number) => `SUMMARY:a ${i}\r\nSUMMARY:b ${i}`],
    ['invalid-date-value', (i: number) => `SUMMARY:a ${i}\r\nCREATED:2026023${i % 10}T000000Z`],
  ] as const)('%s lists 20 hits, then one "…and N more"', (rule, body) => {
    const report = inspectCalendar(events(50, body));
    const found = hits(report, rule);
    expect(found).toHaveLength(21);
    expect(found[20]).toMatchObject({ path: 'calendar' });
    expect(found[20]?.message).toMatch(/^…and \d+ more/);
  });

  it('stays linear and bounded on 200 000 broken lines', () => {
    const junk = Array.from(
      { length: 100_000 },
      (_, i) => `SUMMARY:a;b,c\\x ${i}\r\nDTSTART:2026123${i % 10}T000000`,
    ).join('\r\n');
    const text = ics('SUMMARY:Project kick-off', junk);
    // Only this batch, without the engine's time limit: counts here, time below.
    const others = RULES.filter((r) => !SYNTAX_IDS.has(r.id)).map((r) => r.id);
    const report = inspectCalendar(text, { ignore: others, timeLimitMs: 60_000 });
    expect(hits(report, 'unescaped-text')).toHaveLength(21);
    expect(hits(report, 'invalid-date-value')).toHaveLength(21);
    expect(hits(report, 'duplicate-property')).toHaveLength(2);
    expect(report.findings.length).toBeLessThan(100);

    // The rules themselves (the scan is the scanner's business and measured elsewhere).
    const scan = scanCalendar(text);
    const part = {
      path: 'calendar',
      placement: 'standalone' as const,
      contentType: 'text/calendar',
      bytes: Buffer.from(text),
      text,
      scan,
      ...(scan.components[0] === undefined ? {} : { vcalendar: scan.components[0] }),
      events: [],
      primary: true,
    };
    const context: InspectContext = {
      kind: 'calendar',
      options: {},
      raw: part.bytes,
      calendarParts: [part],
      primary: part,
    };
    const started = performance.now();
    const listed = SYNTAX_RULES.flatMap((rule) => [...rule.check(context)]);
    expect(performance.now() - started).toBeLessThan(1500);
    expect(listed).toHaveLength(21 + 21 + 2);
  });

  it('keeps scanner-level codes capped (per-line codes at 20 + one summary)', () => {
    const blanks = ICS.replace(/\r\n(?=[A-Z])/g, '\r\n\r\n');
    expect(hits(inspectCalendar(blanks), 'empty-line')).toHaveLength(21);
    expect(scanCalendar(blanks).problems.filter((p) => p.code === 'empty-line')).toHaveLength(21);
  });
});
