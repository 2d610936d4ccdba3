/**
 * What every way of delivering a message has in common. A transport receives finished bytes and an
 * envelope: it never builds, parses or rewrites the message, so what was signed off (and what the
 * golden tests compare) is exactly what leaves the machine.
 */
import { SmtpInviteError } from '../errors.ts';

export interface OutgoingMessage {
  /** The Message-ID header value, without the angle brackets. */
  readonly messageId: string;
  /** SMTP envelope (MAIL FROM / RCPT TO); may differ from the headers (e.g. Bcc, Sender). */
  readonly envelope: { readonly from: string; readonly to: readonly string[] };
  /** The complete message, headers and body, CRLF line endings. Sent byte for byte. */
  readonly raw: Buffer;
}

export interface RejectedRecipient {
  readonly email: string;
  /** The server's reply code (e.g. 550), null when the server gave none. */
  readonly code: number | null;
  /** The server's reply text, e.g. `550 5.1.1 No such user`. */
  readonly response: string;
}

export interface DeliveryResult {
  readonly messageId: string;
  /** Envelope recipients the server accepted. */
  readonly accepted: readonly string[];
  /** Envelope recipients the server refused; a partial refusal is a result, not an exception. */
  readonly rejected: readonly RejectedRecipient[];
  /** The server's final reply to DATA, if any. */
  readonly response?: string;
  /** Outbox transport: where the .eml file was written. */
  readonly outboxFile?: string;
}

export interface Transport {
  readonly kind: 'smtp' | 'outbox' | 'memory';
  /** A human description without secrets, e.g. `smtp://alice@mail.example.com:587 (STARTTLS required)`. */
  readonly description: string;
  send(message: OutgoingMessage): Promise<DeliveryResult>;
  /**
   * SMTP only: one connection of its own (connected, TLS and AUTH done) for many messages in turn.
   * The batch engine runs one per lane, so it sees every failure on the connection it happened on
   * and decides itself about reconnecting and resending. Throws SmtpInviteError like send().
   */
  openSession?(): Promise<TransportSession>;
  close(): Promise<void>;
}

/** One open connection (see Transport.openSession). Messages are sent one at a time. */
export interface TransportSession {
  /**
   * Same contract as Transport.send: recipients refused at RCPT TO while others were accepted are
   * in the result (with the reply code); everything else throws SmtpInviteError (all recipients
   * refused: ERR_SMTP_REJECTED with `rejected`; MAIL FROM or DATA refused: ERR_SMTP_REJECTED with
   * `command`, `responseCode`, `response`; dropped connection or timeout: ERR_SMTP_CONNECTION /
   * ERR_SMTP_TIMEOUT, with `command: 'DATA'` when the server had already asked for the message —
   * it may have been delivered). After a refusal the connection is ready for the next message.
   */
  send(message: OutgoingMessage): Promise<DeliveryResult>;
  /** false once the connection ended, failed, got a 421 or was closed: open a new session. */
  readonly usable: boolean;
  /**
   * SMTP: what the connection set up (`smtp-invite check-setup` reports it). Not implied by a
   * session opening: nodemailer logs in only when the server offers AUTH, and `insecure` STARTTLS
   * is used only when offered.
   */
  readonly negotiated?: SessionSecurity;
  /** QUIT and close; never throws. */
  close(): Promise<void>;
}

export interface SessionSecurity {
  /** TLS in use (implicit, or after STARTTLS). */
  readonly tls: boolean;
  /** The TLS version, e.g. `TLSv1.3`, when TLS is in use. */
  readonly tlsProtocol?: string;
  /** AUTH succeeded (PLAIN/LOGIN or XOAUTH2). */
  readonly authenticated: boolean;
}

/**
 * Every transport refuses the same impossible messages: the callers build OutgoingMessage from a
 * validated invite, so a violation here is our bug (ERR_INTERNAL), not the user's input.
 */
export function checkOutgoingMessage(message: OutgoingMessage): void {
  const problems: string[] = [];
  if (message.messageId.trim() === '' || /[<>\s]/.test(message.messageId)) {
    problems.push('messageId must be non-empty, without <> or white space');
  }
  if (message.envelope.to.length === 0) problems.push('the envelope has no recipients');
  // CR/LF in an address would let it inject SMTP commands; nothing upstream should produce one.
  for (const address of [message.envelope.from, ...message.envelope.to]) {
    if (address.trim() === '' || /[\r\n\0]/.test(address)) {
      problems.push(`invalid envelope address ${JSON.stringify(address)}`);
    }
  }
  if (message.raw.length === 0) problems.push('the message is empty');
  if (problems.length > 0) {
    throw new SmtpInviteError(
      'ERR_INTERNAL',
      `refusing to send an invalid message: ${problems.join('; ')}`,
    );
  }
}

/** The error every transport throws when used after close(): a bug in the caller. */
export function closedTransportError(kind: Transport['kind']): SmtpInviteError {
  return new SmtpInviteError('ERR_INTERNAL', `the ${kind} transport was used after close()`);
}
