/**
 * Pure checks on iCalendar values as written (escapes intact), for the lint rules: TEXT escaping,
 * DATE / DATE-TIME / PERIOD forms, DURATION, and which properties may appear only once.
 */
import type { LocalTime } from '../ical/read-calendar.ts';
import { paramValue, type ContentLine } from './calendar-model.ts';

/**
 * Problems of a TEXT value as written (RFC 5545 §3.3.11): an unescaped `;` or `,`, a backslash not
 * followed by one of `\ ; , n N`, a trailing lone backslash. Returns descriptions, [] when fine.
 * `list: true` for multi-valued TEXT (CATEGORIES, RESOURCES), where an unescaped `,` separates
 * values.
 */
export function checkTextValue(value: string, options: { list?: boolean } = {}): string[] {
  const semicolons: number[] = [];
  const commas: number[] = [];
  const badEscapes: number[] = [];
  let trailingBackslash = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x5c) {
      const next = value.charAt(i + 1);
      if (next === '') trailingBackslash = true;
      else if (!'\\;,nN'.includes(next)) badEscapes.push(i);
      i++;
    } else if (c === 0x3b) semicolons.push(i);
    else if (c === 0x2c && options.list !== true) commas.push(i);
  }
  const problems: string[] = [];
  if (semicolons.length > 0) problems.push(describe(semicolons, 'unescaped ";"'));
  if (commas.length > 0) problems.push(describe(commas, 'unescaped ","'));
  if (badEscapes.length > 0) {
    const first = badEscapes[0] ?? 0;
    problems.push(
      describe(badEscapes, 'backslash not followed by \\, ;, , or n') +
        ` ("\\${value.charAt(first + 1)}")`,
    );
  }
  if (trailingBackslash) problems.push('trailing lone backslash');
  return problems;
}

function describe(positions: readonly number[], what: string): string {
  const first = (positions[0] ?? 0) + 1;
  return positions.length === 1
    ? `${what} at character ${first}`
    : `${positions.length}× ${what} (first at character ${first})`;
}

/**
 * The TEXT value a client displays: `\\` `\;` `\,` `\n` `\N` decoded. Any other backslash pair is
 * left as written, as ical.js does, so a lint finding about it still matches what users see.
 */
export function unescapeText(value: string): string {
  if (!value.includes('\\')) return value;
  return value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

/** The values of a multi-valued TEXT (CATEGORIES, RESOURCES): split at unescaped `,`, unescaped. */
export function splitTextList(value: string): string[] {
  const items: string[] = [];
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x2c) {
      items.push(unescapeText(value.slice(start, i)));
      start = i + 1;
    }
  }
  items.push(unescapeText(value.slice(start)));
  return items;
}

export interface DateValue extends LocalTime {
  readonly kind: 'date' | 'date-time';
  readonly utc: boolean;
}

const DATE_OR_DATE_TIME = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$/;

/**
 * DATE (`20261224`, RFC 5545 §3.3.4) or DATE-TIME (`20261201T100000`, `…Z`, §3.3.5): a real
 * Gregorian date, hours 00-23, minutes 00-59, seconds 00-60 (a leap second). Exactly as written:
 * no surrounding whitespace, no separators, undefined otherwise.
 */
export function parseDateValue(value: string): DateValue | undefined {
  const m = DATE_OR_DATE_TIME.exec(value);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (m[4] === undefined) {
    return { kind: 'date', utc: false, year, month, day, hour: 0, minute: 0, second: 0 };
  }
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  return { kind: 'date-time', utc: m[7] === 'Z', year, month, day, hour, minute, second };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export type DateValueKind = 'date' | 'date-time' | 'date-time-utc' | 'period' | 'invalid';

/**
 * The value type of a date property (DTSTART, DTEND, DUE, RECURRENCE-ID, EXDATE, RDATE…) from its
 * VALUE parameter and its form. Without VALUE the form decides, so a bare `DTSTART:20261224` (which
 * ZideStore and others write without VALUE=DATE) is 'date'; rules that care about the missing
 * parameter look at it themselves. With VALUE the form must match it. Comma-separated lists (RDATE,
 * EXDATE) must be all of one kind. 'invalid' when the value matches neither form or mixes kinds.
 */
export function dateValueKind(line: ContentLine): DateValueKind {
  const type = paramValue(line, 'VALUE')?.toUpperCase();
  let kind: DateValueKind | undefined;
  for (const item of line.value.split(',')) {
    const itemKind = kindOf(item, type);
    if (itemKind === 'invalid' || (kind !== undefined && itemKind !== kind)) return 'invalid';
    kind = itemKind;
  }
  return kind ?? 'invalid';
}

function kindOf(item: string, type: string | undefined): DateValueKind {
  if (type === 'PERIOD') return isPeriod(item) ? 'period' : 'invalid';
  if (type !== undefined && type !== 'DATE' && type !== 'DATE-TIME') return 'invalid';
  const parsed = parseDateValue(item);
  if (parsed === undefined) return 'invalid';
  if (parsed.kind === 'date') return type === 'DATE-TIME' ? 'invalid' : 'date';
  if (type === 'DATE') return 'invalid';
  return parsed.utc ? 'date-time-utc' : 'date-time';
}

/** RFC 5545 §3.3.9: `date-time "/" date-time` or `date-time "/" dur-value`. */
function isPeriod(item: string): boolean {
  const slash = item.indexOf('/');
  if (slash < 0) return false;
  const start = parseDateValue(item.slice(0, slash));
  if (start?.kind !== 'date-time') return false;
  const end = item.slice(slash + 1);
  const endDate = parseDateValue(end);
  if (endDate !== undefined) return endDate.kind === 'date-time';
  return parseDurationValue(end) !== undefined;
}

// RFC 5545 §3.3.6, exactly: dur-week stands alone; dur-time is H[M[S]] / M[S] / S, so PT1H30S and
// P1W2D are not durations even though some parsers take them.
const DURATION =
  /^([+-])?P(?:(\d+)W|(\d+)D(?:T(?:(\d+)H(?:(\d+)M(?:(\d+)S)?)?|(\d+)M(?:(\d+)S)?|(\d+)S))?|T(?:(\d+)H(?:(\d+)M(?:(\d+)S)?)?|(\d+)M(?:(\d+)S)?|(\d+)S))$/;

/** A DURATION (RFC 5545 §3.3.6) in seconds, signed (`TRIGGER:-PT15M` → -900); undefined if invalid. */
export function parseDurationValue(value: string): number | undefined {
  const m = DURATION.exec(value);
  if (m === null) return undefined;
  const n = (i: number): number => (m[i] === undefined ? 0 : Number(m[i]));
  const seconds =
    n(2) * 7 * 86_400 +
    n(3) * 86_400 +
    (n(4) + n(10)) * 3600 +
    (n(5) + n(7) + n(11) + n(13)) * 60 +
    (n(6) + n(8) + n(9) + n(12) + n(14) + n(15));
  if (!Number.isSafeInteger(seconds)) return undefined;
  return m[1] === '-' && seconds !== 0 ? -seconds : seconds;
}

/** Single-valued TEXT properties whose escaping rules check (RFC 5545 §3.8.1, §3.8.4.4-5). */
export const TEXT_PROPERTIES: ReadonlySet<string> = new Set([
  'SUMMARY',
  'DESCRIPTION',
  'LOCATION',
  'COMMENT',
  'CONTACT',
  'RELATED-TO',
  // Outlook's HTML description: TEXT-escaped like DESCRIPTION.
  'X-ALT-DESC',
]);

/** Multi-valued TEXT (RFC 5545 §3.8.1.2 CATEGORIES, §3.8.1.10 RESOURCES): `,` separates values. */
export const TEXT_LIST_PROPERTIES: ReadonlySet<string> = new Set(['CATEGORIES', 'RESOURCES']);

/**
 * Properties a component may carry at most once ("MUST NOT occur more than once"): RFC 5545 §3.6
 * (VCALENDAR §3.6, VEVENT §3.6.1, VTODO §3.6.2, VJOURNAL §3.6.3, VFREEBUSY §3.6.4, VTIMEZONE and its
 * STANDARD/DAYLIGHT §3.6.5, VALARM §3.6.6), with RFC 7986 §4 additions (calendar UID, URL, COLOR…;
 * COLOR on components) and RFC 9074 §4 (VALARM UID, ACKNOWLEDGED). RRULE is only "SHOULD NOT"
 * occur more than once, so it is not listed.
 */
export const AT_MOST_ONCE: Readonly<Record<string, ReadonlySet<string>>> = {
  VCALENDAR: new Set([
    'PRODID',
    'VERSION',
    'CALSCALE',
    'METHOD',
    'UID',
    'LAST-MODIFIED',
    'URL',
    'REFRESH-INTERVAL',
    'SOURCE',
    'COLOR',
  ]),
  VEVENT: new Set([
    'UID',
    'DTSTAMP',
    'DTSTART',
    'CLASS',
    'CREATED',
    'DESCRIPTION',
    'GEO',
    'LAST-MODIFIED',
    'LOCATION',
    'ORGANIZER',
    'PRIORITY',
    'SEQUENCE',
    'STATUS',
    'SUMMARY',
    'TRANSP',
    'URL',
    'RECURRENCE-ID',
    'DTEND',
    'DURATION',
    'COLOR',
  ]),
  VTODO: new Set([
    'UID',
    'DTSTAMP',
    'CLASS',
    'COMPLETED',
    'CREATED',
    'DESCRIPTION',
    'DTSTART',
    'GEO',
    'LAST-MODIFIED',
    'LOCATION',
    'ORGANIZER',
    'PERCENT-COMPLETE',
    'PRIORITY',
    'RECURRENCE-ID',
    'SEQUENCE',
    'STATUS',
    'SUMMARY',
    'URL',
    'DUE',
    'DURATION',
    'COLOR',
  ]),
  VJOURNAL: new Set([
    'UID',
    'DTSTAMP',
    'CLASS',
    'CREATED',
    'DTSTART',
    'LAST-MODIFIED',
    'ORGANIZER',
    'RECURRENCE-ID',
    'SEQUENCE',
    'STATUS',
    'SUMMARY',
    'URL',
    'COLOR',
  ]),
  VFREEBUSY: new Set(['UID', 'DTSTAMP', 'CONTACT', 'DTSTART', 'DTEND', 'ORGANIZER', 'URL']),
  VTIMEZONE: new Set(['TZID', 'LAST-MODIFIED', 'TZURL']),
  STANDARD: new Set(['DTSTART', 'TZOFFSETTO', 'TZOFFSETFROM']),
  DAYLIGHT: new Set(['DTSTART', 'TZOFFSETTO', 'TZOFFSETFROM']),
  // ATTACH is once for AUDIO but repeatable for EMAIL, so it is left to an ACTION-aware rule.
  VALARM: new Set([
    'ACTION',
    'TRIGGER',
    'DURATION',
    'REPEAT',
    'DESCRIPTION',
    'SUMMARY',
    'UID',
    'ACKNOWLEDGED',
  ]),
};
