/**
 * The RFC 5546 §3 "restriction tables" for VEVENT methods, transcribed row by row from the RFC text
 * (December 2009) with verified erratum 3932 applied. Row order and comments follow the RFC;
 * comments are the RFC's words with line wrapping and double spaces collapsed (the RFC's own typo
 * "TENATIVE" in the COUNTER STATUS row is kept: it is a transcription, not an edit).
 *
 * Layout: ITIP_PRESENCE[method][component] lists the rows that apply *inside* that component.
 *   - VCALENDAR: the method table's METHOD row, the §3.1.1 calendar-property rows, then the method
 *     table's non-indented component rows (VEVENT, VTIMEZONE, VTODO…).
 *   - VEVENT: the method table's indented rows, including its VALARM row.
 *   - VALARM, VTIMEZONE, STANDARD, DAYLIGHT: the §3.1.2/§3.1.3 tables, which "apply to any …
 *     component in an iTIP message" and are therefore shared by every method.
 * Where a method table and a §3.1 table both give a component's own presence (VTIMEZONE 0+ in §3.1.2
 * but 0 or 1 in the REPLY table; VALARM 0+ in §3.1.3 but 0 in REPLY/CANCEL/REFRESH/DECLINECOUNTER),
 * the method table is the more specific statement and is the one used; the §3.1 "header" rows
 * (VTIMEZONE 0+, VALARM 0+) are therefore not repeated here.
 */

import { METHODS, type Method } from '../model/invite.ts';

/** The eight iTIP methods (RFC 5546 §1.4): the model's own table, in §3.2 order. */
export type ItipMethod = Method;

/** RFC 5546 §3, "Presence Value" table. */
export type Presence = '1' | '1+' | '0' | '0+' | '0 or 1';

export interface PresenceRow {
  /** Property or component name, or one of the wildcards IANA-PROPERTY, X-PROPERTY, IANA-COMPONENT, X-COMPONENT. */
  readonly name: string;
  readonly presence: Presence;
  readonly comment?: string;
  readonly kind: 'property' | 'component';
}

/** The eight methods in RFC 5546 §3.2 order. */
export const ITIP_METHODS: readonly ItipMethod[] = METHODS;

/** Section of RFC 5546 holding each method's VEVENT table. */
export const ITIP_SECTIONS: Readonly<Record<ItipMethod, string>> = {
  PUBLISH: '3.2.1',
  REQUEST: '3.2.2',
  REPLY: '3.2.3',
  ADD: '3.2.4',
  CANCEL: '3.2.5',
  REFRESH: '3.2.6',
  COUNTER: '3.2.7',
  DECLINECOUNTER: '3.2.8',
};

/**
 * Whether a METHOD value names one of the eight VEVENT methods. Pass it upper-cased: METHOD values
 * are case-insensitive like all enumerated values (RFC 5545 §2).
 */
export function isItipMethod(value: string): value is ItipMethod {
  return (ITIP_METHODS as readonly string[]).includes(value);
}

function row(kind: PresenceRow['kind'], name: string, presence: Presence, comment?: string) {
  const r: PresenceRow =
    comment === undefined ? { name, presence, kind } : { name, presence, comment, kind };
  return r;
}
const p = (name: string, presence: Presence, comment?: string) =>
  row('property', name, presence, comment);
const c = (name: string, presence: Presence, comment?: string) =>
  row('component', name, presence, comment);

// Comments that recur verbatim across the tables.
const RECURRENCE_ID =
  'Only if referring to an instance of a recurring calendar component. Otherwise, it MUST NOT be present.';
const SEQUENCE_IF_NONZERO = 'MUST be present if value is greater than 0; MAY be present if 0.';
const DTEND_EXCLUSIVE = 'If present, DURATION MUST NOT be present.';
const DURATION_EXCLUSIVE = 'If present, DTEND MUST NOT be present.';
const VTIMEZONE_NEEDED = 'MUST be present if any date/time refers to a timezone.';
const CAN_BE_NULL = 'Can be null.';
const ONE_OF_STANDARD_DAYLIGHT = 'MUST be one or more of either STANDARD or DAYLIGHT.';
const RDATE_EXCLUSIVE = 'If present, RRULE MUST NOT be present.';
const RRULE_EXCLUSIVE = 'If present, RDATE MUST NOT be present.';

// §3.1.1 Constraints for Properties in a VCALENDAR Component.
const VCALENDAR_PROPERTIES: readonly PresenceRow[] = [
  p('CALSCALE', '0 or 1'),
  p('PRODID', '1'),
  p('VERSION', '1', 'Value MUST be 2.0.'),
  p('IANA-PROPERTY', '0+'),
  p('X-PROPERTY', '0+'),
];

// §3.1.2 Constraints for VTIMEZONE Components (the VTIMEZONE row itself is in each method table).
const VTIMEZONE: readonly PresenceRow[] = [
  c('DAYLIGHT', '0+', ONE_OF_STANDARD_DAYLIGHT),
  p('LAST-MODIFIED', '0 or 1'),
  c('STANDARD', '0+', ONE_OF_STANDARD_DAYLIGHT),
  p('TZID', '1'),
  p('TZURL', '0 or 1'),
  p('IANA-PROPERTY', '0+'),
  p('X-PROPERTY', '0+'),
];

const STANDARD: readonly PresenceRow[] = [
  p('COMMENT', '0+'),
  p('DTSTART', '1', 'MUST be local time format.'),
  p('RDATE', '0+', RDATE_EXCLUSIVE),
  p('RRULE', '0 or 1', RRULE_EXCLUSIVE),
  p('TZNAME', '0+'),
  p('TZOFFSETFROM', '1'),
  p('TZOFFSETTO', '1'),
  p('IANA-PROPERTY', '0+'),
  p('X-PROPERTY', '0+'),
];

// As published, the DAYLIGHT sub-table had no comments on RDATE and RRULE; verified erratum 3932
// restores the RFC 2446 wording that STANDARD still carries, so the two sub-tables are now the same.
const DAYLIGHT_RDATE = p('RDATE', '0+', RDATE_EXCLUSIVE);
const DAYLIGHT_RRULE = p('RRULE', '0 or 1', RRULE_EXCLUSIVE);
const DAYLIGHT: readonly PresenceRow[] = [
  p('COMMENT', '0+'),
  p('DTSTART', '1', 'MUST be local time format.'),
  DAYLIGHT_RDATE,
  DAYLIGHT_RRULE,
  p('TZNAME', '0+'),
  p('TZOFFSETFROM', '1'),
  p('TZOFFSETTO', '1'),
  p('IANA-PROPERTY', '0+'),
  p('X-PROPERTY', '0+'),
];

// §3.1.3 Constraints for VALARM Components (the VALARM row itself is in each method table).
const VALARM: readonly PresenceRow[] = [
  p('ACTION', '1'),
  p('ATTACH', '0+'),
  p('ATTENDEE', '0+'),
  p('DESCRIPTION', '0 or 1'),
  p('DURATION', '0 or 1', 'If present, REPEAT MUST be present.'),
  p('REPEAT', '0 or 1', 'If present, DURATION MUST be present.'),
  p('SUMMARY', '0 or 1'),
  p('TRIGGER', '1'),
  p('IANA-PROPERTY', '0+'),
  p('X-PROPERTY', '0+'),
];

interface MethodTable {
  /** The non-indented METHOD row. */
  readonly method: PresenceRow;
  /** The non-indented component rows, in RFC order. */
  readonly components: readonly PresenceRow[];
  /** The indented VEVENT rows, in RFC order. */
  readonly vevent: readonly PresenceRow[];
}

// §3.2.1 Constraints for a METHOD:PUBLISH of a VEVENT.
const PUBLISH: MethodTable = {
  method: p('METHOD', '1', 'MUST equal PUBLISH.'),
  vevent: [
    p('DTSTAMP', '1'),
    p('DTSTART', '1'),
    p('ORGANIZER', '1'),
    p('SUMMARY', '1', CAN_BE_NULL),
    p('UID', '1'),
    p('RECURRENCE-ID', '0 or 1', RECURRENCE_ID),
    p('SEQUENCE', '0 or 1', SEQUENCE_IF_NONZERO),
    p('ATTACH', '0+'),
    p('CATEGORIES', '0+'),
    p('CLASS', '0 or 1'),
    p('COMMENT', '0+'),
    p('CONTACT', '0 or 1'),
    p('CREATED', '0 or 1'),
    p('DESCRIPTION', '0 or 1', CAN_BE_NULL),
    p('DTEND', '0 or 1', DTEND_EXCLUSIVE),
    p('DURATION', '0 or 1', DURATION_EXCLUSIVE),
    p('EXDATE', '0+'),
    p('GEO', '0 or 1'),
    p('LAST-MODIFIED', '0 or 1'),
    p('LOCATION', '0 or 1'),
    p('PRIORITY', '0 or 1'),
    p('RDATE', '0+'),
    p('RELATED-TO', '0+'),
    p('RESOURCES', '0+'),
    p('RRULE', '0 or 1'),
    p('STATUS', '0 or 1', 'MAY be one of TENTATIVE/CONFIRMED/CANCELLED.'),
    p('TRANSP', '0 or 1'),
    p('URL', '0 or 1'),
    p('IANA-PROPERTY', '0+'),
    p('X-PROPERTY', '0+'),
    p('ATTENDEE', '0'),
    p('REQUEST-STATUS', '0'),
    c('VALARM', '0+'),
  ],
  components: [
    c('VEVENT', '1+'),
    c('VFREEBUSY', '0'),
    c('VJOURNAL', '0'),
    c('VTODO', '0'),
    c('VTIMEZONE', '0+', VTIMEZONE_NEEDED),
    c('IANA-COMPONENT', '0+'),
    c('X-COMPONENT', '0+'),
  ],
};

// §3.2.2 Constraints for a METHOD:REQUEST of a VEVENT.
const REQUEST: MethodTable = {
  method: p('METHOD', '1', 'MUST be REQUEST.'),
  vevent: [
    p('ATTENDEE', '1+'),
    p('DTSTAMP', '1'),
    p('DTSTART', '1'),
    p('ORGANIZER', '1'),
    p('SEQUENCE', '0 or 1', SEQUENCE_IF_NONZERO),
    p('SUMMARY', '1', CAN_BE_NULL),
    p('UID', '1'),
    p('ATTACH', '0+'),
    p('CATEGORIES', '0+'),
    p('CLASS', '0 or 1'),
    p('COMMENT', '0+'),
    p('CONTACT', '0+'),
    p('CREATED', '0 or 1'),
    p('DESCRIPTION', '0 or 1', CAN_BE_NULL),
    p('DTEND', '0 or 1', DTEND_EXCLUSIVE),
    p('DURATION', '0 or 1', DURATION_EXCLUSIVE),
    p('EXDATE', '0+'),
    p('GEO', '0 or 1'),
    p('LAST-MODIFIED', '0 or 1'),
    p('LOCATION', '0 or 1'),
    p('PRIORITY', '0 or 1'),
    p('RDATE', '0+'),
    p('RECURRENCE-ID', '0 or 1', RECURRENCE_ID),
    p('RELATED-TO', '0+'),
    p('REQUEST-STATUS', '0'),
    p('RESOURCES', '0+'),
    p('RRULE', '0 or 1'),
    p('STATUS', '0 or 1', 'MAY be one of TENTATIVE/CONFIRMED.'),
    p('TRANSP', '0 or 1'),
    p('URL', '0 or 1'),
    p('IANA-PROPERTY', '0+'),
    p('X-PROPERTY', '0+'),
    c('VALARM', '0+'),
  ],
  components: [
    c('VEVENT', '1+', 'All components MUST have the same UID.'),
    c('VTIMEZONE', '0+', VTIMEZONE_NEEDED),
    c('IANA-COMPONENT', '0+'),
    c('X-COMPONENT', '0+'),
    c('VFREEBUSY', '0'),
    c('VJOURNAL', '0'),
    c('VTODO', '0'),
  ],
};

// §3.2.3 Constraints for a METHOD:REPLY of a VEVENT.
const REPLY: MethodTable = {
  method: p('METHOD', '1', 'MUST be REPLY.'),
  vevent: [
    p('ATTENDEE', '1', 'MUST be the address of the Attendee replying.'),
    p('DTSTAMP', '1'),
    p('ORGANIZER', '1'),
    p('RECURRENCE-ID', '0 or 1', RECURRENCE_ID),
    p('UID', '1', 'MUST be the UID of the original REQUEST.'),
    p(
      'SEQUENCE',
      '0 or 1',
      'If non-zero, MUST be the sequence number of the original REQUEST. MAY be present if 0.',
    ),
    p('ATTACH', '0+'),
    p('CATEGORIES', '0+'),
    p('CLASS', '0 or 1'),
    p('COMMENT', '0+'),
    p('CONTACT', '0+'),
    p('CREATED', '0 or 1'),
    p('DESCRIPTION', '0 or 1'),
    p('DTEND', '0 or 1', DTEND_EXCLUSIVE),
    p('DTSTART', '0 or 1'),
    p('DURATION', '0 or 1', DURATION_EXCLUSIVE),
    p('EXDATE', '0+'),
    p('GEO', '0 or 1'),
    p('LAST-MODIFIED', '0 or 1'),
    p('LOCATION', '0 or 1'),
    p('PRIORITY', '0 or 1'),
    p('RDATE', '0+'),
    p('RELATED-TO', '0+'),
    p('RESOURCES', '0+'),
    p('REQUEST-STATUS', '0+'),
    p('RRULE', '0 or 1'),
    p('STATUS', '0 or 1'),
    p('SUMMARY', '0 or 1'),
    p('TRANSP', '0 or 1'),
    p('URL', '0 or 1'),
    p('IANA-PROPERTY', '0+'),
    p('X-PROPERTY', '0+'),
    c('VALARM', '0'),
  ],
  components: [
    c('VEVENT', '1+', 'All components MUST have the same UID.'),
    // "0 or 1", unlike every other VEVENT table's "0+": a reply whose times use two zones cannot
    // carry both definitions. Transcribed as published.
    c('VTIMEZONE', '0 or 1', VTIMEZONE_NEEDED),
    c('IANA-COMPONENT', '0+'),
    c('X-COMPONENT', '0+'),
    c('VFREEBUSY', '0'),
    c('VJOURNAL', '0'),
    c('VTODO', '0'),
  ],
};

// §3.2.4 Constraints for a METHOD:ADD of a VEVENT.
const ADD: MethodTable = {
  method: p('METHOD', '1', 'MUST be ADD.'),
  vevent: [
    p('DTSTAMP', '1'),
    p('DTSTART', '1'),
    p('ORGANIZER', '1'),
    p('SEQUENCE', '1', 'MUST be greater than 0.'),
    p('SUMMARY', '1', CAN_BE_NULL),
    p('UID', '1', 'MUST match that of the original event.'),
    p('ATTACH', '0+'),
    p('ATTENDEE', '0+'),
    p('CATEGORIES', '0+'),
    p('CLASS', '0 or 1'),
    p('COMMENT', '0+'),
    p('CONTACT', '0+'),
    p('CREATED', '0 or 1'),
    p('DESCRIPTION', '0 or 1', CAN_BE_NULL),
    p('DTEND', '0 or 1', DTEND_EXCLUSIVE),
    p('DURATION', '0 or 1', DURATION_EXCLUSIVE),
    p('GEO', '0 or 1'),
    p('LAST-MODIFIED', '0 or 1'),
    p('LOCATION', '0 or 1'),
    p('PRIORITY', '0 or 1'),
    p('RELATED-TO', '0+'),
    p('RESOURCES', '0+'),
    p('STATUS', '0 or 1', 'MAY be one of TENTATIVE/CONFIRMED.'),
    p('TRANSP', '0 or 1'),
    p('URL', '0 or 1'),
    p('IANA-PROPERTY', '0+'),
    p('X-PROPERTY', '0+'),
    p('EXDATE', '0'),
    p('RECURRENCE-ID', '0'),
    p('REQUEST-STATUS', '0'),
    p('RDATE', '0'),
    p('RRULE', '0'),
    c('VALARM', '0+'),
  ],
  components: [
    c('VEVENT', '1'),
    c('VTIMEZONE', '0+', VTIMEZONE_NEEDED),
    c('IANA-COMPONENT', '0+'),
    c('X-COMPONENT', '0+'),
    c('VFREEBUSY', '0'),
    c('VTODO', '0'),
    c('VJOURNAL', '0'),
  ],
};

// §3.2.5 Constraints for a METHOD:CANCEL of a VEVENT.
const CANCEL: MethodTable = {
  method: p('METHOD', '1', 'MUST be CANCEL.'),
  vevent: [
    p(
      'ATTENDEE',
      '0+',
      'MUST include some or all Attendees being removed from the event. MUST include some or all Attendees if the entire event is cancelled.',
    ),
    p('DTSTAMP', '1'),
    p('ORGANIZER', '1'),
    p('SEQUENCE', '1'),
    p('UID', '1', 'MUST be the UID of the original REQUEST.'),
    p('COMMENT', '0+'),
    p('ATTACH', '0+'),
    p('CATEGORIES', '0+'),
    p('CLASS', '0 or 1'),
    p('CONTACT', '0+'),
    p('CREATED', '0 or 1'),
    p('DESCRIPTION', '0 or 1'),
    p('DTEND', '0 or 1', DTEND_EXCLUSIVE),
    p('DTSTART', '0 or 1'),
    p('DURATION', '0 or 1', DURATION_EXCLUSIVE),
    p('EXDATE', '0+'),
    p('GEO', '0 or 1'),
    p('LAST-MODIFIED', '0 or 1'),
    p('LOCATION', '0 or 1'),
    p('PRIORITY', '0 or 1'),
    p('RDATE', '0+'),
    p('RECURRENCE-ID', '0 or 1', RECURRENCE_ID),
    p('RELATED-TO', '0+'),
    p('RESOURCES', '0+'),
    p('RRULE', '0 or 1'),
    p(
      'STATUS',
      '0 or 1',
      'MUST be set to CANCELLED to cancel the entire event. If uninviting specific Attendees, then MUST NOT be included.',
    ),
    p('SUMMARY', '0 or 1'),
    p('TRANSP', '0 or 1'),
    p('URL', '0 or 1'),
    p('IANA-PROPERTY', '0+'),
    p('X-PROPERTY', '0+'),
    p('REQUEST-STATUS', '0'),
    c('VALARM', '0'),
  ],
  components: [
    c('VEVENT', '1+', 'All must have the same UID.'),
    c('VTIMEZONE', '0+', VTIMEZONE_NEEDED),
    c('IANA-COMPONENT', '0+'),
    c('X-COMPONENT', '0+'),
    c('VTODO', '0'),
    c('VJOURNAL', '0'),
    c('VFREEBUSY', '0'),
  ],
};

// §3.2.6 Constraints for a METHOD:REFRESH of a VEVENT.
const REFRESH: MethodTable = {
  method: p('METHOD', '1', 'MUST be REFRESH.'),
  vevent: [
    p('ATTENDEE', '1', 'MUST be the address of requester.'),
    p('DTSTAMP', '1'),
    p('ORGANIZER', '1'),
    p('UID', '1', 'MUST be the UID associated with original REQUEST.'),
    p('COMMENT', '0+'),
    p('RECURRENCE-ID', '0 or 1', RECURRENCE_ID),
    p('IANA-PROPERTY', '0+'),
    p('X-PROPERTY', '0+'),
    p('ATTACH', '0'),
    p('CATEGORIES', '0'),
    p('CLASS', '0'),
    p('CONTACT', '0'),
    p('CREATED', '0'),
    p('DESCRIPTION', '0'),
    p('DTEND', '0'),
    p('DTSTART', '0'),
    p('DURATION', '0'),
    p('EXDATE', '0'),
    p('GEO', '0'),
    p('LAST-MODIFIED', '0'),
    p('LOCATION', '0'),
    p('PRIORITY', '0'),
    p('RDATE', '0'),
    p('RELATED-TO', '0'),
    p('REQUEST-STATUS', '0'),
    p('RESOURCES', '0'),
    p('RRULE', '0'),
    p('SEQUENCE', '0'),
    p('STATUS', '0'),
    p('SUMMARY', '0'),
    p('TRANSP', '0'),
    p('URL', '0'),
    c('VALARM', '0'),
  ],
  components: [
    c('VEVENT', '1'),
    // The only VEVENT table whose VTIMEZONE row has no comment (a REFRESH carries no date-times).
    c('VTIMEZONE', '0+'),
    c('IANA-COMPONENT', '0+'),
    c('X-COMPONENT', '0+'),
    c('VTODO', '0'),
    c('VJOURNAL', '0'),
    c('VFREEBUSY', '0'),
  ],
};

// §3.2.7 Constraints for a METHOD:COUNTER of a VEVENT.
const COUNTER: MethodTable = {
  method: p('METHOD', '1', 'MUST be COUNTER.'),
  vevent: [
    p('DTSTAMP', '1'),
    p('DTSTART', '1'),
    p('ORGANIZER', '1', 'MUST be the Organizer of the original event.'),
    p(
      'SEQUENCE',
      '1',
      'MUST echo the original SEQUENCE number. MUST be present if non-zero. MAY be present if zero.',
    ),
    p('SUMMARY', '1', CAN_BE_NULL),
    p('UID', '1', 'MUST be the UID associated with the REQUEST being countered.'),
    p('ATTACH', '0+'),
    p('ATTENDEE', '0+', 'Can also be used to propose other Attendees.'),
    p('CATEGORIES', '0+'),
    p('CLASS', '0 or 1'),
    p('COMMENT', '0+'),
    p('CONTACT', '0+'),
    p('CREATED', '0 or 1'),
    p('DESCRIPTION', '0 or 1'),
    p('DTEND', '0 or 1', DTEND_EXCLUSIVE),
    p('DURATION', '0 or 1', DURATION_EXCLUSIVE),
    p('EXDATE', '0+'),
    p('GEO', '0 or 1'),
    p('LAST-MODIFIED', '0 or 1'),
    p('LOCATION', '0 or 1'),
    p('PRIORITY', '0 or 1'),
    p('RDATE', '0+'),
    p('RECURRENCE-ID', '0 or 1', RECURRENCE_ID),
    p('RELATED-TO', '0+'),
    p('REQUEST-STATUS', '0+'),
    p('RESOURCES', '0+'),
    p('RRULE', '0 or 1'),
    p('STATUS', '0 or 1', 'Value must be one of CONFIRMED/TENATIVE/CANCELLED.'),
    p('TRANSP', '0 or 1'),
    p('URL', '0 or 1'),
    p('IANA-PROPERTY', '0+'),
    p('X-PROPERTY', '0+'),
    c('VALARM', '0+'),
  ],
  components: [
    c('VEVENT', '1'),
    c('VTIMEZONE', '0+', VTIMEZONE_NEEDED),
    c('IANA-COMPONENT', '0+'),
    c('X-COMPONENT', '0+'),
    c('VTODO', '0'),
    c('VJOURNAL', '0'),
    c('VFREEBUSY', '0'),
  ],
};

// §3.2.8 Constraints for a METHOD:DECLINECOUNTER of a VEVENT.
const DECLINECOUNTER: MethodTable = {
  method: p('METHOD', '1', 'MUST be DECLINECOUNTER.'),
  vevent: [
    p('ATTENDEE', '1+', 'MUST for all Attendees.'),
    p('DTSTAMP', '1'),
    p('ORGANIZER', '1'),
    p('SEQUENCE', '1', 'MUST echo the original SEQUENCE number.'),
    p('UID', '1', 'MUST echo original UID.'),
    p('ATTACH', '0+'),
    p('CATEGORIES', '0+'),
    p('CLASS', '0 or 1'),
    p('COMMENT', '0+'),
    p('CONTACT', '0+'),
    p('CREATED', '0 or 1'),
    p('DESCRIPTION', '0 or 1', CAN_BE_NULL),
    p('DTSTART', '0 or 1'),
    p('DTEND', '0 or 1', DTEND_EXCLUSIVE),
    p('DURATION', '0 or 1', DURATION_EXCLUSIVE),
    p('EXDATE', '0+'),
    p('GEO', '0 or 1'),
    p('LAST-MODIFIED', '0 or 1'),
    p('LOCATION', '0 or 1'),
    p('PRIORITY', '0 or 1'),
    p('RDATE', '0+'),
    p('RECURRENCE-ID', '0 or 1', RECURRENCE_ID),
    p('RELATED-TO', '0+'),
    p('REQUEST-STATUS', '0+'),
    p('RESOURCES', '0+'),
    p('RRULE', '0 or 1'),
    p('STATUS', '0 or 1', 'MAY be one of TENTATIVE/CONFIRMED.'),
    p('SUMMARY', '0 or 1', CAN_BE_NULL),
    p('TRANSP', '0 or 1'),
    p('URL', '0 or 1'),
    p('IANA-PROPERTY', '0+'),
    p('X-PROPERTY', '0+'),
    // Printed after X-COMPONENT in the RFC, but indented: a VEVENT sub-component row.
    c('VALARM', '0'),
  ],
  components: [
    c('VEVENT', '1+', 'All components MUST have the same UID.'),
    c('VTIMEZONE', '0+', VTIMEZONE_NEEDED),
    c('IANA-COMPONENT', '0+'),
    c('X-COMPONENT', '0+'),
    c('VFREEBUSY', '0'),
    c('VJOURNAL', '0'),
    c('VTODO', '0'),
  ],
};

const METHOD_TABLES: Readonly<Record<ItipMethod, MethodTable>> = {
  PUBLISH,
  REQUEST,
  REPLY,
  ADD,
  CANCEL,
  REFRESH,
  COUNTER,
  DECLINECOUNTER,
};

function tablesFor(method: ItipMethod): Readonly<Record<string, readonly PresenceRow[]>> {
  const t = METHOD_TABLES[method];
  return {
    VCALENDAR: [t.method, ...VCALENDAR_PROPERTIES, ...t.components],
    VEVENT: t.vevent,
    VALARM,
    VTIMEZONE,
    STANDARD,
    DAYLIGHT,
  };
}

/** Transcribed RFC 5546 tables: method → component (VCALENDAR, VEVENT, VALARM, VTIMEZONE, STANDARD, DAYLIGHT) → rows. */
export const ITIP_PRESENCE: Readonly<
  Record<ItipMethod, Readonly<Record<string, readonly PresenceRow[]>>>
> = {
  PUBLISH: tablesFor('PUBLISH'),
  REQUEST: tablesFor('REQUEST'),
  REPLY: tablesFor('REPLY'),
  ADD: tablesFor('ADD'),
  CANCEL: tablesFor('CANCEL'),
  REFRESH: tablesFor('REFRESH'),
  COUNTER: tablesFor('COUNTER'),
  DECLINECOUNTER: tablesFor('DECLINECOUNTER'),
};

const COMMON_SECTIONS = new Map<PresenceRow, string>([
  ...VCALENDAR_PROPERTIES.map((r) => [r, '3.1.1'] as const),
  ...[...VTIMEZONE, ...STANDARD, ...DAYLIGHT].map((r) => [r, '3.1.2'] as const),
  ...VALARM.map((r) => [r, '3.1.3'] as const),
]);

/**
 * Where a row comes from, for messages: "RFC 5546 §3.2.2", "RFC 5546 §3.1.1", or
 * "RFC 5546 §3.1.2, erratum 3932" for the DAYLIGHT rows that only the erratum gives comments.
 */
export function rowCitation(method: ItipMethod, row: PresenceRow): string {
  const section = COMMON_SECTIONS.get(row) ?? ITIP_SECTIONS[method];
  const erratum = row === DAYLIGHT_RDATE || row === DAYLIGHT_RRULE ? ', erratum 3932' : '';
  return `RFC 5546 §${section}${erratum}`;
}

/** The section a row is cited from ('3.1.2', '3.2.5', …). */
export function rowSection(method: ItipMethod, row: PresenceRow): string {
  return COMMON_SECTIONS.get(row) ?? ITIP_SECTIONS[method];
}
