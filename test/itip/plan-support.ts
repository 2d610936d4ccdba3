/**
 * Test support: build every planned message with the core builder exactly as the flows do, and
 * inspect each one as every one of its recipients would read it.
 */
import { expect } from 'vitest';
import { buildInviteMessages, deterministicIds } from '../../src/flows/build-invite.ts';
import type { BuiltMessage } from '../../src/flows/build-invite.ts';
import { inspect } from '../../src/inspect/inspect-engine.ts';
import type { Plan, PlannedMessage } from '../../src/itip/plan-types.ts';
import type { Invite } from '../../src/model/invite.ts';

export function buildPlanned(message: PlannedMessage, step: string): readonly BuiltMessage[] {
  return buildInviteMessages(message.invite, {
    recipients: message.recipients,
    ids: deterministicIds({ step, reason: message.reason, to: message.recipients }, {}),
  }).messages;
}

/** Problems found when inspecting every message of the plan, as `rule: message` lines. */
export function inspectPlan(plan: Plan, step: string): string[] {
  const problems: string[] = [];
  for (const planned of plan.messages) {
    const built = buildPlanned(planned, step);
    expect(built.map((m) => m.recipients.map((r) => r.toLowerCase()))).toEqual([
      planned.recipients,
    ]);
    for (const message of built) {
      for (const recipient of message.recipients) {
        const report = inspect(message.raw, { recipient });
        for (const f of report.findings) {
          if (f.severity !== 'info')
            problems.push(`${planned.method} to ${recipient}: ${f.rule}: ${f.message}`);
        }
      }
    }
  }
  return problems;
}

/** Who gets what: [method, recipients, SEQUENCE, listed attendees] per planned message. */
export function summarize(plan: Plan): [string, string[], number, string[]][] {
  return plan.messages.map((m) => [
    m.method,
    [...m.recipients],
    m.invite.sequence,
    m.invite.attendees.map((a) => a.email.toLowerCase()),
  ]);
}

export function partstats(invite: Invite): Record<string, string> {
  return Object.fromEntries(invite.attendees.map((a) => [a.email.toLowerCase(), a.partstat]));
}
