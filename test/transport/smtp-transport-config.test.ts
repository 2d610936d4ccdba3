import { getCACertificates } from 'node:tls';
// The SMTP URL and the TLS policy handed to nodemailer: no network needed.
import { describe, expect, it } from 'vitest';

import { SmtpInviteError } from '../../src/errors.ts';
import {
  buildSmtpTransportOptions,
  createSmtpTransport,
  isLoopback,
  parseSmtpUrl,
} from '../../src/transport/smtp-transport.ts';

function configError(run: () => unknown): SmtpInviteError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(SmtpInviteError);
    expect((err as SmtpInviteError).code).toBe('ERR_SMTP_CONFIG');
    return err as SmtpInviteError;
  }
  throw new Error('expected ERR_SMTP_CONFIG');
}

describe('parseSmtpUrl', () => {
  it('defaults smtp:// to port 587 and smtps:// to 465', () => {
    expect(parseSmtpUrl('smtp://mail.example.com')).toEqual({
      secure: false,
      host: 'mail.example.com',
      port: 587,
      loopback: false,
    });
    expect(parseSmtpUrl('smtps://mail.example.com/')).toEqual({
      secure: true,
      host: 'mail.example.com',
      port: 465,
      loopback: false,
    });
  });

  it('reads user, password and port, percent-decoded', () => {
    expect(
      parseSmtpUrl('SMTP://alice%40example.com:p%40ss%3Aw%25rd@Mail.Example.COM:2525'),
    ).toEqual({
      secure: false,
      host: 'mail.example.com',
      port: 2525,
      user: 'alice@example.com',
      password: 'p@ss:w%rd',
      loopback: false,
    });
  });

  it('accepts IPv6 literals and IDN host names', () => {
    expect(parseSmtpUrl('smtp://[::1]:25')).toMatchObject({
      host: '::1',
      port: 25,
      loopback: true,
    });
    expect(parseSmtpUrl('smtp://[2001:db8::1]')).toMatchObject({
      host: '2001:db8::1',
      loopback: false,
    });
    expect(parseSmtpUrl('smtp://mäil.example.com').host).toBe('xn--mil-qla.example.com');
  });

  it.each([
    ['localhost', true],
    ['LOCALHOST.', true],
    ['127.0.0.1', true],
    ['127.255.0.9', true],
    ['::1', true],
    ['::ffff:7f00:1', true],
    ['::ffff:127.0.0.1', true],
    ['128.0.0.1', false],
    ['10.0.0.1', false],
    ['::2', false],
    ['localhost.example.com', false],
    ['mail.example.com', false],
  ])('treats %s as loopback: %s', (host, expected) => {
    expect(isLoopback(host)).toBe(expected);
  });

  it.each([
    ['', /no SMTP URL/],
    ['mail.example.com:587', /must start with smtp:\/\/ or smtps:\/\//],
    ['http://mail.example.com', /unsupported scheme "http:\/\/"/],
    ['smtp+starttls://mail.example.com', /unsupported scheme/],
    ['smtp://', /no host/],
    ['smtp://alice@', /host/],
    ['smtp://mail.example.com:0', /port 0/],
    ['smtp://mail.example.com:99999', /port/],
    ['smtp://mail.example.com:abc', /port/],
    ['smtp://mail.example.com/path', /path/],
    ['smtp://mail.example.com?secure=true', /query parameters \(secure\)/],
    ['smtp://mail.example.com#frag', /fragment/],
    ['smtp://mail_ex ample.com', /host/],
    ['smtp://mail..example.com', /not a valid host name/],
    ['smtp://alice%ZZ@mail.example.com', /%-escape/],
  ])('refuses %j with a one-line fix', (url, pattern) => {
    const err = configError(() => parseSmtpUrl(url));
    expect(err.message).toMatch(pattern);
    expect(err.message).not.toContain('\n');
  });

  it('never echoes a password from a refused URL', () => {
    for (const url of [
      'smtp://alice:hunter2@mail.example.com/x',
      'smtp://alice:hunter2@mail.example.com?pass=hunter2',
      'ftp://alice:hunter2@mail.example.com',
      'smtp://alice:hunter2@mail.example.com:99999',
    ]) {
      expect(configError(() => parseSmtpUrl(url)).message).not.toContain('hunter2');
    }
  });
});

describe('buildSmtpTransportOptions (the TLS policy given to nodemailer)', () => {
  it('requires STARTTLS with a verified certificate for a remote smtp:// host', () => {
    const options = buildSmtpTransportOptions({ url: 'smtp://mail.example.com' });
    expect(options).toMatchObject({
      host: 'mail.example.com',
      port: 587,
      secure: false,
      requireTLS: true,
      ignoreTLS: false,
      tls: { rejectUnauthorized: true },
    });
    expect(options.opportunisticTLS).not.toBe(true);
  });

  it('refuses insecure toward a remote host unless allowInsecureRemote', () => {
    for (const url of ['smtp://mail.example.com', 'smtps://mail.example.com', 'smtp://10.0.0.1']) {
      expect(() => buildSmtpTransportOptions({ url, insecure: true })).toThrow(
        /SMTP_INVITE_ALLOW_INSECURE=1/,
      );
      expect(() => buildSmtpTransportOptions({ url, insecure: true })).toThrow(
        expect.objectContaining({ code: 'ERR_SMTP_CONFIG' }),
      );
    }
    // Loopback needs no permission: the traffic never leaves the machine.
    expect(
      buildSmtpTransportOptions({ url: 'smtps://127.0.0.1:4650', insecure: true }),
    ).toMatchObject({ tls: { rejectUnauthorized: false } });
  });

  it('uses STARTTLS, required and verified, on loopback with requireTls or a CA', () => {
    const ca = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    for (const extra of [{ requireTls: true }, { tlsCa: ca }]) {
      const options = buildSmtpTransportOptions({ url: 'smtp://127.0.0.1:2525', ...extra });
      expect(options).toMatchObject({ requireTLS: true, ignoreTLS: false });
      expect(options.tls?.rejectUnauthorized).toBe(true);
    }
    const withCa = buildSmtpTransportOptions({ url: 'smtps://mail.example.com', tlsCa: ca });
    // Added to the CAs Node trusts by default (bundled, NODE_EXTRA_CA_CERTS), not instead of them.
    expect(withCa.tls?.ca).toEqual([...getCACertificates('default'), ca]);
    expect(() =>
      buildSmtpTransportOptions({ url: 'smtps://mail.example.com', tlsCa: 'not a cert' }),
    ).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CONFIG' }));
  });

  it('keeps STARTTLS required when TLS was asked for, even with insecure (no plaintext fallback)', () => {
    const ca = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    for (const extra of [{ requireTls: true }, { tlsCa: ca }]) {
      for (const url of ['smtp://127.0.0.1:2525', 'smtp://mail.example.com']) {
        const options = buildSmtpTransportOptions({
          url,
          insecure: true,
          allowInsecureRemote: true,
          ...extra,
        });
        expect(options).toMatchObject({ requireTLS: true, ignoreTLS: false });
        expect(options.opportunisticTLS).not.toBe(true);
        expect(options.tls?.rejectUnauthorized).toBe(false);
      }
    }
  });

  it('relaxes to optional, unverified STARTTLS for a remote host only with insecure', () => {
    const options = buildSmtpTransportOptions({
      url: 'smtp://mail.example.com',
      insecure: true,
      allowInsecureRemote: true,
    });
    expect(options).toMatchObject({
      secure: false,
      requireTLS: false,
      ignoreTLS: false,
      opportunisticTLS: true,
      tls: { rejectUnauthorized: false },
    });
  });

  it('uses plaintext without STARTTLS for a loopback host', () => {
    for (const url of ['smtp://127.0.0.1:2525', 'smtp://localhost:25', 'smtp://[::1]:25']) {
      const options = buildSmtpTransportOptions({ url });
      expect(options).toMatchObject({ secure: false, ignoreTLS: true, requireTLS: false });
      expect(options.allowInternalNetworkInterfaces).toBe(true);
    }
  });

  it('verifies implicit TLS unless insecure, loopback included', () => {
    expect(buildSmtpTransportOptions({ url: 'smtps://mail.example.com' })).toMatchObject({
      secure: true,
      port: 465,
      tls: { rejectUnauthorized: true },
    });
    expect(buildSmtpTransportOptions({ url: 'smtps://127.0.0.1:4650' })).toMatchObject({
      secure: true,
      tls: { rejectUnauthorized: true },
    });
    expect(
      buildSmtpTransportOptions({
        url: 'smtps://mail.example.com',
        insecure: true,
        allowInsecureRemote: true,
      }),
    ).toMatchObject({ secure: true, tls: { rejectUnauthorized: false } });
  });

  it('takes the password option over the one in the URL', () => {
    const options = buildSmtpTransportOptions({
      url: 'smtp://alice:old@mail.example.com',
      password: 'new',
    });
    expect(options.auth).toEqual({ user: 'alice', pass: 'new' });
    expect(buildSmtpTransportOptions({ url: 'smtp://alice:old@mail.example.com' }).auth).toEqual({
      user: 'alice',
      pass: 'old',
    });
    expect(buildSmtpTransportOptions({ url: 'smtp://mail.example.com' }).auth).toBeUndefined();
  });

  it('reuses one connection, never resends, logs nothing and reads no files', () => {
    expect(buildSmtpTransportOptions({ url: 'smtp://mail.example.com' })).toMatchObject({
      pool: true,
      maxConnections: 1,
      maxRequeues: 0,
      logger: false,
      debug: false,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  });

  it('applies timeouts and the EHLO name', () => {
    const options = buildSmtpTransportOptions({
      url: 'smtp://mail.example.com',
      connectionTimeoutMs: 1234,
      socketTimeoutMs: 5678,
      clientName: 'client.example.com',
    });
    expect(options).toMatchObject({
      connectionTimeout: 1234,
      greetingTimeout: 1234,
      dnsTimeout: 1234,
      socketTimeout: 5678,
      name: 'client.example.com',
    });
  });

  it.each([
    [{ url: 'smtp://alice@mail.example.com' }, /no password was given: set SMTP_PASSWORD/],
    [{ url: 'smtp://mail.example.com', password: 'x' }, /names no user/],
    [{ url: 'smtp://mail.example.com', connectionTimeoutMs: 0 }, /connectionTimeoutMs/],
    [{ url: 'smtp://mail.example.com', socketTimeoutMs: Number.NaN }, /socketTimeoutMs/],
    [{ url: 'smtp://mail.example.com', clientName: 'bad name\r\nRSET' }, /EHLO/],
  ])('refuses inconsistent options %#', (options, pattern) => {
    expect(configError(() => buildSmtpTransportOptions(options)).message).toMatch(pattern);
  });
});

describe('createSmtpTransport description', () => {
  it.each([
    [
      { url: 'smtp://alice:pw@mail.example.com' },
      'smtp://alice@mail.example.com:587 (STARTTLS required)',
    ],
    [
      { url: 'smtp://alice%40example.com@mail.example.com:25', password: 'pw' },
      'smtp://alice%40example.com@mail.example.com:25 (STARTTLS required)',
    ],
    [{ url: 'smtps://mail.example.com' }, 'smtps://mail.example.com:465 (implicit TLS)'],
    [
      { url: 'smtps://mail.example.com', insecure: true, allowInsecureRemote: true },
      'smtps://mail.example.com:465 (implicit TLS, certificate not verified)',
    ],
    [
      { url: 'smtp://mail.example.com', insecure: true, allowInsecureRemote: true },
      'smtp://mail.example.com:587 (STARTTLS if offered, certificate not verified, else plaintext)',
    ],
    [{ url: 'smtp://[::1]:2525' }, 'smtp://[::1]:2525 (loopback: plaintext, no STARTTLS)'],
    [{ url: 'smtp://[::1]:2525', requireTls: true }, 'smtp://[::1]:2525 (STARTTLS required)'],
    [
      { url: 'smtp://[::1]:2525', requireTls: true, insecure: true },
      'smtp://[::1]:2525 (STARTTLS required, certificate not verified)',
    ],
  ])('describes %j without secrets', async (options, expected) => {
    const transport = createSmtpTransport(options);
    try {
      expect(transport.kind).toBe('smtp');
      expect(transport.description).toBe(expected);
      expect(transport.description).not.toContain('pw');
    } finally {
      await transport.close();
    }
  });
});
