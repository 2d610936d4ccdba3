import { SmtpInviteError } from '../errors.ts';
import type { Invite } from '../model/invite.ts';
import { createRequestMessage } from './create-planned-message.ts';
import type { Plan } from './plan-types.ts';

/**
 * A new event: one REQUEST listing and addressed to every attendee (never the organizer, whom
 * validation refuses as an attendee), at the SEQUENCE the invite carries.
 */
export function planCreate(invite: Invite): Plan {
  if (invite.method !== 'REQUEST') {
    throw new SmtpInviteError(
      'ERR_INVALID_INPUT',
      `method: a tracked event starts with a REQUEST, not a ${invite.method}; remove "method" from the input`,
    );
  }
  return {
    next: invite,
    messages: [createRequestMessage(invite, invite.attendees, 'new event')],
    significant: false,
    changes: ['new event'],
  };
}
