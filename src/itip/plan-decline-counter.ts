import { SmtpInviteError } from '../errors.ts';
import { DEFAULT_LIMITS, type Invite } from '../model/invite.ts';
import { sanitizeMultiLine, utf8Length } from '../model/sanitize-text.ts';
import { attendeeKey } from './attendee-key.ts';
import type { Plan } from './plan-types.ts';

/**
 * The organizer rejects an attendee's COUNTER (RFC 5546 §3.2.8): a DECLINECOUNTER to that attendee
 * only. Its table: every ATTENDEE listed ("MUST for all Attendees"), SEQUENCE and UID echoed (the
 * event is unchanged: same SEQUENCE, `next` is `current`), COMMENT allowed, no VALARM. The
 * optional comment is sanitised like any multi-line text of the model (controls removed, line
 * breaks normalised) and held to the text limit. Whether the attendee has an open counter is the
 * ledger's business (the flow checks it); someone not invited is refused with ERR_INVALID_INPUT.
 */
export function planDeclineCounter(current: Invite, attendee: string, comment?: string): Plan {
  const key = attendeeKey(attendee);
  if (current.status === 'CANCELLED')
    throw new SmtpInviteError('ERR_INVALID_INPUT', `uid: the event ${current.uid} is cancelled`);
  if (!current.attendees.some((a) => attendeeKey(a.email) === key))
    throw new SmtpInviteError(
      'ERR_INVALID_INPUT',
      `--attendee: ${key} is not invited to ${current.uid}`,
    );
  const text = comment === undefined ? undefined : sanitizeMultiLine(comment).trim();
  if (text !== undefined && utf8Length(text) > DEFAULT_LIMITS.maxTextBytes)
    throw new SmtpInviteError(
      'ERR_INVALID_INPUT',
      `--comment: longer than ${DEFAULT_LIMITS.maxTextBytes} octets`,
    );
  const invite: Invite = {
    ...current,
    method: 'DECLINECOUNTER',
    alarms: [],
    ...(text === undefined || text === '' ? {} : { comment: text }),
  };
  return {
    next: current,
    messages: [{ method: 'DECLINECOUNTER', invite, recipients: [key], reason: 'counter declined' }],
    significant: false,
    changes: [`counter-proposal of ${key} declined`],
  };
}
