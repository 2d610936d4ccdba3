/**
 * An attendee's scheduling message as read from an email (REPLY, COUNTER, REFRESH), and what the
 * organizer's side decides to do with it. Pure data: read-itip-message.ts produces the first,
 * interpret-reply.ts the second, the ingest flow applies it to the ledger.
 */
import type { PartStat } from '../model/invite.ts';
import type { IncomingResult } from '../ledger/ledger-types.ts';

export interface IncomingItip {
  /** Message-ID without angle brackets (a hash of the bytes when the message has none). */
  readonly messageId: string;
  /** The email's From address (informative only: replies are matched by the calendar's ATTENDEE). */
  readonly from?: string;
  readonly method: 'REPLY' | 'COUNTER' | 'REFRESH';
  readonly uid: string;
  /** RECURRENCE-ID value as written, when the answer is for one occurrence. */
  readonly recurrenceId?: string;
  /** SEQUENCE echoed by the attendee (absent = 0). */
  readonly sequence: number;
  /** DTSTAMP, iCalendar UTC form `20261121T090000Z` (orders answers at the same SEQUENCE). */
  readonly dtstamp?: string;
  /** The answering attendee: lower-cased address, mailto: stripped. */
  readonly attendee: string;
  readonly attendeeName?: string;
  /** PARTSTAT of the answer (REPLY; NEEDS-ACTION when absent). */
  readonly partstat: PartStat;
  readonly comment?: string;
  /** COUNTER: the proposed times as written. */
  readonly proposal?: { readonly start?: string; readonly end?: string; readonly tzid?: string };
}

/** A message that cannot be used at all: the result and why. */
export interface UnreadableItip {
  readonly messageId: string;
  readonly from?: string;
  readonly result: Extract<IncomingResult, 'no-calendar' | 'malformed' | 'unsupported'>;
  readonly reason: string;
}

export interface ReplyDecision {
  readonly result: IncomingResult;
  /** One sentence: 'ada@example.com accepted (SEQUENCE 2)', 'stale: SEQUENCE 1 is below 2'… */
  readonly reason: string;
}
