/**
 * The organizer's lifecycle over plain SMTP: send (and remember), update, cancel, read the status.
 * Each reads the ledger, asks the pure iTIP planner what to send, and hands the plan to
 * executePlan (build → claim → deliver → record).
 */
import { SmtpInviteError } from '../errors.ts';
import {
  keepCancelledOccurrences,
  planCancel,
  planCancelOccurrence,
  planCreate,
  planDeclineCounter,
  planUpdate,
} from '../itip/plan-itip.ts';
import { attendeeKey } from '../itip/attendee-key.ts';
import { parseDate, parseDateTime } from '../model/parse-time.ts';
import type { Plan } from '../itip/plan-types.ts';
import type { Ledger, StoredEvent } from '../ledger/ledger-types.ts';
import type { Invite, InviteLimits } from '../model/invite.ts';
import { invalidInviteError, validateInvite } from '../model/validate-invite.ts';
import { randomIds } from './build-invite.ts';
import {
  executePlan,
  withAnswers,
  type ExecutedPlan,
  type ExecutePlanOptions,
} from './execute-plan.ts';
import { findEvent } from './adopt-batch-event.ts';

export interface OrganizerOptions extends ExecutePlanOptions {
  readonly limits?: Partial<InviteLimits>;
}

/** Validates a new invite, sends it to every attendee and records it (its UID must be new). */
export async function sendAndRecord(
  input: unknown,
  options: OrganizerOptions,
): Promise<ExecutedPlan> {
  const invite = validated(input, options);
  return executePlan(planCreate(invite), undefined, [], options);
}

/**
 * Sends the changes between the ledger's copy and `input` (same uid): REQUESTs, CANCELs to removed
 * attendees, SEQUENCE + 1 only for a significant change. No change at all: nothing is sent.
 */
export async function updateAndRecord(
  input: unknown,
  options: OrganizerOptions,
): Promise<ExecutedPlan> {
  const uid = uidOf(input);
  const { stored, current, attendees } = loadEvent(options.ledger, uid);
  if (stored.state === 'cancelled')
    throw new SmtpInviteError(
      'ERR_INVALID_INPUT',
      `uid: the event ${uid} was cancelled; send it again with a new uid`,
    );
  // Occurrences cancelled with `cancel --occurrence` stay cancelled (their EXDATEs are kept).
  const proposed = keepCancelledOccurrences(current, validated(input, options));
  return executePlan(planUpdate(current, proposed), stored, attendees, options);
}

/** Cancels the whole event, or uninvites some attendees (`attendees`). */
export async function cancelAndRecord(
  uid: string,
  cancel: { readonly attendees?: readonly string[] },
  options: OrganizerOptions,
): Promise<ExecutedPlan> {
  const { stored, current, attendees } = loadEvent(options.ledger, uid);
  if (stored.state === 'cancelled')
    throw new SmtpInviteError('ERR_INVALID_INPUT', `uid: the event ${uid} is already cancelled`);
  const known = new Set(current.attendees.map((a) => a.email.toLowerCase()));
  const unknown = (cancel.attendees ?? []).filter((a) => !known.has(a.toLowerCase()));
  if (unknown.length > 0)
    throw new SmtpInviteError(
      'ERR_INVALID_INPUT',
      `--attendee: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not invited to ${uid}`,
    );
  const plan: Plan = planCancel(
    current,
    cancel.attendees === undefined || cancel.attendees.length === 0
      ? {}
      : { attendees: cancel.attendees },
  );
  return executePlan(plan, stored, attendees, options);
}

/**
 * Cancels one occurrence: `occurrence` is its original start as the user writes `start`
 * (wall-clock in the event's zone, or with an offset or Z; a date for an all-day series).
 */
export async function cancelOccurrenceAndRecord(
  uid: string,
  occurrence: string,
  options: OrganizerOptions,
): Promise<ExecutedPlan> {
  const { stored, current, attendees } = loadEvent(options.ledger, uid);
  if (stored.state === 'cancelled')
    throw new SmtpInviteError('ERR_INVALID_INPUT', `uid: the event ${uid} is already cancelled`);
  const parsed = current.allDay
    ? parseDate(occurrence)
    : parseDateTime(occurrence, current.timeZone);
  if (!parsed.ok) throw new SmtpInviteError('ERR_INVALID_INPUT', `--occurrence: ${parsed.problem}`);
  return executePlan(planCancelOccurrence(current, parsed.value), stored, attendees, options);
}

/**
 * Declines the open counter-proposal(s) of one attendee: a DECLINECOUNTER to them, and the
 * proposals marked declined in the same transaction that records the message.
 */
export async function declineCounterAndRecord(
  uid: string,
  decline: { readonly attendee: string; readonly comment?: string },
  options: OrganizerOptions,
): Promise<ExecutedPlan> {
  const { stored, current, attendees } = loadEvent(options.ledger, uid);
  if (stored.state === 'cancelled')
    throw new SmtpInviteError('ERR_INVALID_INPUT', `uid: the event ${uid} is cancelled`);
  const key = attendeeKey(decline.attendee);
  const open = options.ledger
    .listCounters(uid)
    .filter((c) => c.state === 'open' && attendeeKey(c.attendee) === key);
  if (open.length === 0)
    throw new SmtpInviteError(
      'ERR_INVALID_INPUT',
      `--attendee: ${key} has no open counter-proposal for ${uid} (see "smtp-invite status ${uid}")`,
    );
  const plan = planDeclineCounter(current, key, decline.comment);
  return executePlan(plan, stored, attendees, options, (ledger) => {
    for (const counter of open) ledger.setCounterState(counter.id, 'declined');
  });
}

export interface LoadedEvent {
  readonly stored: StoredEvent;
  /** The organizer's current Invite: the stored input with the answers received. */
  readonly current: Invite;
  readonly attendees: ReturnType<Ledger['getAttendees']>;
}

export function loadEvent(ledger: Ledger, uid: string): LoadedEvent {
  const stored = findEvent(ledger, uid);
  if (stored === undefined)
    throw new SmtpInviteError(
      'ERR_UNKNOWN_EVENT',
      `no event with UID ${uid} in the ledger ${ledger.path} (send it first, or check --db)`,
    );
  const result = validateInvite(stored.input, { newUid: randomIds().newUid });
  if (!result.ok)
    throw new SmtpInviteError(
      'ERR_LEDGER_IO',
      `the ledger's copy of ${uid} no longer validates: ${result.diagnostics.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
    );
  const attendees = ledger.getAttendees(uid);
  return { stored, current: withAnswers(result.invite, attendees), attendees };
}

function validated(input: unknown, options: OrganizerOptions): Invite {
  const result = validateInvite(input, {
    newUid: options.build?.ids?.newUid ?? randomIds().newUid,
    ...(options.limits === undefined ? {} : { limits: options.limits }),
  });
  if (!result.ok) throw invalidInviteError(result.diagnostics);
  // The sender identity (options.build.service / sender) is applied when the messages are built,
  // never stored: it is how this send goes out, not part of the event (sender-identity.ts).
  return result.invite;
}

function uidOf(input: unknown): string {
  const uid =
    typeof input === 'object' && input !== null ? (input as { uid?: unknown }).uid : undefined;
  if (typeof uid !== 'string' || uid.trim() === '')
    throw new SmtpInviteError(
      'ERR_INVALID_INPUT',
      'uid: an update needs the uid of the event it changes (as sent, see "smtp-invite list")',
    );
  return uid;
}
