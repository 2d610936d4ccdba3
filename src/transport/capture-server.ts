/**
 * A local SMTP server that keeps what it receives in memory instead of delivering it: the other end
 * of `smtp-invite demo`, and the base of the test harness. The only module in src/ that imports
 * smtp-server.
 *
 * By default it speaks plain SMTP only (no STARTTLS: the demo's server has no certificate worth
 * verifying, and our client does not attempt STARTTLS to a loopback host unless told to). Tests of
 * the TLS policy give it a certificate (`tls`: STARTTLS or implicit TLS). It adds no trace headers,
 * so `raw` is the DATA exactly as the client sent it (after SMTP dot-unstuffing).
 *
 * The options beyond host/port let a demo or a test play a real server's refusals and failures:
 * fixed ones (rejectRecipient, a dataReply, replyDelayMs) or hooks that decide per connection and
 * transaction (mailFromReply, rcptReply, a dataReply function; see HookContext), and `stats` counts
 * connections (peakConnections checks a client's connection limit) and transactions.
 */
import type { Socket } from 'node:net';

import { SMTPServer } from 'smtp-server';
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';

import { formatHostPort } from './smtp-errors.ts';

export interface ReceivedMessage {
  /** MAIL FROM and the RCPT TO addresses the server accepted. */
  readonly envelope: { from: string; to: string[] };
  readonly raw: Buffer;
  /** The connection was TLS (implicit, or upgraded by STARTTLS) when the message came. */
  readonly secure: boolean;
  /** The user the connection logged in as, if it did. */
  readonly user: string | undefined;
}

/** An SMTP reply, e.g. `{ code: 550, message: '5.1.1 No such user' }`. */
export interface SmtpReply {
  readonly code: number;
  readonly message: string;
}

/** Where in the server's life a hook is asked: which connection, which transaction. */
export interface HookContext {
  /** 1-based number of this connection, in the order the server greeted them. */
  readonly connection: number;
  /** 1-based number of this transaction's MAIL FROM among all the server received (refused ones too). */
  readonly transaction: number;
  /** 1-based number of this transaction's MAIL FROM on this connection. */
  readonly connectionTransaction: number;
  /** MAIL FROM and the recipients accepted so far (none yet at MAIL FROM). */
  readonly envelope: { readonly from: string; readonly to: readonly string[] };
  /** The user this connection logged in as, if it did. */
  readonly user: string | undefined;
  /** The connection is TLS (implicit, or upgraded by STARTTLS). */
  readonly secure: boolean;
}

/** A hook may answer at once or later (a promise): a server that is slow on one command only. */
export type Awaitable<T> = T | PromiseLike<T>;

/** What a data hook decides: accept, refuse with a reply, or `drop` (close without a reply). */
export type DataDecision = 'accept' | 'drop' | SmtpReply;

export interface CaptureServerOptions {
  /** Interface to bind; default 127.0.0.1. Anything else exposes an open, unauthenticated server. */
  readonly host?: string;
  /** Default 0: a free port chosen by the system (see `port` on the result). */
  readonly port?: number;
  /** Refuse some recipients at RCPT TO, as a real server refuses an unknown mailbox. */
  readonly rejectRecipient?: (email: string) => SmtpReply | undefined;
  /**
   * Reply to MAIL FROM: undefined → 250. 'close' → drop the connection without a reply. A reply
   * with code 421 closes the connection after replying (RFC 5321 §3.8).
   */
  readonly mailFromReply?: (context: HookContext) => Awaitable<SmtpReply | 'close' | undefined>;
  /**
   * Per-recipient reply at RCPT TO, asked when rejectRecipient did not refuse: undefined → 250.
   * A 421 closes the connection after replying.
   */
  readonly rcptReply?: (email: string, context: HookContext) => Awaitable<SmtpReply | undefined>;
  /**
   * The reply to the end of DATA: accept (default), refuse with this reply, or `drop`: close the
   * connection without any reply (a server crashing at the worst moment). A function decides per
   * message. A 421 closes the connection after replying.
   */
  readonly dataReply?:
    DataDecision | ((raw: Buffer, context: HookContext) => Awaitable<DataDecision>);
  /**
   * Require AUTH (offered without TLS too, see above): PLAIN or LOGIN with `user` and `pass`, and/or
   * XOAUTH2 (RFC 7628's Google/Microsoft variant) for `user` with a bearer token that `acceptToken`
   * accepts. Give `pass`, `acceptToken` or both.
   */
  readonly auth?: CaptureAuth;
  /**
   * A certificate: `starttls` offers STARTTLS on the plain port (not required by the server: the
   * client decides), `implicit` speaks TLS from the first byte (smtps://). Without it, no TLS.
   */
  readonly tls?: {
    readonly key: string | Buffer;
    readonly cert: string | Buffer;
    readonly mode: 'starttls' | 'implicit';
  };
  /** Hold every reply (greeting, MAIL, RCPT, end of DATA) this long: a slow server. */
  readonly replyDelayMs?: number;
  /** false: do not offer PIPELINING (RFC 2920), so a client waits for each reply in turn. */
  readonly pipelining?: boolean;
}

export interface CaptureAuth {
  readonly user: string;
  /** PLAIN / LOGIN password; without it those methods are not offered. */
  readonly pass?: string;
  /** XOAUTH2: true when the token is valid for `user`; without it XOAUTH2 is not offered. */
  readonly acceptToken?: (token: string, user: string) => Awaitable<boolean>;
}

/** Counters since the server started; live (read them any time). */
export interface CaptureServerStats {
  /** TCP connections accepted. */
  readonly connections: number;
  /** The most connections that were open at the same time. */
  readonly peakConnections: number;
  /** Connections open now. */
  readonly openConnections: number;
  /** MAIL FROM commands received, refused ones included. */
  readonly transactions: number;
}

export interface CaptureServer {
  readonly port: number;
  /** `smtp://127.0.0.1:<port>`, ready for the SMTP transport. */
  readonly url: string;
  /** Messages the server accepted (replied 250 to), oldest first; never a refused or dropped one. */
  readonly received: ReceivedMessage[];
  readonly stats: CaptureServerStats;
  close(): Promise<void>;
}

// Big enough for any invitation; bounds memory use when something else connects.
const MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

interface ConnectionState {
  readonly number: number;
  transactions: number;
  /** Server-wide number of the current transaction. */
  transaction: number;
}

type Decided<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly err: unknown };

export async function startCaptureServer(
  options: CaptureServerOptions = {},
): Promise<CaptureServer> {
  const host = options.host ?? '127.0.0.1';
  const received: ReceivedMessage[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const delayMs = options.replyDelayMs ?? 0;
  const auth = options.auth;
  const stats = { connections: 0, peakConnections: 0, openConnections: 0, transactions: 0 };
  const states = new Map<string, ConnectionState>();
  let greeted = 0;
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

  /** Runs a hook that may answer later; a hook that throws is answered with 451 (see hookFailed). */
  const decide = <T>(run: () => Awaitable<T>, then: (decided: Decided<T>) => void): void => {
    let value: Awaitable<T>;
    try {
      value = run();
    } catch (err) {
      then({ ok: false, err });
      return;
    }
    if (!isPromiseLike(value)) {
      then({ ok: true, value });
      return;
    }
    Promise.resolve(value).then(
      (v) => then({ ok: true, value: v }),
      (err: unknown) => then({ ok: false, err }),
    );
  };

  /**
   * Ends a connection without a reply. Only public smtp-server API: connections, session ids,
   * close().
   */
  const dropConnection = (sessionId: string): void => {
    for (const connection of server.connections) {
      if (connection.id === sessionId) connection.close();
    }
  };

  /** Refuses with `reply`; a 421 closes the connection after the reply (RFC 5321 §3.8). */
  const refuse = (
    session: SMTPServerSession,
    reply: SmtpReply,
    callback: (err?: Error | null) => void,
  ): void => {
    callback(replyError(reply));
    // smtp-server closes after any 421 it sends itself; this holds whatever it does.
    if (reply.code === 421) dropConnection(session.id);
  };

  const contextOf = (session: SMTPServerSession, from?: string): HookContext => {
    const state = states.get(session.id);
    const { mailFrom, rcptTo } = session.envelope;
    return {
      connection: state?.number ?? 0,
      transaction: state?.transaction ?? 0,
      connectionTransaction: state?.transactions ?? 0,
      envelope: {
        from: from ?? (mailFrom === false ? '' : mailFrom.address),
        to: rcptTo.map((rcpt) => rcpt.address),
      },
      user: typeof session.user === 'string' ? session.user : undefined,
      secure: session.secure,
    };
  };

  const server: SMTPServer = new SMTPServer({
    logger: false,
    name: 'smtp-invite-capture.localhost',
    banner: 'smtp-invite capture server',
    disabledCommands: [
      ...(options.tls?.mode === 'starttls' ? [] : ['STARTTLS']),
      ...(auth === undefined ? ['AUTH'] : []),
    ],
    authOptional: auth === undefined,
    authMethods: authMethods(auth),
    ...(options.tls === undefined
      ? {}
      : {
          key: options.tls.key,
          cert: options.tls.cert,
          secure: options.tls.mode === 'implicit',
        }),
    // There is no TLS to protect AUTH with: the credentials are test or demo values on this host.
    allowInsecureAuth: true,
    disableReverseLookup: true,
    // A client that forgets to close must not hold close() for the default 30 s.
    closeTimeout: 1000,
    size: MAX_MESSAGE_BYTES,
    rejectOversized: true,
    hidePIPELINING: options.pipelining === false,

    onConnect(session, callback) {
      greeted += 1;
      states.set(session.id, { number: greeted, transactions: 0, transaction: 0 });
      later(() => callback());
    },
    onClose(session) {
      states.delete(session.id);
    },
    onAuth(credentials, _session, callback) {
      const deny = (): void =>
        later(() =>
          callback(replyError({ code: 535, message: '5.7.8 Authentication credentials invalid' })),
        );
      if (auth === undefined) {
        deny();
        return;
      }
      if (credentials.method === 'XOAUTH2') {
        const check = auth.acceptToken;
        if (check === undefined || credentials.username !== auth.user) {
          deny();
          return;
        }
        decide(
          () => check(credentials.accessToken ?? '', credentials.username ?? ''),
          (decided) => {
            if (decided.ok && decided.value) later(() => callback(null, { user: auth.user }));
            else
              // RFC 7628 §3.2.2 / Google's XOAUTH2: the failure is a 334 challenge with a JSON
              // status; smtp-server sends it when the callback gets `data`, then 535.
              later(() =>
                callback(null, {
                  data: { status: '401', schemes: 'bearer', scope: 'https://mail.google.com/' },
                }),
              );
          },
        );
        return;
      }
      const ok =
        auth.pass !== undefined &&
        (credentials.method === 'PLAIN' || credentials.method === 'LOGIN') &&
        credentials.username === auth.user &&
        credentials.password === auth.pass;
      if (ok) later(() => callback(null, { user: auth.user }));
      else deny();
    },
    onMailFrom(address, session, callback) {
      stats.transactions += 1;
      const state = states.get(session.id);
      if (state !== undefined) {
        state.transactions += 1;
        state.transaction = stats.transactions;
      }
      const hook = options.mailFromReply;
      if (hook === undefined) {
        later(() => callback());
        return;
      }
      const context = contextOf(session, address.address);
      decide(
        () => hook(context),
        (decided) => {
          const reply = decided.ok ? decided.value : hookFailed(decided.err);
          if (reply === 'close') {
            dropConnection(session.id);
            return;
          }
          later(() => (reply === undefined ? callback() : refuse(session, reply, callback)));
        },
      );
    },
    onRcptTo(address, session, callback) {
      const refusal = options.rejectRecipient?.(address.address);
      const hook = options.rcptReply;
      if (refusal !== undefined || hook === undefined) {
        later(() => (refusal === undefined ? callback() : refuse(session, refusal, callback)));
        return;
      }
      const context = contextOf(session);
      decide(
        () => hook(address.address, context),
        (decided) => {
          const reply = decided.ok ? decided.value : hookFailed(decided.err);
          later(() => (reply === undefined ? callback() : refuse(session, reply, callback)));
        },
      );
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          // smtp-server itself replies 552 (rejectOversized), whatever we pass here.
          callback(null);
          return;
        }
        const raw = Buffer.concat(chunks);
        const setting = options.dataReply ?? 'accept';
        const context = contextOf(session);
        decide(
          () => (typeof setting === 'function' ? setting(raw, context) : setting),
          (decided) => {
            const reply = decided.ok ? decided.value : hookFailed(decided.err);
            if (reply === 'drop') {
              // Never answering and ending the connection: the client cannot know whether the
              // message was taken.
              dropConnection(session.id);
              return;
            }
            if (reply !== 'accept') {
              later(() => refuse(session, reply, callback));
              return;
            }
            received.push({
              envelope: { ...context.envelope, to: [...context.envelope.to] },
              raw,
              secure: context.secure,
              user: context.user,
            });
            queued += 1;
            const number = queued;
            later(() => callback(null, `2.0.0 OK: captured as message ${number}`));
          },
        );
      });
    },
  });

  server.server.on('connection', (socket: Socket) => {
    stats.connections += 1;
    stats.openConnections += 1;
    stats.peakConnections = Math.max(stats.peakConnections, stats.openConnections);
    socket.once('close', () => {
      stats.openConnections -= 1;
    });
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
    url: `${options.tls?.mode === 'implicit' ? 'smtps' : 'smtp'}://${formatHostPort(urlHost, port)}`,
    received,
    stats,
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

function authMethods(auth: CaptureAuth | undefined): string[] {
  if (auth === undefined) return ['PLAIN', 'LOGIN'];
  return [
    ...(auth.pass === undefined ? [] : ['PLAIN', 'LOGIN']),
    ...(auth.acceptToken === undefined ? [] : ['XOAUTH2']),
  ];
}

function isPromiseLike<T>(value: Awaitable<T>): value is PromiseLike<T> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** A hook that threw or rejected: a local error reply, so the test sees it rather than a hang. */
function hookFailed(err: unknown): SmtpReply {
  const why = err instanceof Error ? err.message : String(err);
  return {
    code: 451,
    message: `4.3.0 capture server hook failed: ${why.replace(/[\r\n]+/g, ' ')}`,
  };
}

function replyError(reply: SmtpReply): Error & { responseCode: number } {
  return Object.assign(new Error(reply.message), { responseCode: reply.code });
}
