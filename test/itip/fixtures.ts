import type { Invite, InviteInput, PartStat } from '../../src/model/invite.ts';
import { parseInvite } from '../../src/model/validate-invite.ts';

export const baseInput: InviteInput = {
  uid: 'plan-1@example.com',
  summary: 'Design review',
  timeZone: 'America/New_York',
  start: '2026-12-01T09:00',
  end: '2026-12-01T10:00',
  recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=TU,TH;COUNT=6', exdates: ['2026-12-03T09:00'] },
  organizer: { name: 'Olga', email: 'olga@example.com' },
  attendees: [
    { name: 'Ada', email: 'ada@example.com' },
    { name: 'Bob', email: 'bob@example.org' },
    { email: 'cleo@example.net', role: 'non-participant' },
  ],
};

/** Fields to change; `undefined` removes a field of the base (validation treats it as absent). */
export type InputChanges = { [K in keyof InviteInput]?: InviteInput[K] | undefined };

export function invite(changes: InputChanges = {}): Invite {
  return parseInvite({ ...baseInput, ...changes });
}

/** The organizer's copy after answers: Ada accepted, Bob declined. */
export function answered(sequence = 3): Invite {
  const current = invite({ sequence });
  const answers: Record<string, PartStat> = {
    'ada@example.com': 'ACCEPTED',
    'bob@example.org': 'DECLINED',
  };
  return {
    ...current,
    attendees: current.attendees.map((a) => ({ ...a, partstat: answers[a.email] ?? a.partstat })),
  };
}
