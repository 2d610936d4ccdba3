/**
 * Build and deliver. The report has one shape for every command that sends (`send` now; `update`,
 * `cancel`, `reply`, `batch` later), which is also the CLI's `--json` output.
 */
import { SmtpInviteError } from '../errors.ts';
import type { Method } from '../model/invite.ts';
import type { RejectedRecipient, Transport } from '../transport/transport.ts';
import { buildInvite, type BuildOptions, type BuiltMessage } from './build-invite.ts';

export interface MessageOutcome {
  readonly messageId: string;
  readonly method: Method;
  readonly sequence: number;
  readonly recipients: readonly string[];
  readonly accepted: readonly string[];
  readonly rejected: readonly RejectedRecipient[];
}

export interface SendReport {
  readonly dryRun: boolean;
  readonly messages: readonly MessageOutcome[];
}

export interface SendOptions extends BuildOptions {
  readonly transport: Transport;
  /** Build and report, send nothing. */
  readonly dryRun?: boolean;
  /** Called after each message (progress, outbox paths). */
  readonly onDelivered?: (
    message: BuiltMessage,
    outcome: MessageOutcome,
    outboxFile?: string,
  ) => void;
}

/** Validates, builds and sends an invite. Invalid input throws ERR_INVALID_INPUT before anything is sent. */
export async function sendInvite(input: unknown, options: SendOptions): Promise<SendReport> {
  const built = buildInvite(input, options);
  return deliverMessages(built.messages, options);
}

/**
 * Sends already built messages in order over one transport. Recipients refused by the server are
 * reported, not thrown; a failure of the connection itself throws (with the outcomes so far lost
 * to the caller only if it ignores `onDelivered`).
 */
export async function deliverMessages(
  messages: readonly BuiltMessage[],
  options: Pick<SendOptions, 'transport' | 'dryRun' | 'onDelivered'>,
): Promise<SendReport> {
  const outcomes: MessageOutcome[] = [];
  for (const message of messages) {
    const base = {
      messageId: message.messageId,
      method: message.method,
      sequence: message.sequence,
      recipients: message.recipients,
    };
    if (options.dryRun) {
      const outcome = { ...base, accepted: [], rejected: [] };
      outcomes.push(outcome);
      options.onDelivered?.(message, outcome);
      continue;
    }
    let outcome: MessageOutcome;
    let outboxFile: string | undefined;
    try {
      const result = await options.transport.send(message);
      outboxFile = result.outboxFile;
      outcome = { ...base, accepted: result.accepted, rejected: result.rejected };
    } catch (err) {
      // Every recipient refused at RCPT time is a per-recipient outcome (exit 1), not an outage.
      if (
        err instanceof SmtpInviteError &&
        err.code === 'ERR_SMTP_REJECTED' &&
        err.rejected.length > 0
      ) {
        outcome = { ...base, accepted: [], rejected: err.rejected };
      } else {
        throw err;
      }
    }
    outcomes.push(outcome);
    options.onDelivered?.(message, outcome, outboxFile);
  }
  return { dryRun: options.dryRun ?? false, messages: outcomes };
}

/** True when some recipient was refused (CLI exit 1). */
export function hasRejections(report: SendReport): boolean {
  return report.messages.some((m) => m.rejected.length > 0);
}
