/**
 * A real SMTP server on 127.0.0.1 (port 0) for tests, built on the demo's capture server so that
 * there is one implementation of "a server that records what it receives". Adds the fault that
 * needs no SMTP at all: accepting TCP and dropping it at once.
 *
 *   const server = await startTestSmtpServer({ rejectRecipient: (e) => e.startsWith('x') ? { code: 550, message: '5.1.1 No such user' } : undefined });
 *   try { ... server.url ... server.received ... server.stats.peakConnections ... } finally { await server.close(); }
 *
 * Faults, each an option (they combine; see the order below):
 * - rejectRecipient / rcptReply: refuse recipients at RCPT TO (rcptReply is asked when
 *   rejectRecipient did not refuse, and sees the HookContext: connection and transaction numbers).
 * - mailFromReply: a reply to MAIL FROM per transaction, or 'close' to drop without a reply.
 * - onData: the reply to the end of DATA, fixed or per message (a function).
 * - failFirst: the first `times` transactions fail at MAIL FROM or at the end of DATA, with a
 *   reply or a dropped connection; then the server behaves (a provider's hiccup).
 * - rateLimit: at most `perSecond` transactions accepted in any sliding 1-second window; MAIL
 *   FROM beyond that gets `451 4.7.0 rate limit exceeded, try again later` (or `reply`).
 * - delayMs: every reply late (greeting included); a hook returning a promise is late on that one
 *   command only.
 * - auth, closeOnConnect, pipelining: see below.
 * A 421 from any of them closes the connection after the reply (RFC 5321 §3.8).
 * At MAIL FROM the order is failFirst, then mailFromReply, then rateLimit (so that the window counts
 * only transactions the server accepted). At the end of DATA: failFirst, then onData.
 * The same pieces are exported (failFirst, rateLimiter, firstReply) for tests that build hooks.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startCaptureServer } from '../../src/transport/capture-server.ts';
import type {
  Awaitable,
  CaptureAuth,
  CaptureServerOptions,
  CaptureServerStats,
  DataDecision,
  HookContext,
  ReceivedMessage,
  SmtpReply,
} from '../../src/transport/capture-server.ts';

export type { CaptureAuth, CaptureServerStats, HookContext, ReceivedMessage, SmtpReply };

/**
 * The committed test certificates (fixtures/tls, made by scripts/make-test-certs.sh): `server`
 * is signed by `ca` for localhost/127.0.0.1/::1, `selfSigned` is trusted by nobody, `otherCa` is
 * an unrelated CA. PEM text.
 */
export function tlsFixture(): {
  ca: string;
  otherCa: string;
  server: { key: string; cert: string };
  selfSigned: { key: string; cert: string };
} {
  const dir = fileURLToPath(new URL('../../fixtures/tls/', import.meta.url));
  const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
  return {
    ca: read('ca.pem'),
    otherCa: read('other-ca.pem'),
    server: { key: read('server.key'), cert: read('server.pem') },
    selfSigned: { key: read('self-signed.key'), cert: read('self-signed.pem') },
  };
}

export type MailFromHook = (context: HookContext) => Awaitable<SmtpReply | 'close' | undefined>;
export type RcptHook = (email: string, context: HookContext) => Awaitable<SmtpReply | undefined>;
/** `close-before-reply` drops the connection without replying. */
export type TestDataDecision = 'accept' | 'close-before-reply' | SmtpReply;
export type DataHook = (raw: Buffer, context: HookContext) => Awaitable<TestDataDecision>;

export interface TestSmtpServer {
  readonly port: number;
  /** `smtp://127.0.0.1:<port>` */
  readonly url: string;
  /** Messages the server accepted, oldest first (never a refused or dropped one). */
  readonly received: ReceivedMessage[];
  /** Live counters: connections, peakConnections, openConnections, transactions. */
  readonly stats: CaptureServerStats;
  close(): Promise<void>;
}

export interface TestSmtpServerOptions {
  /** Refuse a recipient at RCPT TO, e.g. `{ code: 550, message: '5.1.1 No such user' }`. */
  rejectRecipient?: (email: string) => SmtpReply | undefined;
  /** Per-recipient reply at RCPT TO when rejectRecipient did not refuse: undefined → 250. */
  rcptReply?: RcptHook;
  /** Reply to MAIL FROM: undefined → 250, 'close' → drop the connection without a reply. */
  mailFromReply?: MailFromHook;
  /** Reply to the end of DATA, or a function deciding per message. */
  onData?: TestDataDecision | DataHook;
  /** The first `times` transactions fail at MAIL FROM or at the end of DATA. */
  failFirst?: { phase: 'mail' | 'data'; times: number; reply: SmtpReply | 'drop' };
  /** Refuse MAIL FROM beyond `perSecond` accepted transactions in any sliding second. */
  rateLimit?: { perSecond: number; reply?: SmtpReply };
  /**
   * Require AUTH (allowed without TLS: the server is on loopback): PLAIN/LOGIN with `pass`,
   * XOAUTH2 with a token `acceptToken` accepts (see CaptureAuth).
   */
  auth?: CaptureAuth;
  /** A certificate: offer STARTTLS, or implicit TLS (server.url is then smtps://). See tlsFixture(). */
  tls?: CaptureServerOptions['tls'];
  /** Accept the TCP connection, then drop it before any greeting. */
  closeOnConnect?: boolean;
  /** Hold every reply (greeting included) this long: a slow server for timeout tests. */
  delayMs?: number;
  /** false: a server without PIPELINING, so the client sends each command after the reply before. */
  pipelining?: boolean;
}

export const RATE_LIMIT_REPLY: SmtpReply = {
  code: 451,
  message: '4.7.0 rate limit exceeded, try again later',
};

export async function startTestSmtpServer(
  options: TestSmtpServerOptions = {},
): Promise<TestSmtpServer> {
  if (options.closeOnConnect === true) return startDroppingServer();
  const fail = options.failFirst;
  const failing = fail === undefined ? undefined : failFirst(fail.times, fail.reply);
  const mailFromHooks = [
    fail?.phase === 'mail' ? failing?.mailFrom : undefined,
    options.mailFromReply,
    options.rateLimit === undefined
      ? undefined
      : rateLimiter(options.rateLimit.perSecond, options.rateLimit.reply),
  ].filter((hook): hook is MailFromHook => hook !== undefined);
  const dataHook = dataDecision(fail?.phase === 'data' ? failing?.data : undefined, options.onData);

  return startCaptureServer({
    host: '127.0.0.1',
    port: 0,
    ...(options.rejectRecipient === undefined ? {} : { rejectRecipient: options.rejectRecipient }),
    ...(options.rcptReply === undefined ? {} : { rcptReply: options.rcptReply }),
    ...(mailFromHooks.length === 0 ? {} : { mailFromReply: firstReply(...mailFromHooks) }),
    dataReply: dataHook,
    ...(options.auth === undefined ? {} : { auth: options.auth }),
    ...(options.tls === undefined ? {} : { tls: options.tls }),
    ...(options.delayMs === undefined ? {} : { replyDelayMs: options.delayMs }),
    ...(options.pipelining === undefined ? {} : { pipelining: options.pipelining }),
  });
}

/**
 * A MAIL FROM hook that lets at most `perSecond` transactions through in any sliding window of
 * one second and refuses the others with `reply` (default 451 4.7.0). Only transactions it let
 * through count.
 */
export function rateLimiter(perSecond: number, reply: SmtpReply = RATE_LIMIT_REPLY): MailFromHook {
  if (!Number.isInteger(perSecond) || perSecond <= 0) {
    throw new Error(`rateLimiter: perSecond must be a positive whole number, not ${perSecond}`);
  }
  // Acceptance times, oldest first; never more than perSecond of them.
  const accepted: number[] = [];
  return () => {
    const now = performance.now();
    while (accepted.length > 0 && now - accepted[0]! >= 1000) accepted.shift();
    if (accepted.length >= perSecond) return reply;
    accepted.push(now);
    return undefined;
  };
}

/**
 * Hooks that fail the first `times` transactions (counted server-wide, each phase on its own) and
 * then let everything through: `mailFrom` for MAIL FROM ('drop' closes without a reply), `data`
 * for the end of DATA ('drop' becomes 'close-before-reply').
 */
export function failFirst(
  times: number,
  reply: SmtpReply | 'drop',
): { mailFrom: MailFromHook; data: DataHook } {
  let mailFromSeen = 0;
  let dataSeen = 0;
  return {
    mailFrom: () => {
      mailFromSeen += 1;
      if (mailFromSeen > times) return undefined;
      return reply === 'drop' ? 'close' : reply;
    },
    data: () => {
      dataSeen += 1;
      if (dataSeen > times) return 'accept';
      return reply === 'drop' ? 'close-before-reply' : reply;
    },
  };
}

/** MAIL FROM hooks asked in turn: the first that does not accept (undefined) gives the reply. */
export function firstReply(...hooks: MailFromHook[]): MailFromHook {
  return async (context) => {
    for (const hook of hooks) {
      const reply = await hook(context);
      if (reply !== undefined) return reply;
    }
    return undefined;
  };
}

/** The capture server's dataReply from failFirst's data hook and onData. */
function dataDecision(
  first: DataHook | undefined,
  onData: TestDataDecision | DataHook | undefined,
): DataDecision | ((raw: Buffer, context: HookContext) => Awaitable<DataDecision>) {
  const toCapture = (decision: TestDataDecision): DataDecision =>
    decision === 'close-before-reply' ? 'drop' : decision;
  const setting = onData ?? 'accept';
  if (first === undefined && typeof setting !== 'function') return toCapture(setting);
  return async (raw, context) => {
    const early = first === undefined ? 'accept' : await first(raw, context);
    if (early !== 'accept') return toCapture(early);
    return toCapture(typeof setting === 'function' ? await setting(raw, context) : setting);
  };
}

/** A TCP server that ends every connection as soon as it is accepted. */
async function startDroppingServer(): Promise<TestSmtpServer> {
  const sockets = new Set<net.Socket>();
  const stats = { connections: 0, peakConnections: 0, openConnections: 0, transactions: 0 };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    stats.connections += 1;
    stats.openConnections += 1;
    stats.peakConnections = Math.max(stats.peakConnections, stats.openConnections);
    socket.on('close', () => {
      sockets.delete(socket);
      stats.openConnections -= 1;
    });
    socket.on('error', () => undefined);
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    port: address.port,
    url: `smtp://127.0.0.1:${address.port}`,
    received: [],
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
