/**
 * The two kinds of message the organizer's side sends, as PlannedMessages: the flows build each one
 * with buildInviteMessages(message.invite, { recipients: message.recipients }).
 */
import type { Attendee, Invite } from '../model/invite.ts';
import { attendeeKey } from './attendee-key.ts';
import type { PlannedMessage } from './plan-types.ts';

/** A REQUEST of `invite` (all its attendees listed) addressed to `to`. */
export function createRequestMessage(
  invite: Invite,
  to: readonly Attendee[],
  reason: string,
): PlannedMessage {
  return {
    method: 'REQUEST',
    invite: { ...invite, method: 'REQUEST' },
    recipients: recipientsOf(invite, to),
    reason,
  };
}

/**
 * A CANCEL listing exactly `attendees` and sent to them. STATUS is CANCELLED: for the whole event
 * RFC 5546 §3.2.5 requires it; for an uninvited attendee the RFC says to leave STATUS out, but our
 * model always writes one (CONFIRMED there would contradict the CANCEL) and the inspector cannot tell
 * an uninvite from a cancellation, so it warns on a CANCEL without STATUS (cancel-status-not-
 * cancelled). For the attendee it is the same thing: the event is gone from their calendar, and
 * Outlook and Thunderbird act on the METHOD anyway. VALARMs are dropped: the CANCEL table of
 * RFC 5546 §3.2.5 allows none.
 */
export function createCancelMessage(
  invite: Invite,
  attendees: readonly Attendee[],
  reason: string,
): PlannedMessage {
  const cancel: Invite = {
    ...invite,
    method: 'CANCEL',
    status: 'CANCELLED',
    attendees,
    alarms: [],
  };
  return { method: 'CANCEL', invite: cancel, recipients: recipientsOf(cancel, attendees), reason };
}

/** Lower-cased addresses of `to`, never the organizer (who would get their own request). */
function recipientsOf(invite: Invite, to: readonly Attendee[]): string[] {
  const organizer = attendeeKey(invite.organizer.email);
  const listed = new Set(invite.attendees.map((a) => attendeeKey(a.email)));
  return [...new Set(to.map((a) => attendeeKey(a.email)))].filter(
    (key) => key !== organizer && listed.has(key),
  );
}
