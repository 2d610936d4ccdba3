/**
 * The organizer's side of every invite, as the ledger stores it. The ledger is the only stateful
 * part of smtp-invite: the iTIP planner (src/itip/) and the reply interpreter (src/replies/) are
 * pure functions of these records; the flows read them, plan, send, and write back in one
 * transaction.
 */
import type { InviteInput, PartStat } from '../model/invite.ts';

export interface StoredEvent {
  readonly uid: string;
  /** SEQUENCE of the last REQUEST/CANCEL sent. */
  readonly sequence: number;
  /**
   * The event as last sent, as invite input (JSON): uid and sequence set; attendees as currently
   * invited (removed ones are gone). Re-validating it gives the organizer's current Invite.
   */
  readonly input: InviteInput;
  /** The exact iCalendar text last sent (the organizer's copy). */
  readonly calendar: string;
  /** 'cancelled' once the whole event was cancelled. */
  readonly state: 'active' | 'cancelled';
  /** Bumped by every write: a writer that read version N fails with ERR_LEDGER_CONFLICT if it moved. */
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface AttendeeState {
  /** Lower-cased address (the key). */
  readonly email: string;
  readonly name?: string;
  readonly role?: string;
  readonly partstat: PartStat;
  /** ISO time the last answer was applied (undefined: never answered). */
  readonly answeredAt?: string;
  /** Message-ID of the reply that set the PARTSTAT, or 'organizer' when reset by an update. */
  readonly via?: string;
  /** SEQUENCE and DTSTAMP (iCalendar form, UTC) of the applied reply: stale replies are refused. */
  readonly replySequence?: number;
  readonly replyDtstamp?: string;
  /** false: answered without being invited (recorded, never added to the invite). */
  readonly invited: boolean;
}

export interface CounterProposal {
  readonly id: number;
  readonly attendee: string;
  readonly messageId: string;
  readonly receivedAt: string;
  /** Proposed DTSTART/DTEND as written (iCalendar values), and TZID. */
  readonly start?: string;
  readonly end?: string;
  readonly tzid?: string;
  readonly comment?: string;
  readonly state: 'open' | 'declined';
}

export type DeliveryOutcome = 'accepted' | 'rejected' | 'dry-run' | 'outbox';

export interface Delivery {
  readonly recipient: string;
  readonly outcome: DeliveryOutcome;
  /** SMTP reply code for rejections. */
  readonly code?: number;
  readonly response?: string;
}

export interface OutgoingRecord {
  readonly messageId: string;
  readonly uid: string;
  readonly method: string;
  readonly sequence: number;
  readonly recipients: readonly string[];
  readonly sentAt: string;
  /** SHA-256 (hex) of the exact bytes; the bytes themselves are kept to resend byte-identical. */
  readonly sha256: string;
  readonly raw: Buffer;
  readonly deliveries: readonly Delivery[];
}

export type IncomingResult =
  | 'applied'
  | 'duplicate'
  | 'stale'
  | 'unknown-event'
  | 'unknown-attendee'
  | 'no-calendar'
  | 'malformed'
  | 'unsupported';

export interface IncomingRecord {
  readonly messageId: string;
  readonly from?: string;
  readonly method?: string;
  readonly uid?: string;
  readonly result: IncomingResult;
  readonly reason: string;
  readonly processedAt: string;
}

/** Synchronous: node:sqlite is synchronous, and a transaction must not interleave with IO. */
export interface Ledger {
  readonly path: string;
  /**
   * Runs fn in one write transaction (BEGIN IMMEDIATE: writers are serialised across processes;
   * busy_timeout waits for the other). Any throw rolls everything back.
   */
  transaction<T>(fn: () => T): T;
  getEvent(uid: string): StoredEvent | undefined;
  listEvents(): StoredEvent[];
  /**
   * Inserts (expectedVersion undefined: the UID must be new) or replaces the event; the stored
   * version must equal expectedVersion, else ERR_LEDGER_CONFLICT. Returns the new version.
   */
  putEvent(
    event: Omit<StoredEvent, 'version' | 'createdAt' | 'updatedAt'>,
    expectedVersion?: number,
  ): number;
  getAttendees(uid: string): AttendeeState[];
  /** Replaces the whole attendee set of the event. */
  setAttendees(uid: string, attendees: readonly AttendeeState[]): void;
  addCounter(uid: string, counter: Omit<CounterProposal, 'id' | 'state'>): number;
  listCounters(uid: string): CounterProposal[];
  setCounterState(id: number, state: CounterProposal['state']): void;
  recordOutgoing(record: OutgoingRecord): void;
  listOutgoing(uid: string): OutgoingRecord[];
  recordIncoming(record: IncomingRecord): void;
  findIncoming(messageId: string): IncomingRecord | undefined;
  close(): void;
}
