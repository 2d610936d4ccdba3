/**
 * The complete RFC 5322/MIME bytes of an iMIP invitation (RFC 6047), written directly: every byte
 * is decided here, so the output is deterministic (boundaries, Date and Message-ID are injected)
 * and composing takes microseconds instead of a MailComposer stream.
 *
 * Two shapes:
 * - `default`, what Google Calendar sends and the CalConnect iMIP guide recommends:
 *   multipart/mixed{ multipart/alternative{ text/plain, text/html, text/calendar }, application/ics }
 *   (without the attachment, the multipart/alternative alone);
 * - `outlook`, what Exchange sends: a flat multipart/alternative whose text/calendar part is base64,
 *   with `Content-Class: urn:content-classes:calendarmessage`, and no attachment (Exchange's own
 *   meeting requests carry none, and Outlook lists an extra .ics as a separate file).
 */
import { SmtpInviteError } from '../errors.ts';
import { METHODS, type Method } from '../model/invite.ts';
import {
  formatAddressHeader,
  formatDateHeader,
  formatMessageIdHeader,
  formatTextHeader,
} from './format-header.ts';
import {
  CRLF,
  containsDelimiter,
  encodeBase64Lines,
  encodeQuotedPrintable,
  isSevenBitClean,
  normalizeLineBreaks,
  type TransferEncoding,
} from './mime-codecs.ts';

export interface MailAddress {
  readonly name?: string;
  readonly email: string;
}

export type MessageProfile = 'default' | 'outlook';

export interface ComposeInput {
  readonly from: MailAddress;
  /** `Sender:` header (someone sending on behalf of From). */
  readonly sender?: MailAddress;
  readonly replyTo?: MailAddress;
  /** `To:` header; left out when empty (RFC 5322 §3.6 makes it optional). */
  readonly to: readonly MailAddress[];
  readonly subject: string;
  /** `Date:` header (RFC 5322 §3.3, always written in +0000). */
  readonly date: Date;
  /** Without angle brackets: `abc@example.com`. */
  readonly messageId: string;
  /** text/plain body (LF, CRLF or CR line breaks, any Unicode). */
  readonly text: string;
  /** text/html body. */
  readonly html: string;
  /** Complete iCalendar text, CRLF, with a METHOD line. */
  readonly calendar: string;
  /** Add the `.ics` copy as an attachment (default profile only). */
  readonly attachment: boolean;
  readonly profile: MessageProfile;
  /** Boundary of the multipart at `depth` (0 = outermost); injected for deterministic output. */
  readonly boundary: (depth: number) => string;
}

/** File name of the attached copy, as Google Calendar names it. */
const ATTACHMENT_NAME = 'invite.ics';

const NON_ASCII = /[^\x00-\x7f]/;

// RFC 2046 §5.1.1: 1–70 bchars, not ending in a space.
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

interface EncodedPart {
  readonly encoding: TransferEncoding;
  readonly body: string;
}

export function composeMessage(input: ComposeInput): Buffer {
  const method = readCalendarMethod(input.calendar);
  const outlook = input.profile === 'outlook';
  const mixed = !outlook && input.attachment;
  const outer = checkBoundary(input.boundary(0));
  const alternative = mixed ? checkBoundary(input.boundary(1)) : outer;
  if (mixed && (outer.startsWith(alternative) || alternative.startsWith(outer))) {
    // A delimiter line of one would be read as a delimiter of the other (RFC 2046 §5.1.1).
    throw new SmtpInviteError(
      'ERR_INTERNAL',
      `MIME boundaries must not be prefixes of each other: "${outer}", "${alternative}".`,
    );
  }
  const boundaries = mixed ? [outer, alternative] : [outer];

  const text = encodeTextBody(input.text, boundaries);
  const html = encodeTextBody(input.html, boundaries);
  const calendar = encodeCalendar(input.calendar, boundaries, outlook);

  let head = formatAddressHeader('From', [input.from]);
  if (input.sender !== undefined) head += formatAddressHeader('Sender', [input.sender]);
  if (input.replyTo !== undefined) head += formatAddressHeader('Reply-To', [input.replyTo]);
  if (input.to.length > 0) head += formatAddressHeader('To', input.to);
  head += formatTextHeader('Subject', input.subject);
  head += formatDateHeader(input.date);
  head += formatMessageIdHeader(input.messageId);
  head += 'MIME-Version: 1.0' + CRLF;
  // Exchange's own marker for meeting requests; Outlook files the message as one with it.
  if (outlook) head += 'Content-Class: urn:content-classes:calendarmessage' + CRLF;
  head += multipartType(mixed ? 'mixed' : 'alternative', outer) + CRLF + CRLF;
  if (mixed) head += '--' + outer + CRLF + multipartType('alternative', alternative) + CRLF + CRLF;

  const delimiter = CRLF + '--' + alternative + CRLF;
  const parts = [
    head,
    '--' + alternative + CRLF + partHeaders('text/plain; charset=UTF-8', text.encoding),
    text.body,
    delimiter + partHeaders('text/html; charset=UTF-8', html.encoding),
    html.body,
    delimiter + partHeaders('text/calendar; charset=UTF-8; method=' + method, calendar.encoding),
    calendar.body,
    CRLF + '--' + alternative + '--' + CRLF,
  ];
  if (mixed) {
    parts.push(
      '--' +
        outer +
        CRLF +
        `Content-Type: application/ics; name="${ATTACHMENT_NAME}"` +
        CRLF +
        `Content-Disposition: attachment; filename="${ATTACHMENT_NAME}"` +
        CRLF +
        'Content-Transfer-Encoding: ' +
        calendar.encoding +
        CRLF +
        CRLF,
      calendar.body,
      CRLF + '--' + outer + '--' + CRLF,
    );
  }
  return writeParts(parts);
}

/**
 * The parts copied one by one into a Buffer of the exact size. Every part is ASCII by construction
 * (encoded headers; 7bit, quoted-printable or base64 bodies), so its length is its octet count.
 * Concatenating the strings first and converting once is several times slower: V8 has to flatten
 * the rope, mixing one- and two-byte pieces, before copying it again.
 */
function writeParts(parts: readonly string[]): Buffer {
  let size = 0;
  for (const part of parts) size += part.length;
  const out = Buffer.allocUnsafe(size);
  let offset = 0;
  for (const part of parts) offset += out.write(part, offset, 'latin1');
  return out;
}

function checkBoundary(boundary: string): string {
  if (!BOUNDARY.test(boundary)) {
    throw new SmtpInviteError(
      'ERR_INTERNAL',
      `Invalid MIME boundary ${JSON.stringify(boundary.slice(0, 100))}: it must be 1–70 characters ` +
        "of letters, digits and '()+_,-./:=? (RFC 2046 §5.1.1), not ending in a space.",
    );
  }
  return boundary;
}

/** `Content-Type: multipart/…; boundary="…"`, folded before the parameter when too long. */
function multipartType(subtype: 'mixed' | 'alternative', boundary: string): string {
  const head = 'Content-Type: multipart/' + subtype + ';';
  // The boundary is always quoted: bchars include characters that are tspecials (RFC 2045 §5.1).
  const param = 'boundary="' + boundary + '"';
  return head.length + 1 + param.length > 78 ? head + CRLF + ' ' + param : head + ' ' + param;
}

function partHeaders(contentType: string, encoding: TransferEncoding): string {
  return (
    'Content-Type: ' + contentType + CRLF + 'Content-Transfer-Encoding: ' + encoding + CRLF + CRLF
  );
}

/**
 * text/plain and text/html: 7bit when the text is ASCII with lines of at most 998 octets and no
 * line starting like a delimiter; quoted-printable otherwise (which never starts a line with `-`).
 */
function encodeTextBody(text: string, boundaries: readonly string[]): EncodedPart {
  // Rendered bodies are non-ASCII (en dashes, names) far more often than not: look at the start
  // first, where a regex stops at the first hit, before the whole-text checks.
  if (!NON_ASCII.test(text.length > 1024 ? text.slice(0, 1024) : text)) {
    const crlf = normalizeLineBreaks(text);
    if (isSevenBitClean(crlf) && !containsDelimiter(crlf, boundaries)) {
      return { encoding: '7bit', body: crlf };
    }
  }
  return { encoding: 'quoted-printable', body: encodeQuotedPrintable(text) };
}

/**
 * The calendar travels byte for byte: 7bit only when it already is valid 7bit (folded iCalendar
 * lines are at most 75 octets, RFC 5545 §3.1), base64 otherwise, so line breaks are never
 * rewritten. The outlook profile always uses base64, as Exchange's own meeting requests do.
 */
function encodeCalendar(
  calendar: string,
  boundaries: readonly string[],
  forceBase64: boolean,
): EncodedPart {
  if (!forceBase64 && isSevenBitClean(calendar) && !containsDelimiter(calendar, boundaries)) {
    return { encoding: '7bit', body: calendar };
  }
  return { encoding: 'base64', body: encodeBase64Lines(calendar) };
}

/**
 * METHOD of a calendar text (first `METHOD:` line of the VCALENDAR); throws ERR_INTERNAL if absent
 * or not an RFC 5546 method. RFC 6047 §2.4 requires the MIME `method` parameter to equal it, so the
 * parameter is always read from here and can never disagree with the calendar.
 */
export function readCalendarMethod(calendar: string): Method {
  const length = calendar.length;
  let depth = 0;
  let position = 0;
  while (position < length) {
    let next = calendar.indexOf('\n', position);
    if (next === -1) next = length;
    const end = next > position && calendar.charCodeAt(next - 1) === 0x0d ? next - 1 : next;
    const first = calendar.charCodeAt(position) | 0x20; // lower-cased ASCII letter
    // Only BEGIN, END and METHOD lines matter; folded continuation lines start with a space.
    if (first === 0x62 || first === 0x65 || first === 0x6d) {
      const line = calendar.slice(position, end);
      const upper = line.toUpperCase();
      if (upper.startsWith('BEGIN:')) {
        if (depth > 0 || upper === 'BEGIN:VCALENDAR') depth++;
      } else if (upper.startsWith('END:')) {
        if (depth > 0) depth--;
        if (depth === 0 && upper === 'END:VCALENDAR') break;
      } else if (depth === 1 && /^METHOD[:;]/.test(upper)) {
        return parseMethodValue(unfoldLine(calendar, line, next + 1));
      }
    }
    position = next + 1;
  }
  throw new SmtpInviteError(
    'ERR_INTERNAL',
    'The calendar has no METHOD property in its VCALENDAR.',
  );
}

/** `line` with the continuation lines that follow it (RFC 5545 §3.1 unfolding). */
function unfoldLine(calendar: string, line: string, from: number): string {
  let result = line;
  let position = from;
  while (position < calendar.length) {
    const c = calendar.charCodeAt(position);
    if (c !== 0x20 && c !== 0x09) break;
    let next = calendar.indexOf('\n', position);
    if (next === -1) next = calendar.length;
    const end = next > position && calendar.charCodeAt(next - 1) === 0x0d ? next - 1 : next;
    result += calendar.slice(position + 1, end);
    position = next + 1;
  }
  return result;
}

function parseMethodValue(line: string): Method {
  // The value follows the first colon outside a quoted parameter value (RFC 5545 §3.1).
  let quoted = false;
  let colon = -1;
  for (let i = 6; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x22) quoted = !quoted;
    else if (c === 0x3a && !quoted) {
      colon = i;
      break;
    }
  }
  const value = colon === -1 ? '' : line.slice(colon + 1).toUpperCase();
  const method = METHODS.find((m) => m === value);
  if (method === undefined) {
    throw new SmtpInviteError(
      'ERR_INTERNAL',
      `The calendar's METHOD ${JSON.stringify(value.slice(0, 50))} is not an iTIP method (RFC 5546 §1.4).`,
    );
  }
  return method;
}
