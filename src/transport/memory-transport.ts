/**
 * A transport that keeps messages in memory: for --dry-run (show what would be sent) and for tests
 * of the layers above that do not care about SMTP itself.
 */
import { SmtpInviteError } from '../errors.ts';
import type { DeliveryResult, OutgoingMessage, Transport } from './transport.ts';
import { checkOutgoingMessage, closedTransportError } from './transport.ts';

export interface MemoryTransportOptions {
  /** false simulates a server that refuses every recipient (ERR_SMTP_REJECTED). Default true. */
  readonly accept?: boolean;
}

export function createMemoryTransport(
  options: MemoryTransportOptions = {},
): Transport & { readonly sent: readonly OutgoingMessage[] } {
  const accept = options.accept ?? true;
  const sent: OutgoingMessage[] = [];
  let closed = false;

  const deliver = (message: OutgoingMessage): DeliveryResult => {
    if (closed) throw closedTransportError('memory');
    checkOutgoingMessage(message);
    if (!accept) {
      // Mirrors what the SMTP transport throws when every RCPT TO is refused, so callers can
      // exercise that path without a server.
      const list = message.envelope.to.map((to) => `${to} (550 mailbox unavailable)`).join('; ');
      throw new SmtpInviteError(
        'ERR_SMTP_REJECTED',
        `every recipient was refused (memory transport): ${list}`,
        {
          responseCode: 550,
          response: '550 mailbox unavailable',
          command: 'RCPT TO',
          rejected: message.envelope.to.map((email) => ({
            email,
            code: 550,
            response: '550 mailbox unavailable',
          })),
        },
      );
    }
    // A copy: the caller may reuse its buffer, and the record must show what was "sent" then.
    sent.push({
      messageId: message.messageId,
      envelope: { from: message.envelope.from, to: [...message.envelope.to] },
      raw: Buffer.from(message.raw),
    });
    return { messageId: message.messageId, accepted: [...message.envelope.to], rejected: [] };
  };

  return {
    kind: 'memory',
    description: accept
      ? 'memory (nothing is sent)'
      : 'memory (nothing is sent; every recipient is refused)',
    get sent(): readonly OutgoingMessage[] {
      return sent;
    },
    send(message: OutgoingMessage): Promise<DeliveryResult> {
      // A throw inside the executor becomes the rejection, as from an async SMTP send.
      return new Promise((resolve) => resolve(deliver(message)));
    },
    close(): Promise<void> {
      closed = true;
      return Promise.resolve();
    },
  };
}
