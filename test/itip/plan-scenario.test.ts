/**
 * The organizer's lifecycle step by step, as the flows drive the planner: create → answers →
 * summary change → time change → attendee removed and another added → cancel. Each step checks who
 * gets which METHOD at which SEQUENCE, and builds and inspects every planned message.
 */
import { describe, expect, it } from 'vitest';
import { buildInviteMessages, deterministicIds } from '../../src/flows/build-invite.ts';
import { planCancel, planCreate, planUpdate } from '../../src/itip/plan-itip.ts';
import type { Invite, InviteInput, PartStat } from '../../src/model/invite.ts';
import { parseInvite } from '../../src/model/validate-invite.ts';
import { inspectPlan, partstats, summarize } from './plan-support.ts';

const input: InviteInput = {
  uid: 'scenario-1@example.com',
  summary: 'Quarterly planning',
  location: 'Room 4',
  timeZone: 'Europe/Berlin',
  start: '2026-12-01T10:00',
  end: '2026-12-01T11:00',
  recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=TU;COUNT=4' },
  alarms: [{ before: 'PT15M' }],
  organizer: { name: 'Olga', email: 'olga@example.com' },
  attendees: [
    { name: 'Ada', email: 'ada@example.com' },
    { name: 'Bob', email: 'Bob@Example.org', role: 'optional' },
    { name: 'Room 4', email: 'room4@example.com', kind: 'room' },
  ],
};

/** What the ledger does with incoming REPLYs: the organizer's copy with the answers received. */
function answer(invite: Invite, answers: Record<string, PartStat>): Invite {
  return {
    ...invite,
    attendees: invite.attendees.map((a) => {
      const partstat = answers[a.email.toLowerCase()];
      return partstat === undefined ? a : { ...a, partstat };
    }),
  };
}

describe('organizer scenario', () => {
  it('plans every step with the right METHOD, recipients and SEQUENCE, all inspecting clean', () => {
    // 1. New event: one REQUEST to every attendee, SEQUENCE 0.
    const created = planCreate(parseInvite(input));
    expect(summarize(created)).toEqual([
      [
        'REQUEST',
        ['ada@example.com', 'bob@example.org', 'room4@example.com'],
        0,
        ['ada@example.com', 'bob@example.org', 'room4@example.com'],
      ],
    ]);
    expect(created.messages[0]?.reason).toBe('new event');
    expect(inspectPlan(created, 'create')).toEqual([]);

    // 2. Answers arrive; the organizer edits the summary (and reorders attendees, recases Bob).
    let current = answer(created.next, {
      'ada@example.com': 'ACCEPTED',
      'bob@example.org': 'TENTATIVE',
    });
    const retitled = planUpdate(
      current,
      parseInvite({
        ...input,
        summary: 'Quarterly planning (budget)',
        attendees: [
          input.attendees[2]!,
          { ...input.attendees[1]!, email: 'BOB@example.org' },
          input.attendees[0]!,
        ],
      }),
    );
    expect(retitled.significant).toBe(false);
    expect(retitled.changes).toEqual(['SUMMARY']);
    expect(summarize(retitled).map(([m, to, seq]) => [m, to, seq])).toEqual([
      ['REQUEST', ['room4@example.com', 'bob@example.org', 'ada@example.com'], 0],
    ]);
    expect(partstats(retitled.next)).toEqual({
      'room4@example.com': 'NEEDS-ACTION',
      'bob@example.org': 'TENTATIVE',
      'ada@example.com': 'ACCEPTED',
    });
    expect(inspectPlan(retitled, 'retitle')).toEqual([]);

    // 3. The meeting moves by an hour: SEQUENCE 1, every answer reset and asked again.
    current = retitled.next;
    const moved = planUpdate(
      current,
      parseInvite({ ...input, start: '2026-12-01T11:00', end: '2026-12-01T12:00' }),
    );
    expect(moved.significant).toBe(true);
    expect(moved.changes).toEqual(['DTSTART', 'DTEND', 'SUMMARY']);
    expect(summarize(moved).map(([m, to, seq]) => [m, to, seq])).toEqual([
      ['REQUEST', ['ada@example.com', 'bob@example.org', 'room4@example.com'], 1],
    ]);
    expect(Object.values(partstats(moved.next))).toEqual([
      'NEEDS-ACTION',
      'NEEDS-ACTION',
      'NEEDS-ACTION',
    ]);
    expect(moved.next.attendees.every((a) => a.rsvp)).toBe(true);
    expect(inspectPlan(moved, 'move')).toEqual([]);

    // 4. Ada accepts again; Bob is removed and Carol added: REQUEST to those staying, REQUEST to
    //    Carol, a CANCEL to Bob listing only Bob; not significant, so SEQUENCE stays 1.
    current = answer(moved.next, { 'ada@example.com': 'ACCEPTED' });
    const reshuffled = planUpdate(
      current,
      parseInvite({
        ...input,
        start: '2026-12-01T11:00',
        end: '2026-12-01T12:00',
        attendees: [input.attendees[0]!, input.attendees[2]!, { email: 'carol@example.net' }],
      }),
    );
    expect(reshuffled.significant).toBe(false);
    expect(reshuffled.changes).toEqual([
      'attendees added: carol@example.net',
      'attendees removed: Bob@Example.org',
    ]);
    expect(summarize(reshuffled)).toEqual([
      [
        'REQUEST',
        ['ada@example.com', 'room4@example.com'],
        1,
        ['ada@example.com', 'room4@example.com', 'carol@example.net'],
      ],
      [
        'REQUEST',
        ['carol@example.net'],
        1,
        ['ada@example.com', 'room4@example.com', 'carol@example.net'],
      ],
      ['CANCEL', ['bob@example.org'], 1, ['bob@example.org']],
    ]);
    expect(reshuffled.messages.map((m) => m.reason)).toEqual([
      'updated',
      'added attendee',
      'removed attendee',
    ]);
    expect(partstats(reshuffled.next)['ada@example.com']).toBe('ACCEPTED');
    expect(inspectPlan(reshuffled, 'reshuffle')).toEqual([]);
    const bobsCancel = buildInviteMessages(reshuffled.messages[2]!.invite, {
      recipients: reshuffled.messages[2]!.recipients,
      ids: deterministicIds('bob', {}),
    });
    expect(bobsCancel.messages[0]!.raw.toString()).toMatch(/^Subject: =\?UTF-8\?Q\?Cancelled:_/m);
    const lines = bobsCancel.calendar.replace(/\r\n[ \t]/g, '').split('\r\n');
    expect(lines.filter((l) => l.startsWith('ATTENDEE'))).toEqual([
      expect.stringMatching(/:mailto:Bob@Example\.org$/i),
    ]);
    expect(lines).toContain('STATUS:CANCELLED');
    expect(lines).toContain('SEQUENCE:1');
    expect(lines).not.toContain('BEGIN:VALARM');

    // 5. The whole event is cancelled: one CANCEL listing everyone, SEQUENCE 2, STATUS:CANCELLED.
    current = reshuffled.next;
    const cancelled = planCancel(current);
    expect(summarize(cancelled)).toEqual([
      [
        'CANCEL',
        ['ada@example.com', 'room4@example.com', 'carol@example.net'],
        2,
        ['ada@example.com', 'room4@example.com', 'carol@example.net'],
      ],
    ]);
    expect(cancelled.next.status).toBe('CANCELLED');
    expect(cancelled.next.sequence).toBe(2);
    expect(cancelled.messages[0]?.invite.status).toBe('CANCELLED');
    expect(inspectPlan(cancelled, 'cancel')).toEqual([]);
  });
});
