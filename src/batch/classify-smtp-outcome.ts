/**
 * What a batch does about one SMTP outcome (see OutcomeKind in batch-types.ts): a reply (code and
 * text) or a failure thrown by a TransportSession / openSession is classified as accepted,
 * transient, throttle, quota, permanent, unknown, connection or fatal. Pure: no IO, never throws.
 *
 * The order of the checks matters and is the documentation of the rules:
 * 1. The reply class (RFC 5321 §4.2.1): 2yz positive completion → accepted; 1yz/3yz are not final
 *    answers to a transaction step → unknown; 4yz transient negative; 5yz permanent negative.
 * 2. Failures that would hit every message, whatever the phase → fatal: 530 "authentication
 *    required" (RFC 4954 §6), Exchange Online's "SendAsDenied" (the account may not send as this
 *    sender) and its "STOREDRV.Submission … QuotaExceededException" with "mailbox full" (the
 *    SENDER's mailbox is full, because SMTP AUTH submissions are stored in Sent Items:
 *    https://learn.microsoft.com/en-us/exchange/troubleshoot/send-emails/smtp-submission-improvements).
 * 3. A recipient's full mailbox (X.2.2, "over quota", "mailbox full") is that recipient's problem:
 *    4.2.2 transient, 5.2.2 permanent; it is never the sending quota of step 4.
 * 4. Sending quota exhausted → quota (checked before throttle: SES says "454 Throttling failure:
 *    Daily message quota exceeded"): Gmail's 5.4.5 ("550 5.4.5 Daily user sending limit exceeded",
 *    "550 5.4.5 Daily SMTP relay limit exceeded for user"), Exchange Online's "554 5.2.0
 *    STOREDRV.Submission.Exception:SubmissionQuotaExceededException", and "quota" / "daily … limit"
 *    / "sending limit" wording (Google's "550 5.7.1 Daily SMTP relay limit exceeded for customer",
 *    "You have reached a limit for sending mail").
 * 5. 5yz: at greeting ('connect': RFC 5321 §3.1, 554 means no service here) or at MAIL FROM ('mail':
 *    the sender is refused, so every message would be) → fatal; otherwise permanent (5.1.x unknown
 *    user, 5.7.1 denied, 552 too large …).
 * 6. 4yz:
 *    - per-recipient inbound limits → transient, not throttle: Gmail's "450 4.2.1 The user you are
 *      trying to contact is receiving mail at a rate that prevents additional messages from being
 *      delivered" and Exchange Online's "432 4.3.2 STOREDRV.Deliver; recipient thread limit
 *      exceeded" (https://support.google.com/a/answer/3726730, Exchange Online NDR reference). The
 *      limit is that recipient's incoming rate, not ours: slowing the whole batch would delay
 *      everyone else for nothing, so only that recipient is retried later. Greylisting
 *      ("Greylisted", "greylisting in action") is transient for the same reason.
 *    - throttle: an enhanced code 4.7.x (RFC 3463 §3.8 security/policy status: providers answer
 *      rate limits with it: Gmail "421 4.7.28 … has been temporarily rate limited", Exchange
 *      Online "451 4.7.500-699 (ASxxx)" IP throttling, Postfix "450 4.7.1 Error: too much mail
 *      from …"), except a 4.7.0 that speaks about TLS, authentication or an allow list (Google's
 *      "421 4.7.0 TLS required for RCPT domain", "IP not in whitelist"), which is not about our
 *      pace; or wording: "rate" (SES "454 Throttling failure: Maximum sending rate exceeded",
 *      Exchange "421 4.4.2 Message submission rate for this client has exceeded the configured
 *      limit"), "throttl", "slow down", "too many connections/messages/…", "too much mail",
 *      "per second/minute/hour … limit", "peak … limit" (Google "450 4.2.1 Peak SMTP relay limit
 *      exceeded for this customer"), "sender thread limit" and "concurrent connection(s) limit"
 *      (Exchange Online "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded", "432
 *      4.3.2 Concurrent connections limit exceeded"). A bare "try again later" is NOT a throttle:
 *      Google says it for "421 4.3.0 Temporary System Problem" too. "too many recipients" (452
 *      4.5.3, RFC 5321 §4.5.3.1.10) is a per-message limit, also not a throttle.
 *    - 421 without the above → connection: the server is closing the channel (RFC 5321 §3.8,
 *      §4.2.2 "421 … closing transmission channel", which "may be a reply to any command"), so
 *      nothing was accepted and it is not the recipient's fault: reconnect and requeue.
 *    - at greeting ('connect') → connection; otherwise → transient.
 */
import { SmtpInviteError } from '../errors.ts';
import type { ClassifiedOutcome, OutcomeKind } from './batch-types.ts';

/** The step of the SMTP transaction a reply answered. */
export type SmtpPhase = 'connect' | 'mail' | 'rcpt' | 'data';

const MAX_TEXT = 300;
// Replies are matched on a longer one-line form than the one reported: Gmail's explanations run to
// about 300 characters and the telling words may be at the end. Longer input is cut first, so the
// work stays linear and bounded whatever a server sends.
const MAX_MATCHED = 2000;

/**
 * RFC 3463 status-code = class "." subject "." detail (class 2, 4 or 5; subject and detail 1 to 3
 * digits), placed right after the reply code (RFC 2034 §4), or at the start when the text has no
 * reply code. A "#" before it (qmail, some gateways) is allowed.
 */
const ENHANCED = /^\s*(?:\d{3}(?:[ -]\s*|$))?#?([245])\.(\d{1,3})\.(\d{1,3})(?=$|[^\d.]|\.(?!\d))/;

export function parseEnhancedCode(text: string): string | null {
  const m = ENHANCED.exec(text.slice(0, 64));
  if (m === null) return null;
  return `${m[1]}.${Number(m[2])}.${Number(m[3])}`;
}

// --- wording (each pattern is tested by a real reply in test/batch/classify-smtp-outcome.test.ts) ---

const EXCHANGE_SUBMISSION_QUOTA = /SubmissionQuotaExceeded/i;
const SENDER_MAILBOX_FULL = /STOREDRV\.Submi\w*\.Exception:\s*QuotaExceededException/i;
const SEND_AS_DENIED = /\bSendAsDenied|\bpermissions? to send as\b/i;
const AUTH_REQUIRED =
  /\bauthentication (?:is )?required\b|\bnot authenticated\b|\bmust (?:first )?(?:be )?authenticat/i;
const MAILBOX_FULL =
  /\bmailbox (?:is )?full\b|\bover (?:the |its )?quota\b|\bmailbox quota\b|\bout of storage\b/i;
const QUOTA =
  /\bquota\b|\bdaily\b[^.;]{0,60}\blimit\b|\b24[- ]hours?\b[^.;]{0,60}\blimit\b|\bsending limit\b|\blimit for sending\b|\bdaily limit\b/i;
const RECIPIENT_RATE =
  /\buser you are trying to contact is receiving\b|\brecipient thread limit\b|\breceiving (?:e-?)?mail (?:too quickly|at a rate)\b/i;
const GREYLIST = /\bgr[ae]ylist/i;
const NOT_ABOUT_PACE =
  /\bTLS\b|\bSTARTTLS\b|\bauthenticat|\bwhite ?list|\ballow ?list|\bnot (?:permitted|allowed|authori[sz]ed)\b/i;
const THROTTLE = new RegExp(
  [
    String.raw`\brate(?:[- ]?limit\w*)?\b`,
    String.raw`\bthrottl`,
    String.raw`\bslow down\b`,
    String.raw`\btoo many (?:[\w-]+ ){0,2}?(?:connections?|messages?|e-?mails?|mails?|sessions?|requests?|transactions?|deliveries|submissions?|commands?)\b`,
    String.raw`\btoo much (?:e-?)?mail\b`,
    String.raw`\bper (?:second|minute|hour)\b[^.;]{0,40}\b(?:limit|exceeded)\b`,
    String.raw`\b(?:limit|exceeded)\b[^.;]{0,40}\bper (?:second|minute|hour)\b`,
    String.raw`\bhourly limit\b`,
    String.raw`\bpeak\b[^.;]{0,40}\blimit\b`,
    String.raw`\bsender thread limit\b`,
    String.raw`\bconcurrent connections? limit\b`,
    String.raw`\bsending too fast\b`,
  ].join('|'),
  'i',
);

/**
 * Classifies one SMTP reply: `code` is the reply code (null when only the text is known), `text`
 * the reply as received (multi-line replies allowed), `phase` the step it answered.
 */
export function classifyReply(
  code: number | null,
  text: string,
  phase: SmtpPhase,
): ClassifiedOutcome {
  const raw = typeof text === 'string' ? text.slice(0, MAX_MATCHED * 2) : '';
  const matched = oneLine(raw, MAX_MATCHED);
  const reported = oneLine(raw, MAX_TEXT);
  const enhanced = parseEnhancedCode(raw);
  const validCode =
    typeof code === 'number' && Number.isInteger(code) && code >= 100 && code <= 599;
  const replyCode = validCode ? code : null;
  const result = (kind: OutcomeKind): ClassifiedOutcome => ({
    kind,
    code: replyCode,
    enhanced,
    text: reported,
  });

  // The reply code decides the class; the enhanced code only refines it when both agree (RFC 3463
  // §2: the class of the enhanced code must match the reply code's).
  let cls: number;
  if (replyCode !== null) cls = Math.floor(replyCode / 100);
  else if (enhanced !== null) cls = Number(enhanced[0]);
  else return result('unknown');
  const detail = enhanced !== null && Number(enhanced[0]) === cls ? enhanced.slice(2) : null;

  if (cls === 2) return result('accepted');
  if (cls !== 4 && cls !== 5) return result('unknown');

  // 2. Every message would fail the same way.
  if (replyCode === 530) return result('fatal');
  if (cls === 5 && (AUTH_REQUIRED.test(matched) || SEND_AS_DENIED.test(matched))) {
    return result('fatal');
  }
  if (!EXCHANGE_SUBMISSION_QUOTA.test(matched) && SENDER_MAILBOX_FULL.test(matched)) {
    return result('fatal');
  }

  // 3. A recipient's full mailbox.
  if (detail === '2.2' || MAILBOX_FULL.test(matched)) {
    if (EXCHANGE_SUBMISSION_QUOTA.test(matched)) return result('quota');
    return result(cls === 4 ? 'transient' : 'permanent');
  }

  // 4. Our sending quota.
  if (detail === '4.5' && cls === 5) return result('quota');
  if (EXCHANGE_SUBMISSION_QUOTA.test(matched) || QUOTA.test(matched)) return result('quota');

  // 5. Permanent refusals.
  if (cls === 5) return result(phase === 'mail' || phase === 'connect' ? 'fatal' : 'permanent');

  // 6. Transient refusals.
  if (RECIPIENT_RATE.test(matched) || GREYLIST.test(matched)) {
    return result(replyCode === 421 ? 'connection' : 'transient');
  }
  const policy = detail !== null && detail.startsWith('7.');
  if (policy && !(detail === '7.0' && NOT_ABOUT_PACE.test(matched))) return result('throttle');
  if (THROTTLE.test(matched)) return result('throttle');
  if (replyCode === 421 || phase === 'connect') return result('connection');
  return result('transient');
}

/**
 * Classifies what a TransportSession's send() or openSession() threw (an SmtpInviteError from
 * src/transport/smtp-errors.ts). Never returns 'accepted': something was thrown.
 *
 * The connection dropped or timed out without a reply: nodemailer reports every socket-level
 * failure (reset, close, socket timeout) with command "CONN" whatever the stage of the
 * transaction (node_modules/nodemailer/dist/esm/smtp-connection/index.js: _onSocketError,
 * _onClose, _onTimeout all pass 'CONN'), and toSmtpInviteError drops "CONN" and "API", so the
 * command alone rarely proves the drop came before DATA. It is 'connection' only with proof:
 * a command before DATA (MAIL FROM, RCPT TO, EHLO, STARTTLS, AUTH …, RSET), or a cause that
 * means no session existed (ECONNREFUSED, unreachable, a connect / greeting / TLS-upgrade
 * timeout, a connection already closed when send was called). Otherwise the message may have
 * been delivered (RFC 5321 §4.2.5 leaves a sender without the final reply in doubt): 'unknown'.
 */
export function classifyError(err: unknown): ClassifiedOutcome {
  if (!(err instanceof SmtpInviteError)) {
    return { kind: 'unknown', code: null, enhanced: null, text: describeUnknown(err) };
  }
  const code = err.responseCode ?? null;
  const reply = err.response ?? '';
  const own = (kind: OutcomeKind): ClassifiedOutcome => ({
    kind,
    code,
    enhanced: parseEnhancedCode(reply),
    text: oneLine(reply === '' ? err.message : reply, MAX_TEXT),
  });
  const fromReply = (phase: SmtpPhase): ClassifiedOutcome => {
    const outcome = classifyReply(code, reply, phase);
    // An error with a positive (or no usable) reply code: the server's answer did not settle it.
    if (outcome.kind === 'accepted') return { ...outcome, kind: 'unknown' };
    return outcome.text === '' ? { ...outcome, text: oneLine(err.message, MAX_TEXT) } : outcome;
  };
  const command = err.command?.trim().toUpperCase();

  switch (err.code) {
    // A login refused for good stops the batch; a transient one (454 4.7.0, an OAuth2 token
    // endpoint that is down or answers 5xx) is a connection that could not be set up: reconnect
    // with backoff, and stop after the usual run of such failures.
    case 'ERR_SMTP_AUTH':
      return own(err.isTransient ? 'connection' : 'fatal');
    case 'ERR_SMTP_TLS':
    case 'ERR_SMTP_CONFIG':
    case 'ERR_CONFIG':
    case 'ERR_INTERNAL':
      return own('fatal');

    case 'ERR_SMTP_DNS':
      return own(err.isTransient ? 'connection' : 'fatal');

    case 'ERR_SMTP_CONNECTION':
    case 'ERR_SMTP_TIMEOUT': {
      const cause = causeFacts(err.cause);
      // The Node.js permission model refused network access: every connection would be refused.
      if (cause.code === 'ERR_ACCESS_DENIED') return own('fatal');
      if (code !== null) {
        // A reply ended the session (421 at any step, or a refused greeting): nothing was taken.
        const outcome = fromReply('connect');
        return outcome.kind === 'unknown' ? own('unknown') : outcome;
      }
      if (neverConnected(cause)) return own('connection');
      if (command !== undefined && isBeforeData(command)) return own('connection');
      return own('unknown');
    }

    case 'ERR_SMTP_REJECTED': {
      if (command === 'MAIL FROM') return code === null ? own('permanent') : fromReply('mail');
      if (command !== undefined && command.startsWith('DATA')) {
        return code === null ? own('permanent') : fromReply('data');
      }
      const first = err.rejected[0];
      if (first !== undefined) {
        // Every recipient was refused at RCPT TO: the first one's reply stands for the message
        // (the batch engine classifies each entry itself too).
        const outcome = classifyReply(first.code, first.response, 'rcpt');
        if (outcome.kind === 'accepted') return { ...outcome, kind: 'unknown' };
        return outcome.text === '' ? { ...outcome, text: oneLine(err.message, MAX_TEXT) } : outcome;
      }
      if (command === 'RCPT TO') return code === null ? own('permanent') : fromReply('rcpt');
      // Refused before anything was sent (a message above the server's SIZE) or without a command.
      return code === null ? own('permanent') : fromReply('data');
    }

    case 'ERR_SMTP_PROTOCOL':
      return code === null ? own('unknown') : fromReply(phaseOf(command));

    case 'ERR_INVALID_INPUT':
    case 'ERR_USAGE':
    case 'ERR_FILE_READ':
    case 'ERR_FILE_WRITE':
    case 'ERR_IMAP':
    case 'ERR_LEDGER_IO':
    case 'ERR_LEDGER_CONFLICT':
    case 'ERR_UNKNOWN_EVENT':
    case 'ERR_UNKNOWN_BATCH':
      // Not a delivery failure: something of ours that the next message would meet as well (an
      // outbox that cannot be written, a ledger that cannot be updated).
      return own('fatal');
  }
}

const BEFORE_DATA = ['MAIL FROM', 'RCPT TO', 'EHLO', 'HELO', 'LHLO', 'STARTTLS', 'AUTH', 'RSET'];

function isBeforeData(command: string): boolean {
  return BEFORE_DATA.some((c) => command === c || command.startsWith(`${c} `));
}

function phaseOf(command: string | undefined): SmtpPhase {
  if (command === 'MAIL FROM') return 'mail';
  if (command === 'RCPT TO') return 'rcpt';
  if (command !== undefined && isBeforeData(command)) return 'connect';
  // DATA, or nothing known: the message's own step (a 5xx fails this message, not the batch).
  return 'data';
}

interface CauseFacts {
  readonly code: string | undefined;
  readonly originalCode: string | undefined;
  readonly command: string | undefined;
  readonly timeoutType: string | undefined;
}

/** The nodemailer error kept as `cause` (or its redacted copy), read defensively. */
function causeFacts(cause: unknown): CauseFacts {
  const record: Record<string, unknown> =
    typeof cause === 'object' && cause !== null ? (cause as Record<string, unknown>) : {};
  const str = (key: string): string | undefined => {
    try {
      const value = record[key];
      return typeof value === 'string' ? value : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    code: str('code'),
    originalCode: str('originalCode'),
    command: str('command'),
    timeoutType: str('timeoutType'),
  };
}

const NO_SESSION_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const NO_SESSION_TIMEOUTS = new Set(['CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT']);

function neverConnected(cause: CauseFacts): boolean {
  return (
    (cause.originalCode !== undefined && NO_SESSION_CODES.has(cause.originalCode)) ||
    (cause.timeoutType !== undefined && NO_SESSION_TIMEOUTS.has(cause.timeoutType)) ||
    // nodemailer's "Cannot send - smtp connection is already destroyed": refused before writing.
    cause.command === 'API'
  );
}

function describeUnknown(err: unknown): string {
  try {
    const message = err instanceof Error ? err.message : String(err);
    return oneLine(message, MAX_TEXT);
  } catch {
    return 'unknown failure';
  }
}

/**
 * A reply made fit for one line: continuation lines joined without their repeated reply code
 * (and repeated enhanced code), control characters (a hostile server could send terminal escapes)
 * and runs of white space collapsed, cut at `max` characters.
 */
function oneLine(text: string, max: number): string {
  const lines = text.slice(0, max * 4).split(/\r?\n|\r/);
  const parts: string[] = [];
  lines.forEach((line, i) => {
    if (i === 0) parts.push(line.replace(/^(\d{3})-/, '$1 '));
    else parts.push(line.replace(/^\d{3}[ -](?:#?[245]\.\d{1,3}\.\d{1,3}(?:\s|$))?/, ''));
  });
  const joined = parts
    .join(' ')
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return joined.length > max ? `${joined.slice(0, max)}…` : joined;
}
