import net from 'node:net';

import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';

import { createSmtpTransport } from '../../src/transport/smtp-transport.ts';
import type { SmtpOptions } from '../../src/transport/smtp-transport.ts';
import type { OutgoingMessage, Transport } from '../../src/transport/transport.ts';
import { startTestSmtpServer } from '../support/smtp-test-server.ts';
import type { TestSmtpServer } from '../support/smtp-test-server.ts';
import { rejection } from '../support/rejection.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  // Transports first, so that servers are not kept waiting for a client to leave.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(
  options?: Parameters<typeof startTestSmtpServer>[0],
): Promise<TestSmtpServer> {
  const s = await startTestSmtpServer(options);
  cleanups.push(() => s.close());
  return s;
}

function transport(options: SmtpOptions): Transport {
  const t = createSmtpTransport(options);
  cleanups.push(() => t.close());
  return t;
}

/**
 * A message with the shapes that a careless transport would damage: a line starting with a dot
 * (SMTP dot-stuffing), a line that is only a dot, 8-bit UTF-8, a long folded header, trailing
 * white space, and an envelope recipient that is in no header (Bcc-like).
 */
function message(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  const raw = [
    'From: Alice <alice@example.com>',
    'To: bob@example.com, carol@example.com',
    'Subject: Invitation: =?UTF-8?Q?Caf=C3=A9?= planning',
    'Message-ID: <abc.123@example.com>',
    'X-Long: ' + 'x'.repeat(70),
    ' continued folded line',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    'Café at noon.   ',
    '.starts with a dot',
    '.',
    '..two dots',
    'end',
    '',
  ].join('\r\n');
  return {
    messageId: 'abc.123@example.com',
    envelope: {
      from: 'alice@example.com',
      to: ['bob@example.com', 'carol@example.com', 'hidden@example.com'],
    },
    raw: Buffer.from(raw, 'utf8'),
    ...overrides,
  };
}

/** A port nothing listens on: bound once to learn a free number, then released. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return address.port;
}

describe('SMTP transport against a real server', () => {
  it('delivers the bytes unchanged with the given envelope', async () => {
    const s = await server();
    const t = transport({ url: s.url });
    const msg = message();

    const result = await t.send(msg);

    expect(result.messageId).toBe('abc.123@example.com');
    expect(result.accepted).toEqual(['bob@example.com', 'carol@example.com', 'hidden@example.com']);
    expect(result.rejected).toEqual([]);
    expect(result.response).toMatch(/^250 /);
    expect(s.received).toHaveLength(1);
    const got = s.received[0]!;
    expect(got.envelope).toEqual({
      from: 'alice@example.com',
      to: ['bob@example.com', 'carol@example.com', 'hidden@example.com'],
    });
    // No header added (X-Mailer, Date, Message-ID...) and nothing re-encoded.
    expect(got.raw.equals(msg.raw)).toBe(true);
  });

  it('sends several messages through one transport', async () => {
    const s = await server();
    const t = transport({ url: s.url });
    const first = message();
    const second = message({
      messageId: 'second@example.com',
      envelope: { from: 'alice@example.com', to: ['dave@example.com'] },
      raw: Buffer.from('Subject: second\r\n\r\nbody\r\n'),
    });

    await t.send(first);
    await Promise.all([t.send(second), t.send(first)]);

    expect(s.received.map((m) => m.envelope.to)).toEqual([
      ['bob@example.com', 'carol@example.com', 'hidden@example.com'],
      ['dave@example.com'],
      ['bob@example.com', 'carol@example.com', 'hidden@example.com'],
    ]);
    expect(s.received[1]!.raw.equals(second.raw)).toBe(true);
  });

  it('reports a partial refusal as a result, with the code and text per recipient', async () => {
    const s = await server({
      rejectRecipient: (email) =>
        email === 'carol@example.com' ? { code: 550, message: '5.1.1 No such user' } : undefined,
    });
    const t = transport({ url: s.url });

    const result = await t.send(message());

    expect(result.accepted).toEqual(['bob@example.com', 'hidden@example.com']);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]).toMatchObject({ email: 'carol@example.com', code: 550 });
    expect(result.rejected[0]!.response).toContain('5.1.1 No such user');
    expect(s.received[0]!.envelope.to).toEqual(['bob@example.com', 'hidden@example.com']);
  });

  it('throws ERR_SMTP_REJECTED listing every recipient when all are refused', async () => {
    const s = await server({
      rejectRecipient: (email) => ({ code: 550, message: `5.1.1 ${email.split('@')[0]} unknown` }),
    });
    const t = transport({ url: s.url });

    const err = await rejection(t.send(message()));

    expect(err.code).toBe('ERR_SMTP_REJECTED');
    expect(err.responseCode).toBe(550);
    expect(err.command).toBe('RCPT TO');
    expect(err.isTransient).toBe(false);
    expect(err.message).toContain(`127.0.0.1:${s.port}`);
    for (const who of ['bob', 'carol', 'hidden']) {
      expect(err.message).toContain(`${who}@example.com (550 5.1.1 ${who} unknown)`);
    }
    expect(err.message).not.toContain('\n');
    expect(err.rejected).toEqual(
      ['bob', 'carol', 'hidden'].map((who) => ({
        email: `${who}@example.com`,
        code: 550,
        response: `550 5.1.1 ${who} unknown`,
      })),
    );
    expect(s.received).toEqual([]);
  });

  it('marks an all-recipients refusal with 4xx as transient', async () => {
    const s = await server({
      rejectRecipient: () => ({ code: 450, message: '4.2.1 Mailbox busy, try later' }),
    });
    const t = transport({ url: s.url });

    const err = await rejection(t.send(message()));

    expect(err.code).toBe('ERR_SMTP_REJECTED');
    expect(err.responseCode).toBe(450);
    expect(err.isTransient).toBe(true);
  });

  it('throws ERR_SMTP_REJECTED when the server refuses the message after DATA', async () => {
    const s = await server({ onData: { code: 554, message: '5.6.0 Calendar data refused' } });
    const t = transport({ url: s.url });

    const err = await rejection(t.send(message()));

    expect(err.code).toBe('ERR_SMTP_REJECTED');
    expect(err.responseCode).toBe(554);
    expect(err.response).toContain('5.6.0 Calendar data refused');
    expect(err.rejected).toEqual([]);
    expect(err.isTransient).toBe(false);
  });

  it('throws a transient ERR_SMTP_CONNECTION when the server hangs up after DATA', async () => {
    const s = await server({ onData: 'close-before-reply' });
    const t = transport({ url: s.url });

    const err = await rejection(t.send(message()));

    expect(err.code).toBe('ERR_SMTP_CONNECTION');
    expect(err.isTransient).toBe(true);
    expect(err.message).toContain(`127.0.0.1:${s.port}`);
    expect(err.message).toContain('may already have been delivered');
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('throws ERR_SMTP_CONNECTION when the server drops the connection at once', async () => {
    const s = await server({ closeOnConnect: true });
    const t = transport({ url: s.url });

    const err = await rejection(t.send(message()));

    expect(err.code).toBe('ERR_SMTP_CONNECTION');
    expect(err.isTransient).toBe(true);
    expect(err.message).toContain(`127.0.0.1:${s.port}`);
  });

  it('says the connection was refused when nothing listens on the port', async () => {
    const port = await closedPort();
    const t = transport({ url: `smtp://127.0.0.1:${port}` });

    const err = await rejection(t.send(message()));

    expect(err.code).toBe('ERR_SMTP_CONNECTION');
    expect(err.message).toMatch(
      new RegExp(`^connection refused by 127\\.0\\.0\\.1:${port}: is the server running`),
    );
    expect(err.isTransient).toBe(true);
  });

  it('authenticates with the URL user and the password option', async () => {
    const s = await server({ auth: { user: 'alice', pass: 's3cret/p@ss' } });
    const t = transport({
      url: s.url.replace('smtp://', 'smtp://alice@'),
      password: 's3cret/p@ss',
    });

    await t.send(message());

    expect(s.received).toHaveLength(1);
  });

  it('authenticates with a percent-encoded password in the URL', async () => {
    const s = await server({ auth: { user: 'alice@example.com', pass: 'p@ss:w%rd' } });
    const url = s.url.replace(
      'smtp://',
      `smtp://alice%40example.com:${encodeURIComponent('p@ss:w%rd')}@`,
    );
    const t = transport({ url });

    await t.send(message());

    expect(s.received).toHaveLength(1);
  });

  it('throws ERR_SMTP_AUTH for wrong credentials without revealing the password', async () => {
    const password = 'Wrong-Passw0rd-xyzzy';
    const s = await server({ auth: { user: 'alice', pass: 'right' } });
    const t = transport({ url: s.url.replace('smtp://', 'smtp://alice@'), password });

    const err = await rejection(t.send(message()));

    expect(err.code).toBe('ERR_SMTP_AUTH');
    expect(err.responseCode).toBe(535);
    expect(err.message).toContain(`127.0.0.1:${s.port}`);
    const b64 = (text: string): string => Buffer.from(text).toString('base64');
    const visible = [
      err.message,
      err.response ?? '',
      t.description,
      String(err),
      String(err.cause),
      err.cause instanceof Error ? (err.cause.stack ?? '') : '',
      JSON.stringify(err),
    ].join('\n');
    for (const secret of [password, b64(password), b64(`\u0000alice\u0000${password}`)]) {
      expect(visible).not.toContain(secret);
    }
  });

  it('throws ERR_SMTP_AUTH when the server requires authentication and none is configured', async () => {
    const s = await server({ auth: { user: 'alice', pass: 'right' } });
    const t = transport({ url: s.url });

    const err = await rejection(t.send(message()));

    expect(err.code).toBe('ERR_SMTP_AUTH');
    expect(err.responseCode).toBe(530);
    expect(err.message).toContain('SMTP_PASSWORD');
  });

  it('throws a transient ERR_SMTP_TIMEOUT when the server is too slow', async () => {
    const s = await server({ delayMs: 5_000 });
    const t = transport({ url: s.url, connectionTimeoutMs: 150, socketTimeoutMs: 150 });

    const err = await rejection(t.send(message()));

    expect(err.code).toBe('ERR_SMTP_TIMEOUT');
    expect(err.isTransient).toBe(true);
    expect(err.message).toContain(`127.0.0.1:${s.port}`);
  });

  it('waits for a slow server when the timeouts allow it', async () => {
    const s = await server({ delayMs: 20 });
    const t = transport({ url: s.url, connectionTimeoutMs: 10_000, socketTimeoutMs: 10_000 });

    await t.send(message());

    expect(s.received).toHaveLength(1);
  });

  it('throws ERR_SMTP_DNS for a host that does not resolve', async () => {
    // RFC 6761: .invalid never resolves, so this fails in the resolver, online or offline.
    const t = transport({ url: 'smtp://mail.example.invalid', connectionTimeoutMs: 10_000 });

    const err = await rejection(t.send(message()));

    expect(err.code).toBe('ERR_SMTP_DNS');
    expect(err.message).toContain('mail.example.invalid');
    expect(err.message).toContain('check the host name');
  });

  it('throws ERR_SMTP_TLS when smtps:// reaches a plaintext server', async () => {
    const s = await server();
    const t = transport({ url: s.url.replace('smtp://', 'smtps://') });

    const err = await rejection(t.send(message()));

    expect(err.code).toBe('ERR_SMTP_TLS');
    expect(err.message).toContain(`127.0.0.1:${s.port}`);
    expect(s.received).toEqual([]);
  });

  describe('implicit TLS with an untrusted certificate', () => {
    async function tlsServer(): Promise<{ port: number; received: Buffer[] }> {
      const received: Buffer[] = [];
      // smtp-server's built-in self-signed certificate: no client should trust it.
      const tls = new SMTPServer({
        secure: true,
        logger: false,
        authOptional: true,
        disableReverseLookup: true,
        closeTimeout: 1000,
        onData(stream, _session, callback) {
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            received.push(Buffer.concat(chunks));
            callback();
          });
        },
      });
      // The refused handshake is reported on the server too; that is expected here.
      tls.on('error', () => undefined);
      await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', () => resolve()));
      cleanups.push(() => new Promise<void>((resolve) => tls.close(() => resolve())));
      return { port: (tls.server.address() as net.AddressInfo).port, received };
    }

    it('refuses it with ERR_SMTP_TLS', async () => {
      const s = await tlsServer();
      const t = transport({ url: `smtps://127.0.0.1:${s.port}` });

      const err = await rejection(t.send(message()));

      expect(err.code).toBe('ERR_SMTP_TLS');
      expect(err.message).toContain('not trusted');
      expect(err.message).toContain('--insecure');
      expect(s.received).toEqual([]);
    });

    it('accepts it with insecure, bytes unchanged', async () => {
      const s = await tlsServer();
      const t = transport({ url: `smtps://127.0.0.1:${s.port}`, insecure: true });
      const msg = message();

      await t.send(msg);

      expect(s.received).toHaveLength(1);
      expect(s.received[0]!.equals(msg.raw)).toBe(true);
    });
  });

  it('refuses to be used after close()', async () => {
    const s = await server();
    const t = transport({ url: s.url });
    await t.send(message());
    await t.close();
    await t.close(); // idempotent

    const err = await rejection(t.send(message()));

    expect(err.code).toBe('ERR_INTERNAL');
    expect(s.received).toHaveLength(1);
  });

  it('refuses an invalid message before connecting', async () => {
    const s = await server();
    const t = transport({ url: s.url });

    const err = await rejection(
      t.send(message({ envelope: { from: 'alice@example.com', to: [] } })),
    );

    expect(err.code).toBe('ERR_INTERNAL');
    expect(s.received).toEqual([]);
  });
});
