/**
 * interpretReply: what an attendee's answer changes on the organizer's side. Pure: the ingest flow
 * reads the ledger, calls this, and writes `attendees` / `counter` back with the incoming record
 * in one transaction.
 *
 * Order of the checks, and the decisions behind them:
 * 1. the same Message-ID again → 'duplicate' (processing a message twice changes nothing);
 * 2. a UID the ledger does not know → 'unknown-event';
 * 3. a replier who is not an invited attendee → 'unknown-attendee'. A REPLY from them is recorded
 *    as an AttendeeState with invited:false (shown in status, never added to the invite); the
 *    result is not 'applied' because nobody invited them: the ingest exit code flags it. A COUNTER
 *    or REFRESH from them changes nothing (the event is never resent to a stranger);
 * 4. REFRESH → 'applied', reason 'refresh requested': the flow resends the latest REQUEST to that
 *    attendee only (RFC 5546 §3.2.6); nothing is stored;
 * 5. an answer for one occurrence (RECURRENCE-ID) → 'unsupported': the ledger keeps one PARTSTAT
 *    per attendee, and recording an occurrence's answer as the series' would be wrong;
 * 6. a cancelled event → 'stale': its answers no longer matter;
 * 7. stale (RFC 5546 §2.1.5): a SEQUENCE below the event's current one answers a version that has
 *    since changed significantly; below the attendee's last applied answer, or the same SEQUENCE
 *    with an older DTSTAMP, it was overtaken by a later answer (mail is not ordered);
 * 8. the same answer again under another Message-ID (same PARTSTAT, SEQUENCE, DTSTAMP; Outlook
 *    and Gmail both resend) → 'duplicate', answeredAt unchanged;
 * 9. otherwise 'applied': REPLY sets the PARTSTAT (answeredAt = now, via = Message-ID, with the
 *    answer's SEQUENCE and DTSTAMP for later staleness checks); COUNTER records a proposal and
 *    leaves the PARTSTAT alone (§3.2.7: a counter is not an answer to the invitation).
 */
import type { AttendeeState, CounterProposal } from '../ledger/ledger-types.ts';
import type { IncomingItip, ReplyDecision } from './reply-types.ts';

export interface ReplyEventState {
  readonly uid: string;
  readonly sequence: number;
  readonly state: 'active' | 'cancelled';
}

export interface ReplyInterpretation {
  readonly decision: ReplyDecision;
  /** The event's whole new attendee set (for Ledger.setAttendees), only when something changed. */
  readonly attendees?: AttendeeState[];
  /** A COUNTER to record (Ledger.addCounter). */
  readonly counter?: Omit<CounterProposal, 'id' | 'state'>;
}

const VERBS: Record<IncomingItip['partstat'], string> = {
  ACCEPTED: 'accepted',
  TENTATIVE: 'tentatively accepted',
  DECLINED: 'declined',
  DELEGATED: 'delegated',
  'NEEDS-ACTION': 'answered without a decision (NEEDS-ACTION)',
};

export function interpretReply(
  item: IncomingItip,
  event: ReplyEventState | undefined,
  attendees: readonly AttendeeState[],
  alreadyProcessed: boolean,
  now: Date,
): ReplyInterpretation {
  const decide = (result: ReplyDecision['result'], reason: string): ReplyInterpretation => ({
    decision: { result, reason },
  });
  const who = item.attendee;
  if (alreadyProcessed) {
    return decide('duplicate', `message ${item.messageId} was already processed`);
  }
  if (event === undefined || event.uid !== item.uid) {
    return decide('unknown-event', `no event with UID ${item.uid} in the ledger`);
  }
  const current = attendees.find((a) => a.email === who);
  if (current === undefined || !current.invited) {
    const reason = `${who} is not an attendee of ${item.uid}`;
    if (item.method !== 'REPLY')
      return decide('unknown-attendee', `${reason}; ${item.method} ignored`);
    const staleness = current === undefined ? undefined : staleReason(item, event, current);
    if (staleness !== undefined) return decide('stale', staleness);
    const recorded = answered(
      current ?? { email: who, partstat: 'NEEDS-ACTION', invited: false },
      item,
      now,
    );
    return {
      decision: {
        result: 'unknown-attendee',
        reason: `${reason}; their answer (${VERBS[item.partstat]}) is recorded as uninvited`,
      },
      attendees: replace(attendees, recorded),
    };
  }
  if (item.method === 'REFRESH') {
    return decide('applied', `refresh requested by ${who}`);
  }
  if (item.recurrenceId !== undefined) {
    return decide(
      'unsupported',
      `${who} answered one occurrence (RECURRENCE-ID ${item.recurrenceId}); the ledger keeps one answer per attendee for the whole event`,
    );
  }
  if (event.state === 'cancelled') {
    return decide(
      'stale',
      `the event ${item.uid} is cancelled; ${item.method} from ${who} ignored`,
    );
  }
  const staleness = staleReason(item, event, current);
  if (staleness !== undefined) return decide('stale', staleness);

  if (item.method === 'COUNTER') {
    const proposal = item.proposal ?? {};
    return {
      decision: {
        result: 'applied',
        reason: `${who} proposed a new time${describeProposal(proposal)} (SEQUENCE ${item.sequence})`,
      },
      counter: {
        attendee: who,
        messageId: item.messageId,
        receivedAt: now.toISOString(),
        ...proposal,
        ...(item.comment === undefined ? {} : { comment: item.comment }),
      },
    };
  }
  if (
    current.via !== undefined &&
    current.partstat === item.partstat &&
    current.replySequence === item.sequence &&
    current.replyDtstamp === item.dtstamp
  ) {
    return decide('duplicate', `same answer as message ${current.via} (${VERBS[item.partstat]})`);
  }
  return {
    decision: {
      result: 'applied',
      reason: `${who} ${VERBS[item.partstat]} (SEQUENCE ${item.sequence})`,
    },
    attendees: replace(attendees, answered(current, item, now)),
  };
}

function staleReason(
  item: IncomingItip,
  event: ReplyEventState,
  current: AttendeeState,
): string | undefined {
  if (item.sequence < event.sequence) {
    return `stale: SEQUENCE ${item.sequence} is below the event's ${event.sequence} (the answer is for an older version)`;
  }
  if (current.replySequence !== undefined && item.sequence < current.replySequence) {
    return `stale: SEQUENCE ${item.sequence} is below ${current.replySequence} of the answer already applied`;
  }
  if (
    current.replySequence === item.sequence &&
    current.replyDtstamp !== undefined &&
    item.dtstamp !== undefined &&
    compareStamps(item.dtstamp, current.replyDtstamp) < 0
  ) {
    return `stale: DTSTAMP ${item.dtstamp} is older than ${current.replyDtstamp} of the answer already applied at SEQUENCE ${item.sequence}`;
  }
  return undefined;
}

/** iCalendar UTC stamps (`20261121T090000Z`) order as text once reduced to their digits. */
function compareStamps(a: string, b: string): number {
  const digits = (s: string): string => s.replace(/\D/g, '').padEnd(14, '0');
  const x = digits(a);
  const y = digits(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function answered(current: AttendeeState, item: IncomingItip, now: Date): AttendeeState {
  const { replyDtstamp: _previous, ...rest } = current;
  return {
    ...rest,
    ...(current.name === undefined && item.attendeeName !== undefined
      ? { name: item.attendeeName }
      : {}),
    partstat: item.partstat,
    answeredAt: now.toISOString(),
    via: item.messageId,
    replySequence: item.sequence,
    ...(item.dtstamp === undefined ? {} : { replyDtstamp: item.dtstamp }),
  };
}

function replace(attendees: readonly AttendeeState[], next: AttendeeState): AttendeeState[] {
  const found = attendees.some((a) => a.email === next.email);
  return found ? attendees.map((a) => (a.email === next.email ? next : a)) : [...attendees, next];
}

function describeProposal(proposal: NonNullable<IncomingItip['proposal']>): string {
  if (proposal.start === undefined) return '';
  const zone = proposal.tzid === undefined ? '' : ` ${proposal.tzid}`;
  const end = proposal.end === undefined ? '' : ` to ${proposal.end}`;
  return `: ${proposal.start}${end}${zone}`;
}
