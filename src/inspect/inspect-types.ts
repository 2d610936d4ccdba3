/**
 * The inspector's vocabulary: what a report contains, what a rule is, and what a rule sees. Rules are
 * pure functions of an InspectContext; the engine (inspect-engine.ts) builds the context, runs the
 * rules within the time budget and derives each client's verdict from the findings.
 */
import type { Severity } from '../diagnostics.ts';
import type { CalendarAttendee } from '../ical/read-calendar.ts';
import type { CalendarScan, Component } from './calendar-model.ts';
import type { MimeNode } from './mime-model.ts';

/** The calendar clients whose behaviour the inspector predicts. */
export const CLIENTS = ['outlook', 'gmail', 'apple', 'thunderbird'] as const;
export type Client = (typeof CLIENTS)[number];

export const CLIENT_NAMES: Record<Client, string> = {
  outlook: 'Outlook',
  gmail: 'Gmail',
  apple: 'Apple Calendar',
  thunderbird: 'Thunderbird',
};

/**
 * What a client does with the message, best first. `applied`: an update, cancellation or reply is
 * applied to the calendar item; `degraded`: handled, but something shows wrong (time, organizer…).
 */
export const OUTCOMES = [
  'invitation',
  'applied',
  'degraded',
  'invitation-without-buttons',
  'attachment',
  'ignored',
  'not-an-invitation',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface Finding {
  /** Stable kebab-case rule id (equal to the rule's file name). */
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  /**
   * Where: a MIME part path (`message`, `1`, `1.3`), or a calendar location
   * `<part>/VEVENT[0]/DTSTAMP` (`<part>` is `calendar` for a standalone .ics).
   */
  readonly path: string;
  /** 1-based physical line in the calendar text, when the finding is tied to one. */
  readonly line?: number;
  /** Clients whose handling this finding changes. */
  readonly clients?: readonly Client[];
  /** One line: how to fix it. */
  readonly fix: string;
}

export interface ClientVerdict {
  readonly client: Client;
  readonly outcome: Outcome;
  /** Human wording, e.g. "shown as an invitation with Accept/Decline buttons". */
  readonly label: string;
  /** Why (the findings that changed the outcome), empty when all is well. */
  readonly reasons: readonly string[];
}

export interface MimePartSummary {
  readonly path: string;
  readonly contentType: string;
  readonly params: Readonly<Record<string, string>>;
  readonly transferEncoding?: string;
  readonly disposition?: string;
  readonly filename?: string;
  readonly size: number;
  readonly children: readonly MimePartSummary[];
}

export type CalendarPlacement = 'alternative' | 'inline' | 'attachment' | 'standalone';

export interface CalendarPartSummary {
  readonly path: string;
  readonly placement: CalendarPlacement;
  readonly contentType: string;
  /** The MIME `method=` parameter, upper-cased. */
  readonly method?: string;
  readonly charset?: string;
  readonly filename?: string;
  /** The part clients read (inline alternative first). */
  readonly primary: boolean;
  /** For copies: whether it carries the same calendar as the primary part. */
  readonly agreesWithPrimary?: boolean;
}

export interface TimeInfo {
  /** As written: `20261201T100000`, `20261224`. */
  readonly value: string;
  readonly tzid?: string;
  /** The instant in UTC (ISO 8601) when it can be resolved. */
  readonly utc?: string;
}

/** An ATTENDEE as read: the same shape readCalendar gives. */
export type AttendeeInfo = CalendarAttendee;

export interface EventInfo {
  readonly uid?: string;
  readonly recurrenceId?: string;
  readonly sequence?: number;
  readonly dtstamp?: string;
  readonly status?: string;
  readonly summary?: string;
  readonly organizer?: { readonly address: string; readonly cn?: string; readonly sentBy?: string };
  readonly attendees: readonly AttendeeInfo[];
  readonly start?: TimeInfo;
  readonly end?: TimeInfo;
}

export interface CalendarInfo {
  /** The calendar part it came from. */
  readonly path: string;
  readonly method?: string;
  readonly events: readonly EventInfo[];
}

export interface InspectReport {
  readonly input: { readonly kind: 'message' | 'calendar'; readonly size: number };
  /** The MIME tree (messages only). */
  readonly mime?: MimePartSummary;
  readonly calendarParts: readonly CalendarPartSummary[];
  readonly calendars: readonly CalendarInfo[];
  readonly findings: readonly Finding[];
  readonly clients: readonly ClientVerdict[];
  /** Counts by severity, for exit codes and summaries. */
  readonly summary: { readonly errors: number; readonly warnings: number; readonly infos: number };
  readonly durationMs: number;
}

export interface InspectOptions {
  /** The envelope recipient: checks "recipient is not an ATTENDEE" / "recipient is the organizer". */
  readonly recipient?: string;
  /** SEQUENCE of the event last seen, if known: an update must carry a higher one. */
  readonly previousSequence?: number;
  /** Bytes; larger input is not parsed (default 25 MB). */
  readonly maxBytes?: number;
  /** Milliseconds; rules not run by then are reported (default 2000). */
  readonly timeLimitMs?: number;
  /** Rule ids to skip. */
  readonly ignore?: readonly string[];
}

// ------------------------------------------------------------------------------------------------
// Rules

/** A calendar part as rules see it. */
export interface CalendarPart {
  readonly path: string;
  readonly placement: CalendarPlacement;
  readonly contentType: string;
  readonly method?: string;
  readonly charset?: string;
  readonly filename?: string;
  /** The MIME node (undefined for a standalone .ics). */
  readonly node?: MimeNode;
  /** Raw decoded bytes (transfer encoding undone). */
  readonly bytes: Buffer;
  /** Text after charset decoding. */
  readonly text: string;
  /** Set when the charset could not be applied cleanly. */
  readonly charsetProblem?: string;
  readonly scan: CalendarScan;
  /** The VCALENDAR component, if the scan found one. */
  readonly vcalendar?: Component;
  /** METHOD property value, upper-cased. */
  readonly calendarMethod?: string;
  readonly events: readonly EventInfo[];
  readonly primary: boolean;
}

export interface InspectContext {
  readonly kind: 'message' | 'calendar';
  readonly options: InspectOptions;
  readonly raw: Buffer;
  /** The MIME tree (messages only). */
  readonly root?: MimeNode;
  readonly calendarParts: readonly CalendarPart[];
  /** The part clients act on; undefined when there is no calendar at all. */
  readonly primary?: CalendarPart;
}

/** How a finding of a rule changes what a client does. */
export interface RuleEffect {
  readonly client: Client;
  readonly outcome: Outcome;
}

/** What a rule reports; the engine adds the rule id, default severity and fix. */
export interface RuleHit {
  readonly message: string;
  readonly path: string;
  readonly line?: number;
  readonly severity?: Severity;
  /** Overrides the rule's static effects for this hit (e.g. depends on the method). */
  readonly effects?: readonly RuleEffect[];
}

export type RuleCategory = 'mime' | 'syntax' | 'itip' | 'icalendar' | 'client' | 'input';

export interface Rule {
  /** Stable kebab-case id, equal to the file name under rules/. */
  readonly id: string;
  readonly category: RuleCategory;
  readonly severity: Severity;
  /** One line for the README table. */
  readonly summary: string;
  /** One line: how to fix it (shown by the CLI). */
  readonly fix: string;
  /** Where the requirement or the client behaviour comes from (RFC section, vendor documentation). */
  readonly source: string;
  /** What clients do when it fires (default for every hit). */
  readonly effects?: readonly RuleEffect[];
  check(context: InspectContext): Iterable<RuleHit>;
}

/** Identity helper that keeps rule objects literal-typed and checked. */
export function defineRule(rule: Rule): Rule {
  return rule;
}
