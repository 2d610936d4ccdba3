import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics.ts';
import type { RruleContext } from '../../src/model/normalize-rrule.ts';
import { normalizeRrule } from '../../src/model/normalize-rrule.ts';

const timed: RruleContext = {
  zone: 'Europe/Berlin',
  allDay: false,
  start: DateTime.fromISO('2026-12-01T10:00', { zone: 'Europe/Berlin' }),
};
const allDay: RruleContext = {
  zone: null,
  allDay: true,
  start: DateTime.fromISO('2026-12-24', { zone: 'UTC' }),
};

function run(input: unknown, context = timed): { value?: string; problems: string[] } {
  const diagnostics: Diagnostic[] = [];
  const result = normalizeRrule(input, 'recurrence.rrule', context, diagnostics);
  return {
    ...(result ? { value: result.value } : {}),
    problems: diagnostics.map((d) => `${d.path}: ${d.message}`),
  };
}

describe('normalizeRrule', () => {
  it.each([
    ['FREQ=WEEKLY;BYDAY=TU;COUNT=10', 'FREQ=WEEKLY;COUNT=10;BYDAY=TU'],
    ['RRULE:freq=weekly;byday=tu,th;interval=1', 'FREQ=WEEKLY;BYDAY=TU,TH'],
    ['COUNT=3;INTERVAL=2;FREQ=DAILY', 'FREQ=DAILY;COUNT=3;INTERVAL=2'],
    [
      'FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20270630T235959Z',
      'FREQ=MONTHLY;UNTIL=20270630T235959Z;BYDAY=-1FR',
    ],
    [
      'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1',
      'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1',
    ],
    ['FREQ=YEARLY;BYMONTH=+3;BYMONTHDAY=-1;WKST=su', 'FREQ=YEARLY;BYMONTHDAY=-1;BYMONTH=3;WKST=SU'],
  ])('canonicalises %s', (input, expected) => {
    expect(run(input)).toEqual({ value: expected, problems: [] });
  });

  it('converts a wall-clock UNTIL to UTC, and a bare date to the end of that day in the zone', () => {
    expect(run('FREQ=DAILY;UNTIL=2027-01-10T10:00').value).toBe(
      'FREQ=DAILY;UNTIL=20270110T090000Z',
    );
    expect(run('FREQ=DAILY;UNTIL=20270110').value).toBe('FREQ=DAILY;UNTIL=20270110T225959Z');
  });

  it('keeps UNTIL a DATE for all-day events', () => {
    expect(run({ freq: 'yearly', until: '2030-12-24' }, allDay).value).toBe(
      'FREQ=YEARLY;UNTIL=20301224',
    );
  });

  it('accepts the object form', () => {
    expect(run({ freq: 'monthly', interval: 2, byDay: ['2tu'], count: 6 }).value).toBe(
      'FREQ=MONTHLY;COUNT=6;INTERVAL=2;BYDAY=2TU',
    );
  });

  it.each([
    ['', /is empty/],
    ['FREQ=WEEKLY\r\nATTENDEE:mailto:evil@example.com', /control characters/],
    ['BYDAY=MO', /FREQ is required/],
    ['FREQ=FORTNIGHTLY', /not a frequency/],
    ['FREQ=WEEKLY;COUNT=0', /positive integer/],
    ['FREQ=WEEKLY;COUNT=2;UNTIL=20270101T000000Z', /COUNT and UNTIL/],
    ['FREQ=WEEKLY;BYDAY=2TU', /only allowed with FREQ=MONTHLY or YEARLY/],
    ['FREQ=WEEKLY;BYDAY=XX', /not a weekday/],
    ['FREQ=MONTHLY;BYMONTHDAY=32', /out of range/],
    ['FREQ=MONTHLY;BYMONTHDAY=0', /out of range/],
    ['FREQ=WEEKLY;BYMONTHDAY=1', /not allowed with FREQ=WEEKLY/],
    ['FREQ=DAILY;BYSETPOS=1', /needs another BYxxx/],
    ['FREQ=DAILY;FREQ=WEEKLY', /appears twice/],
    ['FREQ=DAILY;COLOR=red', /unknown rule part/],
    ['FREQ=DAILY;COUNT', /not NAME=VALUE/],
    ['FREQ=DAILY;UNTIL=20261101T000000Z', /before the start/],
  ])('rejects %j', (input, message) => {
    const result = run(input);
    expect(result.value).toBeUndefined();
    expect(result.problems.join('\n')).toMatch(message);
  });

  it('names the object field that is wrong', () => {
    expect(run({ freq: 'weekly', byDay: ['MO', 'XX'], colour: 1 }).problems).toEqual([
      expect.stringMatching(/^recurrence\.rrule\.colour: unknown rule part/),
      expect.stringMatching(/^recurrence\.rrule\.byDay\[1\]: "XX" is not a weekday/),
    ]);
  });
});
