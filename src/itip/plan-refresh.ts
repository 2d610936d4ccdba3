import type { Invite } from '../model/invite.ts';
import { attendeeKey } from './attendee-key.ts';
import { createCancelMessage, createRequestMessage } from './create-planned-message.ts';
import type { Plan } from './plan-types.ts';

/**
 * An attendee's REFRESH (RFC 5546 §3.2.6): the organizer answers with the latest version, to that
 * attendee only, at the same SEQUENCE (nothing changed). The calendar still lists every attendee.
 * For a cancelled event the latest version is its CANCEL. Someone not invited gets nothing: the
 * RFC lets the organizer ignore a REFRESH from a non-attendee, and sending them the event would
 * invite them.
 */
export function planRefresh(current: Invite, attendee: string): Plan {
  const key = attendeeKey(attendee);
  const found = current.attendees.find((a) => attendeeKey(a.email) === key);
  if (found === undefined) {
    return {
      next: current,
      messages: [],
      significant: false,
      changes: [`${key} is not invited: REFRESH not answered`],
    };
  }
  const message =
    current.status === 'CANCELLED'
      ? { ...createCancelMessage(current, current.attendees, 'refresh'), recipients: [key] }
      : { ...createRequestMessage(current, [found], 'refresh') };
  return { next: current, messages: [message], significant: false, changes: [] };
}
