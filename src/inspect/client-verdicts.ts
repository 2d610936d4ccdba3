/**
 * What each client will do with the message: the outcome the METHOD calls for, made worse by every
 * finding whose rule says how that client reacts. The worst outcome wins; every finding that
 * touched a client is listed as a reason.
 */
import {
  CLIENTS,
  type ClientVerdict,
  type Finding,
  type InspectContext,
  type Outcome,
  type RuleEffect,
} from './inspect-types.ts';

export interface EffectiveFinding {
  readonly finding: Finding;
  readonly effects: readonly RuleEffect[];
}

/** Worse outcomes have higher ranks; the two "all is well" outcomes rank equally. */
const RANK: Record<Outcome, number> = {
  invitation: 0,
  applied: 0,
  degraded: 1,
  'invitation-without-buttons': 2,
  attachment: 3,
  ignored: 4,
  'not-an-invitation': 5,
};

export function computeVerdicts(
  context: InspectContext,
  found: readonly EffectiveFinding[],
): ClientVerdict[] {
  const method = context.primary?.calendarMethod ?? context.primary?.method;
  return CLIENTS.map((client) => {
    let outcome = baseOutcome(context, method);
    const reasons: string[] = [];
    for (const { finding, effects } of found) {
      for (const effect of effects) {
        if (effect.client !== client) continue;
        reasons.push(`${finding.rule}: ${finding.message}`);
        if (RANK[effect.outcome] > RANK[outcome]) outcome = effect.outcome;
      }
    }
    return {
      client,
      outcome,
      label: labelOf(outcome, method, context),
      reasons: [...new Set(reasons)],
    };
  });
}

function baseOutcome(context: InspectContext, method: string | undefined): Outcome {
  if (context.primary === undefined) return 'not-an-invitation';
  switch (method ?? '') {
    case 'REQUEST':
      return context.options.previousSequence !== undefined ? 'applied' : 'invitation';
    case 'COUNTER':
      return 'invitation';
    case 'PUBLISH':
      // An event to add, with nothing to answer (RFC 5546 §3.2.1).
      return 'invitation-without-buttons';
    case 'CANCEL':
    case 'REPLY':
    case 'ADD':
    case 'REFRESH':
    case 'DECLINECOUNTER':
      return 'applied';
    default:
      return 'attachment';
  }
}

function labelOf(outcome: Outcome, method: string | undefined, context: InspectContext): string {
  switch (outcome) {
    case 'invitation':
      return method === 'COUNTER'
        ? 'shown as a counter-proposal the organizer can accept or decline'
        : 'shown as an invitation with Accept / Tentative / Decline buttons';
    case 'applied':
      return appliedLabel(method, context);
    case 'degraded':
      return 'handled as a calendar message, but shown or applied wrongly (see reasons)';
    case 'invitation-without-buttons':
      return method === 'PUBLISH'
        ? 'shown as an event to add to the calendar, without response buttons'
        : 'shown as an invitation, but without response buttons';
    case 'attachment':
      return 'shown as an ordinary email with a calendar file attached';
    case 'ignored':
      return 'ignored: nothing changes in the calendar';
    case 'not-an-invitation':
      return 'not a calendar message: shown as a plain email';
  }
}

function appliedLabel(method: string | undefined, context: InspectContext): string {
  switch (method ?? '') {
    case 'REQUEST':
      return `update applied to the existing calendar item (SEQUENCE above ${context.options.previousSequence ?? 0})`;
    case 'CANCEL':
      return 'cancellation applied: the event is marked cancelled or removed';
    case 'REPLY':
      return "reply applied: the attendee's answer is recorded on the organizer's item";
    case 'ADD':
      return 'added occurrences applied to the series';
    case 'REFRESH':
      return 'refresh request shown to the organizer';
    case 'DECLINECOUNTER':
      return 'counter-proposal declined; the original stands';
    default:
      return 'applied';
  }
}
