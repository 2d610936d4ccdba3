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
   *
   * `durability: 'process'` (outermost transactions only) commits without waiting for the disk
   * (SQLite WAL with synchronous=NORMAL): the commit survives the process being killed, but may
   * be lost in a power cut or an OS crash. For records whose loss only repeats work that is safe
   * to repeat (a batch outcome: the message is then resent with the same bytes). Default 'disk'.
   */
  transaction<T>(fn: () => T, options?: { readonly durability?: 'disk' | 'process' }): T;
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
  /** Bulk batches (same database, same transactions). */
  readonly batches: BatchStore;
  close(): void;
}

// ---------------------------------------------------------------------------------------------
// Bulk batches (smtp-invite batch). Rows are recorded as they are read, so a resume needs no rows
// file; a row's intent (its exact bytes) is written before it is sent and its outcome after.

export type BatchState = 'reading' | 'open' | 'finished';

export interface BatchRecord {
  readonly id: string;
  readonly source?: string;
  /** What a resume needs (build options, pacing, transport without secrets), as JSON. */
  readonly settings: unknown;
  readonly state: BatchState;
  /** Rows recorded so far (all of them once state is not 'reading'). */
  readonly rowCount: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt?: string;
}

export type BatchRowState = 'pending' | 'sending' | 'done' | 'invalid';

export interface BatchRecipientState {
  readonly email: string;
  readonly status: 'pending' | 'accepted' | 'failed';
  readonly code: number | null;
  readonly enhanced: string | null;
  readonly response: string | null;
  /** Attempts that reached this recipient's verdict (transient refusals and unknown outcomes count). */
  readonly attempts: number;
}

export interface BatchRowRecord {
  readonly row: number;
  readonly line?: number;
  /**
   * The row's invite input as stored (JSON text, parsed where it is built: the build thread),
   * absent for an invalid row.
   */
  readonly inputJson?: string;
  readonly problems?: readonly string[];
  readonly state: BatchRowState;
  readonly uid?: string;
  readonly messageId?: string;
  readonly envelopeFrom?: string;
  readonly sha256?: string;
  /** Present while the row is 'sending'. */
  readonly raw?: Buffer;
  readonly recipients?: readonly BatchRecipientState[];
}

/** What the sender writes before a message goes out: after this, a resend uses exactly these bytes. */
export interface BatchIntent {
  readonly row: number;
  readonly uid: string;
  readonly messageId: string;
  readonly envelopeFrom: string;
  readonly sha256: string;
  readonly raw: Buffer;
  readonly recipients: readonly BatchRecipientState[];
}

export interface BatchCounts {
  readonly rows: number;
  readonly pending: number;
  readonly sending: number;
  /** Done rows: every recipient accepted / some failed / all failed. */
  readonly sent: number;
  readonly partial: number;
  readonly failed: number;
  readonly invalid: number;
  readonly recipientsAccepted: number;
  readonly recipientsFailed: number;
}

export interface BatchStore {
  /** A new batch in state 'reading'; ERR_LEDGER_CONFLICT if the id exists. */
  createBatch(id: string, settings: unknown, source?: string): BatchRecord;
  getBatch(id: string): BatchRecord | undefined;
  /** The newest batch that is not finished. */
  latestUnfinished(): BatchRecord | undefined;
  listBatches(): BatchRecord[];
  /** Appends rows as read (pending, or invalid with problems); row_count grows with them. */
  addRows(
    id: string,
    rows: readonly {
      readonly row: number;
      readonly line?: number;
      /** The invite input as JSON text (prepared rows). */
      readonly inputJson?: string;
      readonly problems?: readonly string[];
    }[],
  ): void;
  /** Every row is read: state 'open'. */
  finishReading(id: string): void;
  /** Drops the batch and its rows (a batch refused for invalid rows leaves nothing behind). */
  deleteBatch(id: string): void;
  /** Replaces the stored settings (a resume with new flags). */
  updateSettings(id: string, settings: unknown): void;
  /** Unfinished rows (pending or sending) after `afterRow`, in row order. */
  nextRows(id: string, afterRow: number, limit: number): BatchRowRecord[];
  /** Rows that ended with a failed recipient, or invalid, after `afterRow` (the report, in pages). */
  problemRows(id: string, afterRow: number, limit: number): BatchRowRecord[];
  /** The intent: state 'sending' with the exact bytes. */
  recordIntent(id: string, intent: BatchIntent): void;
  /**
   * The outcome so far: recipients' states; when none is pending the row is 'done' and its bytes
   * are dropped.
   */
  recordOutcome(id: string, row: number, recipients: readonly BatchRecipientState[]): void;
  counts(id: string): BatchCounts;
  /**
   * Rows of any batch that sent event `uid` to at least one recipient, oldest batch and row first:
   * what the organizer's side adopts as the event (flows/adopt-batch-event.ts).
   */
  sentRowsForUid(uid: string): { readonly inputJson: string; readonly sentAt: string }[];
  /** state 'finished' (every row done or invalid). */
  finishBatch(id: string): void;
  /** Recipients sent by `account` in the hours (ISO, e.g. 2026-11-21T09) at or after `sinceHour`. */
  usageSince(account: string, sinceHour: string): { hour: string; recipients: number }[];
  addUsage(account: string, hour: string, recipients: number): void;
}
