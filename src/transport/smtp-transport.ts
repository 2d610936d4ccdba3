/**
 * Sending over SMTP with nodemailer. This is the only module that imports nodemailer's transport;
 * the rest of the program sees `Transport` and SmtpInviteError.
 *
 * nodemailer is given the finished bytes (`raw`) and an explicit envelope, so it composes nothing:
 * the message leaves exactly as built (the tests compare the bytes the server received).
 */
import { domainToASCII } from 'node:url';
import { createTransport } from 'nodemailer';
import type { SMTPPoolOptions } from 'nodemailer';

import { SmtpInviteError } from '../errors.ts';
import { decodeUrlComponent, isLoopback, normalizeUrlHost, parseUrlPort } from './server-url.ts';
import { formatHostPort, toRejectedRecipients, toSmtpInviteError } from './smtp-errors.ts';
import type { DeliveryResult, OutgoingMessage, Transport } from './transport.ts';
import { checkOutgoingMessage, closedTransportError } from './transport.ts';

export interface SmtpOptions {
  /** `smtp://[user[:pass]@]host[:port]` (STARTTLS, default port 587) or `smtps://…` (implicit TLS, 465). */
  readonly url: string;
  /** From SMTP_PASSWORD; overrides the URL's password. */
  readonly password?: string;
  /** Allow plaintext / unverified TLS to a host that is not loopback. */
  readonly insecure?: boolean;
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
  const url = parseSmtpUrl(options.url);
  const insecure = options.insecure ?? false;
  const password = nonEmpty(options.password) ?? url.password;
  if (password !== undefined && url.user === undefined) {
    throw configError(
      'a password was given but the SMTP URL names no user: write smtp://user@host (the password stays in SMTP_PASSWORD)',
    );
  }
  if (url.user !== undefined && password === undefined) {
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
    pool: true,
    // One connection, reused for every message of a command, closed by close().
    maxConnections: 1,
    maxMessages: 100,
    // A connection that drops after DATA may already have delivered the message: never resend it
    // silently (a duplicate invitation), report ERR_SMTP_CONNECTION and let the caller decide.
    maxRequeues: 0,
    idleTimeout: IDLE_TIMEOUT_MS,
    host: url.host,
    port: url.port,
    secure: url.secure,
    ...tlsPolicy(url, insecure),
    ...(url.user === undefined ? {} : { auth: { user: url.user, pass: password ?? '' } }),
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
    // The message is a Buffer; nothing should ever make nodemailer read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

export function createSmtpTransport(options: SmtpOptions): Transport {
  const transportOptions = buildSmtpTransportOptions(options);
  const url = parseSmtpUrl(options.url);
  const secrets = secretForms(url.user, transportOptions.auth?.pass);
  const context = { host: url.host, port: url.port, secrets };
  const mailer = createTransport(transportOptions);
  // Failures reach us through sendMail's rejection; an 'error' event without a listener would
  // crash the process instead.
  mailer.on('error', () => undefined);
  let closed = false;

  return {
    kind: 'smtp',
    description: describe(url, options.insecure ?? false),
    async send(message: OutgoingMessage): Promise<DeliveryResult> {
      if (closed) throw closedTransportError('smtp');
      checkOutgoingMessage(message);
      // Objects rather than strings: nodemailer would otherwise run each address through its
      // header address parser, which reads a quoted local part with a comma as two recipients.
      const envelope = {
        from: { name: '', address: message.envelope.from },
        to: message.envelope.to.map((address) => ({ name: '', address })),
      };
      let info;
      try {
        info = await mailer.sendMail({
          envelope,
          raw: message.raw,
          messageId: `<${message.messageId}>`,
        });
      } catch (err) {
        throw toSmtpInviteError(err, context);
      }
      // nodemailer reports addresses as it sent them (IDN domains in punycode); report them as
      // the caller gave them, so results can be matched to attendees.
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
    },
    close(): Promise<void> {
      if (!closed) {
        closed = true;
        // Idle connections end now; one in the middle of a delivery finishes it first.
        mailer.close();
      }
      return Promise.resolve();
    },
  };
}

/**
 * The TLS policy, by host and scheme:
 * - smtps://: TLS from the first byte, certificate verified unless `insecure`.
 * - smtp:// to a loopback host: plaintext, STARTTLS not even attempted. Such a host is a local relay
 *   (a submission agent, an SSH tunnel end) or a capture server (`smtp-invite demo`): the traffic never
 *   leaves the machine, and such servers typically have no certificate that could be verified.
 * - smtp:// to any other host: STARTTLS required with a verified certificate, so a network attacker
 *   cannot strip TLS and read the credentials and the invitation. `insecure` relaxes that to
 *   "STARTTLS if offered, unverified, else plaintext" (the CLI warns; we print nothing here).
 */
function tlsPolicy(
  url: ParsedSmtpUrl,
  insecure: boolean,
): Pick<SMTPPoolOptions, 'requireTLS' | 'ignoreTLS' | 'opportunisticTLS' | 'tls'> {
  if (url.secure) return { tls: { rejectUnauthorized: !insecure } };
  if (url.loopback) return { ignoreTLS: true, requireTLS: false };
  if (insecure) {
    return {
      requireTLS: false,
      ignoreTLS: false,
      opportunisticTLS: true,
      tls: { rejectUnauthorized: false },
    };
  }
  return { requireTLS: true, ignoreTLS: false, tls: { rejectUnauthorized: true } };
}

function describe(url: ParsedSmtpUrl, insecure: boolean): string {
  const user = url.user === undefined ? '' : `${encodeURIComponent(url.user)}@`;
  const base = `${url.secure ? 'smtps' : 'smtp'}://${user}${formatHostPort(url.host, url.port)}`;
  let mode: string;
  if (url.secure) mode = insecure ? 'implicit TLS, certificate not verified' : 'implicit TLS';
  else if (url.loopback) mode = 'loopback: plaintext, no STARTTLS';
  else if (insecure) mode = 'STARTTLS if offered, certificate not verified, else plaintext';
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
