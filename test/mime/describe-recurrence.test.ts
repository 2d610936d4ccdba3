import { describe, expect, it } from 'vitest';
import { describeRecurrence } from '../../src/mime/describe-recurrence.ts';
import type { EventTiming } from '../../src/mime/format-when.ts';
import { zoned } from './invite-fixtures.ts';

/** Tuesday 1 December 2026, 10:00–11:00 in Berlin. */
const BERLIN: EventTiming = {
  start: zoned('2026-12-01T10:00', 'Europe/Berlin'),
  end: zoned('2026-12-01T11:00', 'Europe/Berlin'),
  allDay: false,
  timeZone: 'Europe/Berlin',
};

const ALL_DAY: EventTiming = {
  start: zoned('2026-12-24', 'UTC'),
  end: zoned('2026-12-25', 'UTC'),
  allDay: true,
  timeZone: null,
};

describe('describeRecurrence', () => {
  it.each([
    ['FREQ=DAILY', 'Daily'],
    ['FREQ=DAILY;INTERVAL=2', 'Every 2 days'],
    ['FREQ=DAILY;COUNT=5', 'Daily, 5 times'],
    ['FREQ=DAILY;COUNT=1', 'Daily, once'],
    ['FREQ=WEEKLY', 'Weekly on Tuesday'],
    ['FREQ=WEEKLY;COUNT=10;BYDAY=TU', 'Weekly on Tuesday, 10 times'],
    ['FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH', 'Every 2 weeks on Monday and Thursday'],
    ['FREQ=WEEKLY;BYDAY=MO,WE,FR;WKST=SU', 'Weekly on Monday, Wednesday and Friday'],
    ['FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', 'Every weekday (Monday to Friday)'],
    [
      'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TU,WE,TH,FR',
      'Every 2 weeks on Monday, Tuesday, Wednesday, Thursday and Friday',
    ],
    ['freq=weekly;byday=sa', 'Weekly on Saturday'],
    ['FREQ=MONTHLY', 'Monthly on day 1'],
    ['FREQ=MONTHLY;BYMONTHDAY=15', 'Monthly on day 15'],
    ['FREQ=MONTHLY;BYMONTHDAY=-1', 'Monthly on the last day'],
    ['FREQ=MONTHLY;BYDAY=1TU', 'Monthly on the first Tuesday'],
    ['FREQ=MONTHLY;BYDAY=-1FR', 'Monthly on the last Friday'],
    ['FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2', 'Monthly on the second Tuesday'],
    ['FREQ=MONTHLY;INTERVAL=3;BYDAY=+2TH', 'Every 3 months on the second Thursday'],
    ['FREQ=YEARLY', 'Yearly on 1 December'],
    ['FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=14', 'Yearly on 14 March'],
    ['FREQ=YEARLY;BYDAY=4TH;BYMONTH=11', 'Yearly on the fourth Thursday of November'],
    ['FREQ=YEARLY;INTERVAL=4', 'Every 4 years on 1 December'],
    // UNTIL is an instant; the date shown is the one in the event's zone.
    [
      'FREQ=WEEKLY;UNTIL=20261231T225959Z;BYDAY=TU',
      'Weekly on Tuesday, until Thursday 31 December 2026',
    ],
    ['FREQ=WEEKLY;UNTIL=20261231T230000Z', 'Weekly on Tuesday, until Friday 1 January 2027'],
  ])('%s → %s', (rrule, text) => {
    expect(describeRecurrence(rrule, BERLIN)).toBe(text);
  });

  it('reads the implied parts of an all-day event from its date', () => {
    expect(describeRecurrence('FREQ=YEARLY', ALL_DAY)).toBe('Yearly on 24 December');
    expect(describeRecurrence('FREQ=WEEKLY;UNTIL=20270128', ALL_DAY)).toBe(
      'Weekly on Thursday, until Thursday 28 January 2027',
    );
  });

  it.each([
    'FREQ=HOURLY;INTERVAL=2',
    'FREQ=DAILY;BYHOUR=9,17',
    'FREQ=DAILY;BYDAY=MO',
    'FREQ=WEEKLY;BYDAY=1MO',
    'FREQ=WEEKLY;BYMONTH=1',
    'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1',
    'FREQ=MONTHLY;BYMONTHDAY=1,15',
    'FREQ=MONTHLY;BYMONTHDAY=-2',
    'FREQ=MONTHLY;BYDAY=-3MO',
    'FREQ=MONTHLY;BYDAY=1MO;BYSETPOS=1',
    'FREQ=YEARLY;BYWEEKNO=20',
    'FREQ=YEARLY;BYDAY=1MO',
    'FREQ=YEARLY;BYMONTH=1,7',
    'FREQ=DAILY;COUNT=3;UNTIL=20261231T000000Z',
    'FREQ=DAILY;UNTIL=2026-12-31',
    'FREQ=DAILY;INTERVAL=0',
    'FREQ=DAILY;COUNT=0',
    'FREQ=DAILY;FREQ=WEEKLY',
    'INTERVAL=2',
    'not a rule',
    '',
  ])('falls back to the raw rule for %j', (rrule) => {
    expect(describeRecurrence(rrule, BERLIN)).toBe(rrule);
  });
});
