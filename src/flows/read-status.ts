/**
 * What the organizer knows about an event: the `status` and `list` commands' JSON shapes (a
 * documented contract), read from the ledger only.
 */
import type { Ledger } from '../ledger/ledger-types.ts';
import { loadEvent } from './organizer-flows.ts';

export interface AttendeeStatus {
  readonly email: string;
  readonly name: string | null;
  readonly role: string | null;
  readonly partstat: string;
  /** When the last answer was applied (null: no answer yet). */
  readonly answeredAt: string | null;
  /** Message-ID of that answer, 'organizer' when an update reset it, null otherwise. */
  readonly via: string | null;
  /** false: answered without being invited (never added to the invite). */
  readonly invited: boolean;
}

export interface EventStatusReport {
  readonly uid: string;
  readonly sequence: number;
  readonly summary: string;
  /** CONFIRMED, TENTATIVE or CANCELLED. */
  readonly status: string;
  readonly start: string;
  readonly attendees: readonly AttendeeStatus[];
  readonly counters: readonly {
    readonly attendee: string;
    readonly messageId: string;
    readonly receivedAt: string;
    readonly start: string | null;
    readonly end: string | null;
    readonly comment: string | null;
    readonly state: string;
  }[];
  readonly deliveries: readonly {
    readonly messageId: string;
    readonly method: string;
    readonly sequence: number;
    readonly recipient: string;
    readonly outcome: string;
    readonly code: number | null;
  }[];
}

export function readStatus(ledger: Ledger, uid: string): EventStatusReport {
  const { stored, current, attendees } = loadEvent(ledger, uid);
  return {
    uid,
    sequence: stored.sequence,
    summary: current.summary,
    status: stored.state === 'cancelled' ? 'CANCELLED' : current.status,
    start: current.allDay ? (current.start.toISODate() ?? '') : (current.start.toISO() ?? ''),
    attendees: attendees.map((a) => ({
      email: a.email,
      name: a.name ?? null,
      role: a.role ?? null,
      partstat: a.partstat,
      answeredAt: a.answeredAt ?? null,
      via: a.via ?? null,
      invited: a.invited,
    })),
    counters: ledger.listCounters(uid).map((c) => ({
      attendee: c.attendee,
      messageId: c.messageId,
      receivedAt: c.receivedAt,
      start: c.start ?? null,
      end: c.end ?? null,
      comment: c.comment ?? null,
      state: c.state,
    })),
    deliveries: ledger.listOutgoing(uid).flatMap((m) =>
      m.deliveries.map((d) => ({
        messageId: m.messageId,
        method: m.method,
        sequence: m.sequence,
        recipient: d.recipient,
        outcome: d.outcome,
        code: d.code ?? null,
      })),
    ),
  };
}

export interface EventListing {
  readonly uid: string;
  readonly sequence: number;
  readonly summary: string;
  readonly status: string;
  readonly attendees: number;
  readonly answered: number;
  readonly updatedAt: string;
}

export function listStatuses(ledger: Ledger): EventListing[] {
  return ledger.listEvents().map((event) => {
    const attendees = ledger.getAttendees(event.uid).filter((a) => a.invited);
    return {
      uid: event.uid,
      sequence: event.sequence,
      summary: event.input.summary,
      status:
        event.state === 'cancelled'
          ? 'CANCELLED'
          : (event.input.status ?? 'confirmed').toUpperCase(),
      attendees: attendees.length,
      answered: attendees.filter((a) => a.partstat !== 'NEEDS-ACTION').length,
      updatedAt: event.updatedAt,
    };
  });
}
