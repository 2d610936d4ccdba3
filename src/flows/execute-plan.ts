/**
 * Carries out an iTIP plan for the organizer: builds every planned message first (nothing is sent
 * if one cannot be built), claims the event in the ledger, delivers, then records the new state,
 * the attendees and every message sent in one transaction.
 *
 * Why a claim: SMTP delivery is asynchronous and cannot sit inside a SQLite transaction. Bumping
 * the event's version before sending makes a second process working on the same event fail with
 * ERR_LEDGER_CONFLICT before it mails anyone, instead of both sending and one losing its update.
 * A crash after the claim leaves the old state (with a higher version), never a half-written one.
 */
import { createHash } from 'node:crypto';
import { SmtpInviteError } from '../errors.ts';
import type { Plan } from '../itip/plan-types.ts';
import type {
  AttendeeState,
  DeliveryOutcome,
  Ledger,
  OutgoingRecord,
  StoredEvent,
} from '../ledger/ledger-types.ts';
import type { Invite } from '../model/invite.ts';
import { inviteToInput } from '../model/invite-to-input.ts';
import { buildCalendar } from '../ical/build-calendar.ts';
import type { Transport } from '../transport/transport.ts';
import {
  buildInviteMessages,
  randomIds,
  type BuildIds,
  type BuildOptions,
  type BuiltMessage,
} from './build-invite.ts';
import { deliverMessages, type MessageOutcome, type SendReport } from './send-invite.ts';
import { findEvent } from './adopt-batch-event.ts';
import { checkIdentityOptions } from './sender-identity.ts';

export interface ExecutePlanOptions {
  readonly ledger: Ledger;
  readonly transport: Transport;
  /** Build and report; send nothing, write nothing to the ledger. */
  readonly dryRun?: boolean;
  /** Message shape (profile, attachment, perRecipient), sender identity and injectable ids. */
  readonly build?: Omit<BuildOptions, 'recipients' | 'method' | 'limits'>;
  readonly onDelivered?: (message: BuiltMessage, outcome: MessageOutcome, file?: string) => void;
}

/** More ledger writes of the same command, run in the transaction that records the plan. */
export type RecordExtra = (ledger: Ledger) => void;

export interface ExecutedPlan extends SendReport {
  readonly uid: string;
  readonly sequence: number;
  readonly changes: readonly string[];
}

/**
 * `stored` is the ledger's event the plan was made from (undefined for a new event); `attendees`
 * its attendee states as read in the same step; `recordExtra`, when given, runs in the final
 * transaction once every message left (e.g. marking a counter-proposal declined).
 */
export async function executePlan(
  plan: Plan,
  stored: StoredEvent | undefined,
  attendees: readonly AttendeeState[],
  options: ExecutePlanOptions,
  recordExtra?: RecordExtra,
): Promise<ExecutedPlan> {
  // Bad identity options are refused even when the plan sends nothing (a no-op update).
  if (options.build !== undefined) checkIdentityOptions(options.build);
  const ids: BuildIds = { ...randomIds(), ...options.build?.ids };
  const now = ids.now();
  let index = 0;
  // Message-IDs must differ across the planned messages of one run: number them globally.
  const messages = plan.messages.flatMap(
    (planned) =>
      buildInviteMessages(
        planned.invite,
        { ...options.build, recipients: planned.recipients },
        { ...ids, now: () => now, messageId: (invite) => ids.messageId(invite, index++) },
      ).messages,
  );
  const base = { uid: plan.next.uid, sequence: plan.next.sequence, changes: plan.changes };
  if (options.dryRun) {
    const report = await deliverMessages(messages, { ...options, dryRun: true });
    return { ...base, ...report };
  }

  const { ledger } = options;
  const claimed = ledger.transaction(() => {
    if (stored === undefined) {
      if (findEvent(ledger, plan.next.uid) !== undefined)
        throw new SmtpInviteError(
          'ERR_LEDGER_CONFLICT',
          `an event with UID ${plan.next.uid} is already in the ledger ${ledger.path}: use "update" to change it`,
        );
      return undefined;
    }
    return ledger.putEvent(storable(stored), stored.version);
  });

  const sent: { message: BuiltMessage; outcome: MessageOutcome }[] = [];
  let failure: unknown;
  let report: SendReport | undefined;
  try {
    report = await deliverMessages(messages, {
      transport: options.transport,
      onDelivered: (message, outcome, file) => {
        sent.push({ message, outcome });
        options.onDelivered?.(message, outcome, file);
      },
    });
  } catch (err) {
    failure = err;
  }

  const outcome: DeliveryOutcome = options.transport.kind === 'outbox' ? 'outbox' : 'accepted';
  ledger.transaction(() => {
    if (failure === undefined) {
      const event = {
        uid: plan.next.uid,
        sequence: plan.next.sequence,
        input: inviteToInput(plan.next),
        // The organizer's copy: the calendar alone (no bodies, no MIME), at the same DTSTAMP.
        calendar: buildCalendar(plan.next, {
          now,
          ...(options.build?.prodId === undefined ? {} : { prodId: options.build.prodId }),
        }),
        state: plan.next.status === 'CANCELLED' ? ('cancelled' as const) : ('active' as const),
      };
      ledger.putEvent(event, claimed);
      ledger.setAttendees(plan.next.uid, nextAttendees(plan, attendees));
      recordExtra?.(ledger);
    }
    // Messages that left are always recorded, even when a later one failed: they reached people.
    for (const { message, outcome: result } of sent)
      ledger.recordOutgoing(outgoingRecord(message, result, outcome, now));
  });
  if (failure !== undefined)
    throw failure instanceof Error ? failure : new Error('delivery failed', { cause: failure });
  return { ...base, ...(report ?? { dryRun: false, messages: [] }) };
}

function storable(event: StoredEvent): Omit<StoredEvent, 'version' | 'createdAt' | 'updatedAt'> {
  return {
    uid: event.uid,
    sequence: event.sequence,
    input: event.input,
    calendar: event.calendar,
    state: event.state,
  };
}

/**
 * The attendee states after the plan: answers are kept for attendees still invited (the planner
 * already reset PARTSTATs in `next` when the change was significant), newcomers start at their
 * PARTSTAT, repliers who were never invited stay recorded as such.
 */
function nextAttendees(plan: Plan, before: readonly AttendeeState[]): AttendeeState[] {
  const previous = new Map(before.map((a) => [a.email, a]));
  const invited = plan.next.attendees.map((a): AttendeeState => {
    const email = a.email.toLowerCase();
    const old = previous.get(email);
    const kept = old !== undefined && old.invited && old.partstat === a.partstat;
    return {
      email,
      ...(a.name === undefined ? {} : { name: a.name }),
      role: a.role,
      partstat: a.partstat,
      invited: true,
      // A PARTSTAT reset by a significant update is not an answer: no answeredAt, via organizer.
      ...(kept
        ? pick(old, ['answeredAt', 'via', 'replySequence', 'replyDtstamp'])
        : old === undefined
          ? {}
          : { via: 'organizer' }),
    };
  });
  const current = new Set(invited.map((a) => a.email));
  const uninvited = before.filter((a) => !a.invited && !current.has(a.email));
  return [...invited, ...uninvited];
}

function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Partial<T> {
  return Object.fromEntries(
    keys.filter((k) => value[k] !== undefined).map((k) => [k, value[k]]),
  ) as unknown as Partial<T>;
}

function outgoingRecord(
  message: BuiltMessage,
  result: MessageOutcome,
  outcome: DeliveryOutcome,
  now: Date,
): OutgoingRecord {
  return {
    messageId: message.messageId,
    uid: message.uid,
    method: message.method,
    sequence: message.sequence,
    recipients: message.recipients,
    sentAt: now.toISOString(),
    sha256: createHash('sha256').update(message.raw).digest('hex'),
    raw: message.raw,
    deliveries: [
      ...result.accepted.map((recipient) => ({ recipient, outcome })),
      ...result.rejected.map((r) => ({
        recipient: r.email,
        outcome: 'rejected' as const,
        ...(r.code === undefined ? {} : { code: r.code }),
        response: r.response,
      })),
    ],
  };
}

/** The organizer's current Invite is the stored input with the ledger's PARTSTATs applied. */
export function withAnswers(invite: Invite, attendees: readonly AttendeeState[]): Invite {
  const answers = new Map(attendees.map((a) => [a.email, a.partstat]));
  return {
    ...invite,
    attendees: invite.attendees.map((a) => {
      const partstat = answers.get(a.email.toLowerCase());
      return partstat === undefined ? a : { ...a, partstat };
    }),
  };
}
