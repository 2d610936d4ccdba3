// Mapping of failures that a local server cannot produce on demand (DNS hiccups, 421, missing
// STARTTLS, a server echoing secrets). The objects have the shape nodemailer gives its errors
// (code, originalCode, response, responseCode, command); the real ones are covered against a real
// server in smtp-transport.test.ts.
import { describe, expect, it } from 'vitest';

import { SmtpInviteError } from '../../src/errors.ts';
import {
  formatHostPort,
  toRejectedRecipients,
  toSmtpInviteError,
} from '../../src/transport/smtp-errors.ts';

const context = { host: 'mail.example.com', port: 587 };

function nodemailerError(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields);
}

describe('toSmtpInviteError', () => {
  it('keeps an SmtpInviteError as it is', () => {
    const original = new SmtpInviteError('ERR_SMTP_CONFIG', 'x');
    expect(toSmtpInviteError(original, context)).toBe(original);
  });

  it('maps a temporary DNS failure to a transient ERR_SMTP_DNS', () => {
    const err = toSmtpInviteError(
      nodemailerError('getaddrinfo EAI_AGAIN mail.example.com', {
        code: 'EDNS',
        originalCode: 'EAI_AGAIN',
      }),
      context,
    );
    expect(err.code).toBe('ERR_SMTP_DNS');
    expect(err.isTransient).toBe(true);
    expect(err.message).toContain('mail.example.com:587');
  });

  it('maps a 421 greeting-time shutdown to a transient connection error', () => {
    const err = toSmtpInviteError(
      nodemailerError('Connection closed unexpectedly: 421 4.3.2 Service shutting down', {
        code: 'ECONNECTION',
        response: '421 4.3.2 Service shutting down',
        responseCode: 421,
        command: 'CONN',
      }),
      context,
    );
    expect(err).toMatchObject({
      code: 'ERR_SMTP_CONNECTION',
      responseCode: 421,
      isTransient: true,
      command: undefined,
    });
    expect(err.message).toBe(
      'mail.example.com:587 is not accepting mail now (421 4.3.2 Service shutting down): retry later',
    );
  });

  it('explains a server without STARTTLS', () => {
    const err = toSmtpInviteError(
      nodemailerError('Error upgrading connection with STARTTLS: 502 5.5.1 Unrecognized command', {
        code: 'ETLS',
        response: '502 5.5.1 Unrecognized command',
        responseCode: 502,
        command: 'STARTTLS',
      }),
      context,
    );
    expect(err.code).toBe('ERR_SMTP_TLS');
    expect(err.command).toBe('STARTTLS');
    expect(err.message).toContain('does not support STARTTLS');
    expect(err.message).toContain('smtps://');
  });

  it('maps an expired certificate to ERR_SMTP_TLS', () => {
    const err = toSmtpInviteError(
      nodemailerError('certificate has expired', {
        code: 'ESOCKET',
        originalCode: 'CERT_HAS_EXPIRED',
      }),
      context,
    );
    expect(err.code).toBe('ERR_SMTP_TLS');
    expect(err.message).toContain('CERT_HAS_EXPIRED');
  });

  it.each([
    ['CONNECT_TIMEOUT', /timed out connecting to mail\.example\.com:587/],
    ['GREETING_TIMEOUT', /no SMTP greeting/],
    ['SOCKET_TIMEOUT', /stopped answering/],
  ])('maps a %s to a transient ERR_SMTP_TIMEOUT', (timeoutType, pattern) => {
    const err = toSmtpInviteError(
      nodemailerError('Timeout', { code: 'ETIMEDOUT', timeoutType, command: 'CONN' }),
      context,
    );
    expect(err.code).toBe('ERR_SMTP_TIMEOUT');
    expect(err.isTransient).toBe(true);
    expect(err.message).toMatch(pattern);
  });

  it('maps unreachable networks and resets to transient connection errors', () => {
    for (const originalCode of ['ENETUNREACH', 'EHOSTUNREACH', 'ECONNRESET']) {
      const err = toSmtpInviteError(
        nodemailerError(`connect ${originalCode}`, { code: 'ESOCKET', originalCode }),
        context,
      );
      expect(err.code).toBe('ERR_SMTP_CONNECTION');
      expect(err.isTransient).toBe(true);
      expect(err.message).toContain(originalCode);
    }
  });

  it('maps a refused sender to ERR_SMTP_REJECTED and a 4xx one as transient', () => {
    const permanent = toSmtpInviteError(
      nodemailerError('Mail command failed: 553 5.7.1 Sender not allowed', {
        code: 'EENVELOPE',
        response: '553 5.7.1 Sender not allowed',
        responseCode: 553,
        command: 'MAIL FROM',
      }),
      context,
    );
    expect(permanent).toMatchObject({ code: 'ERR_SMTP_REJECTED', isTransient: false });
    expect(permanent.message).toContain('refused the sender');

    const transient = toSmtpInviteError(
      nodemailerError('Mail command failed: 451 4.3.0 Try again', {
        code: 'EENVELOPE',
        response: '451 4.3.0 Try again',
        responseCode: 451,
        command: 'MAIL FROM',
      }),
      context,
    );
    expect(transient).toMatchObject({ code: 'ERR_SMTP_REJECTED', isTransient: true });
  });

  it('maps anything unrecognised to ERR_SMTP_PROTOCOL, non-errors included', () => {
    const weird = toSmtpInviteError(
      nodemailerError('Invalid greeting: 220-ok', {
        code: 'EPROTOCOL',
        response: '220-ok',
        command: 'CONN',
      }),
      context,
    );
    expect(weird.code).toBe('ERR_SMTP_PROTOCOL');
    expect(toSmtpInviteError('boom', context).code).toBe('ERR_SMTP_PROTOCOL');
    expect(toSmtpInviteError(undefined, context).message).toContain('mail.example.com:587');
  });

  it('flattens a hostile multi-line reply into one clean line', () => {
    const err = toSmtpInviteError(
      nodemailerError('Invalid login', {
        code: 'EAUTH',
        response: '535-5.7.8 Username and\r\n535 5.7.8 \u001b[31mpassword\u0007 not accepted',
        responseCode: 535,
        command: 'AUTH PLAIN',
      }),
      context,
    );
    expect(err.code).toBe('ERR_SMTP_AUTH');
    expect(err.message).toContain('(535-5.7.8 Username and 5.7.8 [31mpassword not accepted)');
    expect(err.message).not.toMatch(/[\u0000-\u001f]/);
  });

  it('masks secrets a server echoes, in the message, the response and the cause', () => {
    const payload = Buffer.from('\u0000alice\u0000hunter2').toString('base64');
    const original = nodemailerError(`Invalid login: 535 rejected ${payload} (hunter2)`, {
      code: 'EAUTH',
      response: `535 rejected ${payload} (hunter2)`,
      responseCode: 535,
      command: 'AUTH PLAIN',
    });
    const err = toSmtpInviteError(original, { ...context, secrets: ['hunter2', payload] });
    const visible = [err.message, err.response, String(err.cause), JSON.stringify(err.cause)];
    for (const text of visible) {
      expect(text).not.toContain('hunter2');
      expect(text).not.toContain(payload);
    }
    expect(err.response).toBe('535 rejected *** (***)');
    expect(err.cause).not.toBe(original);
    expect(err.cause).toMatchObject({ code: 'EAUTH', responseCode: 535 });
  });

  it('masks a password that is a common word only in what the server said', () => {
    const err = toSmtpInviteError(
      nodemailerError('Invalid login: 535 failed for password failed', {
        code: 'EAUTH',
        response: '535 failed for password failed',
        responseCode: 535,
        command: 'AUTH LOGIN',
      }),
      { ...context, secrets: ['failed'] },
    );
    expect(err.message).toBe(
      'authentication failed at mail.example.com:587 (535 *** for password ***): check the user name and SMTP_PASSWORD',
    );
  });

  it('keeps the original cause when it holds no secret', () => {
    const original = nodemailerError('connect ECONNREFUSED', {
      code: 'ESOCKET',
      originalCode: 'ECONNREFUSED',
    });
    expect(toSmtpInviteError(original, { ...context, secrets: ['hunter2'] }).cause).toBe(original);
  });
});

describe('toRejectedRecipients', () => {
  it('pairs each refused address with its reply, and lists ones without a reply', () => {
    const result = toRejectedRecipients(
      ['bob@example.com', 'carol@example.com'],
      [
        nodemailerError('Recipient command failed: 550 5.1.1 No such user', {
          code: 'EENVELOPE',
          response: '550 5.1.1 No such user',
          responseCode: 550,
          recipient: 'bob@example.com',
        }),
      ],
    );
    expect(result).toEqual([
      { email: 'bob@example.com', code: 550, response: '550 5.1.1 No such user' },
      { email: 'carol@example.com', code: null, response: '' },
    ]);
  });
});

describe('formatHostPort', () => {
  it('brackets IPv6 literals', () => {
    expect(formatHostPort('::1', 25)).toBe('[::1]:25');
    expect(formatHostPort('127.0.0.1', 25)).toBe('127.0.0.1:25');
  });
});
