/**
 * readItipMessage: an attendee's answer (REPLY, COUNTER, REFRESH; RFC 5546 §3.2.3, §3.2.6, §3.2.7)
 * read from an email or a bare .ics into plain data. Pure and never throws on content: anything
 * that cannot be used becomes an UnreadableItip with its reason.
 *
 * The answering attendee is the calendar's ATTENDEE, never the email From: Google Calendar answers
 * from calendar-notification@google.com and Outlook may answer on behalf of someone else.
 *
 * Decisions (RFC 5546 says a REPLY and a REFRESH carry exactly one ATTENDEE):
 * - several ATTENDEEs → 'malformed' (guessing could record an answer for the wrong person), except
 *   a delegation REPLY (§4.2.5: the delegator with PARTSTAT=DELEGATED plus the delegate), which is
 *   legal but not handled here → 'unsupported';
 * - a COUNTER may list other attendees it proposes (§3.2.7): with one ATTENDEE that is the
 *   proposer; with several the proposer cannot be told from the calendar → 'unsupported';
 * - several VEVENTs (answers per occurrence): the master is read, else the first one.
 */
import type { PartStat } from '../model/invite.ts';
import { PARTSTATS } from '../model/invite.ts';
import {
  addressOf,
  paramValue,
  propertiesNamed,
  type Component,
  type ContentLine,
} from '../inspect/calendar-model.ts';
import type { MimeNode } from '../inspect/mime-model.ts';
import { unescapeText } from '../inspect/scan-calendar.ts';
import type { IncomingItip, UnreadableItip } from './reply-types.ts';
import {
  pickEvent,
  readCalendarSource,
  readFromAddress,
  readMessageId,
} from './read-calendar-source.ts';

const ANSWER_METHODS = ['REPLY', 'COUNTER', 'REFRESH'] as const;
type AnswerMethod = (typeof ANSWER_METHODS)[number];

export function readItipMessage(raw: Buffer): IncomingItip | UnreadableItip {
  const source = readCalendarSource(raw);
  const messageId = readMessageId(raw, source.root);
  const from = readFromAddress(source.root);
  const base = { messageId, ...(from === undefined ? {} : { from }) };
  const unreadable = (result: UnreadableItip['result'], reason: string): UnreadableItip => ({
    ...base,
    result,
    reason,
  });

  if (source.scan === undefined) {
    const tnef = source.root !== undefined && hasWinmailDat(source.root);
    return unreadable(
      'no-calendar',
      tnef
        ? 'no calendar part, only winmail.dat (Outlook TNEF): the answer cannot be read'
        : 'no calendar part (text/calendar or .ics) in the message',
    );
  }
  const vcalendar = source.vcalendar;
  if (vcalendar === undefined) return unreadable('malformed', 'the calendar part has no VCALENDAR');

  // RFC 6047 §2.4 makes the MIME method= equal to METHOD; the calendar's own METHOD wins (it is
  // what RFC 5546 processes), the parameter stands in when the calendar has none.
  const methodLine = propertiesNamed(vcalendar, 'METHOD')[0];
  const method = (methodLine?.value ?? source.mimeMethod ?? '').trim().toUpperCase();
  if (method === '') return unreadable('malformed', 'the calendar has no METHOD');
  if (!isAnswerMethod(method)) {
    return unreadable(
      'unsupported',
      `METHOD:${method.slice(0, 40)} is not an attendee's answer (only REPLY, COUNTER and REFRESH are read)`,
    );
  }

  const vevent = pickEvent(vcalendar);
  if (vevent === undefined) return unreadable('malformed', `the ${method} has no VEVENT`);
  const first = (name: string): ContentLine | undefined => propertiesNamed(vevent, name)[0];
  const uid = first('UID') === undefined ? '' : unescapeText(first('UID')?.value ?? '').trim();
  if (uid === '') return unreadable('malformed', `the ${method} has no UID`);

  const chosen = chooseAttendee(method, vevent);
  if (typeof chosen === 'object' && 'result' in chosen)
    return unreadable(chosen.result, chosen.reason);
  const attendee = addressOf(chosen.value);
  if (attendee === '') return unreadable('malformed', `the ${method}'s ATTENDEE has no address`);

  const partstatText = paramValue(chosen, 'PARTSTAT')?.trim().toUpperCase() ?? 'NEEDS-ACTION';
  const partstat = PARTSTATS.find((p) => p === partstatText);
  if (partstat === undefined) {
    return unreadable(
      'malformed',
      `PARTSTAT=${partstatText.slice(0, 40)} is not a participation status of an event (RFC 5545 §3.2.12)`,
    );
  }
  const sequence = readSequence(first('SEQUENCE'));
  if (sequence === undefined) {
    return unreadable(
      'malformed',
      `SEQUENCE:${first('SEQUENCE')?.value.slice(0, 20) ?? ''} is not a number`,
    );
  }

  const recurrenceId = first('RECURRENCE-ID')?.value.trim();
  const dtstamp = first('DTSTAMP')?.value.trim();
  const name = paramValue(chosen, 'CN');
  const comments = propertiesNamed(vevent, 'COMMENT').map((c) => unescapeText(c.value));
  const comment = comments.join('\n').trim();
  return {
    ...base,
    method,
    uid,
    ...(recurrenceId === undefined || recurrenceId === '' ? {} : { recurrenceId }),
    sequence,
    ...(dtstamp === undefined || dtstamp === '' ? {} : { dtstamp }),
    attendee,
    ...(name === undefined || name.trim() === '' ? {} : { attendeeName: name.trim() }),
    partstat: partstat satisfies PartStat,
    ...(comment === '' ? {} : { comment }),
    ...(method === 'COUNTER' ? { proposal: readProposal(first('DTSTART'), first('DTEND')) } : {}),
  };
}

function isAnswerMethod(method: string): method is AnswerMethod {
  return (ANSWER_METHODS as readonly string[]).includes(method);
}

interface Refusal {
  readonly result: 'malformed' | 'unsupported';
  readonly reason: string;
}

function chooseAttendee(method: AnswerMethod, vevent: Component): ContentLine | Refusal {
  const attendees = propertiesNamed(vevent, 'ATTENDEE');
  const [only] = attendees;
  if (only === undefined) {
    return {
      result: 'malformed',
      reason: `the ${method} has no ATTENDEE: nobody to record the answer for`,
    };
  }
  if (attendees.length === 1) return only;
  if (method === 'COUNTER') {
    return {
      result: 'unsupported',
      reason: `the COUNTER lists ${attendees.length} ATTENDEEs: the proposer cannot be told from the calendar (RFC 5546 §3.2.7), and the email From is not trusted for that`,
    };
  }
  const delegating = attendees.some(
    (a) => paramValue(a, 'PARTSTAT')?.toUpperCase() === 'DELEGATED',
  );
  if (delegating) {
    return {
      result: 'unsupported',
      reason: `the ${method} delegates the invitation (PARTSTAT=DELEGATED, RFC 5546 §4.2.5): delegation is not handled; invite the delegate instead`,
    };
  }
  return {
    result: 'malformed',
    reason: `the ${method} lists ${attendees.length} ATTENDEEs; RFC 5546 §3.2.3 requires exactly one, the attendee answering`,
  };
}

/** RFC 5545 §3.8.7.4: a non-negative integer; absent means 0. */
function readSequence(line: ContentLine | undefined): number | undefined {
  if (line === undefined) return 0;
  const text = line.value.trim();
  return /^\d{1,9}$/.test(text) ? Number(text) : undefined;
}

function readProposal(
  start: ContentLine | undefined,
  end: ContentLine | undefined,
): NonNullable<IncomingItip['proposal']> {
  const tzid = start === undefined ? undefined : paramValue(start, 'TZID');
  return {
    ...(start === undefined ? {} : { start: start.value.trim() }),
    ...(end === undefined ? {} : { end: end.value.trim() }),
    ...(tzid === undefined ? {} : { tzid }),
  };
}

function hasWinmailDat(node: MimeNode): boolean {
  if (node.contentType === 'application/ms-tnef' || node.filename?.toLowerCase() === 'winmail.dat')
    return true;
  return node.children.some(hasWinmailDat);
}
