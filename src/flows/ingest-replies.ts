/**
 * Reads attendees' answers into the ledger. Each message is one transaction: read (pure), decide
 * (interpretReply, pure), write the new answers / counter-proposal and the incoming record. A
 * REFRESH is answered afterwards with the latest REQUEST to that attendee only (RFC 5546 §3.2.6).
 * Unusable messages are recorded too, so that processing them again is recognised.
 */
import { planRefresh } from '../itip/plan-itip.ts';
import type { IncomingResult, Ledger } from '../ledger/ledger-types.ts';
import { interpretReply } from '../replies/interpret-reply.ts';
import { readItipMessage } from '../replies/read-itip-message.ts';
import type { ExecutePlanOptions } from './execute-plan.ts';
import { executePlan } from './execute-plan.ts';
import { findEvent } from './adopt-batch-event.ts';
import { loadEvent } from './organizer-flows.ts';

export interface IngestedMessage {
  /** Where it came from: a file name, `(stdin)`, `mbox.txt#3`. */
  readonly source: string;
  readonly messageId: string;
  readonly method?: string;
  readonly uid?: string;
  readonly attendee?: string;
  readonly result: IncomingResult;
  readonly reason: string;
  /** For a REFRESH: the Message-IDs of the REQUEST sent back. */
  readonly resent?: readonly string[];
}

export interface IngestOptions extends ExecutePlanOptions {
  readonly now?: () => Date;
}

/** Results that mean the message did what it should or was harmlessly ignored (exit 0). */
export const SETTLED_RESULTS: ReadonlySet<IncomingResult> = new Set([
  'applied',
  'duplicate',
  'stale',
]);

export async function ingestMessages(
  inputs: readonly { readonly source: string; readonly raw: Buffer }[],
  options: IngestOptions,
): Promise<IngestedMessage[]> {
  const { ledger } = options;
  const now = options.now ?? (() => new Date());
  const out: IngestedMessage[] = [];
  for (const { source, raw } of inputs) {
    const item = readItipMessage(raw);
    if ('result' in item) {
      const already = ledger.findIncoming(item.messageId) !== undefined;
      if (!already && !options.dryRun)
        ledger.recordIncoming({
          messageId: item.messageId,
          ...(item.from === undefined ? {} : { from: item.from }),
          result: item.result,
          reason: item.reason,
          processedAt: now().toISOString(),
        });
      out.push({ source, messageId: item.messageId, result: item.result, reason: item.reason });
      continue;
    }
    const decided = decide(ledger, item, now(), options.dryRun ?? false);
    const entry: IngestedMessage = {
      source,
      messageId: item.messageId,
      method: item.method,
      uid: item.uid,
      attendee: item.attendee,
      result: decided.result,
      reason: decided.reason,
    };
    if (item.method === 'REFRESH' && decided.result === 'applied') {
      const { stored, current, attendees } = loadEvent(ledger, item.uid);
      const plan = planRefresh(current, item.attendee);
      const report = await executePlan(plan, stored, attendees, options);
      out.push({ ...entry, resent: report.messages.map((m) => m.messageId) });
    } else out.push(entry);
  }
  return out;
}

function decide(
  ledger: Ledger,
  item: Exclude<ReturnType<typeof readItipMessage>, { result: unknown }>,
  now: Date,
  dryRun: boolean,
): { result: IncomingResult; reason: string } {
  const run = () => {
    const already = ledger.findIncoming(item.messageId) !== undefined;
    const event = findEvent(ledger, item.uid);
    const attendees = event === undefined ? [] : ledger.getAttendees(item.uid);
    const {
      decision,
      attendees: next,
      counter,
    } = interpretReply(
      item,
      event === undefined
        ? undefined
        : { ...event, sequence: answerableSequence(ledger, event, item.attendee) },
      attendees,
      already,
      now,
    );
    // A message already processed changes nothing, not even its own record.
    if (!already && !dryRun) {
      if (next !== undefined && event !== undefined) ledger.setAttendees(item.uid, next);
      if (counter !== undefined && event !== undefined) ledger.addCounter(item.uid, counter);
      ledger.recordIncoming({
        messageId: item.messageId,
        ...(item.from === undefined ? {} : { from: item.from }),
        method: item.method,
        uid: item.uid,
        result: decision.result,
        reason: decision.reason,
        processedAt: now.toISOString(),
      });
    }
    return decision;
  };
  return dryRun ? run() : ledger.transaction(run);
}

/**
 * The SEQUENCE an attendee's answer must reach: that of the last REQUEST they were sent. Usually the
 * event's own, but cancelling one occurrence raises the master's SEQUENCE with a CANCEL for that
 * occurrence only, so the attendee's copy of the series still has the previous one: an answer to it
 * is current, not stale (RFC 5546 §2.1.5 orders by what the attendee received).
 */
function answerableSequence(
  ledger: Ledger,
  event: { readonly uid: string; readonly sequence: number },
  attendee: string,
): number {
  let last: number | undefined;
  for (const message of ledger.listOutgoing(event.uid)) {
    if (message.method !== 'REQUEST') continue;
    if (message.recipients.some((r) => r.toLowerCase() === attendee)) last = message.sequence;
  }
  return last === undefined ? event.sequence : Math.min(last, event.sequence);
}
