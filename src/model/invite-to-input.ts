/**
 * Invite → InviteInput: the inverse of validation, so the ledger can store the organizer's copy as
 * plain JSON and get the very same Invite back with validateInvite (the model's one gate).
 */
import type { DateTime } from 'luxon';
import { SmtpInviteError } from '../errors.ts';
import {
  KINDS,
  ROLES,
  STATUSES,
  TRANSPARENCIES,
  type Attendee,
  type AttendeeInput,
  type Invite,
  type InviteInput,
  type InviteMethod,
} from './invite.ts';

const ROLE_INPUT = invert(ROLES);
const KIND_INPUT = invert(KINDS);
const STATUS_INPUT = invert(STATUSES);
const TRANSPARENCY_INPUT = invert(TRANSPARENCIES);

/**
 * The input that validates back to `invite`. Every field is written explicitly (no reliance on a
 * default that could change between versions): the ledger keeps these inputs for years.
 */
export function inviteToInput(invite: Invite): InviteInput {
  const writeTime = (dt: DateTime) => formatTime(dt, invite);
  return {
    uid: invite.uid,
    sequence: invite.sequence,
    // STATUS:CANCELLED has no input spelling of its own: validation derives it from METHOD:CANCEL
    // (RFC 5546 §3.2.5), which is how a cancelled organizer copy is stored.
    method: storedMethod(invite),
    summary: invite.summary,
    ...(invite.description === undefined ? {} : { description: invite.description }),
    ...(invite.html === undefined ? {} : { html: invite.html }),
    ...(invite.location === undefined ? {} : { location: invite.location }),
    ...(invite.url === undefined ? {} : { url: invite.url }),
    ...(invite.timeZone === null ? {} : { timeZone: invite.timeZone }),
    start: writeTime(invite.start),
    end: writeTime(invite.end),
    allDay: invite.allDay,
    ...(invite.recurrence === undefined
      ? {}
      : {
          recurrence: {
            rrule: invite.recurrence.rrule,
            exdates: invite.recurrence.exdates.map(writeTime),
          },
        }),
    organizer: {
      ...(invite.organizer.name === undefined ? {} : { name: invite.organizer.name }),
      email: invite.organizer.email,
      ...(invite.organizer.sentBy === undefined ? {} : { sentBy: invite.organizer.sentBy }),
    },
    attendees: invite.attendees.map(attendeeToInput),
    alarms: invite.alarms.map((alarm) => ({ before: alarm.before })),
    ...(invite.status === 'CANCELLED' ? {} : { status: STATUS_INPUT[invite.status] }),
    transparency: TRANSPARENCY_INPUT[invite.transparency],
  };
}

/**
 * The ledger stores the organizer's copy of a whole event: a DECLINECOUNTER or an occurrence's
 * message is never one (the planner keeps the master as `next`), so refuse to store it.
 */
function storedMethod(invite: Invite): InviteMethod {
  if (invite.method === 'DECLINECOUNTER' || invite.recurrenceId !== undefined)
    throw new SmtpInviteError(
      'ERR_INTERNAL',
      `only a whole event can be stored, not a ${invite.method}${invite.recurrenceId === undefined ? '' : ' of one occurrence'}`,
    );
  return invite.status === 'CANCELLED' ? 'CANCEL' : invite.method;
}

function attendeeToInput(attendee: Attendee): AttendeeInput {
  return {
    ...(attendee.name === undefined ? {} : { name: attendee.name }),
    email: attendee.email,
    role: ROLE_INPUT[attendee.role],
    kind: KIND_INPUT[attendee.cutype],
    rsvp: attendee.rsvp,
    partstat: attendee.partstat,
  };
}

/**
 * All-day: the date. Timed: the instant with its offset in the event's zone (`…+01:00`), or `Z`
 * without a zone. A wall-clock time alone would be ambiguous in the repeated hour of a DST change
 * (validation reads it as the first occurrence, RFC 5545 §3.3.5), an offset never is.
 */
function formatTime(dt: DateTime, invite: Invite): string {
  if (invite.allDay) return dt.toFormat('yyyy-LL-dd');
  if (invite.timeZone === null) return dt.toUTC().toFormat("yyyy-LL-dd'T'HH:mm:ss'Z'");
  return dt.setZone(invite.timeZone).toFormat("yyyy-LL-dd'T'HH:mm:ssZZ");
}

function invert<K extends string, V extends string>(table: Record<K, V>): Record<V, K> {
  return Object.fromEntries(Object.entries(table).map(([k, v]) => [v, k])) as Record<V, K>;
}
