/**
 * Random sequences of updates, cancellations and refreshes, applied as the flows apply them (the
 * plan's `next` becomes the current copy, answers arrive in between): the UID never changes,
 * SEQUENCE never goes down and rises exactly for significant updates and cancellations, the
 * organizer is never addressed, and every planned message inspects clean for every recipient.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planCancel, planCreate, planRefresh, planUpdate } from '../../src/itip/plan-itip.ts';
import type { Plan } from '../../src/itip/plan-types.ts';
import { PARTSTATS, type Invite, type InviteInput } from '../../src/model/invite.ts';
import { parseInvite } from '../../src/model/validate-invite.ts';
import { inspectPlan } from './plan-support.ts';

const POOL = [
  'ada@example.com',
  'Bob@Example.org',
  'cleo@example.net',
  'room-1@example.com',
  'dan@example.com',
];
const ORGANIZER = 'olga@example.com';

const update = fc.record({
  kind: fc.constant('update' as const),
  summary: fc.constantFrom('Sync', 'Sync (moved)', 'Weekly sync'),
  location: fc.option(fc.constantFrom('Room 1', 'Online'), { nil: undefined }),
  day: fc.constantFrom('2026-12-01', '2026-12-08'),
  hour: fc.constantFrom('09:00', '10:30'),
  zone: fc.constantFrom('Europe/Berlin', 'Europe/Paris'),
  rrule: fc.option(fc.constantFrom('FREQ=WEEKLY;COUNT=3', 'FREQ=WEEKLY;INTERVAL=1;COUNT=3'), {
    nil: undefined,
  }),
  attendees: fc.shuffledSubarray([0, 1, 2, 3, 4], { minLength: 1 }),
  upper: fc.boolean(),
});
const cancel = fc.record({
  kind: fc.constant('cancel' as const),
  attendees: fc.option(fc.subarray([0, 1, 2, 3, 4]), { nil: undefined }),
});
const refresh = fc.record({ kind: fc.constant('refresh' as const), who: fc.nat({ max: 4 }) });
const reply = fc.record({
  kind: fc.constant('reply' as const),
  who: fc.nat({ max: 4 }),
  partstat: fc.constantFrom(...PARTSTATS),
});
type ValueOf<A> = A extends fc.Arbitrary<infer T> ? T : never;
type Step =
  ValueOf<typeof update> | ValueOf<typeof cancel> | ValueOf<typeof refresh> | ValueOf<typeof reply>;

function inputOf(op: ValueOf<typeof update>): InviteInput {
  return {
    uid: 'property-plan@example.com',
    summary: op.summary,
    ...(op.location === undefined ? {} : { location: op.location }),
    timeZone: op.zone,
    start: `${op.day}T${op.hour}`,
    duration: 'PT45M',
    ...(op.rrule === undefined ? {} : { recurrence: { rrule: op.rrule } }),
    alarms: [{ before: 'PT10M' }],
    organizer: { name: 'Olga', email: ORGANIZER },
    attendees: op.attendees.map((i) => {
      const email = POOL[i]!;
      return {
        email: op.upper ? email.toUpperCase() : email,
        ...(email.startsWith('room') ? { kind: 'room' as const } : {}),
      };
    }),
  };
}

function apply(current: Invite, op: Step): Plan | Invite {
  switch (op.kind) {
    case 'update':
      return planUpdate(current, parseInvite(inputOf(op)));
    case 'cancel':
      return planCancel(
        current,
        op.attendees === undefined ? {} : { attendees: op.attendees.map((i) => POOL[i]!) },
      );
    case 'refresh':
      return planRefresh(current, POOL[op.who]!);
    case 'reply': {
      // An answer recorded by the ledger (only invited attendees change).
      const who = POOL[op.who]!.toLowerCase();
      return {
        ...current,
        attendees: current.attendees.map((a) =>
          a.email.toLowerCase() === who ? { ...a, partstat: op.partstat } : a,
        ),
      };
    }
  }
}

describe('iTIP plans over random lifecycles (property)', () => {
  it('keep UID, never lower SEQUENCE, never mail the organizer, and inspect clean', () => {
    fc.assert(
      fc.property(
        update,
        fc.array(fc.oneof(update, update, cancel, refresh, reply, reply), { maxLength: 6 }),
        (first, steps: Step[]) => {
          const created = planCreate(parseInvite(inputOf(first)));
          expect(inspectPlan(created, 'create')).toEqual([]);
          let current = created.next;
          steps.forEach((op, index) => {
            const result = apply(current, op);
            if (!('messages' in result)) {
              current = result;
              return;
            }
            const plan = result;
            expect(plan.next.uid).toBe(current.uid);
            const raised = plan.next.sequence - current.sequence;
            expect([0, 1]).toContain(raised);
            if (op.kind === 'update') expect(raised).toBe(plan.significant ? 1 : 0);
            if (op.kind === 'refresh') expect(raised).toBe(0);
            if (op.kind === 'cancel' && plan.messages.length > 0) expect(raised).toBe(1);
            for (const message of plan.messages) {
              expect(message.invite.uid).toBe(current.uid);
              expect(message.invite.sequence).toBe(plan.next.sequence);
              expect(message.recipients).not.toContain(ORGANIZER);
              const listed = message.invite.attendees.map((a) => a.email.toLowerCase());
              for (const r of message.recipients) expect(listed).toContain(r);
            }
            expect(inspectPlan(plan, `step ${index}`)).toEqual([]);
            current = plan.next;
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});
