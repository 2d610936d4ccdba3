/**
 * Finds the calendar parts of a message, says where each sits, and picks the one clients act on.
 * Placement matters to clients: Outlook and Gmail handle a `text/calendar` part inside
 * `multipart/alternative` as the invitation; the same bytes only as an attachment are a file.
 */
import type { CalendarPlacement } from './inspect-types.ts';
import { walkMime, type MimeNode } from './mime-model.ts';

export interface FoundCalendarPart {
  readonly node: MimeNode;
  readonly placement: CalendarPlacement;
}

const CALENDAR_TYPES = new Set([
  'text/calendar',
  'application/ics',
  'text/x-vcalendar',
  'application/x-ics',
]);

/** A part that carries a calendar: by media type, or an `.ics` file sent as text/plain or octet-stream. */
export function isCalendarNode(node: MimeNode): boolean {
  if (node.children.length > 0) return false;
  if (CALENDAR_TYPES.has(node.contentType)) return true;
  const name = node.filename?.toLowerCase() ?? '';
  return (
    (node.contentType === 'application/octet-stream' || node.contentType === 'text/plain') &&
    (name.endsWith('.ics') || name.endsWith('.vcs'))
  );
}

export function collectCalendarParts(root: MimeNode): FoundCalendarPart[] {
  const parents = new Map<MimeNode, MimeNode>();
  for (const node of walkMime(root)) for (const child of node.children) parents.set(child, node);
  return walkMime(root)
    .filter(isCalendarNode)
    .map((node) => ({ node, placement: placementOf(node, parents.get(node)) }));
}

function placementOf(node: MimeNode, parent: MimeNode | undefined): CalendarPlacement {
  if (node.disposition === 'attachment') return 'attachment';
  if (parent?.contentType === 'multipart/alternative' && node.contentType === 'text/calendar')
    return 'alternative';
  // A single-part text/calendar message (Thunderbird's replies) is read inline too.
  if (node.contentType === 'text/calendar' && node.filename === undefined) return 'inline';
  return node.filename === undefined && node.contentType === 'text/calendar'
    ? 'inline'
    : 'attachment';
}

/**
 * The part a client acts on: the text/calendar inside multipart/alternative, else an inline
 * text/calendar, else the first calendar attachment (Gmail reads application/ics attachments).
 */
export function pickPrimary<
  T extends { readonly placement: CalendarPlacement; readonly contentType: string },
>(parts: readonly T[]): T | undefined {
  return (
    parts.find((p) => p.placement === 'alternative') ??
    parts.find((p) => p.placement === 'inline' || p.placement === 'standalone') ??
    parts[0]
  );
}
