/**
 * What the iTIP planner decides (RFC 5546, modelled on sabre/vobject's ITip Broker): given the
 * organizer's current event and a change, which messages go to whom. Pure data: the flows build
 * each planned message with the core builder (buildInviteMessages with `recipients`) and store
 * `next` in the ledger.
 */
import type { Invite } from '../model/invite.ts';

export interface PlannedMessage {
  /** REQUEST, CANCEL (also of one occurrence), or DECLINECOUNTER to one attendee. */
  readonly method: 'REQUEST' | 'CANCEL' | 'DECLINECOUNTER';
  /**
   * The invite to build: its METHOD, SEQUENCE, STATUS and the ATTENDEE list the calendar must show
   * (a CANCEL to a removed attendee lists only that attendee, RFC 5546 §3.2.5).
   */
  readonly invite: Invite;
  /** Who receives it (lower-cased addresses, a subset of invite.attendees; never the organizer). */
  readonly recipients: readonly string[];
  /** Why, for the CLI and the ledger: 'new event', 'updated', 'removed attendee', 'cancelled'… */
  readonly reason: string;
}

export interface Plan {
  /** The organizer's copy after the change (what the ledger stores and `export` writes). */
  readonly next: Invite;
  readonly messages: readonly PlannedMessage[];
  /** The change moved the event in time or recurrence: SEQUENCE + 1 and PARTSTATs reset. */
  readonly significant: boolean;
  /** What changed, e.g. ['DTSTART', 'attendees added: bob@example.org']. */
  readonly changes: readonly string[];
}
