/**
 * Reading attendees' answers from an IMAP mailbox with imapflow. This is the only module that
 * imports imapflow; the rest of the program sees `ImapInbox` and SmtpInviteError (ERR_IMAP).
 *
 * The flow is two-phase so that nothing is lost: `openImapInbox` logs in, opens the mailbox and
 * fetches the full source of every unseen message without marking it (BODY.PEEK); the caller
 * records them in the ledger; then `markSeen` adds \Seen to those it has dealt with. A crash in
 * between leaves them unseen, and the next run finds them again (the ledger then reports them as
 * duplicates, which changes nothing).
 *
 * TLS mirrors the SMTP policy: imaps:// is TLS from the first byte, certificate verified unless
 * `insecure`; imap:// to a loopback host is plaintext; imap:// to any other host requires STARTTLS
 * with a verified certificate, which `insecure` relaxes to "STARTTLS if offered, unverified".
 */
import { ImapFlow, type ImapFlowOptions } from 'imapflow';

import { SmtpInviteError } from '../errors.ts';
import { formatHostPort } from '../transport/smtp-errors.ts';
import {
  decodeUrlComponent,
  isLoopback,
  normalizeUrlHost,
  parseUrlPort,
} from '../transport/server-url.ts';

export interface ImapOptions {
  /** `imap://user[:password]@host[:port]/MAILBOX` (port 143) or `imaps://…` (implicit TLS, 993). */
  readonly url: string;
  /** From IMAP_PASSWORD; overrides the URL's password. */
  readonly password?: string;
  /**
   * Skip certificate verification (and accept plaintext when STARTTLS is not offered). Toward a
   * non-loopback host it is refused unless `allowInsecureRemote`, as for SMTP.
   */
  readonly insecure?: boolean;
  /** Required with `insecure` for a host that is not loopback (the CLI: SMTP_INVITE_ALLOW_INSECURE=1). */
  readonly allowInsecureRemote?: boolean;
  /** Connecting, greeting and TLS setup. Default 30 s. */
  readonly connectionTimeoutMs?: number;
  /** Silence from the server once connected. Default 60 s. */
  readonly socketTimeoutMs?: number;
}

export interface ParsedImapUrl {
  /** true for imaps:// (TLS from the first byte). */
  secure: boolean;
  host: string;
  port: number;
  user: string;
  password?: string;
  /** The mailbox named by the URL's path, percent-decoded; INBOX when the path is empty. */
  mailbox: string;
  loopback: boolean;
}

export interface ImapMessage {
  readonly uid: number;
  /** `imap:<mailbox>/<uid>`, for reports. */
  readonly source: string;
  readonly raw: Buffer;
}

export interface ImapInbox {
  readonly mailbox: string;
  /** The server and mode, without the password, e.g. `imaps://ada@mail.example.com:993/INBOX (implicit TLS)`. */
  readonly description: string;
  /** The messages that were unseen when the mailbox was opened, oldest first. Not marked. */
  readonly messages: readonly ImapMessage[];
  /** Adds \Seen to these messages (by UID). Throws ERR_IMAP. */
  markSeen(uids: readonly number[]): Promise<void>;
  /** Logs out; never throws. */
  close(): Promise<void>;
}

const DEFAULT_CONNECTION_TIMEOUT_MS = 30_000;
const DEFAULT_SOCKET_TIMEOUT_MS = 60_000;
const URL_FORMAT = 'imaps://user@host[:port]/MAILBOX or imap://…';

/** Parses and checks an IMAP URL; throws ERR_IMAP with a one-line fix. Never echoes the URL. */
export function parseImapUrl(url: string): ParsedImapUrl {
  const text = url.trim();
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(text)?.[1]?.toLowerCase();
  if (scheme !== 'imap' && scheme !== 'imaps') {
    throw imapError(
      `the IMAP URL must start with imaps:// (implicit TLS, port 993) or imap:// (port 143), e.g. imaps://ada@mail.example.com/INBOX`,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw imapError(
      `the IMAP URL is malformed (check the host and that the port is a number 1-65535): write ${URL_FORMAT}`,
    );
  }
  if (parsed.search !== '' || parsed.hash !== '') {
    throw imapError(
      `the IMAP URL has query parameters or a #fragment, which are not supported: write ${URL_FORMAT}`,
    );
  }
  if (parsed.hostname === '') throw imapError(`the IMAP URL has no host: write ${URL_FORMAT}`);
  const host = normalizeUrlHost(parsed.hostname);
  if (host === undefined) {
    throw imapError(
      'the host in the IMAP URL is not a valid host name or IP address: e.g. imaps://ada@mail.example.com/INBOX',
    );
  }
  const secure = scheme === 'imaps';
  const port = parseUrlPort(parsed.port, secure ? 993 : 143, 'IMAP', imapError);
  const user = decodeComponent(parsed.username, 'user name');
  if (user === '') {
    throw imapError(
      'the IMAP URL names no user: write imaps://user@host/MAILBOX (the password goes in IMAP_PASSWORD)',
    );
  }
  const password = decodeComponent(parsed.password, 'password');
  const mailbox = decodeComponent(parsed.pathname.replace(/^\//, ''), 'mailbox');
  return {
    secure,
    host,
    port,
    user,
    ...(password === '' ? {} : { password }),
    mailbox: mailbox === '' ? 'INBOX' : mailbox,
    loopback: isLoopback(host),
  };
}

/**
 * The options handed to imapflow, exported so that tests can check the TLS policy without a
 * network. Throws ERR_IMAP.
 */
export function buildImapOptions(options: ImapOptions): ImapFlowOptions {
  const url = parseImapUrl(options.url);
  const insecure = options.insecure ?? false;
  if (insecure && !url.loopback && options.allowInsecureRemote !== true) {
    throw imapError(
      `insecure TLS is refused for ${url.host}, which is not a loopback host: the credentials and the replies could be read or changed on the way. Trust the certificate instead; to go ahead anyway set SMTP_INVITE_ALLOW_INSECURE=1 (library: allowInsecureRemote)`,
    );
  }
  const password = nonEmpty(options.password) ?? url.password;
  if (password === undefined) {
    throw imapError(
      `the IMAP URL names the user ${url.user} but no password was given: set IMAP_PASSWORD`,
    );
  }
  return {
    host: url.host,
    port: url.port,
    secure: url.secure,
    ...tlsPolicy(url, insecure),
    auth: { user: url.user, pass: password },
    logger: false,
    // One short session: no IDLE between our commands, no compression to reason about.
    disableAutoIdle: true,
    disableCompression: true,
    connectionTimeout: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
    greetingTimeout: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
    socketTimeout: options.socketTimeoutMs ?? DEFAULT_SOCKET_TIMEOUT_MS,
  };
}

/** Logs in, opens the mailbox and fetches every unseen message (without marking it). Throws ERR_IMAP. */
export async function openImapInbox(options: ImapOptions): Promise<ImapInbox> {
  const imapOptions = buildImapOptions(options);
  const url = parseImapUrl(options.url);
  const secrets = secretForms(url.user, imapOptions.auth?.pass);
  const where = formatHostPort(url.host, url.port);
  const client = new ImapFlow(imapOptions);
  // Failures reach us through the rejected promises; an 'error' event without a listener would
  // crash the process instead.
  client.on('error', () => undefined);
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    try {
      await client.logout();
    } catch {
      client.close();
    }
  };

  let stage = 'connecting to';
  try {
    await client.connect();
    stage = `opening the mailbox "${url.mailbox}" on`;
    await client.mailboxOpen(url.mailbox);
    stage = `searching for unseen messages on`;
    const uids = await client.search({ seen: false }, { uid: true });
    if (uids === false || uids === undefined) throw new Error('the SEARCH command failed');
    const messages: ImapMessage[] = [];
    if (uids.length > 0) {
      stage = 'fetching the unseen messages from';
      // `source` is fetched as BODY.PEEK[]: reading does not set \Seen.
      const fetched = await client.fetchAll(uids, { uid: true, source: true }, { uid: true });
      for (const m of fetched.sort((a, b) => a.uid - b.uid)) {
        if (m.source === undefined) continue;
        messages.push({ uid: m.uid, source: `imap:${url.mailbox}/${m.uid}`, raw: m.source });
      }
    }
    return {
      mailbox: url.mailbox,
      description: describe(url, options.insecure ?? false),
      messages,
      async markSeen(seen: readonly number[]): Promise<void> {
        if (seen.length === 0) return;
        let ok: boolean;
        try {
          ok = await client.messageFlagsAdd([...seen], ['\\Seen'], { uid: true });
        } catch (err) {
          throw toImapError(err, `marking the processed messages as seen on`, where, secrets);
        }
        if (!ok) {
          throw toImapError(
            new Error('the STORE command failed'),
            'marking the processed messages as seen on',
            where,
            secrets,
          );
        }
      },
      close,
    };
  } catch (err) {
    await close();
    throw toImapError(err, stage, where, secrets);
  }
}

function tlsPolicy(
  url: ParsedImapUrl,
  insecure: boolean,
): Pick<ImapFlowOptions, 'doSTARTTLS' | 'tls'> {
  if (url.secure) return { tls: { rejectUnauthorized: !insecure } };
  if (url.loopback) return { doSTARTTLS: false };
  // Opportunistic (undefined): STARTTLS when offered, else plaintext.
  if (insecure) return { tls: { rejectUnauthorized: false } };
  return { doSTARTTLS: true, tls: { rejectUnauthorized: true } };
}

function describe(url: ParsedImapUrl, insecure: boolean): string {
  const base = `${url.secure ? 'imaps' : 'imap'}://${encodeURIComponent(url.user)}@${formatHostPort(url.host, url.port)}/${encodeURIComponent(url.mailbox)}`;
  let mode: string;
  if (url.secure) mode = insecure ? 'implicit TLS, certificate not verified' : 'implicit TLS';
  else if (url.loopback) mode = 'loopback: plaintext, no STARTTLS';
  else if (insecure) mode = 'STARTTLS if offered, certificate not verified, else plaintext';
  else mode = 'STARTTLS required';
  return `${base} (${mode})`;
}

interface ImapErrorFacts {
  code?: unknown;
  authenticationFailed?: unknown;
  tlsFailed?: unknown;
  responseText?: unknown;
  serverResponseCode?: unknown;
  message?: unknown;
}

/** One line, the password masked, saying what we were doing, where, and what went wrong. */
function toImapError(
  err: unknown,
  stage: string,
  where: string,
  secrets: readonly string[],
): SmtpInviteError {
  if (err instanceof SmtpInviteError) return err;
  const facts: ImapErrorFacts = typeof err === 'object' && err !== null ? err : {};
  const code = typeof facts.code === 'string' ? facts.code : '';
  const text = mask(
    [facts.responseText, facts.message].find((v): v is string => typeof v === 'string') ?? '',
    secrets,
  )
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\.$/, '');
  const said = text === '' ? '' : `: ${text}`;
  let message: string;
  let transient = false;
  if (facts.authenticationFailed === true) {
    message = `the IMAP server ${where} rejected the credentials${said}: check the user in the URL and IMAP_PASSWORD`;
  } else if (code === 'ECONNREFUSED') {
    message = `nothing accepts IMAP connections at ${where}: check the host and port`;
    transient = true;
  } else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    message = `the IMAP host in ${where} could not be resolved: check its name`;
    transient = code === 'EAI_AGAIN';
  } else if (/TIMEOUT/i.test(code)) {
    message = `the IMAP server ${where} did not answer in time while ${stage.replace(/ (on|to|from)$/, '')}`;
    transient = true;
  } else if (facts.tlsFailed === true || /CERT|TLS|SSL/i.test(code)) {
    message = `TLS with the IMAP server ${where} failed${said}: check the certificate, or use imaps://`;
  } else {
    message = `${stage} the IMAP server ${where} failed${said}${code === '' ? '' : ` (${code})`}`;
    transient = /^(ECONNRESET|EPIPE|NoConnection|ClosedAfterConnect)/.test(code);
  }
  return new SmtpInviteError('ERR_IMAP', message, { cause: err, isTransient: transient });
}

function mask(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('***');
  return out;
}

/** The password and the AUTHENTICATE PLAIN payload that carries it (base64). */
function secretForms(user: string, password: string | undefined): string[] {
  if (password === undefined || password === '') return [];
  const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
  return [
    password,
    encodeURIComponent(password),
    b64(password),
    b64(`\u0000${user}\u0000${password}`),
  ].filter((s, i, all) => s !== '' && all.indexOf(s) === i);
}

function decodeComponent(value: string, what: string): string {
  return decodeUrlComponent(value, what, 'IMAP', imapError);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function imapError(message: string): SmtpInviteError {
  return new SmtpInviteError('ERR_IMAP', message);
}
