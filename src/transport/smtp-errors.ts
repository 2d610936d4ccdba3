/**
 * Turns whatever nodemailer throws into an SmtpInviteError: a stable code, a one-line message that
 * names host:port and says what to do, the server's reply, and whether retrying later can help.
 *
 * nodemailer reports a failure as an Error with `code` (its own ECONNECTION, EAUTH, ...), the
 * system code it replaced in `originalCode` (ECONNREFUSED, ENOTFOUND, certificate codes...), and for
 * server replies `response`, `responseCode` and `command`. We read those defensively: the shapes
 * are runtime properties, not a contract the type system can hold nodemailer to.
 */
import { SmtpInviteError } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';
import type { RejectedRecipient } from './transport.ts';

export interface SmtpErrorContext {
  readonly host: string;
  readonly port: number;
  /**
   * Strings that must never appear in the result (the password and the AUTH payloads built from
   * it): a server may echo what it was sent, and messages end up in terminals and logs. A function
   * is asked at mapping time: OAuth2 tokens are issued after the transport was made.
   */
  readonly secrets?: readonly string[] | (() => readonly string[]);
  /** Set when logging in with XOAUTH2: whose token, and what to check when it is refused. */
  readonly oauth?: { readonly user: string; readonly hint?: string };
}

/** The secrets to mask now (see SmtpErrorContext.secrets). */
export function currentSecrets(context: SmtpErrorContext): readonly string[] {
  const secrets = context.secrets;
  return typeof secrets === 'function' ? secrets() : (secrets ?? []);
}

const CARRIED = Symbol('smtp-invite carried error');

/**
 * Wraps an error of ours (a token source failing during AUTH XOAUTH2) for the trip through
 * nodemailer, which rewrites the `code` of whatever error a token provider hands it; the
 * original comes out of toSmtpInviteError unchanged.
 */
export function carryThroughNodemailer(err: SmtpInviteError): Error {
  return Object.assign(new Error(err.message), { [CARRIED]: err });
}

/**
 * nodemailer's `originalCode` for an XOAUTH2 login whose token the server refused, when no other
 * token could be had (a fixed SMTP_OAUTH_TOKEN): the transport's token provider fails with it
 * instead of offering the refused token again.
 */
export const XOAUTH2_TOKEN_REFUSED = 'EXOAUTH2_REFUSED';

interface FailureFacts {
  readonly message: string;
  readonly code: string | undefined;
  readonly originalCode: string | undefined;
  readonly response: string | undefined;
  readonly responseCode: number | undefined;
  readonly command: string | undefined;
  readonly timeoutType: string | undefined;
  readonly rejected: readonly string[];
  readonly rejectedErrors: readonly unknown[];
  readonly recipient: string | undefined;
}

interface Mapped {
  readonly code: ErrorCode;
  readonly message: string;
  readonly isTransient: boolean;
}

const NETWORK_UNREACHABLE = new Set([
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
]);
const DNS_TRANSIENT = new Set([
  'EAI_AGAIN',
  'ETIMEOUT',
  'ESERVFAIL',
  'ECONNREFUSED',
  'ECANCELLED',
  'EREFUSED',
]);
const CERTIFICATE_CODE = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|HOSTNAME_MISMATCH/;
const MAX_LISTED_RECIPIENTS = 10;
const MAX_REPLY_LENGTH = 300;

export function toSmtpInviteError(err: unknown, context: SmtpErrorContext): SmtpInviteError {
  if (err instanceof SmtpInviteError) return err;
  const carried = (err as { [CARRIED]?: unknown } | null)?.[CARRIED];
  if (carried instanceof SmtpInviteError) return carried;
  const secrets = currentSecrets(context).filter((s) => s.length > 0);
  // Secrets are masked in what the server and nodemailer said, before it is woven into our own
  // wording (masking the finished message would garble it when a password is a common word).
  const facts = readFacts(err, secrets);
  const mapped = mapFailure(facts, context.host, context.port, secrets, context.oauth);
  const transient =
    mapped.isTransient ||
    (facts.responseCode !== undefined && facts.responseCode >= 400 && facts.responseCode < 500);
  const response = facts.response;
  const command = facts.command === 'CONN' || facts.command === 'API' ? undefined : facts.command;
  // Every refused recipient, when all of them were refused at RCPT TO (the CLI lists them).
  const rejected =
    mapped.code === 'ERR_SMTP_REJECTED' &&
    (facts.rejectedErrors.length > 0 || facts.rejected.length > 0)
      ? toRejectedRecipients(facts.rejected, facts.rejectedErrors, secrets)
      : [];
  return new SmtpInviteError(mapped.code, mapped.message, {
    cause: redactCause(err, secrets),
    ...(facts.responseCode === undefined ? {} : { responseCode: facts.responseCode }),
    ...(response === undefined ? {} : { response }),
    ...(command === undefined ? {} : { command }),
    isTransient: transient,
    ...(rejected.length === 0 ? {} : { rejected }),
  });
}

/** nodemailer's per-recipient RCPT TO errors as our RejectedRecipient values. */
export function toRejectedRecipients(
  rejected: readonly string[],
  rejectedErrors: readonly unknown[],
  secrets: readonly string[] = [],
): RejectedRecipient[] {
  const result: RejectedRecipient[] = [];
  const seen = new Set<string>();
  for (const item of rejectedErrors) {
    const facts = readFacts(item, secrets);
    if (facts.recipient === undefined) continue;
    seen.add(facts.recipient);
    result.push({
      email: facts.recipient,
      code: facts.responseCode ?? null,
      response: facts.response ?? facts.message,
    });
  }
  // nodemailer lists every refused address in `rejected`, but only SMTP refusals carry an error.
  for (const email of rejected) {
    if (!seen.has(email)) result.push({ email, code: null, response: '' });
  }
  return result;
}

/** `host:port`, with IPv6 literals in brackets as in a URL. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function mapFailure(
  f: FailureFacts,
  host: string,
  port: number,
  secrets: readonly string[],
  oauth?: SmtpErrorContext['oauth'],
): Mapped {
  const where = formatHostPort(host, port);
  const reply = f.response === undefined ? '' : oneLine(f.response);
  const withReply = reply === '' ? '' : ` (${reply})`;
  const system = f.originalCode;

  if (f.code === 'ERR_ACCESS_DENIED') {
    return {
      code: 'ERR_SMTP_CONNECTION',
      message: `network access to ${where} was denied by the Node.js permission model: allow network access (--allow-net)`,
      isTransient: false,
    };
  }

  switch (f.code) {
    case 'EDNS': {
      const reason = system ?? 'lookup failed';
      if (DNS_TRANSIENT.has(reason)) {
        return {
          code: 'ERR_SMTP_DNS',
          message: `DNS lookup for the SMTP host of ${where} failed (${reason}): check the network connection and retry`,
          isTransient: true,
        };
      }
      return {
        code: 'ERR_SMTP_DNS',
        message: `cannot resolve the SMTP host of ${where} (${reason}): check the host name in the SMTP URL`,
        isTransient: false,
      };
    }

    case 'ETIMEDOUT':
      return { code: 'ERR_SMTP_TIMEOUT', message: timeoutMessage(f, where), isTransient: true };

    case 'ETLS':
      if (f.command === 'STARTTLS' && f.responseCode !== undefined) {
        return {
          code: 'ERR_SMTP_TLS',
          message: `${where} does not support STARTTLS${withReply}, and nothing is sent in plaintext when TLS is required: use smtps:// if it offers implicit TLS (usually port 465); --insecure sends unencrypted (toward a host that is not this machine only with SMTP_INVITE_ALLOW_INSECURE=1)`,
          isTransient: false,
        };
      }
      return tlsFailure(f, where);

    case 'ESOCKET':
    case 'ECONNECTION':
    case 'EPROXY':
    case undefined:
      if (isTlsFailure(f)) return tlsFailure(f, where);
      if (system === 'ECONNREFUSED') {
        return {
          code: 'ERR_SMTP_CONNECTION',
          message: `connection refused by ${where}: is the server running, and is that the right port?`,
          isTransient: true,
        };
      }
      if (system !== undefined && NETWORK_UNREACHABLE.has(system)) {
        return {
          code: 'ERR_SMTP_CONNECTION',
          message: `${where} is unreachable (${system}): check the network connection and the host name`,
          isTransient: true,
        };
      }
      if (system === 'ECONNRESET' || system === 'EPIPE') {
        return {
          code: 'ERR_SMTP_CONNECTION',
          message: `${where} reset the connection (${system}): retry later (if it hung up after receiving the message, that message may already have been delivered)`,
          isTransient: true,
        };
      }
      if (f.responseCode === 421) {
        return {
          code: 'ERR_SMTP_CONNECTION',
          message: `${where} is not accepting mail now${withReply}: retry later`,
          isTransient: true,
        };
      }
      if (f.code === undefined && !/closed/i.test(f.message)) break;
      return {
        code: 'ERR_SMTP_CONNECTION',
        message: `${where} closed the connection unexpectedly${withReply}: retry later (if it hung up after receiving the message, that message may already have been delivered)`,
        isTransient: true,
      };

    case 'EAUTH':
    case 'ENOAUTH':
      if (f.command === 'AUTH XOAUTH2' || (oauth !== undefined && f.code === 'EAUTH')) {
        return xoauth2Failure(f, where, withReply, oauth);
      }
      if (f.command === 'API' || f.code === 'ENOAUTH') {
        return {
          code: 'ERR_SMTP_AUTH',
          message: `${where} asked for credentials that were not given: put the user in the SMTP URL (smtp://user@host) and the password in SMTP_PASSWORD`,
          isTransient: false,
        };
      }
      return {
        code: 'ERR_SMTP_AUTH',
        message: `authentication failed at ${where}${withReply}: check the user name and SMTP_PASSWORD`,
        isTransient: false,
      };

    case 'EENVELOPE':
      if (f.command === 'API') {
        return {
          code: 'ERR_INTERNAL',
          message: `the envelope was refused before sending to ${where}: ${oneLine(f.message)}`,
          isTransient: false,
        };
      }
      // 421 at MAIL FROM is the server closing the channel (RFC 5321 §3.8), not a refusal of the sender.
      if (f.responseCode === 421) {
        return {
          code: 'ERR_SMTP_CONNECTION',
          message: `${where} is not accepting mail now${withReply}: retry later`,
          isTransient: true,
        };
      }
      // 530 (RFC 4954 §6) can come at MAIL FROM or RCPT TO from a server that needs AUTH.
      if (f.responseCode === 530 || /\b5\.7\.0\b.*auth|authentication required/i.test(reply)) {
        if (oauth !== undefined) {
          return {
            code: 'ERR_SMTP_AUTH',
            message: `${where} requires authentication${withReply} but offered no AUTH to log in to with XOAUTH2: check the host and port (Microsoft 365: smtp.office365.com:587, Google: smtp.gmail.com:587 or 465)`,
            isTransient: false,
          };
        }
        return {
          code: 'ERR_SMTP_AUTH',
          message: `${where} requires authentication${withReply}: put the user in the SMTP URL (smtp://user@host) and the password in SMTP_PASSWORD`,
          isTransient: false,
        };
      }
      if (f.command === 'MAIL FROM') {
        return {
          code: 'ERR_SMTP_REJECTED',
          message: `${where} refused the sender${withReply}: check that this server lets you send as the organizer (or sender) address`,
          isTransient: false,
        };
      }
      if (f.rejectedErrors.length > 0) {
        return {
          code: 'ERR_SMTP_REJECTED',
          message: `every recipient was refused by ${where}: ${listRejected(f.rejectedErrors, secrets)}`,
          isTransient: false,
        };
      }
      return {
        code: 'ERR_SMTP_REJECTED',
        message: `${where} refused the message envelope${withReply}`,
        isTransient: false,
      };

    case 'EMESSAGE':
      if (f.command === 'API') {
        return {
          code: 'ERR_INTERNAL',
          message: `the message was refused before sending to ${where}: ${oneLine(f.message)}`,
          isTransient: false,
        };
      }
      if (/larger than allowed/i.test(f.message)) {
        return {
          code: 'ERR_SMTP_REJECTED',
          message: `the message is larger than ${where} accepts (${oneLine(f.message)}): remove attachments or use another server`,
          isTransient: false,
        };
      }
      return {
        code: 'ERR_SMTP_REJECTED',
        message: `${where} refused the message${withReply}`,
        isTransient: false,
      };

    case 'EPROTOCOL':
      if (f.command === 'CONN' && f.responseCode !== undefined && f.responseCode >= 400) {
        return {
          code: 'ERR_SMTP_CONNECTION',
          message: `${where} refused the session${withReply}: retry later or use another server`,
          isTransient: false,
        };
      }
      return {
        code: 'ERR_SMTP_PROTOCOL',
        message: `unexpected reply from ${where}${withReply}: is that an SMTP server on the right port?`,
        isTransient: false,
      };

    default:
      break;
  }
  return {
    code: 'ERR_SMTP_PROTOCOL',
    message: `SMTP failure with ${where}: ${oneLine(f.message)}${withReply && !f.message.includes(reply) ? withReply : ''}`,
    isTransient: false,
  };
}

/**
 * A refused XOAUTH2 login. The server may answer 334 with a JSON status first (RFC 7628 §3.2.2,
 * Google) or 535 at once (Exchange Online: "535 5.7.3 Authentication unsuccessful"); a 504 means
 * it has no XOAUTH2 at all. What to check comes from the token source (provider-specific).
 */
function xoauth2Failure(
  f: FailureFacts,
  where: string,
  withReply: string,
  oauth: SmtpErrorContext['oauth'],
): Mapped {
  if (
    f.responseCode === 504 ||
    /unrecognized authentication|not supported|unknown mechanism/i.test(f.response ?? '')
  ) {
    return {
      code: 'ERR_SMTP_AUTH',
      message: `${where} does not accept XOAUTH2${withReply}: check the host (Microsoft 365: smtp.office365.com, Google: smtp.gmail.com), or log in with a password instead`,
      isTransient: false,
    };
  }
  const user = oauth === undefined ? '' : ` for ${oauth.user}`;
  // Exchange Online's reply when SMTP AUTH is off for the tenant or mailbox says so itself.
  const disabled = /5\.7\.139|SmtpClientAuthentication is disabled/i.test(f.response ?? '')
    ? 'SMTP AUTH is disabled for this tenant or mailbox: enable it (Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false, or the tenant setting Set-TransportConfig -SmtpClientAuthenticationDisabled $false); then '
    : '';
  const hint =
    oauth?.hint ??
    'check that the token is valid, has the SMTP scope and was issued for this mailbox';
  return {
    code: 'ERR_SMTP_AUTH',
    message: `${where} refused the OAuth2 token${user}${withReply}: ${disabled}${hint}`,
    isTransient: false,
  };
}

function timeoutMessage(f: FailureFacts, where: string): string {
  switch (f.timeoutType) {
    case 'CONNECT_TIMEOUT':
      return `timed out connecting to ${where}: check the host, the port and any firewall`;
    case 'GREETING_TIMEOUT':
      return `${where} accepted the connection but sent no SMTP greeting in time: check the port (465 expects smtps://, 587 and 25 expect smtp://)`;
    case 'UPGRADE_TIMEOUT':
      return `the TLS handshake with ${where} timed out: retry later`;
    case undefined:
    default:
      return `${where} stopped answering (timeout): retry later`;
  }
}

function isTlsFailure(f: FailureFacts): boolean {
  const code = f.originalCode ?? '';
  return (
    code.startsWith('ERR_SSL_') ||
    code.startsWith('ERR_TLS_') ||
    code === 'EPROTO' ||
    CERTIFICATE_CODE.test(code)
  );
}

function tlsFailure(f: FailureFacts, where: string): Mapped {
  const code = f.originalCode ?? '';
  const detail = oneLine(f.message);
  if (/ALTNAME|HOSTNAME_MISMATCH/.test(code)) {
    return {
      code: 'ERR_SMTP_TLS',
      message: `the TLS certificate of ${where} is not issued for that host name (${code}): use the host name the certificate names in the SMTP URL`,
      isTransient: false,
    };
  }
  if (CERTIFICATE_CODE.test(code) || /certificate/i.test(f.message)) {
    return {
      code: 'ERR_SMTP_TLS',
      message: `the TLS certificate of ${where} is not trusted (${code || detail}): for a private CA give its certificate with --tls-ca FILE (for a self-signed server, the server's own certificate, PEM); --insecure skips verification (toward a host that is not this machine only with SMTP_INVITE_ALLOW_INSECURE=1)`,
      isTransient: false,
    };
  }
  if (/wrong version number|packet length too long|unknown protocol/i.test(f.message)) {
    return {
      code: 'ERR_SMTP_TLS',
      message: `${where} did not answer with TLS (${code || detail}): smtps:// needs implicit TLS (usually port 465); use smtp:// for ports 587 and 25`,
      isTransient: false,
    };
  }
  return {
    code: 'ERR_SMTP_TLS',
    message: `TLS with ${where} failed (${detail}): check the port and the server's TLS setup`,
    isTransient: false,
  };
}

function listRejected(rejectedErrors: readonly unknown[], secrets: readonly string[]): string {
  const items = rejectedErrors.map((item) => {
    const r = readFacts(item, secrets);
    const why = r.response === undefined ? oneLine(r.message) : oneLine(r.response);
    return `${r.recipient ?? '(unknown recipient)'} (${why})`;
  });
  const shown = items.slice(0, MAX_LISTED_RECIPIENTS).join('; ');
  const more = items.length - MAX_LISTED_RECIPIENTS;
  return more > 0 ? `${shown}; and ${more} more` : shown;
}

/** The fields nodemailer puts on its errors; server and library text with `secrets` masked. */
function readFacts(err: unknown, secrets: readonly string[] = []): FailureFacts {
  const record: Record<string, unknown> =
    typeof err === 'object' && err !== null ? (err as Record<string, unknown>) : {};
  const str = (key: string): string | undefined =>
    typeof record[key] === 'string' ? record[key] : undefined;
  const responseCode = record.responseCode;
  return {
    message: redact(err instanceof Error ? err.message : (str('message') ?? String(err)), secrets),
    code: str('code'),
    originalCode: str('originalCode'),
    response: optionalRedact(str('response'), secrets),
    responseCode:
      typeof responseCode === 'number' && Number.isInteger(responseCode) ? responseCode : undefined,
    command: str('command'),
    timeoutType: str('timeoutType'),
    rejected: Array.isArray(record.rejected)
      ? record.rejected.filter((r): r is string => typeof r === 'string')
      : [],
    rejectedErrors: Array.isArray(record.rejectedErrors)
      ? (record.rejectedErrors as unknown[])
      : [],
    recipient: str('recipient'),
  };
}

/**
 * A server reply made fit for a one-line message: multi-line replies joined, the repeated reply
 * codes of continuation lines dropped, and control characters (a hostile server could send
 * terminal escapes) removed.
 */
function oneLine(text: string): string {
  const joined = text
    .split(/\r?\n/)
    .map((line, i) => (i === 0 ? line : line.replace(/^\d{3}[ -]/, '')))
    .join(' ')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return joined.length > MAX_REPLY_LENGTH ? `${joined.slice(0, MAX_REPLY_LENGTH)}…` : joined;
}

function optionalRedact(text: string | undefined, secrets: readonly string[]): string | undefined {
  return text === undefined ? undefined : redact(text, secrets);
}

function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) result = result.replaceAll(secret, '***');
  return result;
}

/**
 * The original error is kept as `cause` for debugging, unless it carries a secret: then a copy with
 * the secret masked takes its place (same code and reply fields, no stack from the original).
 */
function redactCause(err: unknown, secrets: readonly string[]): unknown {
  if (secrets.length === 0) return err;
  const facts = readFacts(err);
  const texts = [
    facts.message,
    facts.response ?? '',
    err instanceof Error ? (err.stack ?? '') : '',
  ];
  if (!texts.some((t) => secrets.some((s) => t.includes(s)))) return err;
  const copy = new Error(redact(facts.message, secrets)) as Error & Record<string, unknown>;
  copy.stack = `${copy.name}: ${copy.message}`;
  if (facts.code !== undefined) copy.code = facts.code;
  if (facts.originalCode !== undefined) copy.originalCode = facts.originalCode;
  if (facts.response !== undefined) copy.response = redact(facts.response, secrets);
  if (facts.responseCode !== undefined) copy.responseCode = facts.responseCode;
  if (facts.command !== undefined) copy.command = facts.command;
  return copy;
}
