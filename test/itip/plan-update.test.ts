import { describe, expect, it } from 'vitest';
import { SmtpInviteError } from '../../src/errors.ts';
import { planUpdate } from '../../src/itip/plan-update.ts';
import { answered, baseInput, invite } from './fixtures.ts';
import { inspectPlan, partstats, summarize } from './plan-support.ts';

const all = ['ada@example.com', 'bob@example.org', 'cleo@example.net'];

describe('planUpdate', () => {
  it('plans nothing when nothing changed, even with attendees reordered and recased', () => {
    const current = answered();
    const plan = planUpdate(
      current,
      invite({
        sequence: 0,
        attendees: [
          baseInput.attendees[2]!,
          { ...baseInput.attendees[1]!, email: 'BOB@example.ORG' },
          baseInput.attendees[0]!,
        ],
      }),
    );
    expect(plan).toEqual({ next: current, messages: [], significant: false, changes: [] });
  });

  it('does not count RRULE part order, value order, INTERVAL=1 or WKST=MO as changes', () => {
    const plan = planUpdate(
      answered(),
      invite({
        recurrence: {
          rrule: 'count=6;byday=TH,TU;interval=1;wkst=MO;freq=weekly',
          exdates: ['2026-12-03T09:00'],
        },
      }),
    );
    expect(plan.changes).toEqual([]);
    expect(plan.messages).toEqual([]);
  });

  it.each([
    ['DTSTART', { start: '2026-11-26T09:00', end: '2026-11-26T10:00' }],
    ['DTEND', { duration: 'PT90M', end: undefined }],
    [
      'RRULE',
      { recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=TU,TH;COUNT=8', exdates: ['2026-12-03T09:00'] } },
    ],
    ['EXDATE', { recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=TU,TH;COUNT=6' } }],
    ['STATUS', { status: 'tentative' as const }],
    ['TZID', { timeZone: 'America/Toronto' }],
  ])('%s is significant: SEQUENCE + 1, answers reset and asked again', (change, fields) => {
    const current = answered(3);
    const plan = planUpdate(current, invite({ ...fields, sequence: 42 }));
    expect(plan.significant).toBe(true);
    expect(plan.changes).toContain(change);
    expect(plan.next.sequence).toBe(4);
    expect(summarize(plan)).toEqual([['REQUEST', all, 4, all]]);
    expect(Object.values(partstats(plan.next))).toEqual([
      'NEEDS-ACTION',
      'NEEDS-ACTION',
      'NEEDS-ACTION',
    ]);
    // Those who had answered are asked again; the non-participant stays without RSVP.
    expect(plan.next.attendees.map((a) => a.rsvp)).toEqual([true, true, false]);
    expect(inspectPlan(plan, change)).toEqual([]);
  });

  it('counts switching to all-day as significant', () => {
    const plan = planUpdate(
      answered(),
      invite({
        allDay: true,
        timeZone: undefined,
        start: '2026-12-01',
        end: undefined,
        recurrence: undefined,
      }),
    );
    expect(plan.changes).toEqual(['all-day', 'DTSTART', 'DTEND', 'TZID', 'RRULE', 'EXDATE']);
    expect(plan.next.sequence).toBe(4);
  });

  it('moves a single event to another zone at the same instants without a new SEQUENCE', () => {
    const single = { ...invite({ recurrence: undefined }), sequence: 1 };
    const plan = planUpdate(
      single,
      invite({
        recurrence: undefined,
        timeZone: 'Europe/London',
        start: '2026-12-01T14:00',
        end: '2026-12-01T15:00',
      }),
    );
    expect(plan.significant).toBe(false);
    expect(plan.changes).toEqual(['TZID']);
    expect(plan.next.sequence).toBe(1);
    expect(plan.next.timeZone).toBe('Europe/London');
  });

  it.each([
    ['SUMMARY', { summary: 'Design review v2' }],
    ['DESCRIPTION', { description: 'Bring drafts' }],
    ['LOCATION', { location: 'Room 7' }],
    ['URL', { url: 'https://meet.example.com/x' }],
    ['VALARM', { alarms: [{ before: 'PT10M' }] }],
    ['TRANSP', { transparency: 'free' as const }],
    [
      'attendee bob@example.org: role',
      {
        attendees: [
          baseInput.attendees[0]!,
          { ...baseInput.attendees[1]!, role: 'optional' as const },
          baseInput.attendees[2]!,
        ],
      },
    ],
  ])('%s is not significant: REQUEST at the same SEQUENCE, answers kept', (change, fields) => {
    const plan = planUpdate(answered(3), invite({ ...fields, sequence: 0 }));
    expect(plan.significant).toBe(false);
    expect(plan.changes).toEqual([change]);
    expect(summarize(plan)).toEqual([['REQUEST', all, 3, all]]);
    expect(partstats(plan.next)).toEqual({
      'ada@example.com': 'ACCEPTED',
      'bob@example.org': 'DECLINED',
      'cleo@example.net': 'NEEDS-ACTION',
    });
    expect(inspectPlan(plan, change)).toEqual([]);
  });

  it('sends a removed attendee a CANCEL listing only them, at the new SEQUENCE', () => {
    const plan = planUpdate(
      answered(3),
      invite({
        start: '2026-12-01T10:00',
        end: '2026-12-01T11:00',
        recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=TU,TH;COUNT=6', exdates: ['2026-12-03T10:00'] },
        attendees: [baseInput.attendees[0]!, { email: 'dan@example.com' }],
      }),
    );
    expect(summarize(plan)).toEqual([
      ['REQUEST', ['ada@example.com'], 4, ['ada@example.com', 'dan@example.com']],
      ['REQUEST', ['dan@example.com'], 4, ['ada@example.com', 'dan@example.com']],
      ['CANCEL', ['bob@example.org'], 4, ['bob@example.org']],
      ['CANCEL', ['cleo@example.net'], 4, ['cleo@example.net']],
    ]);
    const cancel = plan.messages[2]!.invite;
    expect([cancel.status, cancel.alarms, cancel.start.toISO()]).toEqual([
      'CANCELLED',
      [],
      '2026-12-01T10:00:00.000-05:00',
    ]);
    expect(inspectPlan(plan, 'remove')).toEqual([]);
  });

  it('does not cancel removed attendees again when reinstating a cancelled event', () => {
    const cancelled = { ...answered(3), method: 'CANCEL' as const, status: 'CANCELLED' as const };
    const plan = planUpdate(cancelled, invite({ attendees: [baseInput.attendees[0]!] }));
    expect(plan.changes).toContain('STATUS');
    expect(summarize(plan)).toEqual([['REQUEST', ['ada@example.com'], 4, ['ada@example.com']]]);
  });

  it('refuses another uid, another organizer, or a non-REQUEST', () => {
    const current = answered();
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return err instanceof SmtpInviteError
          ? `${err.code} ${err.message.split(':')[0]}`
          : 'other';
      }
      return 'no error';
    };
    expect(codeOf(() => planUpdate(current, invite({ uid: 'other@example.com' })))).toBe(
      'ERR_INVALID_INPUT uid',
    );
    expect(
      codeOf(() => planUpdate(current, invite({ organizer: { email: 'Mallory@example.com' } }))),
    ).toBe('ERR_INVALID_INPUT organizer.email');
    expect(codeOf(() => planUpdate(current, invite({ method: 'cancel' })))).toBe(
      'ERR_INVALID_INPUT method',
    );
    // The organizer's address compares without case: no error.
    expect(
      planUpdate(current, invite({ organizer: { name: 'Olga', email: 'OLGA@example.com' } }))
        .changes,
    ).toEqual([]);
  });
});
