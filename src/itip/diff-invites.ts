/**
 * What changed between the organizer's current copy and a proposed one, split the way RFC 5546
 * §2.1.4 and RFC 5545 §3.8.7.4 split it: changes that move the event in time or recurrence (or its
 * STATUS) are significant and raise SEQUENCE; everything else is sent at the same SEQUENCE.
 */
import type { DateTime } from 'luxon';
import type { Attendee, Invite } from '../model/invite.ts';
import { attendeeKey } from './attendee-key.ts';

export interface InviteDiff {
  /** Significant changes (RFC property names): SEQUENCE + 1, PARTSTATs reset. */
  readonly significant: readonly string[];
  /** Everything else that changed: sent as a REQUEST at the same SEQUENCE. */
  readonly minor: readonly string[];
  /** Attendees of `proposed` not in `current` (compared case-insensitively). */
  readonly added: readonly Attendee[];
  /** Attendees of `current` no longer in `proposed`. */
  readonly removed: readonly Attendee[];
}

/**
 * Compares two copies of the same event. Attendee order is not a change (attendees are a set keyed
 * by their case-insensitive address); neither is RRULE part order or INTERVAL=1 (validation writes
 * RRULEs canonically, and list values are compared as sets here).
 */
export function diffInvites(current: Invite, proposed: Invite): InviteDiff {
  const significant: string[] = [];
  const minor: string[] = [];

  // The properties sabre/vobject's ITip Broker hashes for its significant-change test
  // ($significantChangeProperties: DTSTART, DTEND, DURATION, DUE, RRULE, RDATE, EXDATE, STATUS).
  // DURATION is not in our model (always DTEND); RDATE and DUE neither.
  if (current.allDay !== proposed.allDay) significant.push('all-day');
  if (!sameInstant(current.start, proposed.start)) significant.push('DTSTART');
  if (!sameInstant(current.end, proposed.end)) significant.push('DTEND');
  if (current.timeZone !== proposed.timeZone) {
    // Same instants in another zone: a single event does not move. A series does whenever the
    // two zones' DST rules differ somewhere in it; we do not expand open-ended series to find out,
    // so any zone change of a recurring event counts as significant (a false "moved" costs one
    // re-confirmation, a missed one a meeting at the wrong hour).
    (current.recurrence !== undefined || proposed.recurrence !== undefined
      ? significant
      : minor
    ).push('TZID');
  }
  if (!sameRrule(current.recurrence?.rrule, proposed.recurrence?.rrule)) significant.push('RRULE');
  if (!sameInstants(current.recurrence?.exdates ?? [], proposed.recurrence?.exdates ?? []))
    significant.push('EXDATE');
  if (current.status !== proposed.status) significant.push('STATUS');

  const texts: [string, (i: Invite) => string | undefined][] = [
    ['SUMMARY', (i) => i.summary],
    ['DESCRIPTION', (i) => i.description],
    ['X-ALT-DESC', (i) => i.html],
    ['LOCATION', (i) => i.location],
    ['URL', (i) => i.url],
    ['TRANSP', (i) => i.transparency],
    ['VALARM', (i) => i.alarms.map((a) => a.seconds).join(',')],
    ['ORGANIZER', (i) => `${i.organizer.name ?? ''}|${i.organizer.sentBy?.toLowerCase() ?? ''}`],
  ];
  for (const [name, read] of texts) if (read(current) !== read(proposed)) minor.push(name);

  const before = new Map(current.attendees.map((a) => [attendeeKey(a.email), a]));
  const after = new Map(proposed.attendees.map((a) => [attendeeKey(a.email), a]));
  const added = proposed.attendees.filter((a) => !before.has(attendeeKey(a.email)));
  const removed = current.attendees.filter((a) => !after.has(attendeeKey(a.email)));
  if (added.length > 0) minor.push(`attendees added: ${added.map((a) => a.email).join(', ')}`);
  if (removed.length > 0)
    minor.push(`attendees removed: ${removed.map((a) => a.email).join(', ')}`);
  for (const [key, old] of before) {
    const now = after.get(key);
    if (now === undefined) continue;
    // PARTSTAT is the attendees' answer, not the organizer's edit: the planner decides it.
    const details = (['name', 'role', 'cutype', 'rsvp'] as const).filter((k) => old[k] !== now[k]);
    if (details.length > 0) minor.push(`attendee ${now.email}: ${details.join(', ')}`);
  }
  return { significant, minor, added, removed };
}

function sameInstant(a: DateTime, b: DateTime): boolean {
  return a.toMillis() === b.toMillis();
}

function sameInstants(a: readonly DateTime[], b: readonly DateTime[]): boolean {
  const set = (list: readonly DateTime[]) => [...new Set(list.map((d) => d.toMillis()))].sort();
  return set(a).join(',') === set(b).join(',');
}

/**
 * RRULEs as sets of parts with sorted values (BYDAY=TU,MO is BYDAY=MO,TU) and without WKST=MO, the
 * RFC 5545 §3.3.10 default. Validation already fixes the part order and drops INTERVAL=1.
 */
function sameRrule(a: string | undefined, b: string | undefined): boolean {
  return canonicalRrule(a) === canonicalRrule(b);
}

function canonicalRrule(rule: string | undefined): string {
  if (rule === undefined) return '';
  return rule
    .split(';')
    .filter((part) => part !== 'WKST=MO' && part !== 'INTERVAL=1')
    .map((part) => {
      const [name = '', value = ''] = part.split('=');
      return `${name}=${[...new Set(value.split(','))].sort().join(',')}`;
    })
    .sort()
    .join(';');
}
