import type { RuleEffect } from '../inspect-types.ts';
import { defineRule } from '../inspect-types.ts';
import { eventPath, first, methodOf, primaryEvents } from '../rule-helpers.ts';

// Only when the caller knows the SEQUENCE of the version the attendees already have
// (options.previousSequence / --previous-sequence). RFC 5546 §2.1.4: the organizer increments
// SEQUENCE for every significant change (time, place, recurrence, cancellation); §2.1.5: a message
// with a lower SEQUENCE than the one held is out of date, and with an equal one DTSTAMP decides.
// What clients do with the update (REQUEST):
// - lower SEQUENCE (error): ignored. Outlook marks it out of date ([MS-OXOCAL] "out-of-date" rule:
//   the meeting's sequence number is greater than the request's); Thunderbird offers nothing
//   (calItipUtils.sys.mjs processFoundItems applies an update only when itip.compare() > 0).
// - equal SEQUENCE (warning): applied only as a minor update, and only when DTSTAMP is newer
//   (Thunderbird "REQUEST:UPDATE-MINOR", Outlook compares the critical-change time); a moved meeting
//   sent that way can be dropped, so the attendee keeps the old time. No effect is claimed because
//   the outcome depends on the previous DTSTAMP, which the inspector does not know.
// A CANCEL should carry a higher SEQUENCE too (RFC 5546 §2.1.4; Outlook increments it, [MS-OXOCAL]
// §3.1.5.4), but Thunderbird deletes on any CANCEL and Outlook's handling of a stale one is not
// documented: findings without client effect. The effective SEQUENCE is the SEQUENCE property
// (absent = 0, RFC 5545 §3.8.7.4); a differing X-MICROSOFT-CDO-APPT-SEQUENCE is cdo-sequence-mismatch.
const METHODS = new Set(['REQUEST', 'CANCEL']);
const IGNORED: readonly RuleEffect[] = [
  { client: 'outlook', outcome: 'ignored' },
  { client: 'thunderbird', outcome: 'ignored' },
];
const MAX_HITS = 20;

export const sequenceNotIncreased = defineRule({
  id: 'sequence-not-increased',
  category: 'client',
  severity: 'error',
  summary:
    'An update or cancellation whose SEQUENCE is not above the previous one: clients ignore it as out of date.',
  fix: 'Send every update and cancellation with SEQUENCE one higher than the last version sent (same UID).',
  source:
    'RFC 5546 §2.1.4, §2.1.5; [MS-OXOCAL] out-of-date meeting requests; Thunderbird calItipUtils.sys.mjs',
  effects: IGNORED,
  *check(context) {
    const previous = context.options.previousSequence;
    const method = methodOf(context);
    if (previous === undefined || method === undefined || !METHODS.has(method)) return;
    let hits = 0;
    let more = 0;
    for (const event of primaryEvents(context)) {
      const line = first(event.vevent, 'SEQUENCE');
      const text = line?.value.trim() ?? '0';
      // A non-numeric SEQUENCE is a value error, reported by the syntax rules.
      if (!/^\d{1,10}$/.test(text)) continue;
      const sequence = Number(text);
      if (sequence > previous) continue;
      if (hits >= MAX_HITS) {
        more++;
        continue;
      }
      hits++;
      const lower = sequence < previous;
      yield {
        message: `${method} SEQUENCE ${line === undefined ? 'is absent (0)' : `is ${sequence}`}, ${lower ? 'lower than' : 'the same as'} the previous ${previous}${lower ? '' : ': applied at most as a minor update'}`,
        path: eventPath(event, 'SEQUENCE'),
        line: line?.line ?? event.vevent.line,
        severity: lower ? 'error' : 'warning',
        effects: lower && method === 'REQUEST' ? IGNORED : [],
      };
    }
    if (more > 0) {
      yield {
        message: `…and ${more} more VEVENTs whose SEQUENCE is not above ${previous}`,
        path: context.primary?.path ?? 'calendar',
        effects: [],
      };
    }
  },
});
