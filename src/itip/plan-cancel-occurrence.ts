import type { DateTime } from 'luxon';
import { SmtpInviteError } from '../errors.ts';
import { isRecurrenceOccurrence, type LocalTime } from '../ical/read-calendar.ts';
import type { Invite } from '../model/invite.ts';
import { createCancelMessage } from './create-planned-message.ts';
import type { Plan } from './plan-types.ts';

/**
 * Cancels one occurrence of a series (RFC 5546 §3.2.5; RFC 5545 §3.8.4.4): one CANCEL to every
 * attendee, listing them all, for the occurrence alone — RECURRENCE-ID its original start (with the
 * event's TZID, or a DATE for an all-day series), DTSTART/DTEND the occurrence's, no RRULE, STATUS
 * CANCELLED, SEQUENCE + 1 ("When a VEVENT is cancelled, the SEQUENCE property value MUST be
 * incremented"). `next` is the master with the occurrence added to its EXDATEs at that SEQUENCE,
 * so later updates and `export` leave it out. Answers are kept: the other occurrences did not move.
 *
 * `occurrence` is read in the event's zone (all-day: midnight UTC of the date, as the model carries
 * dates). Refused with ERR_INVALID_INPUT: a cancelled or non-recurring event, a date-time the RRULE
 * does not generate (checked with ical.js's expansion), an occurrence already excluded.
 */
export function planCancelOccurrence(current: Invite, occurrence: DateTime): Plan {
  const refuse = (why: string) => new SmtpInviteError('ERR_INVALID_INPUT', `--occurrence: ${why}`);
  if (current.status === 'CANCELLED') throw refuse(`the event ${current.uid} is already cancelled`);
  const recurrence = current.recurrence;
  if (recurrence === undefined)
    throw refuse(`the event ${current.uid} does not recur; cancel the whole event instead`);
  const zone = current.allDay ? 'UTC' : (current.timeZone ?? 'UTC');
  const original = occurrence.setZone(zone);
  const shown = current.allDay
    ? original.toISODate()
    : original.toISO({ suppressMilliseconds: true });
  if (
    !isRecurrenceOccurrence(
      recurrence.rrule,
      local(current.start.setZone(zone)),
      local(original),
      current.allDay,
    )
  )
    throw refuse(
      `${shown} is not an occurrence of ${current.uid} (${recurrence.rrule}, first ${current.allDay ? current.start.toISODate() : current.start.setZone(zone).toISO({ suppressMilliseconds: true })})`,
    );
  if (recurrence.exdates.some((d) => sameOccurrence(d, original, current.allDay)))
    throw refuse(`the occurrence ${shown} of ${current.uid} is already cancelled (EXDATE)`);

  const sequence = current.sequence + 1;
  const exdates = [...recurrence.exdates, original].sort((a, b) => a.toMillis() - b.toMillis());
  const next: Invite = { ...current, sequence, recurrence: { ...recurrence, exdates } };
  // RFC 5545 §3.8.5.3: every occurrence lasts DTEND − DTSTART (exact for date-times, in days for
  // dates, which the model keeps at midnight UTC, so milliseconds are exact both ways).
  const { recurrence: _series, ...master } = next;
  const instance: Invite = {
    ...master,
    recurrenceId: original,
    start: original,
    end: original.plus(current.end.diff(current.start)),
  };
  return {
    next,
    messages: [createCancelMessage(instance, instance.attendees, 'occurrence cancelled')],
    significant: false,
    changes: [`occurrence ${shown} cancelled`],
  };
}

function local(dt: DateTime): LocalTime {
  return {
    year: dt.year,
    month: dt.month,
    day: dt.day,
    hour: dt.hour,
    minute: dt.minute,
    second: dt.second,
  };
}

function sameOccurrence(a: DateTime, b: DateTime, allDay: boolean): boolean {
  return allDay ? a.toISODate() === b.toISODate() : a.toMillis() === b.toMillis();
}

/**
 * The proposed event of an update, with the occurrences cancelled so far kept cancelled: the
 * ledger's EXDATEs are added to the proposal's when both recur (an update written from the original
 * JSON must not bring a cancelled occurrence back). To restore one, send a new event.
 */
export function keepCancelledOccurrences(current: Invite, proposed: Invite): Invite {
  const kept = current.recurrence?.exdates ?? [];
  const wanted = proposed.recurrence;
  if (wanted === undefined || kept.length === 0) return proposed;
  const missing = kept.filter(
    (d) => !wanted.exdates.some((e) => sameOccurrence(e, d, proposed.allDay)),
  );
  if (missing.length === 0) return proposed;
  const zone = proposed.allDay ? 'UTC' : (proposed.timeZone ?? 'UTC');
  const exdates = [...wanted.exdates, ...missing.map((d) => d.setZone(zone))].sort(
    (a, b) => a.toMillis() - b.toMillis(),
  );
  return { ...proposed, recurrence: { ...wanted, exdates } };
}
