/**
 * iCalendar text → a plain summary of what a client would see. The only module that imports ical.js
 * (the adapter). Time zones are resolved against the calendar's own VTIMEZONEs, never a global
 * registry, so two calendars with different definitions of one TZID cannot disturb each other.
 */
import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { SmtpInviteError } from '../errors.ts';

export interface CalendarTime {
  /** The value as written, e.g. `20261201T100000` or `20261224`. */
  readonly value: string;
  readonly tzid?: string;
  readonly isDate: boolean;
  /** The instant as ISO 8601 UTC, when it can be resolved (floating and unknown TZIDs cannot). */
  readonly utc?: string;
}

export interface CalendarAttendee {
  readonly address: string;
  readonly cn?: string;
  readonly role?: string;
  readonly partstat?: string;
  readonly rsvp?: string;
  readonly cutype?: string;
}

export interface CalendarEvent {
  readonly uid?: string;
  readonly recurrenceId?: string;
  readonly sequence?: number;
  readonly dtstamp?: string;
  readonly status?: string;
  readonly summary?: string;
  readonly description?: string;
  readonly location?: string;
  readonly url?: string;
  readonly rrule?: string;
  readonly exdates: readonly string[];
  readonly organizer?: { readonly address: string; readonly cn?: string; readonly sentBy?: string };
  readonly attendees: readonly CalendarAttendee[];
  readonly start?: CalendarTime;
  readonly end?: CalendarTime;
  readonly alarms: readonly { readonly action?: string; readonly trigger?: string }[];
  /** X- and other properties by upper-case name, first value (e.g. X-MICROSOFT-CDO-APPT-SEQUENCE). */
  readonly extra: Readonly<Record<string, string>>;
}

export interface CalendarSummary {
  readonly method?: string;
  readonly prodId?: string;
  readonly timezones: readonly string[];
  readonly events: readonly CalendarEvent[];
}

export interface ReadCalendarOptions {
  /**
   * IANA zone for a TZID the calendar has no VTIMEZONE for (e.g. a Windows zone name), so its times
   * can still be resolved to instants.
   */
  readonly resolveTzid?: (tzid: string) => string | undefined;
}

// ical.js expands a VTIMEZONE's rules year by year from its DTSTART (usually 1970) on first use,
// and keeps the result per Timezone object: ~2.5 ms for a 1970-based rule resolved in 2026. The
// same definitions recur in every message from the same sender (Outlook's, Google's, ours), so the
// objects are kept by their exact text. Bounded: the oldest entry goes first.
const timezoneCache = new Map<string, ICAL.Timezone>();
const TIMEZONE_CACHE_SIZE = 200;

function cachedTimezone(vtimezone: ICAL.Component, key = vtimezone.toString()): ICAL.Timezone {
  let zone = timezoneCache.get(key);
  if (zone === undefined) {
    zone = new ICAL.Timezone(vtimezone);
    if (timezoneCache.size >= TIMEZONE_CACHE_SIZE) {
      const oldest = timezoneCache.keys().next().value;
      if (oldest !== undefined) timezoneCache.delete(oldest);
    }
    timezoneCache.set(key, zone);
  }
  return zone;
}

export interface LocalTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/**
 * The UTC instant (ISO 8601) of a wall-clock time in the zone a VTIMEZONE defines, given the
 * VTIMEZONE's own text; undefined when ical.js cannot use it. For callers that have already read
 * the calendar themselves (the inspector) and only need the zone arithmetic.
 */
export function instantInVtimezone(vtimezoneText: string, local: LocalTime): string | undefined {
  try {
    let zone = timezoneCache.get(vtimezoneText);
    if (zone === undefined) {
      const component = new ICAL.Component(ICAL.parse(vtimezoneText) as unknown[]);
      if (component.name !== 'vtimezone') return undefined;
      zone = cachedTimezone(component, vtimezoneText);
    }
    const time = ICAL.Time.fromData({ ...local, isDate: false }, zone);
    const seconds = time.toUnixTime();
    return Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : undefined;
  } catch {
    return undefined;
  }
}

/** Parses a calendar; throws ERR_INVALID_INPUT with ical.js's reason when it cannot be parsed. */
export function readCalendar(text: string, options: ReadCalendarOptions = {}): CalendarSummary {
  let root: ICAL.Component;
  try {
    root = new ICAL.Component(ICAL.parse(text) as unknown[]);
  } catch (err) {
    throw new SmtpInviteError(
      'ERR_INVALID_INPUT',
      `not a parsable iCalendar object: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  const zones = new Map<string, ICAL.Timezone>();
  for (const vtimezone of root.getAllSubcomponents('vtimezone')) {
    const tzid = vtimezone.getFirstPropertyValue('tzid');
    if (typeof tzid === 'string') zones.set(tzid, cachedTimezone(vtimezone));
  }
  const method = stringValue(root, 'method');
  const prodId = stringValue(root, 'prodid');
  return {
    ...(method === undefined ? {} : { method }),
    ...(prodId === undefined ? {} : { prodId }),
    timezones: [...zones.keys()],
    events: root.getAllSubcomponents('vevent').map((vevent) => readEvent(vevent, zones, options)),
  };
}

function readEvent(
  vevent: ICAL.Component,
  zones: ReadonlyMap<string, ICAL.Timezone>,
  options: ReadCalendarOptions,
): CalendarEvent {
  const extra: Record<string, string> = {};
  for (const prop of vevent.getAllProperties()) {
    const name = prop.name.toUpperCase();
    if (name.startsWith('X-') && !(name in extra)) extra[name] = String(prop.getFirstValue() ?? '');
  }
  const sequence = vevent.getFirstPropertyValue('sequence');
  const organizerProp = vevent.getFirstProperty('organizer');
  const start = readTime(vevent.getFirstProperty('dtstart'), zones, options);
  const end = readTime(vevent.getFirstProperty('dtend'), zones, options);
  const recurrenceId = vevent.getFirstProperty('recurrence-id');
  const fields: Record<string, string | undefined> = {
    uid: stringValue(vevent, 'uid'),
    recurrenceId: recurrenceId ? String(recurrenceId.getFirstValue()) : undefined,
    dtstamp: vevent.getFirstProperty('dtstamp')?.getFirstValue()?.toString(),
    status: stringValue(vevent, 'status'),
    summary: stringValue(vevent, 'summary'),
    description: stringValue(vevent, 'description'),
    location: stringValue(vevent, 'location'),
    url: stringValue(vevent, 'url'),
    rrule: vevent.getFirstProperty('rrule')?.getFirstValue()?.toString(),
  };
  const defined = Object.fromEntries(
    Object.entries(fields).filter(([, v]) => v !== undefined),
  ) as Record<string, string>;
  return {
    ...defined,
    ...(typeof sequence === 'number' ? { sequence } : {}),
    exdates: vevent
      .getAllProperties('exdate')
      .flatMap((p) => p.getValues().map((v: unknown) => String(v))),
    ...(organizerProp
      ? {
          organizer: {
            address: stripMailto(String(organizerProp.getFirstValue())),
            ...param(organizerProp, 'cn', 'cn'),
            ...param(organizerProp, 'sent-by', 'sentBy'),
          },
        }
      : {}),
    attendees: vevent.getAllProperties('attendee').map((p) => ({
      address: stripMailto(String(p.getFirstValue())),
      ...param(p, 'cn', 'cn'),
      ...param(p, 'role', 'role'),
      ...param(p, 'partstat', 'partstat'),
      ...param(p, 'rsvp', 'rsvp'),
      ...param(p, 'cutype', 'cutype'),
    })),
    ...(start === undefined ? {} : { start }),
    ...(end === undefined ? {} : { end }),
    alarms: vevent.getAllSubcomponents('valarm').map((a) => {
      const action = stringValue(a, 'action');
      const trigger = a.getFirstProperty('trigger')?.getFirstValue()?.toString();
      return {
        ...(action === undefined ? {} : { action }),
        ...(trigger === undefined ? {} : { trigger }),
      };
    }),
    extra,
  };
}

function readTime(
  prop: ICAL.Property | null,
  zones: ReadonlyMap<string, ICAL.Timezone>,
  options: ReadCalendarOptions,
): CalendarTime | undefined {
  if (!prop) return undefined;
  const value = rawTime(prop);
  if (value === undefined) return undefined;
  const tzid = prop.getParameter('tzid');
  const tzidText = typeof tzid === 'string' ? tzid : undefined;
  const written = value.toICALString();
  let utc: string | undefined;
  if (!value.isDate) {
    const zone =
      tzidText === undefined
        ? value.zone === ICAL.Timezone.utcTimezone
          ? ICAL.Timezone.utcTimezone
          : undefined
        : zones.get(tzidText);
    if (zone !== undefined) {
      const t = value.clone();
      t.zone = zone;
      utc = new Date(t.toUnixTime() * 1000).toISOString();
    } else if (tzidText !== undefined) {
      // No VTIMEZONE for this TZID: clients that know the name (IANA, or Windows via CLDR) resolve it.
      const iana = options.resolveTzid?.(tzidText);
      if (iana !== undefined) {
        const dt = DateTime.fromObject(
          {
            year: value.year,
            month: value.month,
            day: value.day,
            hour: value.hour,
            minute: value.minute,
            second: value.second,
          },
          { zone: iana },
        );
        if (dt.isValid) utc = dt.toUTC().toISO();
      }
    }
  }
  return {
    value: written,
    ...(tzidText === undefined ? {} : { tzid: tzidText }),
    isDate: value.isDate,
    ...(utc === undefined ? {} : { utc }),
  };
}

/**
 * The property's first value as an ICAL.Time with no zone attached. Not getFirstValue(): for a TZID
 * it asks the calendar for the VTIMEZONE, and ical.js caches only the zones it finds, so every
 * unknown TZID rescans all components (quadratic on a calendar with thousands of events). We
 * attach the zone ourselves from the map built once per calendar.
 */
function rawTime(prop: ICAL.Property): ICAL.Time | undefined {
  const raw: unknown = prop.jCal[3];
  if (typeof raw !== 'string') return undefined;
  try {
    if (prop.type === 'date') return ICAL.Time.fromDateString(raw);
    if (prop.type === 'date-time') return ICAL.Time.fromDateTimeString(raw);
  } catch {
    // A value ical.js cannot read: no time to report (the inspector's own checks say why).
  }
  return undefined;
}

function stringValue(component: ICAL.Component, name: string): string | undefined {
  const value = component.getFirstPropertyValue(name);
  return value === null || value === undefined ? undefined : String(value);
}

function param<K extends string>(
  prop: ICAL.Property,
  name: string,
  key: K,
): Partial<Record<K, string>> {
  const value = prop.getParameter(name);
  if (typeof value === 'string') return { [key]: value } as Partial<Record<K, string>>;
  if (Array.isArray(value) && value.length > 0)
    return { [key]: value.join(',') } as Partial<Record<K, string>>;
  return {};
}

function stripMailto(address: string): string {
  return address.replace(/^mailto:/i, '');
}

/**
 * Whether `candidate` is one of the occurrences an RRULE generates from `dtstart` (RFC 5545
 * §3.8.5.3; DTSTART itself always counts), by ical.js's expansion. Times are wall-clock in the
 * series' own zone (the rule is expanded there, so DST does not shift occurrences); `isDate` for an
 * all-day series (times ignored). EXDATEs are the caller's business. The expansion stops at the
 * first occurrence not before the candidate, or after `maxOccurrences` (then: false).
 */
export function isRecurrenceOccurrence(
  rrule: string,
  dtstart: LocalTime,
  candidate: LocalTime,
  isDate: boolean,
  maxOccurrences = 100_000,
): boolean {
  const time = (t: LocalTime) =>
    ICAL.Time.fromData(
      isDate ? { year: t.year, month: t.month, day: t.day, isDate: true } : { ...t, isDate: false },
    );
  const wanted = time(candidate);
  let iterator: ICAL.RecurIterator;
  try {
    iterator = ICAL.Recur.fromString(rrule).iterator(time(dtstart));
  } catch {
    return false;
  }
  for (let i = 0; i < maxOccurrences; i++) {
    const next = iterator.next();
    if (next === null || next === undefined) return false;
    const order = next.compare(wanted);
    if (order === 0) return true;
    if (order > 0) return false;
  }
  return false;
}
