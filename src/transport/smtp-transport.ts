/**
 * Sending over SMTP with nodemailer: the adapter of nodemailer's transport (createTransport's pool)
 * and SMTPConnection; the rest of the program sees `Transport`, `TransportSession` and
 * SmtpInviteError. Two pieces of the nodemailer adapter live next to it: the TLS policy
 * (smtp-tls-policy.ts) and the XOAUTH2 bridge to an OAuth2 token source (smtp-xoauth2.ts); the
 * mapping of nodemailer's errors is smtp-errors.ts.
 *
 * nodemailer is given the finished bytes (`raw`) and an explicit envelope, so it composes nothing:
 * the message leaves exactly as built (the tests compare the bytes the server received).
 *
 * Two ways to send: `send()` goes through nodemailer's pool (one connection, reused, for the few
 * messages of a command), `openSession()` drives one SMTPConnection directly (the batch engine's
 * lanes: no Mail/pool layers, about 60 µs per message instead of 380, and every failure is seen on
 * the connection it happened on). Both get the same connection options and the same envelope.
 */
import { Readable } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { domainToASCII } from 'node:url';
import { createTransport } from 'nodemailer';
import type { SMTPPoolOptions } from 'nodemailer';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import type {
  SMTPConnectionOptions,
  SMTPConnectionSendInfo,
} from 'nodemailer/lib/smtp-connection/index.js';

import { SmtpInviteError } from '../errors.ts';
import { decodeUrlComponent, isLoopback, normalizeUrlHost, parseUrlPort } from './server-url.ts';
import {
  currentSecrets,
  formatHostPort,
  toRejectedRecipients,
  toSmtpInviteError,
} from './smtp-errors.ts';
import type { SmtpErrorContext } from './smtp-errors.ts';
import { checkCa, tlsPolicy } from './smtp-tls-policy.ts';
import type { TlsChoice } from './smtp-tls-policy.ts';
import {
  checkOAuthSource,
  oauthSecretForms,
  renewAfterRefusal,
  xoauth2Auth,
  xoauth2Login,
} from './smtp-xoauth2.ts';
import type { XOAuth2Login } from './smtp-xoauth2.ts';
import type { OAuthTokenSource } from './oauth-token.ts';
import type {
  DeliveryResult,
  OutgoingMessage,
  SessionSecurity,
  Transport,
  TransportSession,
} from './transport.ts';
import { checkOutgoingMessage, closedTransportError } from './transport.ts';

export interface SmtpOptions {
  /** `smtp://[user[:pass]@]host[:port]` (STARTTLS, default port 587) or `smtps://…` (implicit TLS, 465). */
  readonly url: string;
  /** From SMTP_PASSWORD; overrides the URL's password. */
  readonly password?: string;
  /**
   * Skip certificate verification, and to a non-loopback smtp:// host accept plaintext when
   * STARTTLS is not offered. Toward a non-loopback host it is refused unless `allowInsecureRemote`.
   */
  readonly insecure?: boolean;
  /** Required with `insecure` for a host that is not loopback (the CLI: SMTP_INVITE_ALLOW_INSECURE=1). */
  readonly allowInsecureRemote?: boolean;
  /**
   * PEM text of CA certificates to trust besides the system's (a private CA). On a loopback
   * smtp:// host it also turns STARTTLS on (required), as `requireTls` does.
   */
  readonly tlsCa?: string | Buffer;
  /** STARTTLS, required and verified, even to a loopback host (which otherwise gets plaintext). */
  readonly requireTls?: boolean;
  /**
   * XOAUTH2 instead of a password: the token source gives a fresh access token for each login
   * (see createOAuthTokenSource). The URL then names no password; its user, if any, must be the
   * token source's user.
   */
  readonly oauth2?: OAuthTokenSource;
  /** Connecting, DNS lookup, greeting and TLS setup together. Default 30 s. */
  readonly connectionTimeoutMs?: number;
  /** Silence from the server once connected. Default 60 s. */
  readonly socketTimeoutMs?: number;
  /** EHLO name; nodemailer's default (the machine's host name) when not given. */
  readonly clientName?: string;
}

export interface ParsedSmtpUrl {
  /** true for smtps:// (TLS from the first byte), false for smtp:// (STARTTLS or plaintext). */
  secure: boolean;
  /** Lower-case host name or IP address; IPv6 without brackets. */
  host: string;
  port: number;
  user?: string;
  password?: string;
  /** 127.0.0.0/8, ::1 or `localhost`. */
  loopback: boolean;
}

const DEFAULT_CONNECTION_TIMEOUT_MS = 30_000;
const DEFAULT_SOCKET_TIMEOUT_MS = 60_000;
// The pooled connection is closed after this much idleness even if the caller forgets close():
// well under the five minutes RFC 5321 §4.5.3.2.7 lets a server wait before dropping us.
const IDLE_TIMEOUT_MS = 30_000;
const URL_FORMAT = 'smtp://[user[:password]@]host[:port] or smtps://…';

/** Parses and checks an SMTP URL; throws ERR_SMTP_CONFIG with a one-line fix. Never echoes the URL (it may hold a password). */
export function parseSmtpUrl(url: string): ParsedSmtpUrl {
  const text = url.trim();
  if (text === '') {
    throw configError(`no SMTP URL given: pass one like smtp://user@mail.example.com:587`);
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    throw configError(
      'the SMTP URL must start with smtp:// or smtps://, e.g. smtp://user@mail.example.com:587',
    );
  }
  if (scheme !== 'smtp' && scheme !== 'smtps') {
    throw configError(
      `unsupported scheme "${scheme}://" in the SMTP URL: use smtp:// (STARTTLS, port 587) or smtps:// (implicit TLS, port 465)`,
    );
  }

  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw configError(
      `the SMTP URL is malformed (check the host and that the port is a number 1-65535): write ${URL_FORMAT}`,
    );
  }
  if (parsed.search !== '') {
    // Only the parameter names: a value might be a password (nodemailer accepts ?pass=).
    const names = [...parsed.searchParams.keys()].join(', ');
    throw configError(
      `the SMTP URL has query parameters (${names}), which are not supported: remove them (TLS is chosen by the scheme and --insecure)`,
    );
  }
  if (parsed.hash !== '') {
    throw configError('the SMTP URL has a #fragment, which is not supported: remove it');
  }
  if (parsed.pathname !== '' && parsed.pathname !== '/') {
    throw configError(`the SMTP URL has a path, which is not supported: write ${URL_FORMAT}`);
  }

  const host = normalizeHost(parsed.hostname);
  const secure = scheme === 'smtps';
  const port = parseUrlPort(parsed.port, secure ? 465 : 587, 'SMTP', configError);
  const user = decodeComponent(parsed.username, 'user name');
  const password = decodeComponent(parsed.password, 'password');
  return {
    secure,
    host,
    port,
    ...(user === '' ? {} : { user }),
    ...(password === '' ? {} : { password }),
    loopback: isLoopback(host),
  };
}

/**
 * The options handed to nodemailer, exported so that tests can check the TLS policy without a
 * network. Throws ERR_SMTP_CONFIG.
 */
export function buildSmtpTransportOptions(options: SmtpOptions): SMTPPoolOptions & { pool: true } {
  return poolOptions(resolveSmtpSettings(options));
}

/** What every connection to the server gets, pooled or a session of its own. */
interface SmtpSettings {
  readonly url: ParsedSmtpUrl;
  /** Host, port, TLS policy, timeouts, EHLO name, logging off. */
  readonly connection: SMTPConnectionOptions;
  /** PLAIN/LOGIN with a password, or XOAUTH2 with tokens from a source; none without a user. */
  readonly auth:
    | { readonly kind: 'password'; readonly user: string; readonly pass: string }
    | { readonly kind: 'oauth2'; readonly source: OAuthTokenSource }
    | undefined;
}

function resolveSmtpSettings(options: SmtpOptions): SmtpSettings {
  const url = parseSmtpUrl(options.url);
  const insecure = options.insecure ?? false;
  if (insecure && !url.loopback && options.allowInsecureRemote !== true) {
    throw configError(
      `insecure TLS is refused for ${url.host}, which is not a loopback host: credentials and invitations could be read or changed on the way. Fix the certificate (or trust its CA with --tls-ca); to go ahead anyway set SMTP_INVITE_ALLOW_INSECURE=1 (library: allowInsecureRemote)`,
    );
  }
  const tls: TlsChoice = {
    insecure,
    ...(options.tlsCa === undefined ? {} : { ca: checkCa(options.tlsCa) }),
    requireTls: options.requireTls === true || options.tlsCa !== undefined,
  };
  const password = nonEmpty(options.password) ?? url.password;
  const oauth = options.oauth2;
  if (oauth !== undefined) checkOAuthSource(oauth, url, password);
  if (oauth === undefined && password !== undefined && url.user === undefined) {
    throw configError(
      'a password was given but the SMTP URL names no user: write smtp://user@host (the password stays in SMTP_PASSWORD)',
    );
  }
  if (oauth === undefined && url.user !== undefined && password === undefined) {
    throw configError(
      `the SMTP URL names the user ${url.user} but no password was given: set SMTP_PASSWORD`,
    );
  }
  const connectionTimeout = checkTimeout(
    options.connectionTimeoutMs,
    DEFAULT_CONNECTION_TIMEOUT_MS,
    'connectionTimeoutMs',
  );
  const socketTimeout = checkTimeout(
    options.socketTimeoutMs,
    DEFAULT_SOCKET_TIMEOUT_MS,
    'socketTimeoutMs',
  );
  if (options.clientName !== undefined && !/^[A-Za-z0-9.\-[\]:_]+$/.test(options.clientName)) {
    throw configError(
      'the EHLO client name may only contain letters, digits, ".", "-", "_" and an address literal: e.g. client.example.com',
    );
  }

  return {
    url,
    connection: {
      host: url.host,
      port: url.port,
      secure: url.secure,
      ...tlsPolicy(url, tls),
      ...(options.clientName === undefined ? {} : { name: options.clientName }),
      connectionTimeout,
      greetingTimeout: connectionTimeout,
      dnsTimeout: connectionTimeout,
      socketTimeout,
      // nodemailer only looks at non-internal interfaces to pick address families; a loopback
      // host must be allowed to resolve to a loopback address.
      allowInternalNetworkInterfaces: url.loopback,
      logger: false,
      debug: false,
      transactionLog: false,
    },
    auth:
      oauth !== undefined
        ? { kind: 'oauth2', source: oauth }
        : url.user === undefined
          ? undefined
          : { kind: 'password', user: url.user, pass: password ?? '' },
  };
}

function poolOptions(
  settings: SmtpSettings,
  login?: XOAuth2Login,
): SMTPPoolOptions & { pool: true } {
  return {
    pool: true,
    // One connection, reused for every message of a command, closed by close().
    maxConnections: 1,
    maxMessages: 100,
    // A connection that drops after DATA may already have delivered the message: never resend it
    // silently (a duplicate invitation), report ERR_SMTP_CONNECTION and let the caller decide.
    maxRequeues: 0,
    idleTimeout: IDLE_TIMEOUT_MS,
    ...settings.connection,
    ...poolAuth(settings, login),
    // The message is a Buffer; nothing should ever make nodemailer read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/** The pool's `auth`: user + pass, or nodemailer's OAuth2 type fed by our token source. */
function poolAuth(
  settings: SmtpSettings,
  login: XOAuth2Login | undefined,
): Pick<SMTPPoolOptions, 'auth'> {
  const auth = settings.auth;
  if (auth === undefined) return {};
  if (auth.kind === 'password') return { auth: { user: auth.user, pass: auth.pass } };
  const provision = (login ?? xoauth2Login(auth.source)).provision;
  return { auth: { type: 'OAuth2', user: auth.source.user, provisionCallback: provision } };
}

export function createSmtpTransport(options: SmtpOptions): Transport {
  const settings = resolveSmtpSettings(options);
  const { url } = settings;
  const source = settings.auth?.kind === 'oauth2' ? settings.auth.source : undefined;
  const passwordForms = secretForms(
    url.user,
    settings.auth?.kind === 'password' ? settings.auth.pass : undefined,
  );
  const context: SmtpErrorContext = {
    host: url.host,
    port: url.port,
    secrets: source === undefined ? passwordForms : oauthSecretForms(source, passwordForms),
    ...(source === undefined
      ? {}
      : {
          oauth: { user: source.user, ...(source.hint === undefined ? {} : { hint: source.hint }) },
        }),
  };
  // The pool has one connection, so one login at a time.
  const poolLogin = source === undefined ? undefined : xoauth2Login(source);
  const mailer = createTransport(poolOptions(settings, poolLogin));
  // Failures reach us through sendMail's rejection; an 'error' event without a listener would
  // crash the process instead.
  mailer.on('error', () => undefined);
  const sessions = new Set<TransportSession>();
  let closed = false;

  return {
    kind: 'smtp',
    description: `${describe(
      url,
      options.insecure ?? false,
      options.requireTls === true || options.tlsCa !== undefined,
    )}${source === undefined ? '' : `, XOAUTH2 as ${source.user}`}`,
    async send(message: OutgoingMessage): Promise<DeliveryResult> {
      if (closed) throw closedTransportError('smtp');
      checkOutgoingMessage(message);
      const mail = {
        // nodemailer itself turns IDN domains into punycode and drops repeated recipients.
        envelope: envelopeObjects(message.envelope.from, message.envelope.to),
        raw: message.raw,
        messageId: `<${message.messageId}>`,
      };
      let info;
      try {
        info = await mailer.sendMail(mail);
      } catch (err) {
        const error = toSmtpInviteError(err, context);
        // A refused login sent nothing of the message: once more with a renewed token.
        if (!(await renewAfterRefusal(error, poolLogin))) throw error;
        try {
          info = await mailer.sendMail(mail);
        } catch (again) {
          throw toSmtpInviteError(again, context);
        }
      }
      return deliveryResult(message, info, currentSecrets(context));
    },
    async openSession(): Promise<TransportSession> {
      if (closed) throw closedTransportError('smtp');
      const session = await openSmtpSession(settings, context);
      if (closed) {
        // close() ran while this one was connecting: it must not outlive the transport.
        await session.close();
        throw closedTransportError('smtp');
      }
      sessions.add(session);
      return {
        ...(session.negotiated === undefined ? {} : { negotiated: session.negotiated }),
        send: (message) => session.send(message),
        get usable() {
          return session.usable;
        },
        async close() {
          sessions.delete(session);
          await session.close();
        },
      };
    },
    async close(): Promise<void> {
      if (!closed) {
        closed = true;
        // Idle connections end now; one in the middle of a delivery finishes it first.
        mailer.close();
      }
      // Sessions the caller forgot: each finishes the message it is sending, then says QUIT.
      const open = [...sessions];
      sessions.clear();
      await Promise.all(open.map((session) => session.close()));
    },
  };
}

// How long close() waits for the reply to QUIT before it drops the connection anyway.
const QUIT_TIMEOUT_MS = 2_000;

/**
 * One SMTPConnection of our own: connected, TLS and AUTH done. nodemailer's SMTPConnection leaves
 * everything around a single send to its caller (the pool normally does it), so this does:
 * - After a refused MAIL FROM, RCPT TO or DATA the transaction may still be open on the server
 *   (all recipients refused leaves MAIL FROM accepted): RSET before the next message, as
 *   nodemailer's pool does. A connection that cannot be reset is closed.
 * - A dropped connection, a timeout or a 421 (RFC 5321 §3.8: the server closes after it) end the
 *   SMTPConnection with 'end'; from then on `usable` is false. SMTPConnection emits 'error' for
 *   such failures besides failing the send: a listener is always attached, as an 'error' event
 *   without one would crash the process.
 * - nodemailer calls the send callback after 'end' in the same tick, but forgets it when the
 *   connection is torn down some other ways: a send still open a tick after 'end' fails with a
 *   connection error instead of hanging.
 */
async function openSmtpSession(
  settings: SmtpSettings,
  context: SmtpErrorContext,
): Promise<TransportSession> {
  if (settings.auth?.kind !== 'oauth2') return openSmtpConnection(settings, context, undefined);
  const login = xoauth2Login(settings.auth.source);
  try {
    return await openSmtpConnection(settings, context, login);
  } catch (err) {
    // A token refused with a plain 535: a new connection with a renewed token, once.
    if (!(err instanceof SmtpInviteError) || !(await renewAfterRefusal(err, login))) throw err;
    return openSmtpConnection(settings, context, login);
  }
}

async function openSmtpConnection(
  settings: SmtpSettings,
  context: SmtpErrorContext,
  login: XOAuth2Login | undefined,
): Promise<TransportSession> {
  const connection = new SMTPConnection({ ...settings.connection });
  const where = formatHostPort(context.host, context.port);
  let ended = false;
  const endWaiters = new Set<() => void>();
  connection.on('error', () => undefined);
  connection.once('end', () => {
    ended = true;
    for (const waiter of [...endWaiters]) waiter();
    endWaiters.clear();
  });
  /** Calls `then` once the connection has ended (at once if it has); returns an unsubscribe. */
  const onEnd = (then: () => void): (() => void) => {
    if (ended) {
      then();
      return () => undefined;
    }
    endWaiters.add(then);
    return () => endWaiters.delete(then);
  };

  try {
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (err?: Error): void => {
        if (settled) return;
        settled = true;
        connection.off('error', fail);
        stopWaiting();
        if (err === undefined) resolve();
        else reject(err);
      };
      const fail = (err: Error): void => settle(err);
      connection.on('error', fail);
      const stopWaiting = onEnd(() =>
        // 'error' comes before 'end' when there is one: this is a close without any reason.
        setImmediate(() => settle(connectionClosed('Connection closed unexpectedly'))),
      );
      connection.connect((err) => {
        if (err !== undefined) {
          settle(err);
          return;
        }
        // As the pool does: log in when the server offers AUTH and we have credentials.
        const auth = settings.auth;
        if (auth === undefined || !connection.allowsAuth) {
          settle();
          return;
        }
        const credentials =
          auth.kind === 'password'
            ? { user: auth.user, pass: auth.pass }
            : xoauth2Auth(login ?? xoauth2Login(auth.source));
        connection.login(credentials, (loginErr) => settle(loginErr ?? undefined));
      });
    });
  } catch (err) {
    connection.close();
    throw toSmtpInviteError(err, context);
  }
  // nodemailer keeps the TLS socket in `_socket` (declared in its types); read once, here.
  const socket = connection._socket;
  const tlsProtocol = socket instanceof TLSSocket ? socket.getProtocol() : null;
  const negotiated: SessionSecurity = {
    tls: connection.secure,
    ...(connection.secure && tlsProtocol !== null ? { tlsProtocol } : {}),
    authenticated: connection.authenticated,
  };

  let inFlight: Promise<unknown> | undefined;
  let closing: Promise<void> | undefined;

  /** One message over the connection; resolves with nodemailer's info, rejects with its error. */
  const transmit = (
    envelope: ReturnType<typeof envelopeObjects>,
    body: Readable,
  ): Promise<SMTPConnectionSendInfo> =>
    new Promise((resolve, reject) => {
      let settled = false;
      const stopWaiting = onEnd(() =>
        setImmediate(() => {
          if (settled) return;
          settled = true;
          reject(connectionClosed('Connection closed unexpectedly'));
        }),
      );
      try {
        connection.send(envelope, body, (err, info) => {
          if (settled) return;
          settled = true;
          stopWaiting();
          if (err !== null && err !== undefined) reject(err);
          else if (info === undefined) reject(connectionClosed('No result from the server'));
          else resolve(info);
        });
      } catch (err) {
        // Not expected from nodemailer; a socket that cannot be written is a lost connection.
        settled = true;
        stopWaiting();
        connection.close();
        reject(err instanceof Error ? err : connectionClosed(String(err)));
      }
    });

  /** RSET after a refusal; a connection that cannot be reset is closed (usable becomes false). */
  const reset = (): Promise<void> =>
    new Promise((resolve) => {
      if (ended || connection.destroyed) {
        resolve();
        return;
      }
      let settled = false;
      const done = (): void => {
        if (settled) return;
        settled = true;
        stopWaiting();
        resolve();
      };
      // A connection that drops during RSET never calls back: 'end' settles it instead.
      const stopWaiting = onEnd(done);
      connection.reset((err) => {
        if (err !== null) connection.close();
        done();
      });
    });

  const sendOne = async (message: OutgoingMessage): Promise<DeliveryResult> => {
    const envelope = asciiEnvelope(message);
    // A stream rather than the Buffer: nodemailer reads it only once the server said 354 to DATA,
    // so a failure before that left no byte of the message (resending it cannot make a duplicate)
    // and one after it may have delivered it. Same bytes either way (DataStream dot-stuffs both).
    let read = false;
    const body = new Readable({
      read() {
        read = true;
        this.push(message.raw);
        this.push(null);
      },
    });
    let info: SMTPConnectionSendInfo;
    try {
      info = await transmit(envelope, body);
    } catch (err) {
      if (isRefusal(err)) await reset();
      throw sessionError(toSmtpInviteError(err, context), read);
    }
    return deliveryResult(message, info, currentSecrets(context));
  };

  return {
    negotiated,
    get usable() {
      return !ended && !connection.destroyed && closing === undefined;
    },
    async send(message: OutgoingMessage): Promise<DeliveryResult> {
      if (closing !== undefined) {
        throw new SmtpInviteError('ERR_INTERNAL', 'an SMTP session was used after close()');
      }
      checkOutgoingMessage(message);
      if (inFlight !== undefined) {
        throw new SmtpInviteError(
          'ERR_INTERNAL',
          'a message was sent on an SMTP session while another was being sent: one message at a time per session',
        );
      }
      if (ended || connection.destroyed) {
        // The cause has the shape nodemailer gives a send on a closed connection (command API):
        // nothing of this message was written.
        throw new SmtpInviteError(
          'ERR_SMTP_CONNECTION',
          `the connection to ${where} was closed before this message was sent: open a new session`,
          {
            isTransient: true,
            cause: Object.assign(new Error('Cannot send message - the connection is closed'), {
              code: 'ECONNECTION',
              command: 'API',
            }),
          },
        );
      }
      const sending = sendOne(message);
      inFlight = sending;
      try {
        return await sending;
      } finally {
        inFlight = undefined;
      }
    },
    close(): Promise<void> {
      closing ??= (async () => {
        // A message being sent is finished first (its caller gets its result).
        await inFlight?.catch(() => undefined);
        if (ended || connection.destroyed) return;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            stopWaiting();
            connection.close();
            resolve();
          }, QUIT_TIMEOUT_MS);
          const stopWaiting = onEnd(() => {
            clearTimeout(timer);
            resolve();
          });
          try {
            // QUIT, and close once the server answers it.
            connection.quit();
          } catch {
            connection.close();
          }
        });
      })();
      return closing;
    },
  };
}

/** nodemailer's refusals (a reply to MAIL FROM, RCPT TO or DATA, or a check before sending). */
function isRefusal(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  const responseCode = (err as { responseCode?: unknown } | null)?.responseCode;
  return (code === 'EENVELOPE' || code === 'EMESSAGE') && responseCode !== 421;
}

/**
 * A dropped connection or a timeout after the message started to leave is reported with
 * `command: 'DATA'` (the message may have been delivered); before that, without a command (no
 * byte of it was sent: resending it cannot make a duplicate).
 */
function sessionError(err: SmtpInviteError, messageSent: boolean): SmtpInviteError {
  const dropped = err.code === 'ERR_SMTP_CONNECTION' || err.code === 'ERR_SMTP_TIMEOUT';
  if (!dropped || !messageSent || err.command !== undefined) return err;
  return new SmtpInviteError(err.code, err.message, {
    cause: err.cause,
    ...(err.responseCode === undefined ? {} : { responseCode: err.responseCode }),
    ...(err.response === undefined ? {} : { response: err.response }),
    command: 'DATA',
    isTransient: err.isTransient,
  });
}

function connectionClosed(message: string): Error {
  return Object.assign(new Error(message), { code: 'ECONNECTION', command: 'CONN' });
}

/**
 * The envelope as objects rather than strings: nodemailer's Mail layer would otherwise run each
 * address through its header address parser, which reads a quoted local part with a comma as two
 * recipients.
 */
function envelopeObjects(
  from: string,
  to: readonly string[],
): { from: { name: string; address: string }; to: { name: string; address: string }[] } {
  return {
    from: { name: '', address: from },
    to: to.map((address) => ({ name: '', address })),
  };
}

/**
 * The envelope for SMTPConnection, which sends addresses as given: IDN domains in punycode and
 * repeated recipients dropped here, as nodemailer's Mail layer does for the pooled path.
 */
function asciiEnvelope(message: OutgoingMessage): ReturnType<typeof envelopeObjects> {
  const to = [...new Set(message.envelope.to.map(toAsciiAddress))];
  return envelopeObjects(toAsciiAddress(message.envelope.from), to);
}

/**
 * nodemailer reports addresses as it sent them (IDN domains in punycode); the result gives them
 * as the caller did, so that it can be matched to attendees.
 */
function deliveryResult(
  message: OutgoingMessage,
  info: {
    readonly accepted: readonly string[];
    readonly rejected: readonly string[];
    readonly rejectedErrors?: readonly unknown[] | undefined;
    readonly response?: unknown;
  },
  secrets: readonly string[],
): DeliveryResult {
  const original = new Map(message.envelope.to.map((to) => [toAsciiAddress(to), to]));
  const back = (address: string): string => original.get(address) ?? address;
  const rejected = toRejectedRecipients(info.rejected, info.rejectedErrors ?? [], secrets).map(
    (r) => ({ ...r, email: back(r.email) }),
  );
  return {
    messageId: message.messageId,
    accepted: info.accepted.map(back),
    rejected,
    ...(typeof info.response === 'string' && info.response !== ''
      ? { response: info.response }
      : {}),
  };
}

function describe(url: ParsedSmtpUrl, insecure: boolean, requireTls = false): string {
  const user = url.user === undefined ? '' : `${encodeURIComponent(url.user)}@`;
  const base = `${url.secure ? 'smtps' : 'smtp'}://${user}${formatHostPort(url.host, url.port)}`;
  let mode: string;
  if (url.secure) mode = insecure ? 'implicit TLS, certificate not verified' : 'implicit TLS';
  else if (url.loopback && !requireTls) mode = 'loopback: plaintext, no STARTTLS';
  else if (insecure && !requireTls) {
    mode = 'STARTTLS if offered, certificate not verified, else plaintext';
  } else if (insecure) mode = 'STARTTLS required, certificate not verified';
  else mode = 'STARTTLS required';
  return `${base} (${mode})`;
}

function normalizeHost(hostname: string): string {
  if (hostname === '') {
    throw configError(`the SMTP URL has no host: write ${URL_FORMAT}`);
  }
  const host = normalizeUrlHost(hostname);
  if (host === undefined) {
    throw configError(
      'the host in the SMTP URL is not a valid host name or IP address: e.g. smtp://mail.example.com:587',
    );
  }
  return host;
}

function decodeComponent(value: string, what: string): string {
  return decodeUrlComponent(value, what, 'SMTP', configError);
}

function checkTimeout(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) {
    throw configError(`${name} must be a positive whole number of milliseconds, not ${value}`);
  }
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** The password and the AUTH PLAIN / LOGIN payloads that carry it (base64). */
function secretForms(user: string | undefined, password: string | undefined): string[] {
  if (password === undefined || password === '') return [];
  const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
  return [
    password,
    encodeURIComponent(password),
    b64(password),
    b64(`\u0000${user ?? ''}\u0000${password}`),
  ].filter((s, i, all) => s !== '' && all.indexOf(s) === i);
}

function toAsciiAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0 || /^[\x20-\x7e]*$/.test(address)) return address;
  const local = address.slice(0, at);
  // nodemailer keeps a UTF-8 domain when the local part needs SMTPUTF8 anyway.
  if (!/^[\x20-\x7e]*$/.test(local)) return address;
  const domain = domainToASCII(address.slice(at + 1));
  return domain === '' ? address : `${local}@${domain}`;
}

function configError(message: string): SmtpInviteError {
  return new SmtpInviteError('ERR_SMTP_CONFIG', message);
}

// Kept here too: callers and tests of the SMTP adapter import them from it.
export { isLoopback, normalizeUrlHost } from './server-url.ts';
