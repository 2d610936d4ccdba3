/**
 * SMTP outcome classification: real replies from Exchange Online, Gmail / Google Workspace (incl.
 * the relay), Amazon SES, Postfix and Exim, the list of issue 5 §3, edge cases of the reply format,
 * SmtpInviteError shapes as src/transport/smtp-errors.ts builds them, and properties over arbitrary
 * input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { OutcomeKind } from '../../src/batch/batch-types.ts';
import { OUTCOME_KINDS } from '../../src/batch/batch-types.ts';
import type { SmtpPhase } from '../../src/batch/classify-smtp-outcome.ts';
import {
  classifyError,
  classifyReply,
  parseEnhancedCode,
} from '../../src/batch/classify-smtp-outcome.ts';
import { SmtpInviteError } from '../../src/errors.ts';
import { toSmtpInviteError } from '../../src/transport/smtp-errors.ts';

type Case = readonly [
  source: string,
  code: number,
  text: string,
  phase: SmtpPhase,
  kind: OutcomeKind,
];

const REAL_WORLD: readonly Case[] = [
  // Exchange Online (SMTP AUTH submission and its NDR reference).
  [
    'exchange',
    432,
    '432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded [Hostname=AM0PR01MB1234.eurprd01.prod.exchangelabs.com]',
    'data',
    'throttle',
  ],
  [
    'exchange',
    432,
    '432 4.3.2 Concurrent connections limit exceeded. Visit https://aka.ms/concurrent_sending for more information. [Hostname=DM6PR01MB1234]',
    'mail',
    'throttle',
  ],
  [
    'exchange',
    554,
    '554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception with message [BeginDiagnosticData]Cannot submit message.',
    'data',
    'quota',
  ],
  [
    'exchange',
    554,
    '554 5.2.2 mailbox full; STOREDRV.Submission.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded',
    'data',
    'fatal',
  ],
  [
    'exchange',
    554,
    '554 5.2.252 SendAsDenied; alice@contoso.com not allowed to send as bob@contoso.com; STOREDRV.Submit.Exception:SendAsDeniedException.MapiExceptionSendAsDenied',
    'data',
    'fatal',
  ],
  [
    'exchange',
    530,
    '530 5.7.57 Client not authenticated to send mail. Error: 535 5.7.139 Authentication unsuccessful',
    'mail',
    'fatal',
  ],
  [
    'exchange',
    451,
    '451 4.7.500 Server busy. Please try again later from [203.0.113.5]. (S77719) [Name=Protocol Filter Agent]',
    'rcpt',
    'throttle',
  ],
  [
    'exchange',
    451,
    '451 4.7.650 The mail server [203.0.113.5] has been temporarily rate limited due to IP reputation. (S775)',
    'rcpt',
    'throttle',
  ],
  [
    'exchange',
    432,
    '432 4.3.2 STOREDRV.Deliver; recipient thread limit exceeded',
    'rcpt',
    'transient',
  ],
  [
    'exchange',
    550,
    '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup',
    'rcpt',
    'permanent',
  ],
  [
    'exchange',
    550,
    "550 5.7.233 Your message can't be sent because your tenant has exceeded its daily limit for sending email to external recipients (tenant external recipient rate limit).",
    'rcpt',
    'quota',
  ],
  [
    'exchange',
    550,
    "550 5.1.90 Your message can't be sent because you've reached your daily limit for message recipients.",
    'rcpt',
    'quota',
  ],
  [
    'exchange on-premises',
    421,
    '421 4.4.2 Message submission rate for this client has exceeded the configured limit',
    'mail',
    'throttle',
  ],
  // Gmail / Google Workspace (https://support.google.com/a/answer/3726730).
  [
    'gmail',
    421,
    '421-4.7.28 [203.0.113.5      15] Our system has detected an unusual rate of\r\n421-4.7.28 unsolicited mail originating from your IP address. To protect our\r\n421 4.7.28 users from spam, mail sent from your IP address has been temporarily rate limited. - gsmtp',
    'data',
    'throttle',
  ],
  [
    'gmail',
    421,
    '421 4.7.0 Try again later, closing connection. (EHLO) - gsmtp',
    'connect',
    'throttle',
  ],
  [
    'gmail',
    421,
    '421 4.7.0 [203.0.113.5] Our system has detected an unusual rate of unsolicited mail originating from your IP address. - gsmtp',
    'connect',
    'throttle',
  ],
  [
    'gmail',
    421,
    '421 4.7.0 TLS required for RCPT domain, closing connection. - gsmtp',
    'rcpt',
    'connection',
  ],
  [
    'gmail',
    421,
    '421 4.7.0 IP not in whitelist for RCPT domain, closing connection. - gsmtp',
    'rcpt',
    'connection',
  ],
  [
    'gmail',
    421,
    '421 4.3.0 Temporary System Problem. Try again later (10). - gsmtp',
    'data',
    'connection',
  ],
  ['gmail', 421, '421 4.4.5 Server busy, try again later. - gsmtp', 'mail', 'connection'],
  [
    'gmail',
    450,
    '450-4.2.1 The user you are trying to contact is receiving mail at a rate that\r\n450-4.2.1 prevents additional messages from being delivered. Please resend your\r\n450-4.2.1 message at a later time.\r\n450 4.2.1  https://support.google.com/mail/?p=ReceivingRate - gsmtp',
    'rcpt',
    'transient',
  ],
  [
    'gmail',
    450,
    '450 4.2.1 The user you are trying to contact is receiving mail too quickly. Please resend your message at a later time. - gsmtp',
    'rcpt',
    'transient',
  ],
  [
    'gmail',
    452,
    '452-4.2.2 The email account that you tried to reach is over quota. Please direct\r\n452 4.2.2 the recipient to https://support.google.com/mail/?p=OverQuotaTemp - gsmtp',
    'rcpt',
    'transient',
  ],
  [
    'gmail',
    552,
    '552-5.2.2 The email account that you tried to reach is over quota and inactive. - gsmtp',
    'rcpt',
    'permanent',
  ],
  [
    'gmail',
    550,
    '550-5.4.5 Daily user sending limit exceeded. For more information on Gmail\r\n550-5.4.5 sending limits go to\r\n550 5.4.5  https://support.google.com/a/answer/166852 - gsmtp',
    'mail',
    'quota',
  ],
  ['gmail', 550, '550 5.4.5 Daily user sending quota exceeded. - gsmtp', 'data', 'quota'],
  [
    'gmail',
    550,
    "550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n550 5.1.1 double-checking the recipient's email address - gsmtp",
    'rcpt',
    'permanent',
  ],
  [
    'gmail',
    552,
    '552-5.7.0 This message was blocked because its content presents a potential\r\n552 5.7.0 security issue. - gsmtp',
    'data',
    'permanent',
  ],
  [
    'gmail',
    452,
    "452 4.5.3 Your message has too many recipients. For more information regarding Google's sending limits, visit https://support.google.com/mail/?p=TooManyRecipientsError - gsmtp",
    'rcpt',
    'transient',
  ],
  [
    'gmail',
    530,
    '530-5.7.0 Authentication Required. Learn more at\r\n530 5.7.0  https://support.google.com/mail/?p=WantAuthError - gsmtp',
    'mail',
    'fatal',
  ],
  [
    'gmail',
    550,
    '550-5.7.26 This mail has been blocked because the sender is unauthenticated. - gsmtp',
    'data',
    'permanent',
  ],
  // Google Workspace SMTP relay.
  [
    'google relay',
    450,
    '450 4.2.1 Peak SMTP relay limit exceeded for customer. This is a temporary error. - gsmtp',
    'mail',
    'throttle',
  ],
  [
    'google relay',
    550,
    '550 5.4.5 Daily SMTP relay limit exceeded for user. - gsmtp',
    'mail',
    'quota',
  ],
  [
    'google relay',
    550,
    '550 5.7.1 Daily SMTP relay limit exceeded for customer. - gsmtp',
    'rcpt',
    'quota',
  ],
  [
    'google relay',
    550,
    '550 5.7.0 Mail relay denied [203.0.113.5]. Invalid credentials for relay for one of the domains in: example.com - gsmtp',
    'mail',
    'fatal',
  ],
  // Amazon SES (https://docs.aws.amazon.com/ses/latest/dg/manage-sending-quotas-errors.html).
  ['ses', 454, '454 Throttling failure: Maximum sending rate exceeded.', 'data', 'throttle'],
  ['ses', 454, '454 Throttling failure: Daily message quota exceeded.', 'data', 'quota'],
  [
    'ses',
    554,
    '554 Message rejected: Email address is not verified. The following identities failed the check in region US-EAST-1: bob@example.org',
    'data',
    'permanent',
  ],
  ['ses', 530, '530 Authentication required', 'mail', 'fatal'],
  ['ses', 250, '250 Ok 0100018c-1234-5678-9abc-def012345678-000000', 'data', 'accepted'],
  // Postfix.
  ['postfix', 450, '450 4.7.1 Error: too much mail from 203.0.113.5', 'mail', 'throttle'],
  [
    'postfix',
    421,
    '421 4.7.0 mail.example.com Error: too many connections from 203.0.113.5',
    'connect',
    'throttle',
  ],
  ['postfix', 450, '450 4.7.1 Error: too many recipients from 203.0.113.5', 'rcpt', 'throttle'],
  [
    'postfix',
    450,
    '450 4.2.0 <bob@example.org>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.org.html',
    'rcpt',
    'transient',
  ],
  [
    'postfix',
    450,
    '450 4.1.1 <bob@example.org>: Recipient address rejected: unverified address: host mx.example.org said: 450 try later',
    'rcpt',
    'transient',
  ],
  ['postfix', 451, '451 4.3.0 Error: queue file write error', 'data', 'transient'],
  ['postfix', 452, '452 4.3.1 Insufficient system storage', 'mail', 'transient'],
  ['postfix', 452, '452 4.5.3 Error: too many recipients', 'rcpt', 'transient'],
  [
    'postfix',
    550,
    '550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown in virtual mailbox table',
    'rcpt',
    'permanent',
  ],
  ['postfix', 554, '554 5.7.1 <bob@example.org>: Relay access denied', 'rcpt', 'permanent'],
  ['postfix', 552, '552 5.3.4 Message size exceeds fixed limit', 'data', 'permanent'],
  [
    'postfix',
    553,
    '553 5.7.1 <alice@example.com>: Sender address rejected: not owned by user alice',
    'mail',
    'fatal',
  ],
  [
    'postfix',
    554,
    '554 5.7.1 Service unavailable; Client host [203.0.113.5] blocked using zen.spamhaus.org',
    'connect',
    'fatal',
  ],
  ['postfix', 421, '421 4.3.2 Service shutting down', 'data', 'connection'],
  ['postfix', 421, '421 4.4.2 mail.example.com Error: timeout exceeded', 'rcpt', 'connection'],
  ['postfix', 250, '250 2.0.0 Ok: queued as 4Bx1yZ2kQ9z5', 'data', 'accepted'],
  // Exim.
  ['exim', 451, '451 Temporary local problem - please try later', 'data', 'transient'],
  ['exim', 451, '451 4.7.1 Greylisted, please try again in 5 minutes', 'rcpt', 'transient'],
  ['exim', 421, '421 mail.example.org lost input connection', 'data', 'connection'],
  [
    'exim',
    421,
    '421 Too many concurrent SMTP connections from this IP address; please try again later.',
    'connect',
    'throttle',
  ],
  ['exim', 451, '451 Sender rate 52.3 / 1h exceeds the limit', 'mail', 'throttle'],
  ['exim', 550, '550 Unrouteable address', 'rcpt', 'permanent'],
  ['exim', 550, '550 Administrative prohibition', 'rcpt', 'permanent'],
  ['exim', 550, '550 Authentication required', 'rcpt', 'fatal'],
  ['exim', 452, '452 Too many recipients', 'rcpt', 'transient'],
  // Yahoo (a recipient domain behind a relay).
  [
    'yahoo',
    421,
    '421 4.7.0 [TSS04] Messages from 203.0.113.5 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes',
    'rcpt',
    'throttle',
  ],
  // The test server of this project (test/support/smtp-test-server.ts rateLimit default).
  ['smtp-test-server', 451, '451 4.7.0 rate limit exceeded, try again later', 'mail', 'throttle'],
];

// Issue 5 §3, in its words.
const ISSUE_LIST: readonly Case[] = [
  ['issue: transient 421', 421, '421 Service not available', 'rcpt', 'connection'],
  [
    'issue: transient 450',
    450,
    '450 Requested mail action not taken: mailbox unavailable',
    'rcpt',
    'transient',
  ],
  [
    'issue: transient 451',
    451,
    '451 Requested action aborted: local error in processing',
    'data',
    'transient',
  ],
  [
    'issue: transient 452',
    452,
    '452 Requested action not taken: insufficient system storage',
    'rcpt',
    'transient',
  ],
  ['issue: transient 4.x.x', 451, '451 4.4.1 No answer from host', 'data', 'transient'],
  ['issue: throttle 421 4.7.x', 421, '421 4.7.0 Too many messages, slow down', 'data', 'throttle'],
  ['issue: throttle "rate"', 450, '450 Sending rate exceeded', 'rcpt', 'throttle'],
  ['issue: quota "quota"', 452, '452 Outbound quota exceeded for this account', 'rcpt', 'quota'],
  [
    'issue: quota 5.4.5 daily limit',
    550,
    '550 5.4.5 Daily sending quota exceeded',
    'rcpt',
    'quota',
  ],
  [
    'issue: quota 554 5.2.0 SubmissionQuotaExceeded',
    554,
    '554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException',
    'data',
    'quota',
  ],
  ['issue: permanent 5.1.x unknown user', 550, '550 5.1.1 User unknown', 'rcpt', 'permanent'],
  [
    'issue: permanent 5.7.1 denied',
    550,
    '550 5.7.1 Message rejected: access denied',
    'rcpt',
    'permanent',
  ],
];

describe('classifyReply', () => {
  it.each([...REAL_WORLD, ...ISSUE_LIST])('%s: %i %s (%s) → %s', (_s, code, text, phase, kind) => {
    const outcome = classifyReply(code, text, phase);
    expect(outcome.kind).toBe(kind);
    expect(outcome.code).toBe(code);
    expect(outcome.text).not.toMatch(/[\r\n\u0000-\u001f]/);
  });

  it('reports the reply as one line: continuation codes dropped, control characters removed', () => {
    const outcome = classifyReply(
      421,
      '421-4.7.28 first line\r\n421-4.7.28 second \u001b[31mline\r\n421 4.7.28 third line',
      'data',
    );
    expect(outcome).toEqual({
      kind: 'throttle',
      code: 421,
      enhanced: '4.7.28',
      text: '421 4.7.28 first line second [31mline third line',
    });
  });

  it('cuts the reported text at about 300 characters but still matches words further on', () => {
    const long = `451 ${'x '.repeat(500)}rate limit exceeded`;
    const outcome = classifyReply(451, long, 'data');
    expect(outcome.kind).toBe('throttle');
    expect(outcome.text.length).toBeLessThanOrEqual(301);
    expect(outcome.text.endsWith('…')).toBe(true);
  });

  it('is not fooled by look-alike words', () => {
    // "separate", "generated", "moderate" contain "rate"; a bare "try again later" is no throttle.
    expect(classifyReply(451, '451 4.3.0 separate moderate generated issue', 'data').kind).toBe(
      'transient',
    );
    expect(classifyReply(451, '451 Please try again later', 'data').kind).toBe('transient');
    expect(classifyReply(450, '450 4.5.3 Too many recipients in this message', 'rcpt').kind).toBe(
      'transient',
    );
  });

  it('uses the reply code class when the enhanced code disagrees with it', () => {
    // RFC 3463 §2: the classes must match; the reply code is authoritative.
    expect(classifyReply(450, '450 5.4.5 odd server', 'rcpt').kind).toBe('transient');
    expect(classifyReply(550, '550 4.7.1 odd server', 'rcpt').kind).toBe('permanent');
  });

  it('phase: 5xx at MAIL FROM and at greeting is fatal, elsewhere permanent', () => {
    const text = '550 5.7.1 Not allowed';
    expect(classifyReply(550, text, 'connect').kind).toBe('fatal');
    expect(classifyReply(550, text, 'mail').kind).toBe('fatal');
    expect(classifyReply(550, text, 'rcpt').kind).toBe('permanent');
    expect(classifyReply(550, text, 'data').kind).toBe('permanent');
    expect(classifyReply(554, '554 No SMTP service here', 'connect').kind).toBe('fatal');
  });

  it('phase: 4xx at greeting is a connection failure, a 4xx at MAIL FROM only transient', () => {
    expect(classifyReply(450, '450 not now', 'connect').kind).toBe('connection');
    expect(classifyReply(451, '451 4.3.0 try later', 'mail').kind).toBe('transient');
    expect(classifyReply(421, '421 4.3.2 Service shutting down', 'connect').kind).toBe(
      'connection',
    );
    expect(classifyReply(421, '421 4.7.0 too many connections', 'connect').kind).toBe('throttle');
  });

  it('no usable reply code: the enhanced code decides, or the outcome is unknown', () => {
    expect(classifyReply(null, '4.7.0 rate limited', 'data').kind).toBe('throttle');
    expect(classifyReply(null, '5.1.1 no such user', 'rcpt').kind).toBe('permanent');
    expect(classifyReply(null, '', 'data')).toEqual({
      kind: 'unknown',
      code: null,
      enhanced: null,
      text: '',
    });
    expect(classifyReply(354, '354 End data with <CR><LF>.<CR><LF>', 'data').kind).toBe('unknown');
    expect(classifyReply(99, 'weird', 'data')).toMatchObject({ kind: 'unknown', code: null });
    expect(classifyReply(Number.NaN, '', 'data').kind).toBe('unknown');
  });

  it('2xx is accepted whatever the text says', () => {
    expect(classifyReply(250, '250 2.0.0 Ok, but your quota is nearly exceeded', 'data').kind).toBe(
      'accepted',
    );
  });
});

describe('parseEnhancedCode', () => {
  it.each([
    ['550 5.1.1 User unknown', '5.1.1'],
    ['550-5.1.1 The email account', '5.1.1'],
    ['421 4.7.28 [1.2.3.4] rate limited', '4.7.28'],
    ['451 4.7.500 Server busy', '4.7.500'],
    ['4.2.2 over quota', '4.2.2'],
    ['  250 2.0.0 Ok', '2.0.0'],
    ['550 #5.1.0 Address rejected', '5.1.0'],
    ['550 5.7.1.', '5.7.1'],
    ['554 5.02.000 zero padded', '5.2.0'],
  ])('%s → %s', (text, code) => {
    expect(parseEnhancedCode(text)).toBe(code);
  });

  it.each([
    '550 User unknown',
    '550',
    '',
    '550 3.1.1 class 3 does not exist',
    '550 5.1 short',
    '550 5.1.1234 too long',
    '550 5.1.1.1 four parts',
    'User 5.1.1 later in the text',
    '454 Throttling failure: Maximum sending rate exceeded.',
  ])('%s → null', (text) => {
    expect(parseEnhancedCode(text)).toBeNull();
  });
});

function nodemailerError(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields);
}
const context = { host: 'mail.example.com', port: 587 };
const mapped = (message: string, fields: Record<string, unknown>): SmtpInviteError =>
  toSmtpInviteError(nodemailerError(message, fields), context);

describe('classifyError', () => {
  it('anything that is not an SmtpInviteError is unknown', () => {
    expect(classifyError(new Error('boom\nsecond line'))).toEqual({
      kind: 'unknown',
      code: null,
      enhanced: null,
      text: 'boom second line',
    });
    expect(classifyError('a string').kind).toBe('unknown');
    expect(classifyError(undefined).kind).toBe('unknown');
    const hostile = {
      toString(): string {
        throw new Error('no');
      },
    };
    expect(classifyError(hostile).kind).toBe('unknown');
  });

  it.each([
    ['ERR_SMTP_AUTH', 'fatal'],
    ['ERR_SMTP_TLS', 'fatal'],
    ['ERR_SMTP_CONFIG', 'fatal'],
    ['ERR_INTERNAL', 'fatal'],
    ['ERR_FILE_WRITE', 'fatal'],
    ['ERR_LEDGER_IO', 'fatal'],
  ] as const)('%s → %s', (code, kind) => {
    expect(classifyError(new SmtpInviteError(code, 'x')).kind).toBe(kind);
  });

  it('auth: a transient failure (token endpoint down, 454) reconnects; a refusal stops', () => {
    const down = new SmtpInviteError('ERR_SMTP_AUTH', 'token endpoint unreachable', {
      isTransient: true,
    });
    expect(classifyError(down).kind).toBe('connection');
    const refused = new SmtpInviteError('ERR_SMTP_AUTH', '535 5.7.8', { isTransient: false });
    expect(classifyError(refused).kind).toBe('fatal');
  });

  it('DNS: a temporary failure is a connection failure, an unknown host fatal', () => {
    const temporary = mapped('getaddrinfo EAI_AGAIN', { code: 'EDNS', originalCode: 'EAI_AGAIN' });
    const unknownHost = mapped('getaddrinfo ENOTFOUND', {
      code: 'EDNS',
      originalCode: 'ENOTFOUND',
    });
    expect(classifyError(temporary).kind).toBe('connection');
    expect(classifyError(unknownHost).kind).toBe('fatal');
  });

  it('authentication failures are fatal, with the server words', () => {
    const err = mapped('Invalid login: 535 5.7.8 Username and Password not accepted', {
      code: 'EAUTH',
      response: '535-5.7.8 Username and Password not accepted.\r\n535 5.7.8 Learn more - gsmtp',
      responseCode: 535,
      command: 'AUTH PLAIN',
    });
    expect(classifyError(err)).toEqual({
      kind: 'fatal',
      code: 535,
      enhanced: '5.7.8',
      text: '535 5.7.8 Username and Password not accepted. Learn more - gsmtp',
    });
  });

  it('a 421 that ended the session: connection, or throttle with 4.7.x', () => {
    const plain = mapped('Connection closed unexpectedly: 421 4.3.2 Service shutting down', {
      code: 'ECONNECTION',
      response: '421 4.3.2 Service shutting down',
      responseCode: 421,
      command: 'CONN',
    });
    const rate = mapped('Server closed the connection', {
      code: 'ECONNECTION',
      response: '421 4.7.0 Too many messages, slow down',
      responseCode: 421,
      command: 'CONN',
    });
    expect(classifyError(plain)).toMatchObject({ kind: 'connection', code: 421 });
    expect(classifyError(rate)).toMatchObject({ kind: 'throttle', code: 421, enhanced: '4.7.0' });
  });

  it('a refused greeting (554) is fatal', () => {
    const err = mapped('Invalid greeting', {
      code: 'EPROTOCOL',
      response: '554 5.7.1 No SMTP service for you',
      responseCode: 554,
      command: 'CONN',
    });
    expect(err.code).toBe('ERR_SMTP_CONNECTION');
    expect(classifyError(err).kind).toBe('fatal');
  });

  it('a drop or timeout without reply is unknown: nodemailer says CONN at every stage', () => {
    const reset = mapped('read ECONNRESET', {
      code: 'ESOCKET',
      originalCode: 'ECONNRESET',
      command: 'CONN',
    });
    const closed = mapped('Connection closed unexpectedly', {
      code: 'ECONNECTION',
      command: 'CONN',
    });
    const silent = mapped('Timeout', {
      code: 'ETIMEDOUT',
      timeoutType: 'SOCKET_TIMEOUT',
      command: 'CONN',
    });
    for (const err of [reset, closed, silent]) {
      expect(err.command).toBeUndefined();
      expect(classifyError(err)).toMatchObject({ kind: 'unknown', code: null });
    }
    const afterData = new SmtpInviteError('ERR_SMTP_CONNECTION', 'closed', { command: 'DATA' });
    expect(classifyError(afterData).kind).toBe('unknown');
  });

  it('a failure that proves no session existed, or a command before DATA, is a connection failure', () => {
    const refused = mapped('connect ECONNREFUSED 127.0.0.1:587', {
      code: 'ESOCKET',
      originalCode: 'ECONNREFUSED',
      command: 'CONN',
    });
    const unreachable = mapped('connect ENETUNREACH', {
      code: 'ESOCKET',
      originalCode: 'ENETUNREACH',
      command: 'CONN',
    });
    const greeting = mapped('Greeting never received', {
      code: 'ETIMEDOUT',
      timeoutType: 'GREETING_TIMEOUT',
      command: 'CONN',
    });
    const connect = mapped('Connection timeout', {
      code: 'ETIMEDOUT',
      timeoutType: 'CONNECT_TIMEOUT',
      command: 'CONN',
    });
    const destroyed = mapped('Cannot send - smtp connection is already destroyed.', {
      code: 'ECONNECTION',
      command: 'API',
    });
    for (const err of [refused, unreachable, greeting, connect, destroyed]) {
      expect(classifyError(err).kind).toBe('connection');
    }
    for (const command of ['MAIL FROM', 'RCPT TO', 'EHLO', 'STARTTLS', 'AUTH PLAIN', 'RSET']) {
      const err = new SmtpInviteError('ERR_SMTP_TIMEOUT', 'timed out', { command });
      expect(classifyError(err).kind).toBe('connection');
    }
  });

  it('network access denied by the Node.js permission model is fatal', () => {
    const err = mapped('Access to this API has been restricted', {
      code: 'ERR_ACCESS_DENIED',
      command: 'CONN',
    });
    expect(err.code).toBe('ERR_SMTP_CONNECTION');
    expect(classifyError(err).kind).toBe('fatal');
  });

  it('the sender refused at MAIL FROM: fatal for 5xx, transient or throttle for 4xx', () => {
    const refused = mapped('Mail command failed: 553 5.7.1 Sender address rejected', {
      code: 'EENVELOPE',
      response: '553 5.7.1 Sender address rejected: not owned by user',
      responseCode: 553,
      command: 'MAIL FROM',
    });
    const busy = mapped('Mail command failed', {
      code: 'EENVELOPE',
      response: '451 4.3.0 Temporary failure',
      responseCode: 451,
      command: 'MAIL FROM',
    });
    const throttled = mapped('Mail command failed', {
      code: 'EENVELOPE',
      response: '450 4.7.1 Error: too much mail from 203.0.113.5',
      responseCode: 450,
      command: 'MAIL FROM',
    });
    const closing = mapped('Mail command failed', {
      code: 'EENVELOPE',
      response: '421 4.3.2 Service shutting down',
      responseCode: 421,
      command: 'MAIL FROM',
    });
    expect(refused.code).toBe('ERR_SMTP_REJECTED');
    expect(classifyError(refused)).toMatchObject({ kind: 'fatal', code: 553, enhanced: '5.7.1' });
    expect(classifyError(busy).kind).toBe('transient');
    expect(classifyError(throttled).kind).toBe('throttle');
    expect(classifyError(closing).kind).toBe('connection');
  });

  it('530 at MAIL FROM (authentication required) is fatal', () => {
    const err = mapped('Mail command failed', {
      code: 'EENVELOPE',
      response: '530 5.7.0 Authentication required',
      responseCode: 530,
      command: 'MAIL FROM',
    });
    expect(err.code).toBe('ERR_SMTP_AUTH');
    expect(classifyError(err).kind).toBe('fatal');
  });

  it('a message too large for the SIZE the server announced is permanent', () => {
    const err = mapped('Message size larger than allowed 1000', {
      code: 'EMESSAGE',
      command: 'MAIL FROM',
    });
    expect(err.code).toBe('ERR_SMTP_REJECTED');
    expect(classifyError(err)).toMatchObject({ kind: 'permanent', code: null });
  });

  it('DATA refused: by the reply (permanent, quota, throttle, transient)', () => {
    const cases: [string, number, OutcomeKind][] = [
      ['554 5.7.1 Message rejected as spam', 554, 'permanent'],
      ['554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException', 554, 'quota'],
      ['451 4.7.500 Server busy', 451, 'throttle'],
      ['451 4.3.0 Error: queue file write error', 451, 'transient'],
    ];
    for (const [response, responseCode, kind] of cases) {
      const err = mapped('Message failed', {
        code: 'EMESSAGE',
        response,
        responseCode,
        command: 'DATA',
      });
      expect(classifyError(err)).toMatchObject({ kind, code: responseCode });
    }
  });

  it('every recipient refused: the first entry decides, at the RCPT phase', () => {
    const rcptError = (recipient: string, response: string): Error =>
      nodemailerError('Recipient command failed', {
        code: 'EENVELOPE',
        response,
        responseCode: Number(response.slice(0, 3)),
        command: 'RCPT TO',
        recipient,
      });
    const err = mapped("Can't send mail - all recipients were rejected", {
      code: 'EENVELOPE',
      response: '452 4.2.2 Mailbox full',
      responseCode: 452,
      command: 'RCPT TO',
      rejected: ['a@example.org', 'b@example.org'],
      rejectedErrors: [
        rcptError('a@example.org', '550 5.1.1 User unknown'),
        rcptError('b@example.org', '452 4.2.2 Mailbox full'),
      ],
    });
    expect(err.rejected).toHaveLength(2);
    expect(classifyError(err)).toMatchObject({
      kind: 'permanent',
      code: 550,
      enhanced: '5.1.1',
      text: '550 5.1.1 User unknown',
    });
    const noReply = new SmtpInviteError('ERR_SMTP_REJECTED', 'every recipient was refused', {
      command: 'RCPT TO',
      rejected: [{ email: 'a@example.org', code: null, response: '' }],
    });
    expect(classifyError(noReply)).toMatchObject({
      kind: 'unknown',
      text: 'every recipient was refused',
    });
  });

  it('protocol errors: by the reply when there is one (never accepted), else unknown', () => {
    expect(classifyError(new SmtpInviteError('ERR_SMTP_PROTOCOL', 'odd')).kind).toBe('unknown');
    const rset = new SmtpInviteError('ERR_SMTP_PROTOCOL', 'could not reset', {
      responseCode: 451,
      response: '451 4.3.0 no',
      command: 'RSET',
    });
    expect(classifyError(rset).kind).toBe('connection');
    const positive = new SmtpInviteError('ERR_SMTP_PROTOCOL', 'unexpected', {
      responseCode: 250,
      response: '250 ok',
    });
    expect(classifyError(positive).kind).toBe('unknown');
    const data = new SmtpInviteError('ERR_SMTP_PROTOCOL', 'unexpected', {
      responseCode: 550,
      response: '550 5.6.0 bad content',
    });
    expect(classifyError(data).kind).toBe('permanent');
  });

  it('never includes the password (smtp-errors masks it; nothing is added back)', () => {
    const secret = 'hunter2-very-secret';
    const err = toSmtpInviteError(
      nodemailerError(`Invalid login: 535 bad ${secret}`, {
        code: 'EAUTH',
        response: `535 5.7.8 bad credentials ${secret}`,
        responseCode: 535,
        command: 'AUTH PLAIN',
      }),
      { ...context, secrets: [secret] },
    );
    expect(JSON.stringify(classifyError(err))).not.toContain(secret);
  });
});

describe('properties', () => {
  const phase = fc.constantFrom<SmtpPhase>('connect', 'mail', 'rcpt', 'data');
  const code = fc.oneof(
    fc.integer({ min: 200, max: 599 }),
    fc.integer(),
    fc.double(),
    fc.constant(null),
  );
  const text = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 400 }),
    fc
      .tuple(
        fc.constantFrom('4', '5', '2'),
        fc.nat(999),
        fc.nat(999),
        fc.constantFrom('rate', 'quota', 'daily limit', 'mailbox full', 'throttl', 'x'),
      )
      .map(([c, s, d, w]) => `${c}.${s}.${d} ${w}`),
  );

  it('any code, text and phase classify without throwing, to a known kind', () => {
    fc.assert(
      fc.property(code, text, phase, (c, t, p) => {
        const outcome = classifyReply(c, t, p);
        expect(OUTCOME_KINDS).toContain(outcome.kind);
        expect(outcome.text.length).toBeLessThanOrEqual(301);
        expect(outcome.text).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
      }),
    );
  });

  it('2xx is always accepted; 5xx is never transient, throttle or connection; 4xx never permanent', () => {
    fc.assert(
      fc.property(fc.integer({ min: 200, max: 599 }), text, phase, (c, t, p) => {
        const kind = classifyReply(c, t, p).kind;
        if (c < 300) expect(kind).toBe('accepted');
        if (c >= 500) expect(['permanent', 'fatal', 'quota']).toContain(kind);
        if (c >= 400 && c < 500) expect(kind).not.toBe('permanent');
      }),
    );
  });

  it('a thrown error is never classified accepted', () => {
    const errCode = fc.constantFrom(
      'ERR_SMTP_CONNECTION',
      'ERR_SMTP_TIMEOUT',
      'ERR_SMTP_REJECTED',
      'ERR_SMTP_PROTOCOL',
      'ERR_SMTP_DNS',
    );
    const command = fc.option(fc.constantFrom('MAIL FROM', 'RCPT TO', 'DATA', 'RSET', 'EHLO'), {
      nil: undefined,
    });
    fc.assert(
      fc.property(
        errCode,
        fc.option(fc.integer({ min: 100, max: 599 }), { nil: undefined }),
        text,
        command,
        (c, responseCode, response, cmd) => {
          const err = new SmtpInviteError(c, 'failure', {
            ...(responseCode === undefined ? {} : { responseCode }),
            response,
            ...(cmd === undefined ? {} : { command: cmd }),
          });
          expect(classifyError(err).kind).not.toBe('accepted');
        },
      ),
    );
  });
});
