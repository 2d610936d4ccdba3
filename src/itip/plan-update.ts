import { SmtpInviteError } from '../errors.ts';
import type { Attendee, Invite } from '../model/invite.ts';
import { attendeeKey } from './attendee-key.ts';
import { createCancelMessage, createRequestMessage } from './create-planned-message.ts';
import { diffInvites } from './diff-invites.ts';
import type { Plan, PlannedMessage } from './plan-types.ts';

/**
 * An update from the organizer (RFC 5546 §3.2.2 REQUEST "update", §3.2.5 CANCEL for uninvited
 * attendees), modelled on sabre/vobject's Broker::parseEventForOrganizer:
 *  - SEQUENCE + 1 exactly when the change is significant (diffInvites); `proposed.sequence` is
 *    ignored: the planner decides;
 *  - every attendee of the new copy gets a REQUEST, also for a change of SUMMARY or LOCATION only
 *    (same SEQUENCE, new DTSTAMP from the builder's clock): unlike sabre/dav, which does not mail
 *    non-significant changes, an email invite has no server copy to refresh from;
 *  - PARTSTATs received are kept, except after a significant change: then everyone is back to
 *    NEEDS-ACTION, and whoever had answered is asked again (RSVP=TRUE), as Outlook does;
 *  - each removed attendee gets a CANCEL listing only them, at the new SEQUENCE;
 *  - nothing changed: no messages, `next` is `current` unchanged.
 */
export function planUpdate(current: Invite, proposed: Invite): Plan {
  checkSameEvent(current, proposed);
  const diff = diffInvites(current, proposed);
  const changes = [...diff.significant, ...diff.minor];
  if (changes.length === 0) return { next: current, messages: [], significant: false, changes };

  const significant = diff.significant.length > 0;
  const answers = new Map(current.attendees.map((a) => [attendeeKey(a.email), a]));
  const attendees = proposed.attendees.map((attendee): Attendee => {
    const known = answers.get(attendeeKey(attendee.email));
    if (significant) {
      const answered = known !== undefined && known.partstat !== 'NEEDS-ACTION';
      return { ...attendee, partstat: 'NEEDS-ACTION', rsvp: attendee.rsvp || answered };
    }
    // The ledger's copy holds the answers; a proposal read from a JSON file has none.
    return known === undefined ? attendee : { ...attendee, partstat: known.partstat };
  });
  const next: Invite = {
    ...proposed,
    method: 'REQUEST',
    sequence: current.sequence + (significant ? 1 : 0),
    attendees,
  };

  const addedKeys = new Set(diff.added.map((a) => attendeeKey(a.email)));
  const staying = attendees.filter((a) => !addedKeys.has(attendeeKey(a.email)));
  const newcomers = attendees.filter((a) => addedKeys.has(attendeeKey(a.email)));
  const messages: PlannedMessage[] = [];
  if (staying.length > 0) messages.push(createRequestMessage(next, staying, 'updated'));
  if (newcomers.length > 0) messages.push(createRequestMessage(next, newcomers, 'added attendee'));
  // A cancelled event's attendees all had their CANCEL already: a reinstated event with fewer
  // attendees does not cancel the others a second time.
  if (current.status !== 'CANCELLED') {
    for (const removed of diff.removed)
      messages.push(createCancelMessage(next, [removed], 'removed attendee'));
  }
  return { next, messages, significant, changes };
}

function checkSameEvent(current: Invite, proposed: Invite): void {
  if (current.uid !== proposed.uid) {
    throw new SmtpInviteError(
      'ERR_INVALID_INPUT',
      `uid: "${proposed.uid}" is not the event being updated ("${current.uid}"); an update keeps the uid`,
    );
  }
  if (proposed.method !== 'REQUEST') {
    throw new SmtpInviteError(
      'ERR_INVALID_INPUT',
      `method: an update is a REQUEST, not a ${proposed.method}; use cancel to cancel the event`,
    );
  }
  // RFC 5546 §2.1.1: only the organizer changes an event; handing it over is a different operation
  // (clients would take the new ORGANIZER's REQUEST for another event's hijack).
  if (attendeeKey(current.organizer.email) !== attendeeKey(proposed.organizer.email)) {
    throw new SmtpInviteError(
      'ERR_INVALID_INPUT',
      `organizer.email: the organizer of "${current.uid}" is ${current.organizer.email}; cancel this event and send a new one to change the organizer`,
    );
  }
}
