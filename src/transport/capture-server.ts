/**
 * A local SMTP server that keeps what it receives in memory instead of delivering it: the other end
 * of `smtp-invite demo`, and the base of the test harness. The only module in src/ that imports
 * smtp-server.
 *
 * It speaks plain SMTP only (no STARTTLS: a capture server has no certificate worth verifying, and
 * our client never attempts STARTTLS to a loopback host). It adds no trace headers, so `raw` is the
 * DATA exactly as the client sent it (after SMTP dot-unstuffing).
 *
 * The options beyond host/port let a demo or a test play a real server's refusals and failures.
 */
import { SMTPServer } from 'smtp-server';
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';

import { formatHostPort } from './smtp-errors.ts';

export interface ReceivedMessage {
  /** MAIL FROM and the RCPT TO addresses the server accepted. */
  readonly envelope: { from: string; to: string[] };
  readonly raw: Buffer;
}

/** An SMTP reply, e.g. `{ code: 550, message: '5.1.1 No such user' }`. */
export interface SmtpReply {
  readonly code: number;
  readonly message: string;
}

export interface CaptureServerOptions {
  /** Interface to bind; default 127.0.0.1. Anything else exposes an open, unauthenticated server. */
  readonly host?: string;
  /** Default 0: a free port chosen by the system (see `port` on the result). */
  readonly port?: number;
  /** Refuse some recipients at RCPT TO, as a real server refuses an unknown mailbox. */
  readonly rejectRecipient?: (email: string) => SmtpReply | undefined;
  /**
   * The reply to the end of DATA: accept (default), refuse with this reply, or `drop`: close the
   * connection without any reply (a server crashing at the worst moment).
   */
  readonly dataReply?: 'accept' | 'drop' | SmtpReply;
  /** Require AUTH PLAIN or LOGIN with these credentials (offered without TLS, see above). */
  readonly auth?: { readonly user: string; readonly pass: string };
  /** Hold every reply (greeting, MAIL, RCPT, end of DATA) this long: a slow server. */
  readonly replyDelayMs?: number;
}

export interface CaptureServer {
  readonly port: number;
  /** `smtp://127.0.0.1:<port>`, ready for the SMTP transport. */
  readonly url: string;
  /** Messages the server accepted (replied 250 to), oldest first. */
  readonly received: ReceivedMessage[];
  close(): Promise<void>;
}

// Big enough for any invitation; bounds memory use when something else connects.
const MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

export async function startCaptureServer(
  options: CaptureServerOptions = {},
): Promise<CaptureServer> {
  const host = options.host ?? '127.0.0.1';
  const received: ReceivedMessage[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const delayMs = options.replyDelayMs ?? 0;
  const auth = options.auth;
  let queued = 0;

  const later = (reply: () => void): void => {
    if (delayMs <= 0) {
      reply();
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      reply();
    }, delayMs);
    timers.add(timer);
  };

  const server: SMTPServer = new SMTPServer({
    logger: false,
    name: 'smtp-invite-capture.localhost',
    banner: 'smtp-invite capture server',
    disabledCommands: auth === undefined ? ['STARTTLS', 'AUTH'] : ['STARTTLS'],
    authOptional: auth === undefined,
    // There is no TLS to protect AUTH with: the credentials are test or demo values on this host.
    allowInsecureAuth: true,
    disableReverseLookup: true,
    // A client that forgets to close must not hold close() for the default 30 s.
    closeTimeout: 1000,
    size: MAX_MESSAGE_BYTES,
    rejectOversized: true,

    onConnect(_session, callback) {
      later(() => callback());
    },
    onAuth(credentials, _session, callback) {
      const ok =
        auth !== undefined &&
        (credentials.method === 'PLAIN' || credentials.method === 'LOGIN') &&
        credentials.username === auth.user &&
        credentials.password === auth.pass;
      later(() => {
        if (ok) callback(null, { user: auth.user });
        else
          callback(replyError({ code: 535, message: '5.7.8 Authentication credentials invalid' }));
      });
    },
    onMailFrom(_address, _session, callback) {
      later(() => callback());
    },
    onRcptTo(address, _session, callback) {
      const refusal = options.rejectRecipient?.(address.address);
      later(() => callback(refusal === undefined ? null : replyError(refusal)));
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const reply = options.dataReply ?? 'accept';
        if (reply === 'drop') {
          // Never answering and ending the connection: the client cannot know whether the
          // message was taken. Only public smtp-server API: connections, session ids, close().
          for (const connection of server.connections) {
            if (connection.id === session.id) connection.close();
          }
          return;
        }
        if (reply !== 'accept') {
          later(() => callback(replyError(reply)));
          return;
        }
        if (stream.sizeExceeded) {
          // smtp-server itself replies 552 (rejectOversized), whatever we pass here.
          callback(null);
          return;
        }
        const { mailFrom, rcptTo } = session.envelope;
        received.push({
          envelope: {
            from: mailFrom === false ? '' : mailFrom.address,
            to: rcptTo.map((rcpt) => rcpt.address),
          },
          raw: Buffer.concat(chunks),
        });
        queued += 1;
        later(() => callback(null, `2.0.0 OK: captured as message ${queued}`));
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  // Errors after start (a misbehaving client) are smtp-server's to handle; without a listener an
  // 'error' event would crash the process.
  server.on('error', () => undefined);

  const address = server.server.address();
  if (address === null || typeof address === 'string') {
    throw new Error(`capture server: unexpected listening address ${String(address)}`);
  }
  const port = address.port;
  // A wildcard bind is reachable through loopback; the URL must name an address one can connect to.
  const urlHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;

  let closing: Promise<void> | undefined;
  return {
    port,
    url: `smtp://${formatHostPort(urlHost, port)}`,
    received,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}

function replyError(reply: SmtpReply): Error & { responseCode: number } {
  return Object.assign(new Error(reply.message), { responseCode: reply.code });
}
