/**
 * Invite → iCalendar text. The only module that imports ical-generator (the adapter): the rest of the
 * project speaks `Invite`. We use the library for the object layout and its escaping of TEXT values
 * and RFC 6868 parameters, and guarantee the structure ourselves around it:
 *  - inputs reach it already sanitised (no CR/LF/controls: see model/sanitize-text.ts), and values it
 *    writes verbatim (UID, RRULE, EXDATE, X- values) are built or escaped here from validated data;
 *  - its output is unfolded, every line checked against the properties we expect, and folded again by
 *    our own octet-exact folding (fold-lines.ts) with CRLF everywhere and a final CRLF.
 */
import ical, {
  ICalAlarmType,
  ICalAttendeeRole,
  ICalAttendeeStatus,
  ICalAttendeeType,
  ICalEventBusyStatus,
  ICalEventStatus,
  ICalEventTransparency,
} from 'ical-generator';
import { DateTime } from 'luxon';
import { SmtpInviteError } from '../errors.ts';
import type { Attendee, Invite } from '../model/invite.ts';
import { foldLines } from './fold-lines.ts';
import { buildVtimezone } from './vtimezone.ts';

export interface BuildCalendarOptions {
  /** DTSTAMP: when this copy of the event was created (RFC 5545 §3.8.7.2, always written in UTC). */
  readonly now: Date;
  /** PRODID text (RFC 5545 §3.7.3). Version-free by default so golden files survive releases. */
  readonly prodId?: string;
}

export const DEFAULT_PRODID = '-//smtp-invite//smtp-invite//EN';

const ROLE: Record<Attendee['role'], ICalAttendeeRole> = {
  'REQ-PARTICIPANT': ICalAttendeeRole.REQ,
  'OPT-PARTICIPANT': ICalAttendeeRole.OPT,
  CHAIR: ICalAttendeeRole.CHAIR,
  'NON-PARTICIPANT': ICalAttendeeRole.NON,
};

const CUTYPE: Record<Attendee['cutype'], ICalAttendeeType> = {
  INDIVIDUAL: ICalAttendeeType.INDIVIDUAL,
  ROOM: ICalAttendeeType.ROOM,
  RESOURCE: ICalAttendeeType.RESOURCE,
  GROUP: ICalAttendeeType.GROUP,
};

const PARTSTAT: Record<Attendee['partstat'], ICalAttendeeStatus> = {
  'NEEDS-ACTION': ICalAttendeeStatus.NEEDSACTION,
  ACCEPTED: ICalAttendeeStatus.ACCEPTED,
  DECLINED: ICalAttendeeStatus.DECLINED,
  TENTATIVE: ICalAttendeeStatus.TENTATIVE,
  DELEGATED: ICalAttendeeStatus.DELEGATED,
};

const STATUS: Record<Invite['status'], ICalEventStatus> = {
  CONFIRMED: ICalEventStatus.CONFIRMED,
  TENTATIVE: ICalEventStatus.TENTATIVE,
  CANCELLED: ICalEventStatus.CANCELLED,
};

export function buildCalendar(invite: Invite, options: BuildCalendarOptions): string {
  const zone = invite.timeZone;
  // The VCALENDAR frame and the VTIMEZONE are ours; ical-generator renders the VEVENT. Its
  // `event.toString()` is unfolded, so its calendar-level folding (which rebuilds every long line
  // character by character: most of its cost) never runs, and ours folds once, octet-exactly.
  checkVerbatimFields(invite);
  const calendar = ical();
  const busy = busyStatus(invite);
  const event = calendar.createEvent({
    id: escapeText(invite.uid),
    sequence: invite.sequence,
    stamp: DateTime.fromJSDate(options.now, { zone: 'UTC' }),
    start: invite.start,
    end: invite.end,
    allDay: invite.allDay,
    ...(zone === null ? {} : { timezone: zone }),
    summary: invite.summary,
    ...(invite.location === undefined ? {} : { location: invite.location }),
    ...(invite.url === undefined ? {} : { url: invite.url }),
    status: STATUS[invite.status],
    transparency:
      invite.transparency === 'OPAQUE'
        ? ICalEventTransparency.OPAQUE
        : ICalEventTransparency.TRANSPARENT,
    busystatus: busy,
    organizer: {
      // ical-generator insists on a CN; the address is what clients show when there is no name.
      name: invite.organizer.name ?? invite.organizer.email,
      email: invite.organizer.email,
      ...(invite.organizer.sentBy === undefined ? {} : { sentBy: invite.organizer.sentBy }),
    },
  });
  if (invite.description !== undefined || invite.html !== undefined) {
    event.description({
      plain: invite.description ?? '',
      ...(invite.html === undefined ? {} : { html: invite.html }),
    });
  }
  if (invite.recurrence !== undefined) event.repeating(recurrenceLines(invite));
  // One occurrence (RFC 5545 §3.8.4.4): ical-generator writes RECURRENCE-ID like DTSTART, with the
  // event's TZID, or in UTC with Z without a zone. For an all-day series it would still write a
  // date-time; that line is replaced by the DATE form below (see occurrenceDate).
  if (invite.recurrenceId !== undefined) event.recurrenceId(invite.recurrenceId);
  // RFC 5546 §3.2.1: PUBLISH has no ATTENDEEs (nobody can answer a published event).
  if (invite.method !== 'PUBLISH') {
    for (const attendee of invite.attendees) {
      event.createAttendee({
        email: attendee.email,
        ...(attendee.name === undefined ? {} : { name: attendee.name }),
        role: ROLE[attendee.role],
        type: CUTYPE[attendee.cutype],
        status: PARTSTAT[attendee.partstat],
        rsvp: attendee.rsvp,
      });
    }
  }
  for (const alarm of invite.alarms) {
    event.createAlarm({ type: ICalAlarmType.display, trigger: alarm.seconds });
  }
  // Outlook reads its own copies first: the CDO sequence must always equal SEQUENCE, or Outlook
  // treats an update as out of date ("not the latest version").
  event.x([
    ['X-MICROSOFT-CDO-APPT-SEQUENCE', String(invite.sequence)],
    ['X-MICROSOFT-CDO-INTENDEDSTATUS', busy],
  ]);

  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${options.prodId ?? DEFAULT_PRODID}`,
    `METHOD:${invite.method}`,
    ...(zone === null ? [] : buildVtimezone(zone, vtimezoneRange(invite))),
    ...eventLines(invite, event.toString()),
  ];
  // event.toString() ends with CRLF: the last element is '' and becomes the END line.
  lines[lines.length - 1] = 'END:VCALENDAR';
  return finish(lines);
}

/**
 * ical-generator's VEVENT lines, with what it cannot write itself: the DATE form of an all-day
 * RECURRENCE-ID (the value type must match DTSTART's, RFC 5545 §3.8.4.4) and COMMENT (not in its
 * API), written before END:VEVENT from sanitised text. Without either, the lines are unchanged.
 */
function eventLines(invite: Invite, text: string): string[] {
  const lines = text.split('\r\n');
  if (invite.recurrenceId !== undefined && invite.allDay) {
    const date = `RECURRENCE-ID;VALUE=DATE:${invite.recurrenceId.toFormat('yyyyLLdd')}`;
    const at = lines.findIndex((line) => /^RECURRENCE-ID[;:]/.test(line));
    if (at >= 0) lines[at] = date;
  }
  if (invite.comment !== undefined) {
    const end = lines.lastIndexOf('END:VEVENT');
    lines.splice(end, 0, `COMMENT:${escapeText(invite.comment)}`);
  }
  return lines;
}

/** Years the VTIMEZONE must describe: the event, its recurrence end, and a margin for open series. */
function vtimezoneRange(invite: Invite): { fromYear: number; toYear: number } {
  const fromYear = invite.start.year;
  let toYear = Math.max(invite.end.year, fromYear + 1);
  const until = /UNTIL=(\d{4})/.exec(invite.recurrence?.rrule ?? '');
  if (until?.[1] !== undefined)
    toYear = Math.max(toYear, Math.min(Number(until[1]), fromYear + 10));
  return { fromYear, toYear };
}

function busyStatus(invite: Invite): ICalEventBusyStatus {
  if (invite.status === 'CANCELLED' || invite.transparency === 'TRANSPARENT')
    return ICalEventBusyStatus.FREE;
  return invite.status === 'TENTATIVE' ? ICalEventBusyStatus.TENTATIVE : ICalEventBusyStatus.BUSY;
}

/**
 * RRULE and EXDATE as ical-generator's string form (it writes string rules verbatim and skips its
 * own EXDATE logic for them). Both are built from validated parts, so nothing user-typed is copied.
 */
function recurrenceLines(invite: Invite): string {
  const recurrence = invite.recurrence;
  if (recurrence === undefined) return '';
  let text = `RRULE:${recurrence.rrule}`;
  if (recurrence.exdates.length > 0) {
    if (invite.allDay) {
      text += `\r\nEXDATE;VALUE=DATE:${recurrence.exdates.map((d) => d.toFormat('yyyyLLdd')).join(',')}`;
    } else if (invite.timeZone === null) {
      text += `\r\nEXDATE:${recurrence.exdates.map((d) => d.toUTC().toFormat("yyyyLLdd'T'HHmmss'Z'")).join(',')}`;
    } else {
      const zone = invite.timeZone;
      text += `\r\nEXDATE;TZID=${zone}:${recurrence.exdates.map((d) => d.setZone(zone).toFormat("yyyyLLdd'T'HHmmss")).join(',')}`;
    }
  }
  return text;
}

/** TEXT escaping (RFC 5545 §3.3.11) for values ical-generator writes verbatim (UID). */
function escapeText(value: string): string {
  return value.replace(/\r\n|[\\;,\r\n]/g, (c) =>
    c === '\r\n' || c === '\r' || c === '\n' ? '\\n' : `\\${c}`,
  );
}

// What ical-generator writes without escaping must match these exactly (validation guarantees it;
// this catches a caller that built an Invite by hand, or a regression).
const VERBATIM: readonly [string, (invite: Invite) => readonly (string | undefined)[], RegExp][] = [
  ['timeZone', (i) => [i.timeZone ?? undefined], /^[A-Za-z0-9/_+-]+$/],
  ['recurrence.rrule', (i) => [i.recurrence?.rrule], /^[A-Z0-9=;,+-]+$/],
  [
    'email',
    (i) => [i.organizer.email, i.organizer.sentBy, ...i.attendees.map((a) => a.email)],
    /^[\x21-\x7e]+$/,
  ],
];

function checkVerbatimFields(invite: Invite): void {
  for (const [field, values, pattern] of VERBATIM) {
    for (const value of values(invite)) {
      if (value !== undefined && !pattern.test(value)) {
        throw new SmtpInviteError(
          'ERR_INTERNAL',
          `${field} ${JSON.stringify(value.slice(0, 80))} cannot be written safely: build Invites with validateInvite()`,
        );
      }
    }
  }
}

/** Every property name our calendars may contain; anything else means the structure was broken. */
const EXPECTED = new Set([
  'BEGIN',
  'END',
  'VERSION',
  'PRODID',
  'METHOD',
  'TZID',
  'X-LIC-LOCATION',
  'TZOFFSETFROM',
  'TZOFFSETTO',
  'TZNAME',
  'DTSTART',
  'RRULE',
  'RDATE',
  'UID',
  'SEQUENCE',
  'DTSTAMP',
  'DTEND',
  'EXDATE',
  'RECURRENCE-ID',
  'SUMMARY',
  'LOCATION',
  'DESCRIPTION',
  'X-ALT-DESC',
  'ORGANIZER',
  'ATTENDEE',
  'ACTION',
  'TRIGGER',
  'URL',
  'COMMENT',
  'STATUS',
  'TRANSP',
  'X-MICROSOFT-CDO-BUSYSTATUS',
  'X-MICROSOFT-CDO-INTENDEDSTATUS',
  'X-MICROSOFT-CDO-APPT-SEQUENCE',
  'X-MICROSOFT-CDO-ALLDAYEVENT',
  'X-MICROSOFT-MSNCALENDAR-ALLDAYEVENT',
]);

/** Checks every logical line against the properties we produce, then folds (RFC 5545 §3.1). */
function finish(lines: string[]): string {
  for (const line of lines) {
    const name = /^[A-Z][A-Z0-9-]*(?=[;:])/.exec(line)?.[0];
    // HTAB is the only control character RFC 5545 §3.1 allows in a content line.
    if (
      name === undefined ||
      !EXPECTED.has(name) ||
      /[\u0000-\u0008\u000a-\u001f\u007f]/.test(line)
    ) {
      throw new SmtpInviteError(
        'ERR_INTERNAL',
        `calendar line failed the structure check: ${JSON.stringify(line.slice(0, 80))}`,
      );
    }
  }
  return foldLines(lines);
}
