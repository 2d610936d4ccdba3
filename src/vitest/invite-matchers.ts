/**
 * Vitest matchers for invitation emails and .ics files: `import 'smtp-invite/vitest'` (or call
 * `installInviteMatchers(expect)`) adds
 *   expect(raw).toBeValidInvite({ method?, attendees?, clients? })
 *   expect(raw).toHaveInviteFinding(ruleId)
 * Failure messages list the findings, so a failing test says what is wrong and how to fix it.
 */
import { inspect } from '../inspect/inspect-engine.ts';
import {
  CLIENTS,
  type Client,
  type InspectReport,
  type Outcome,
} from '../inspect/inspect-types.ts';

export interface ValidInviteExpectation {
  /** The METHOD the calendar must have (e.g. 'REQUEST'). */
  readonly method?: string;
  /** Exactly these ATTENDEE addresses (order and case ignored). */
  readonly attendees?: readonly string[];
  /**
   * Clients that must handle it as intended (an invitation with buttons, or an applied
   * update/cancel/reply), or an exact outcome per client.
   */
  readonly clients?: readonly Client[] | Partial<Record<Client, Outcome>>;
  /** Also fail on warnings (default: errors only). */
  readonly strict?: boolean;
  /** The envelope recipient, for the recipient checks. */
  readonly recipient?: string;
}

interface MatcherResult {
  pass: boolean;
  message: () => string;
}

type Received = string | Buffer | Uint8Array | InspectReport;

function reportOf(received: Received, recipient?: string): InspectReport {
  if (typeof received === 'object' && !(received instanceof Uint8Array)) return received;
  return inspect(received, recipient === undefined ? {} : { recipient });
}

export function describeFindings(report: InspectReport): string {
  if (report.findings.length === 0) return '  (no findings)';
  return report.findings
    .map(
      (f) =>
        `  ${f.severity.padEnd(7)} ${f.rule} (${f.path}${f.line === undefined ? '' : `, line ${f.line}`}): ${f.message}\n          fix: ${f.fix}`,
    )
    .join('\n');
}

export function toBeValidInvite(
  received: Received,
  expected: ValidInviteExpectation = {},
): MatcherResult {
  const report = reportOf(received, expected.recipient);
  const problems: string[] = [];
  const bad = report.findings.filter(
    (f) => f.severity === 'error' || (expected.strict === true && f.severity === 'warning'),
  );
  if (bad.length > 0)
    problems.push(
      `${bad.length} finding${bad.length === 1 ? '' : 's'} at ${expected.strict ? 'warning' : 'error'} level or above`,
    );
  const calendar =
    report.calendars.find((c) => report.calendarParts.find((p) => p.path === c.path)?.primary) ??
    report.calendars[0];
  if (calendar === undefined) problems.push('no calendar found');
  if (expected.method !== undefined && calendar?.method !== expected.method.toUpperCase()) {
    problems.push(
      `METHOD is ${calendar?.method ?? '(none)'}, expected ${expected.method.toUpperCase()}`,
    );
  }
  if (expected.attendees !== undefined) {
    const actual = [
      ...new Set(
        calendar?.events.flatMap((e) => e.attendees.map((a) => a.address.toLowerCase())) ?? [],
      ),
    ].sort();
    const wanted = [...new Set(expected.attendees.map((a) => a.toLowerCase()))].sort();
    if (actual.join() !== wanted.join())
      problems.push(`attendees are [${actual.join(', ')}], expected [${wanted.join(', ')}]`);
  }
  if (expected.clients !== undefined) {
    const wanted: [Client, Outcome | undefined][] = Array.isArray(expected.clients)
      ? (expected.clients as readonly Client[]).map((c) => [c, undefined])
      : CLIENTS.filter((c) => c in (expected.clients as object)).map((c) => [
          c,
          (expected.clients as Partial<Record<Client, Outcome>>)[c],
        ]);
    for (const [client, outcome] of wanted) {
      const verdict = report.clients.find((v) => v.client === client);
      const ok =
        outcome === undefined
          ? verdict?.outcome === 'invitation' || verdict?.outcome === 'applied'
          : verdict?.outcome === outcome;
      if (!ok)
        problems.push(
          `${client}: ${verdict?.label ?? 'no verdict'}${outcome === undefined ? '' : ` (expected ${outcome})`}`,
        );
    }
  }
  const pass = problems.length === 0;
  return {
    pass,
    message: () =>
      pass
        ? `expected the invitation not to be valid, but it is:\n${describeFindings(report)}`
        : `expected a valid invitation:\n  - ${problems.join('\n  - ')}\nfindings:\n${describeFindings(report)}`,
  };
}

export function toHaveInviteFinding(received: Received, rule: string): MatcherResult {
  const report = reportOf(received);
  const pass = report.findings.some((f) => f.rule === rule);
  return {
    pass,
    message: () =>
      pass
        ? `expected no "${rule}" finding, but found:\n${describeFindings(report)}`
        : `expected a "${rule}" finding; findings were:\n${describeFindings(report)}`,
  };
}

export const inviteMatchers = { toBeValidInvite, toHaveInviteFinding };

/** For runners that do not auto-install: installInviteMatchers(expect). */
export function installInviteMatchers(expect: {
  extend(matchers: Record<string, unknown>): void;
}): void {
  expect.extend(inviteMatchers);
}
