/**
 * buildReply: the attendee's side. From an invitation (email or .ics), the REPLY an attendee sends
 * back to the organizer (RFC 5546 §3.2.3), wrapped as an iMIP email (RFC 6047) by the project's
 * composer. The calendar text is written here, line by line: it is small, and every property is
 * either copied as written in the invitation (UID, RECURRENCE-ID, DTSTART/DTEND with their
 * VTIMEZONEs, ORGANIZER, SUMMARY) or escaped here (COMMENT), so nothing in the invitation or the
 * comment can add a property.
 *
 * Choices, following what Outlook and Google Calendar send:
 * - exactly one ATTENDEE, the one answering, with its CN, ROLE and CUTYPE from the invitation and
 *   the new PARTSTAT; no RSVP (§3.2.3: RSVP is for the organizer's request);
 * - SEQUENCE echoed (§3.2.3: "MUST be the sequence number of the original REQUEST"), written even
 *   when 0; DTSTAMP is the time of the answer;
 * - the VTIMEZONEs the copied times use: Outlook resolves TZIDs only from the message's own zones;
 * - subject "Accepted: …", "Tentative: …", "Declined: …" as Outlook and Google word it;
 * - one multipart/alternative (text, HTML, text/calendar; method=REPLY) without an .ics copy.
 */
import { randomBytes } from 'node:crypto';
import { SmtpInviteError } from '../errors.ts';
import { DEFAULT_PRODID } from '../ical/build-calendar.ts';
import { foldLines } from '../ical/fold-lines.ts';
import {
  addressOf,
  componentsNamed,
  paramValue,
  propertiesNamed,
  type Component,
  type ContentLine,
} from '../inspect/calendar-model.ts';
import { unescapeText } from '../inspect/scan-calendar.ts';
import { composeMessage, type MailAddress } from '../mime/compose-message.ts';
import { describeEmailProblem } from '../model/check-email.ts';
import { pickEvent, readCalendarSource } from './read-calendar-source.ts';

export type ReplyPartStat = 'ACCEPTED' | 'TENTATIVE' | 'DECLINED';

export interface BuildReplyOptions {
  /** The attendee answering (an ATTENDEE of the invitation; case-insensitive, mailto: optional). */
  readonly as: string;
  readonly partstat: ReplyPartStat;
  /** Free text for the organizer (COMMENT and the message body). */
  readonly comment?: string;
  /** DTSTAMP and the Date header. */
  readonly now: Date;
  /** Message-ID without angle brackets. */
  readonly messageId: string;
  /** MIME boundary at a nesting depth (injected for byte-exact output); random by default. */
  readonly boundary?: (depth: number) => string;
  readonly prodId?: string;
}

export interface BuiltReply {
  readonly raw: Buffer;
  /** The REPLY calendar text (CRLF, folded). */
  readonly calendar: string;
  /** The organizer's address (envelope recipient). */
  readonly to: string;
  /** The attendee's address (envelope sender). */
  readonly from: string;
  readonly messageId: string;
}

const SUBJECT_PREFIX: Record<ReplyPartStat, string> = {
  ACCEPTED: 'Accepted',
  TENTATIVE: 'Tentative',
  DECLINED: 'Declined',
};

const VERB: Record<ReplyPartStat, string> = {
  ACCEPTED: 'accepted',
  TENTATIVE: 'tentatively accepted',
  DECLINED: 'declined',
};

export function buildReply(invitation: Buffer, options: BuildReplyOptions): BuiltReply {
  const source = readCalendarSource(invitation);
  const vcalendar = source.vcalendar;
  if (vcalendar === undefined) throw invalid('the invitation carries no calendar (VCALENDAR)');
  const method = (propertiesNamed(vcalendar, 'METHOD')[0]?.value ?? source.mimeMethod ?? '')
    .trim()
    .toUpperCase();
  // Only a REQUEST asks for an answer (RFC 5546 §3.2.2); an .ics without METHOD is accepted as the
  // event itself (an invitation saved as a file).
  if (method !== '' && method !== 'REQUEST') {
    throw invalid(
      `the invitation is a ${method.slice(0, 20)}, not a REQUEST: there is nothing to answer`,
    );
  }
  const vevent = pickEvent(vcalendar);
  if (vevent === undefined) throw invalid('the invitation has no VEVENT');
  const first = (name: string): ContentLine | undefined => propertiesNamed(vevent, name)[0];
  const uid = first('UID');
  if (uid === undefined || uid.value.trim() === '') throw invalid('the invitation has no UID');
  const organizer = first('ORGANIZER');
  const organizerAddress = organizer === undefined ? '' : bareAddress(organizer.value);
  if (organizer === undefined || describeEmailProblem(organizerAddress) !== undefined) {
    throw invalid('the invitation has no ORGANIZER email address to send the answer to');
  }

  const wanted = addressOf(options.as);
  const attendeeLines = propertiesNamed(vevent, 'ATTENDEE');
  const attendee = attendeeLines.find((a) => addressOf(a.value) === wanted);
  if (attendee === undefined) {
    const listed = attendeeLines.map((a) => addressOf(a.value)).join(', ') || 'none';
    throw invalid(
      `--as ${printable(wanted)} is not an ATTENDEE of the invitation (attendees: ${listed}); answer as one of them`,
    );
  }
  const attendeeAddress = bareAddress(attendee.value);
  const problem = describeEmailProblem(attendeeAddress);
  if (problem !== undefined) throw invalid(`--as ${printable(wanted)} ${problem}`);

  const sequenceText = first('SEQUENCE')?.value.trim() ?? '0';
  const sequence = /^\d{1,9}$/.test(sequenceText) ? Number(sequenceText) : 0;
  const recurrenceId = first('RECURRENCE-ID');
  const start = first('DTSTART');
  const end = first('DTEND') ?? first('DURATION');
  const summary = first('SUMMARY');
  const times = [start, end, recurrenceId].filter((l) => l !== undefined);
  const cn = paramValue(attendee, 'CN');
  const comment = options.comment === undefined ? '' : options.comment;

  const eventLines = [
    'BEGIN:VEVENT',
    writeLine('UID', [], uid.value),
    ...(recurrenceId === undefined ? [] : [writeContentLine(recurrenceId)]),
    `SEQUENCE:${sequence}`,
    `DTSTAMP:${formatUtc(options.now)}`,
    ...(start === undefined ? [] : [writeContentLine(start)]),
    ...(end === undefined ? [] : [writeContentLine(end)]),
    ...(summary === undefined ? [] : [writeLine('SUMMARY', [], summary.value)]),
    writeContentLine(organizer),
    writeLine(
      'ATTENDEE',
      [
        ...optionalParam('CUTYPE', paramValue(attendee, 'CUTYPE')),
        ...optionalParam('ROLE', paramValue(attendee, 'ROLE')),
        ['PARTSTAT', options.partstat],
        ...optionalParam('CN', cn, true),
      ],
      `mailto:${attendeeAddress}`,
    ),
    ...(comment.trim() === '' ? [] : [`COMMENT:${escapeText(comment)}`]),
    'END:VEVENT',
  ];
  const calendar = foldLines([
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${escapeText(options.prodId ?? DEFAULT_PRODID)}`,
    'METHOD:REPLY',
    ...zonesFor(vcalendar, times).flatMap(writeComponent),
    ...eventLines,
    'END:VCALENDAR',
  ]);

  const title = summary === undefined ? '' : unescapeText(summary.value);
  const from: MailAddress = withName(attendeeAddress, cn);
  const to: MailAddress = withName(organizerAddress, paramValue(organizer, 'CN'));
  const who = cn === undefined || cn.trim() === '' ? attendeeAddress : cn;
  const text = `${who} has ${VERB[options.partstat]} the invitation "${title}".\n${
    comment.trim() === '' ? '' : `\n${comment}\n`
  }`;
  const html =
    `<!DOCTYPE html>\n<html>\n<head>\n<meta charset="UTF-8">\n</head>\n<body>\n` +
    `<p>${escapeHtml(who)} has ${VERB[options.partstat]} the invitation &quot;${escapeHtml(title)}&quot;.</p>\n` +
    (comment.trim() === ''
      ? ''
      : `<p>${escapeHtml(comment).replace(/\r?\n|\r/g, '<br>\n')}</p>\n`) +
    `</body>\n</html>\n`;
  const random = randomBytes(12).toString('hex');
  const raw = composeMessage({
    from,
    to: [to],
    subject: `${SUBJECT_PREFIX[options.partstat]}: ${title}`,
    date: options.now,
    messageId: options.messageId,
    text,
    html,
    calendar,
    attachment: false,
    profile: 'default',
    boundary: options.boundary ?? ((depth) => `----=_smtp-invite_reply_${random}_${depth}`),
  });
  return {
    raw,
    calendar,
    to: organizerAddress,
    from: attendeeAddress,
    messageId: options.messageId,
  };
}

function invalid(message: string): SmtpInviteError {
  return new SmtpInviteError('ERR_INVALID_INPUT', `Cannot build the reply: ${message}.`);
}

/** A user-given value shown in an error message: control characters (a terminal's escapes) as `?`. */
function printable(value: string): string {
  return value.replace(/[\x00-\x1f\x7f]/g, '?').slice(0, 200);
}

/** `mailto:Ada@Example.com` → `Ada@Example.com` (case kept for the header). */
function bareAddress(value: string): string {
  return value.replace(/^\s*mailto:/i, '').trim();
}

function withName(email: string, name: string | undefined): MailAddress {
  return name === undefined || name.trim() === '' ? { email } : { name: name.trim(), email };
}

/** RFC 5545 §3.3.5 form 2 (UTC): `20261121T090000Z`. */
function formatUtc(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/**
 * TEXT escaping (RFC 5545 §3.3.11): backslash, semicolon, comma and line breaks; other control
 * characters are not allowed in TEXT at all (§3.1 allows only HTAB) and become spaces.
 */
function escapeText(value: string): string {
  return value
    .replace(/[\\;,]/g, (c) => `\\${c}`)
    .replace(/\r\n|\r|\n/g, '\\n')
    .replace(/[\x00-\x08\x0a-\x1f\x7f]/g, ' ');
}

function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

type ParamPair = readonly [string, string, boolean?];

function optionalParam(name: string, value: string | undefined, quote = false): ParamPair[] {
  return value === undefined || value.trim() === '' ? [] : [[name, value, quote]];
}

/**
 * A parameter value as written: RFC 6868 caret-encoding for `^`, `"` and line breaks, other control
 * characters dropped, double quotes when it holds `;`, `:` or `,` (RFC 5545 §3.2) or when asked.
 */
function formatParamValue(value: string, quote: boolean): string {
  const encoded = value
    .replace(/\^/g, '^^')
    .replace(/"/g, "^'")
    .replace(/\r\n|\r|\n/g, '^n')
    .replace(/[\x00-\x08\x0a-\x1f\x7f]/g, ' ');
  return quote || /[;:,]/.test(encoded) ? `"${encoded}"` : encoded;
}

function writeLine(name: string, params: readonly ParamPair[], value: string): string {
  const head = params.map(([n, v, q]) => `;${n}=${formatParamValue(v, q ?? false)}`).join('');
  return `${name}${head}:${value}`;
}

/** A content line of the invitation, re-written from the scan (value kept as written). */
function writeContentLine(line: ContentLine): string {
  const params = line.params
    .map((p) => `;${p.name}=${p.values.map((v) => formatParamValue(v.value, v.quoted)).join(',')}`)
    .join('');
  return `${line.name}${params}:${line.value}`;
}

function writeComponent(component: Component): string[] {
  return [
    `BEGIN:${component.name}`,
    ...component.properties.map(writeContentLine),
    ...component.components.flatMap(writeComponent),
    `END:${component.name}`,
  ];
}

/** The invitation's VTIMEZONEs named by a TZID of the copied times, each once. */
function zonesFor(vcalendar: Component, times: readonly ContentLine[]): Component[] {
  const tzids = new Set(
    times.map((t) => paramValue(t, 'TZID')?.trim()).filter((t) => t !== undefined),
  );
  return componentsNamed(vcalendar, 'VTIMEZONE').filter((zone) => {
    const tzid = propertiesNamed(zone, 'TZID')[0];
    return tzid !== undefined && tzids.has(unescapeText(tzid.value).trim());
  });
}
