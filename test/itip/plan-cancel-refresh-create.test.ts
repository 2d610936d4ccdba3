import { describe, expect, it } from 'vitest';
import { buildInviteMessages, deterministicIds } from '../../src/flows/build-invite.ts';
import { SmtpInviteError } from '../../src/errors.ts';
import { planCancel, planCreate, planRefresh } from '../../src/itip/plan-itip.ts';
import { answered, invite } from './fixtures.ts';
import { inspectPlan, partstats, summarize } from './plan-support.ts';

const all = ['ada@example.com', 'bob@example.org', 'cleo@example.net'];

describe('planCreate', () => {
  it('sends one REQUEST to every attendee at the given SEQUENCE', () => {
    const plan = planCreate(invite({ sequence: 5 }));
    expect(summarize(plan)).toEqual([['REQUEST', all, 5, all]]);
    expect(plan.next.sequence).toBe(5);
    expect(inspectPlan(plan, 'create')).toEqual([]);
  });

  it('refuses a PUBLISH (nobody to track) with ERR_INVALID_INPUT', () => {
    expect(() => planCreate(invite({ method: 'publish' }))).toThrow(SmtpInviteError);
  });
});

describe('planCancel', () => {
  it('cancels the whole event: one CANCEL to all, SEQUENCE + 1, STATUS:CANCELLED', () => {
    const plan = planCancel(answered(3));
    expect(summarize(plan)).toEqual([['CANCEL', all, 4, all]]);
    expect([plan.next.method, plan.next.status, plan.significant]).toEqual([
      'CANCEL',
      'CANCELLED',
      true,
    ]);
    expect(inspectPlan(plan, 'cancel')).toEqual([]);
  });

  it('uninvites named attendees: CANCEL to each, the reduced REQUEST to the rest, answers kept', () => {
    const plan = planCancel(answered(3), { attendees: ['BOB@example.org', 'zed@example.com'] });
    expect(summarize(plan)).toEqual([
      ['CANCEL', ['bob@example.org'], 4, ['bob@example.org']],
      [
        'REQUEST',
        ['ada@example.com', 'cleo@example.net'],
        4,
        ['ada@example.com', 'cleo@example.net'],
      ],
    ]);
    expect(plan.changes).toEqual([
      'not invited: zed@example.com',
      'attendees removed: bob@example.org',
    ]);
    expect(plan.next.status).toBe('CONFIRMED');
    expect(partstats(plan.next)).toEqual({
      'ada@example.com': 'ACCEPTED',
      'cleo@example.net': 'NEEDS-ACTION',
    });
    expect(inspectPlan(plan, 'uninvite')).toEqual([]);
  });

  it('cancels the event when every attendee is named', () => {
    const plan = planCancel(answered(3), { attendees: all.map((a) => a.toUpperCase()) });
    expect(summarize(plan)).toEqual([['CANCEL', all, 4, all]]);
    expect(plan.next.status).toBe('CANCELLED');
  });

  it('plans nothing for attendees not invited, or an event already cancelled', () => {
    const none = planCancel(answered(3), { attendees: ['zed@example.com'] });
    expect([none.messages, none.changes, none.next.sequence]).toEqual([
      [],
      ['not invited: zed@example.com'],
      3,
    ]);
    const again = planCancel(planCancel(answered(3)).next);
    expect([again.messages, again.changes, again.next.sequence]).toEqual([
      [],
      ['already cancelled'],
      4,
    ]);
  });
});

describe('planRefresh', () => {
  it('sends the latest REQUEST to that attendee only, at the same SEQUENCE', () => {
    const plan = planRefresh(answered(3), 'mailto:Bob@Example.ORG');
    expect(summarize(plan)).toEqual([['REQUEST', ['bob@example.org'], 3, all]]);
    expect(plan.messages[0]?.invite.attendees.map((a) => a.partstat)).toEqual([
      'ACCEPTED',
      'DECLINED',
      'NEEDS-ACTION',
    ]);
    expect(inspectPlan(plan, 'refresh')).toEqual([]);
    // The builder writes the answers received into the organizer's REQUEST.
    const built = buildInviteMessages(plan.messages[0]!.invite, { ids: deterministicIds('r', {}) });
    const calendar = built.calendar.replace(/\r\n[ \t]/g, '');
    expect(calendar).toMatch(/PARTSTAT=ACCEPTED;[^\r]*mailto:ada@example\.com/i);
    expect(calendar).toMatch(/PARTSTAT=DECLINED;[^\r]*mailto:bob@example\.org/i);
  });

  it('answers a REFRESH for a cancelled event with its CANCEL', () => {
    const plan = planRefresh(planCancel(answered(3)).next, 'ada@example.com');
    expect(summarize(plan)).toEqual([['CANCEL', ['ada@example.com'], 4, all]]);
    expect(inspectPlan(plan, 'refresh-cancelled')).toEqual([]);
  });

  it('sends nothing to someone not invited, and says so', () => {
    const plan = planRefresh(answered(3), 'zed@example.com');
    expect(plan.messages).toEqual([]);
    expect(plan.changes).toEqual(['zed@example.com is not invited: REFRESH not answered']);
  });
});
