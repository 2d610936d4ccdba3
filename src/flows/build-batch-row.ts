/**
 * Builds the message of one batch row. Everything that varies is derived from the batch id, the row
 * number and the clock value given, so the same row built twice gives the same bytes (a golden file
 * can hold a batch's output); the engine still stores the bytes with the intent, because a resend
 * after a crash must match what may already have been delivered even if this code changed since.
 */
import { createHash } from 'node:crypto';

import type { MailAddress, MessageProfile } from '../mime/compose-message.ts';
import type { BatchIntent } from '../ledger/ledger-types.ts';
import { SmtpInviteError } from '../errors.ts';
import { buildInvite } from './build-invite.ts';

/**
 * Plain data: it crosses to the build worker (structured clone) and is stored with the batch, so a
 * resumed batch builds its remaining rows with the same shape and sender identity.
 */
export interface BatchBuildOptions {
  readonly profile: MessageProfile;
  readonly attachment: boolean;
  /** Sender identity (sender-identity.ts): a service sending for each row's organizer… */
  readonly service?: MailAddress;
  /** …or a shared-mailbox member / delegate (Send on Behalf). */
  readonly sender?: MailAddress;
}

export interface BatchBuildJob {
  readonly row: number;
  /** The row's invite input as recorded (template merged, UID assigned), as JSON text. */
  readonly inputJson: string;
  /** DTSTAMP and Date header (ms since the epoch). */
  readonly nowMs: number;
}

/** A built row is its intent (what the ledger stores before sending), or why it could not be built. */
export type BuiltBatchRow =
  | ({ readonly ok: true } & BatchIntent)
  | { readonly ok: false; readonly row: number; readonly problems: readonly string[] };

export function buildBatchRow(
  batchId: string,
  job: BatchBuildJob,
  options: BatchBuildOptions,
): BuiltBatchRow {
  const seed = createHash('sha256')
    .update(`${batchId}\u0000${String(job.row)}`)
    .digest('hex');
  const now = new Date(job.nowMs);
  let built;
  try {
    built = buildInvite(JSON.parse(job.inputJson) as unknown, {
      profile: options.profile,
      attachment: options.attachment,
      ...(options.service === undefined ? {} : { service: options.service }),
      ...(options.sender === undefined ? {} : { sender: options.sender }),
      ids: {
        now: () => now,
        newUid: () => {
          // Rows are recorded with their UID; reaching this is a bug of the reading phase.
          throw new SmtpInviteError(
            'ERR_INTERNAL',
            `row ${String(job.row)} was recorded without a UID`,
          );
        },
        // The batch and row in the Message-ID: a received message can be traced to its row.
        messageId: (invite) =>
          `${batchId}.${String(job.row)}@${domainOf(invite.organizer.sentBy ?? invite.organizer.email)}`,
        boundary: (_index, depth) => `----=_smtp-invite_${seed.slice(0, 24)}_${String(depth)}`,
      },
    });
  } catch (err) {
    if (err instanceof SmtpInviteError && err.code === 'ERR_INVALID_INPUT') {
      return {
        ok: false,
        row: job.row,
        problems: err.diagnostics
          .filter((d) => d.severity === 'error')
          .map((d) => (d.path === '' ? d.message : `${d.path}: ${d.message}`)),
      };
    }
    throw err;
  }
  const message = built.messages[0];
  if (message === undefined || built.messages.length !== 1) {
    return { ok: false, row: job.row, problems: ['the invite has no attendee to send it to'] };
  }
  return {
    ok: true,
    row: job.row,
    uid: message.uid,
    messageId: message.messageId,
    envelopeFrom: message.envelope.from,
    sha256: createHash('sha256').update(message.raw).digest('hex'),
    raw: message.raw,
    recipients: message.recipients.map((email) => ({
      email,
      status: 'pending',
      code: null,
      enhanced: null,
      response: null,
      attempts: 0,
    })),
  };
}

function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}
