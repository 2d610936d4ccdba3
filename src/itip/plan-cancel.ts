import type { Invite } from '../model/invite.ts';
import { attendeeKey } from './attendee-key.ts';
import { createCancelMessage, createRequestMessage } from './create-planned-message.ts';
import type { Plan, PlannedMessage } from './plan-types.ts';

export interface PlanCancelOptions {
  /** Uninvite only these attendees (addresses, case-insensitive); default: cancel the event. */
  readonly attendees?: readonly string[];
}

/**
 * A cancellation (RFC 5546 §3.2.5), SEQUENCE + 1 ("When a VEVENT is cancelled, the SEQUENCE
 * property value MUST be incremented").
 *  - Whole event: one CANCEL listing and addressed to every attendee, STATUS:CANCELLED; `next` is
 *    the cancelled copy (method CANCEL, status CANCELLED).
 *  - Some attendees: a CANCEL to each, listing only them; the others get a REQUEST with the
 *    reduced list at the new SEQUENCE, PARTSTATs kept. sabre's broker also produces that REQUEST
 *    for every remaining attendee; we send it because the SEQUENCE moved: a remaining attendee
 *    still at the old one would answer with it, and their REPLY would be refused as stale.
 *    Naming every attendee cancels the event.
 * Nothing to cancel (already cancelled, or nobody named is invited): no messages, a note in changes.
 */
export function planCancel(current: Invite, options: PlanCancelOptions = {}): Plan {
  if (current.status === 'CANCELLED') {
    return { next: current, messages: [], significant: false, changes: ['already cancelled'] };
  }
  const sequence = current.sequence + 1;
  const named = options.attendees;
  if (named === undefined || named.length === 0) return cancelEvent(current, sequence, []);

  const wanted = new Set(named.map(attendeeKey));
  const invited = new Set(current.attendees.map((a) => attendeeKey(a.email)));
  const notInvited = [...wanted].filter((key) => !invited.has(key));
  const notes = notInvited.length > 0 ? [`not invited: ${notInvited.join(', ')}`] : [];
  const removed = current.attendees.filter((a) => wanted.has(attendeeKey(a.email)));
  const remaining = current.attendees.filter((a) => !wanted.has(attendeeKey(a.email)));
  if (removed.length === 0)
    return { next: current, messages: [], significant: false, changes: notes };
  if (remaining.length === 0)
    return cancelEvent(current, sequence, [...notes, 'every attendee removed']);

  const next: Invite = { ...current, method: 'REQUEST', sequence, attendees: remaining };
  const messages: PlannedMessage[] = [
    ...removed.map((a) => createCancelMessage(next, [a], 'removed attendee')),
    createRequestMessage(next, remaining, 'attendees removed'),
  ];
  return {
    next,
    messages,
    significant: false,
    changes: [...notes, `attendees removed: ${removed.map((a) => a.email).join(', ')}`],
  };
}

function cancelEvent(current: Invite, sequence: number, notes: readonly string[]): Plan {
  const next: Invite = { ...current, method: 'CANCEL', status: 'CANCELLED', sequence };
  return {
    next,
    messages: [createCancelMessage(next, next.attendees, 'cancelled')],
    significant: true,
    changes: [...notes, 'STATUS'],
  };
}
