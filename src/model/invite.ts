/**
 * The invite model: the loose input an app or a JSON file gives (`InviteInput`), and the strict,
 * normalised `Invite` every other module works on. Only `validate-invite.ts` turns one into the other.
 */
import type { DateTime } from 'luxon';

/** iTIP methods (RFC 5546 §1.4), RFC spelling. */
export const METHODS = [
  'PUBLISH',
  'REQUEST',
  'REPLY',
  'ADD',
  'CANCEL',
  'REFRESH',
  'COUNTER',
  'DECLINECOUNTER',
] as const;
export type Method = (typeof METHODS)[number];

/** The methods an organizer's invite can be built with (REPLY & co. come from the attendee side). */
export const INVITE_METHODS = ['REQUEST', 'PUBLISH', 'CANCEL'] as const satisfies readonly Method[];
export type InviteMethod = (typeof INVITE_METHODS)[number];

/**
 * The methods the builder writes: the invite methods, and DECLINECOUNTER (RFC 5546 §3.2.8), which
 * only the iTIP planner produces (never an input's `method`, never stored in the ledger).
 */
export type BuildMethod = InviteMethod | 'DECLINECOUNTER';

/** Input role → iCalendar ROLE (RFC 5545 §3.2.16). */
export const ROLES = {
  required: 'REQ-PARTICIPANT',
  optional: 'OPT-PARTICIPANT',
  chair: 'CHAIR',
  'non-participant': 'NON-PARTICIPANT',
} as const;
export type RoleInput = keyof typeof ROLES;
export type Role = (typeof ROLES)[RoleInput];

/** Input kind → iCalendar CUTYPE (RFC 5545 §3.2.3). */
export const KINDS = {
  person: 'INDIVIDUAL',
  room: 'ROOM',
  resource: 'RESOURCE',
  group: 'GROUP',
} as const;
export type KindInput = keyof typeof KINDS;
export type CalendarUserType = (typeof KINDS)[KindInput];

/** PARTSTAT values for a VEVENT (RFC 5545 §3.2.12). */
export const PARTSTATS = [
  'NEEDS-ACTION',
  'ACCEPTED',
  'DECLINED',
  'TENTATIVE',
  'DELEGATED',
] as const;
export type PartStat = (typeof PARTSTATS)[number];

/** Input status → STATUS (RFC 5545 §3.8.1.11); CANCELLED is set by METHOD:CANCEL, not by input. */
export const STATUSES = { confirmed: 'CONFIRMED', tentative: 'TENTATIVE' } as const;
export type EventStatus = (typeof STATUSES)[keyof typeof STATUSES] | 'CANCELLED';

/** Input transparency → TRANSP (RFC 5545 §3.8.2.7). */
export const TRANSPARENCIES = { busy: 'OPAQUE', free: 'TRANSPARENT' } as const;
export type Transparency = (typeof TRANSPARENCIES)[keyof typeof TRANSPARENCIES];

/** RRULE FREQ values (RFC 5545 §3.3.10). */
export const FREQUENCIES = [
  'SECONDLY',
  'MINUTELY',
  'HOURLY',
  'DAILY',
  'WEEKLY',
  'MONTHLY',
  'YEARLY',
] as const;
export type Frequency = (typeof FREQUENCIES)[number];

// ---------------------------------------------------------------------------------------------
// Input (what users write). Everything optional that has a default; validated, never trusted.

export interface PersonInput {
  name?: string;
  email: string;
}

export interface OrganizerInput extends PersonInput {
  /** Mailbox that sends on behalf of the organizer (ORGANIZER;SENT-BY, MIME Sender). */
  sentBy?: string;
}

export interface AttendeeInput extends PersonInput {
  role?: RoleInput;
  kind?: KindInput;
  /** Defaults to true, except for non-participants. */
  rsvp?: boolean;
  /**
   * The attendee's answer as the organizer knows it (PARTSTAT, RFC 5545 §3.2.12). Defaults to
   * NEEDS-ACTION; set by the ledger's organizer copy (answers received), rarely by hand.
   */
  partstat?: PartStat | Lowercase<PartStat>;
}

export interface RecurrenceRuleInput {
  freq: Frequency | Lowercase<Frequency>;
  interval?: number;
  count?: number;
  /** Same forms as `start` (wall-clock in `timeZone`, or with an offset / `Z`), or a date for all-day. */
  until?: string;
  byDay?: string[];
  byMonth?: number[];
  byMonthDay?: number[];
  bySetPos?: number[];
  weekStart?: string;
}

export interface RecurrenceInput {
  /** An RRULE value without the `RRULE:` prefix (`FREQ=WEEKLY;BYDAY=TU;COUNT=10`), or its parts. */
  rrule: string | RecurrenceRuleInput;
  /** Excluded occurrences, in the same form as `start`. */
  exdates?: string[];
}

export interface AlarmInput {
  /** ISO 8601 duration before the start, e.g. `PT15M`. */
  before: string;
}

export interface InviteInput {
  uid?: string;
  sequence?: number;
  method?: InviteMethod | Lowercase<InviteMethod>;
  summary: string;
  description?: string;
  /** HTML description (X-ALT-DESC;FMTTYPE=text/html and the HTML body). */
  html?: string;
  location?: string;
  /** Join link (URL property). */
  url?: string;
  /** IANA time zone; `start`/`end` without an offset are wall-clock times there. */
  timeZone?: string;
  start: string;
  end?: string;
  /** ISO 8601 duration; may replace `end`. */
  duration?: string;
  allDay?: boolean;
  recurrence?: RecurrenceInput;
  organizer: OrganizerInput;
  attendees: AttendeeInput[];
  alarms?: AlarmInput[];
  status?: keyof typeof STATUSES;
  transparency?: keyof typeof TRANSPARENCIES;
}

// ---------------------------------------------------------------------------------------------
// Normalised model (what the builders read). Text is already single-line where it must be.

export interface Person {
  /** Lower-cased domain, local part as given: `Zoë@Example.COM` → `Zoë@example.com` is rejected (ASCII only). */
  readonly email: string;
  /** Single line: CR/LF and other control characters already replaced by spaces. */
  readonly name?: string;
}

export interface Organizer extends Person {
  readonly sentBy?: string;
}

export interface Attendee extends Person {
  readonly role: Role;
  readonly cutype: CalendarUserType;
  readonly rsvp: boolean;
  readonly partstat: PartStat;
}

export interface Recurrence {
  /** Canonical RRULE value (no `RRULE:` prefix), parts in a fixed order. */
  readonly rrule: string;
  /** Excluded occurrence starts, in the event's zone (all-day: midnight UTC of the date). */
  readonly exdates: readonly DateTime[];
}

export interface Alarm {
  /** ISO 8601 duration, normalised (e.g. `PT15M`, `P1D`). */
  readonly before: string;
  readonly seconds: number;
}

export interface Invite {
  readonly uid: string;
  readonly sequence: number;
  readonly method: BuildMethod;
  /** Single line. */
  readonly summary: string;
  /** Multi-line; line breaks normalised to `\n`. */
  readonly description?: string;
  readonly html?: string;
  /** Single line. */
  readonly location?: string;
  readonly url?: string;
  /**
   * IANA zone of DTSTART/DTEND (TZID + VTIMEZONE). null: times are written in UTC with `Z`
   * (input gave offsets and no zone, or the zone is UTC). Always null for all-day events.
   */
  readonly timeZone: string | null;
  readonly allDay: boolean;
  /** Zoned in `timeZone` (or UTC); for all-day events midnight UTC of the date. */
  readonly start: DateTime;
  /** Exclusive end, as in iCalendar. */
  readonly end: DateTime;
  readonly recurrence?: Recurrence;
  /**
   * Set only on a message about one occurrence of a series (RECURRENCE-ID, RFC 5545 §3.8.4.4): the
   * occurrence's original start, like `start` (zoned, or midnight UTC of the date when all-day).
   * Such an Invite has no `recurrence`. Built by the iTIP planner, never read from input.
   */
  readonly recurrenceId?: DateTime;
  /** COMMENT (RFC 5545 §3.8.1.4), e.g. the organizer's reason in a DECLINECOUNTER. Planner only. */
  readonly comment?: string;
  readonly organizer: Organizer;
  readonly attendees: readonly Attendee[];
  readonly alarms: readonly Alarm[];
  readonly status: EventStatus;
  readonly transparency: Transparency;
}

/** Limits applied by validation; all configurable (README: "Limits"). */
export interface InviteLimits {
  readonly maxAttendees: number;
  /** Octets (UTF-8) of any plain-text field. */
  readonly maxTextBytes: number;
  /** Octets (UTF-8) of the HTML description. */
  readonly maxHtmlBytes: number;
}

export const DEFAULT_LIMITS: InviteLimits = {
  maxAttendees: 1000,
  maxTextBytes: 64 * 1024,
  maxHtmlBytes: 256 * 1024,
};
