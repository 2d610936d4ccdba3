/**
 * The calendar an email (or a bare .ics) carries, as the raw scan: shared by readItipMessage (the
 * organizer reading answers) and buildReply (the attendee answering). Reuses the inspector's MIME
 * reader and part selection, so "which part is the calendar" means the same everywhere: the
 * text/calendar inside multipart/alternative first, then an inline one, then an attachment.
 */
import { createHash } from 'node:crypto';
import { componentsNamed, type CalendarScan, type Component } from '../inspect/calendar-model.ts';
import { collectCalendarParts, pickPrimary } from '../inspect/collect-calendar-parts.ts';
import { headerValue, type MimeNode } from '../inspect/mime-model.ts';
import { decodeText, parseMimeTree } from '../inspect/parse-mime-tree.ts';
import { scanCalendar } from '../inspect/scan-calendar.ts';

export interface CalendarSource {
  readonly kind: 'message' | 'calendar';
  /** The MIME tree (messages only). */
  readonly root?: MimeNode;
  /** The calendar part's scan; undefined when the message carries no calendar part. */
  readonly scan?: CalendarScan;
  /** The VCALENDAR component, when the scan found one. */
  readonly vcalendar?: Component;
  /** The MIME `method=` parameter of the calendar part, upper-cased. */
  readonly mimeMethod?: string;
}

/**
 * Message or calendar, told apart as inspect() does: a calendar starts with BEGIN:VCALENDAR (after
 * an optional BOM and whitespace), anything else is read as RFC 5322 headers.
 */
export function readCalendarSource(raw: Buffer): CalendarSource {
  const head = raw
    .subarray(0, 64)
    .toString('latin1')
    .replace(/^\xef\xbb\xbf/, '')
    .trimStart();
  if (/^BEGIN:VCALENDAR/i.test(head)) return withScan('calendar', undefined, raw, undefined);
  const root = parseMimeTree(raw);
  const found = collectCalendarParts(root);
  const primary = pickPrimary(found.map((f) => ({ ...f, contentType: f.node.contentType })));
  if (primary === undefined) return { kind: 'message', root };
  const { node } = primary;
  const charset = node.params['charset'];
  const bytes = node.content ?? Buffer.alloc(0);
  // RFC 5545 §3.1.4: UTF-8 unless the part says otherwise; the scanner reads UTF-8 bytes itself.
  const utf8 = charset === undefined || /^(utf-?8)?$/i.test(charset.trim());
  return withScan(
    'message',
    root,
    utf8 ? bytes : decodeText(bytes, charset).text,
    node.params['method']?.trim().toUpperCase(),
  );
}

function withScan(
  kind: 'message' | 'calendar',
  root: MimeNode | undefined,
  content: Buffer | string,
  mimeMethod: string | undefined,
): CalendarSource {
  const scan = scanCalendar(content);
  const vcalendar = scan.components.find((c) => c.name === 'VCALENDAR');
  return {
    kind,
    ...(root === undefined ? {} : { root }),
    scan,
    ...(vcalendar === undefined ? {} : { vcalendar }),
    ...(mimeMethod === undefined || mimeMethod === '' ? {} : { mimeMethod }),
  };
}

/** Message-ID without angle brackets; 'sha256:<hex of the bytes>' when the message has none. */
export function readMessageId(raw: Buffer, root: MimeNode | undefined): string {
  const header = root === undefined ? undefined : headerValue(root, 'Message-ID');
  const id = header === undefined ? '' : (/<([^<>]*)>/.exec(header)?.[1] ?? header).trim();
  return id !== '' ? id : `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

/** The address of the From header, lower-cased (informative only: never used for matching). */
export function readFromAddress(root: MimeNode | undefined): string | undefined {
  const header = root === undefined ? undefined : headerValue(root, 'From');
  if (header === undefined) return undefined;
  const address =
    /<([^<>@\s]+@[^<>\s]+)>/.exec(header)?.[1] ?? /[^\s<>"]+@[^\s<>"]+/.exec(header)?.[0];
  return address?.toLowerCase();
}

/**
 * The VEVENT an answer is about: the master (no RECURRENCE-ID) when there is one, else the first.
 * RFC 5546 §3.2.3 allows one VEVENT per answered instance; the master carries the answer for the
 * whole series.
 */
export function pickEvent(vcalendar: Component): Component | undefined {
  const vevents = componentsNamed(vcalendar, 'VEVENT');
  return vevents.find((v) => !v.properties.some((p) => p.name === 'RECURRENCE-ID')) ?? vevents[0];
}
