// Transport.openSession over a real server on 127.0.0.1: one connection for many messages, every
// failure seen on it, the connection reset after a refusal and given up after a drop. Also the
// capture server's hooks and counters that the batch tests build on.
import net from 'node:net';

import { afterEach, describe, expect, it, vi } from 'vitest';

import type { SmtpInviteError } from '../../src/errors.ts';
import { createSmtpTransport } from '../../src/transport/smtp-transport.ts';
import type { SmtpOptions } from '../../src/transport/smtp-transport.ts';
import type {
  OutgoingMessage,
  Transport,
  TransportSession,
} from '../../src/transport/transport.ts';
import {
  failFirst,
  firstReply,
  rateLimiter,
  startTestSmtpServer,
} from '../support/smtp-test-server.ts';
import type {
  HookContext,
  TestSmtpServer,
  TestSmtpServerOptions,
} from '../support/smtp-test-server.ts';
import { rejection } from '../support/rejection.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  // Sessions and transports first, so that servers are not kept waiting for a client to leave.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(options?: TestSmtpServerOptions): Promise<TestSmtpServer> {
  const s = await startTestSmtpServer(options);
  cleanups.push(() => s.close());
  return s;
}

function transport(options: SmtpOptions): Transport {
  const t = createSmtpTransport(options);
  cleanups.push(() => t.close());
  return t;
}

async function session(options: SmtpOptions): Promise<TransportSession> {
  const t = transport(options);
  const s = await t.openSession!();
  cleanups.push(() => s.close());
  return s;
}

/** A message whose bytes a careless sender would change: dot lines, 8-bit text, trailing blanks. */
function message(n: number, overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  const raw = [
    'From: Alice <alice@example.com>',
    'To: bob@example.com',
    `Subject: Invitation ${n}: =?UTF-8?Q?Caf=C3=A9?=`,
    `Message-ID: <m${n}@example.com>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    `Café number ${n}.   `,
    '.starts with a dot',
    '.',
    '..two dots',
    '',
  ].join('\r\n');
  return {
    messageId: `m${n}@example.com`,
    envelope: { from: 'alice@example.com', to: ['bob@example.com', 'carol@example.com'] },
    raw: Buffer.from(raw, 'utf8'),
    ...overrides,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('SMTP session (one connection of its own)', () => {
  it('sends many messages over one connection, byte for byte', async () => {
    const s = await server();
    const lane = await session({ url: s.url });
    const messages = Array.from({ length: 40 }, (_, i) => message(i));

    for (const msg of messages) {
      const result = await lane.send(msg);
      expect(result).toMatchObject({
        messageId: msg.messageId,
        accepted: ['bob@example.com', 'carol@example.com'],
        rejected: [],
      });
      expect(result.response).toMatch(/^250 /);
    }

    expect(lane.usable).toBe(true);
    expect(s.received).toHaveLength(40);
    s.received.forEach((got, i) => {
      expect(got.raw.equals(messages[i]!.raw)).toBe(true);
      expect(got.envelope).toEqual({
        from: 'alice@example.com',
        to: ['bob@example.com', 'carol@example.com'],
      });
    });
    expect(s.stats).toMatchObject({ connections: 1, peakConnections: 1, transactions: 40 });
  });

  // nodemailer sends MAIL FROM, RCPT TO and DATA at once to a server with PIPELINING, one by one
  // to any other: the session must end up ready for the next message either way.
  describe.each([true, false])('refusals and failures, server PIPELINING %s', (pipelining) => {
    it('reports a partial 550 refusal as a result with codes, and keeps going', async () => {
      const s = await server({
        pipelining,
        rejectRecipient: (email) =>
          email === 'carol@example.com' ? { code: 550, message: '5.1.1 No such user' } : undefined,
      });
      const lane = await session({ url: s.url });

      const result = await lane.send(message(1));
      await lane.send(
        message(2, { envelope: { from: 'alice@example.com', to: ['dave@example.com'] } }),
      );

      expect(result.accepted).toEqual(['bob@example.com']);
      expect(result.rejected).toEqual([
        { email: 'carol@example.com', code: 550, response: '550 5.1.1 No such user' },
      ]);
      expect(s.received.map((m) => m.envelope.to)).toEqual([
        ['bob@example.com'],
        ['dave@example.com'],
      ]);
    });

    it('reports 452 per recipient (too many recipients, try later) as a transient refusal', async () => {
      const s = await server({
        pipelining,
        rcptReply: (email) =>
          email === 'carol@example.com'
            ? { code: 452, message: '4.5.3 Too many recipients' }
            : undefined,
      });
      const lane = await session({ url: s.url });

      const result = await lane.send(message(1));

      expect(result.accepted).toEqual(['bob@example.com']);
      expect(result.rejected).toEqual([
        { email: 'carol@example.com', code: 452, response: '452 4.5.3 Too many recipients' },
      ]);
    });

    it('throws ERR_SMTP_REJECTED with every recipient when all are refused, then sends the next message', async () => {
      const s = await server({
        pipelining,
        rejectRecipient: (email) =>
          email.endsWith('@gone.example') ? { code: 550, message: '5.1.1 unknown' } : undefined,
      });
      const lane = await session({ url: s.url });

      const err = await rejection(
        lane.send(
          message(1, {
            envelope: { from: 'alice@example.com', to: ['x@gone.example', 'y@gone.example'] },
          }),
        ),
      );
      expect(err.code).toBe('ERR_SMTP_REJECTED');
      expect(err.responseCode).toBe(550);
      expect(err.command).toBe('RCPT TO');
      expect(err.rejected).toEqual([
        { email: 'x@gone.example', code: 550, response: '550 5.1.1 unknown' },
        { email: 'y@gone.example', code: 550, response: '550 5.1.1 unknown' },
      ]);
      // MAIL FROM had been accepted: without RSET the next MAIL FROM would be a nested one (503).
      expect(lane.usable).toBe(true);
      await lane.send(message(2));
      expect(s.received).toHaveLength(1);
      expect(s.stats.connections).toBe(1);
    });

    it('goes on after the server refuses the message at the end of DATA', async () => {
      const s = await server({
        pipelining,
        failFirst: {
          phase: 'data',
          times: 1,
          reply: { code: 554, message: '5.6.0 Calendar data refused' },
        },
      });
      const lane = await session({ url: s.url });

      const err = await rejection(lane.send(message(1)));
      expect(err).toMatchObject({ code: 'ERR_SMTP_REJECTED', responseCode: 554, command: 'DATA' });
      expect(err.response).toContain('5.6.0 Calendar data refused');
      expect(lane.usable).toBe(true);

      const next = await lane.send(message(2));
      expect(next.accepted).toEqual(['bob@example.com', 'carol@example.com']);
      expect(s.received.map((m) => m.raw.equals(message(2).raw))).toEqual([true]);
      expect(s.stats.connections).toBe(1);
    });

    it('goes on after a 451 4.7.0 at MAIL FROM', async () => {
      const s = await server({
        pipelining,
        failFirst: {
          phase: 'mail',
          times: 1,
          reply: { code: 451, message: '4.7.0 Try again later' },
        },
      });
      const lane = await session({ url: s.url });

      const err = await rejection(lane.send(message(1)));
      expect(err).toMatchObject({ responseCode: 451, command: 'MAIL FROM', isTransient: true });
      expect(err.response).toContain('4.7.0 Try again later');
      expect(lane.usable).toBe(true);

      await lane.send(message(2));
      expect(s.received).toHaveLength(1);
      expect(s.stats).toMatchObject({ connections: 1, transactions: 2 });
    });

    it('gives the connection up after a 421 at MAIL FROM', async () => {
      const s = await server({
        pipelining,
        mailFromReply: () => ({
          code: 421,
          message: '4.7.0 Too many messages, closing connection',
        }),
      });
      const lane = await session({ url: s.url });

      const err = await rejection(lane.send(message(1)));

      expect(err.responseCode).toBe(421);
      expect(err.isTransient).toBe(true);
      // The channel closing, not a refusal of the sender.
      expect(err.code).toBe('ERR_SMTP_CONNECTION');
      expect(err.message).toContain('not accepting mail now');
      expect(lane.usable).toBe(false);
      // The server closed its side too (RFC 5321 §3.8).
      await vi.waitFor(() => expect(s.stats.openConnections).toBe(0));
      const next = await rejection(lane.send(message(2)));
      expect(next).toMatchObject({ code: 'ERR_SMTP_CONNECTION', isTransient: true });
      expect(next.message).toContain('open a new session');
      expect(next.cause).toMatchObject({ command: 'API' });
    });

    it('says ERR_SMTP_CONNECTION with command DATA when the server hangs up after DATA', async () => {
      const s = await server({ pipelining, onData: 'close-before-reply' });
      const lane = await session({ url: s.url });

      const err = await rejection(lane.send(message(1)));

      expect(err).toMatchObject({
        code: 'ERR_SMTP_CONNECTION',
        command: 'DATA',
        isTransient: true,
      });
      expect(err.message).toContain(`127.0.0.1:${s.port}`);
      expect(err.message).toContain('may already have been delivered');
      expect(lane.usable).toBe(false);
      expect(s.received).toEqual([]);
    });

    it('says ERR_SMTP_CONNECTION without a command when the server hangs up before DATA', async () => {
      const s = await server({ pipelining, mailFromReply: () => 'close' });
      const lane = await session({ url: s.url });

      const err = await rejection(lane.send(message(1)));

      expect(err.code).toBe('ERR_SMTP_CONNECTION');
      expect(err.command).toBeUndefined();
      expect(lane.usable).toBe(false);
    });
  });

  it('throws ERR_SMTP_TIMEOUT when the server is slower than socketTimeoutMs', async () => {
    const s = await server({ mailFromReply: () => sleep(2_000).then(() => undefined) });
    const lane = await session({ url: s.url, socketTimeoutMs: 400 });

    const started = Date.now();
    const err = await rejection(lane.send(message(1)));

    expect(err).toMatchObject({ code: 'ERR_SMTP_TIMEOUT', isTransient: true });
    expect(err.command).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(lane.usable).toBe(false);
  });

  it('logs in with the URL user and password before the first message', async () => {
    const users: (string | undefined)[] = [];
    const s = await server({
      auth: { user: 'alice', pass: 's3cret/p@ss' },
      mailFromReply: (context) => {
        users.push(context.user);
        return undefined;
      },
    });
    const lane = await session({
      url: s.url.replace('smtp://', 'smtp://alice@'),
      password: 's3cret/p@ss',
    });

    await lane.send(message(1));
    await lane.send(message(2));

    expect(users).toEqual(['alice', 'alice']);
    expect(s.received).toHaveLength(2);
  });

  it('throws ERR_SMTP_AUTH from openSession for a wrong password, without revealing it', async () => {
    const password = 'Wrong-Passw0rd-xyzzy';
    const s = await server({ auth: { user: 'alice', pass: 'right' } });
    const t = transport({ url: s.url.replace('smtp://', 'smtp://alice@'), password });

    const err = await rejection(t.openSession!());

    expect(err.code).toBe('ERR_SMTP_AUTH');
    expect(err.responseCode).toBe(535);
    const b64 = (text: string): string => Buffer.from(text).toString('base64');
    const visible = [
      err.message,
      err.response ?? '',
      String(err),
      String(err.cause),
      err.cause instanceof Error ? (err.cause.stack ?? '') : '',
      JSON.stringify(err),
    ].join('\n');
    for (const secret of [password, b64(password), b64(`\u0000alice\u0000${password}`)]) {
      expect(visible).not.toContain(secret);
    }
    await vi.waitFor(() => expect(s.stats.openConnections).toBe(0));
  });

  it('throws ERR_SMTP_CONNECTION from openSession when the server drops the connection at once', async () => {
    const s = await server({ closeOnConnect: true });
    const t = transport({ url: s.url });

    const err = await rejection(t.openSession!());

    expect(err).toMatchObject({ code: 'ERR_SMTP_CONNECTION', isTransient: true });
    expect(s.stats.connections).toBe(1);
  });

  it('throws from openSession what send() would: refused port, TLS mismatch, silent server', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const closedPort = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const refused = await rejection(
      transport({ url: `smtp://127.0.0.1:${closedPort}` }).openSession!(),
    );
    expect(refused.message).toMatch(
      /^connection refused by 127\.0\.0\.1:\d+: is the server running/,
    );

    const plain = await server();
    const tls = await rejection(
      transport({ url: plain.url.replace('smtp://', 'smtps://') }).openSession!(),
    );
    expect(tls.code).toBe('ERR_SMTP_TLS');

    const silent = await server({ delayMs: 5_000 });
    const slow = await rejection(
      transport({ url: silent.url, connectionTimeoutMs: 300, socketTimeoutMs: 300 }).openSession!(),
    );
    expect(slow).toMatchObject({ code: 'ERR_SMTP_TIMEOUT', isTransient: true });
    expect(plain.received).toEqual([]);
  });

  it('refuses a second send while one is in flight with ERR_INTERNAL, and finishes the first', async () => {
    const s = await server({ onData: () => sleep(100).then(() => 'accept' as const) });
    const lane = await session({ url: s.url });

    const first = lane.send(message(1));
    const err = await rejection(lane.send(message(2)));
    const result = await first;

    expect(err.code).toBe('ERR_INTERNAL');
    expect(result.accepted).toEqual(['bob@example.com', 'carol@example.com']);
    expect(s.received).toHaveLength(1);
    expect(lane.usable).toBe(true);
  });

  it('closes with QUIT, twice without harm, and is unusable afterwards', async () => {
    const s = await server();
    const lane = await session({ url: s.url });
    await lane.send(message(1));

    await lane.close();
    await lane.close();

    expect(lane.usable).toBe(false);
    expect((await rejection(lane.send(message(2)))).code).toBe('ERR_INTERNAL');
    await vi.waitFor(() => expect(s.stats.openConnections).toBe(0));
  });

  it('close() lets a message in flight finish first', async () => {
    const s = await server({ onData: () => sleep(100).then(() => 'accept' as const) });
    const lane = await session({ url: s.url });

    const sending = lane.send(message(1));
    const closing = lane.close();

    await expect(sending).resolves.toMatchObject({ messageId: 'm1@example.com' });
    await closing;
    expect(s.received).toHaveLength(1);
  });

  it('the transport closes the sessions left open and opens no more', async () => {
    const s = await server();
    const t = createSmtpTransport({ url: s.url });
    const lanes = [await t.openSession!(), await t.openSession!()];

    await t.close();

    expect(lanes.map((lane) => lane.usable)).toEqual([false, false]);
    expect((await rejection(t.openSession!())).code).toBe('ERR_INTERNAL');
    await vi.waitFor(() => expect(s.stats.openConnections).toBe(0));
  });

  it('sends IDN domains in punycode, each recipient once, and reports them as given, like send()', async () => {
    const s = await server({
      rejectRecipient: (email) =>
        email.startsWith('carl@') ? { code: 550, message: '5.1.1 No such user' } : undefined,
    });
    const wire = await recordingProxy(s.port);
    const t = transport({ url: `smtp://127.0.0.1:${wire.port}` });
    const lane = await t.openSession!();
    cleanups.push(() => lane.close());
    const msg = message(1, {
      envelope: {
        from: 'alice@example.com',
        to: [
          'bob@jõgeva.example',
          '"doe,jane"@example.com',
          'carl@münchen.example',
          'bob@jõgeva.example',
        ],
      },
    });

    const viaSession = await lane.send(msg);
    const viaPool = await t.send(msg);

    expect(viaSession).toEqual({ ...viaPool, response: viaSession.response });
    expect(viaSession.accepted).toEqual(['bob@jõgeva.example', '"doe,jane"@example.com']);
    expect(viaSession.rejected).toEqual([
      { email: 'carl@münchen.example', code: 550, response: '550 5.1.1 No such user' },
    ]);
    const rcpts = wire
      .sent()
      .split('\r\n')
      .filter((line) => line.startsWith('RCPT TO:'));
    // The session's commands, then the pool's: the same on the wire.
    const once = [
      'RCPT TO:<bob@xn--jgeva-dua.example>',
      'RCPT TO:<"doe,jane"@example.com>',
      'RCPT TO:<carl@xn--mnchen-3ya.example>',
    ];
    expect(rcpts).toEqual([...once, ...once]);
  });
});

/** A TCP relay to the server that keeps what the client sent: the commands as they were on the wire. */
async function recordingProxy(target: number): Promise<{ port: number; sent(): string }> {
  const chunks: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const proxy = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('data', (chunk: Buffer) => chunks.push(chunk));
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        proxy.close(() => resolve());
      }),
  );
  return {
    port: (proxy.address() as net.AddressInfo).port,
    sent: () => Buffer.concat(chunks).toString('utf8'),
  };
}

describe('capture server hooks and counters', () => {
  it('counts connections: three parallel sessions peak at three', async () => {
    const s = await server();
    const t = transport({ url: s.url });

    const lanes = await Promise.all([t.openSession!(), t.openSession!(), t.openSession!()]);
    await Promise.all(lanes.map((lane, i) => lane.send(message(i))));
    expect(s.stats).toMatchObject({
      connections: 3,
      openConnections: 3,
      peakConnections: 3,
      transactions: 3,
    });
    await Promise.all(lanes.map((lane) => lane.close()));

    await vi.waitFor(() => expect(s.stats.openConnections).toBe(0));
    expect(s.stats.peakConnections).toBe(3);
  });

  it('tells each hook the connection, the transaction and the envelope so far', async () => {
    const contexts: { phase: string; context: HookContext }[] = [];
    const s = await server({
      mailFromReply: (context) => {
        contexts.push({ phase: 'mail', context });
        return undefined;
      },
      rcptReply: (_email, context) => {
        contexts.push({ phase: 'rcpt', context });
        return undefined;
      },
      onData: (raw, context) => {
        contexts.push({ phase: 'data', context });
        return raw.includes('refuse me') ? { code: 554, message: '5.7.1 No' } : 'accept';
      },
    });
    const t = transport({ url: s.url });
    const one = await t.openSession!();
    await one.send(
      message(1, { envelope: { from: 'alice@example.com', to: ['bob@example.com'] } }),
    );
    const two = await t.openSession!();
    await rejection(
      two.send(
        message(2, {
          envelope: { from: 'olga@example.com', to: ['carol@example.com'] },
          raw: Buffer.from('Subject: x\r\n\r\nrefuse me\r\n'),
        }),
      ),
    );
    await two.send(
      message(3, { envelope: { from: 'olga@example.com', to: ['dave@example.com'] } }),
    );

    const summary = contexts.map(({ phase, context }) => [
      phase,
      context.connection,
      context.transaction,
      context.connectionTransaction,
      context.envelope.from,
      context.envelope.to.join(','),
    ]);
    expect(summary).toEqual([
      ['mail', 1, 1, 1, 'alice@example.com', ''],
      ['rcpt', 1, 1, 1, 'alice@example.com', ''],
      ['data', 1, 1, 1, 'alice@example.com', 'bob@example.com'],
      ['mail', 2, 2, 1, 'olga@example.com', ''],
      ['rcpt', 2, 2, 1, 'olga@example.com', ''],
      ['data', 2, 2, 1, 'olga@example.com', 'carol@example.com'],
      ['mail', 2, 3, 2, 'olga@example.com', ''],
      ['rcpt', 2, 3, 2, 'olga@example.com', ''],
      ['data', 2, 3, 2, 'olga@example.com', 'dave@example.com'],
    ]);
    // The refused message is not among the received ones.
    expect(s.received.map((m) => m.envelope.to)).toEqual([
      ['bob@example.com'],
      ['dave@example.com'],
    ]);
  });

  it('a 421 from a RCPT TO hook closes the connection after the reply', async () => {
    const s = await server({
      rcptReply: () => ({ code: 421, message: '4.3.2 Shutting down' }),
    });
    const lane = await session({ url: s.url });

    const err = await rejection(lane.send(message(1)));

    expect(err).toMatchObject({
      code: 'ERR_SMTP_CONNECTION',
      responseCode: 421,
      isTransient: true,
    });
    expect(lane.usable).toBe(false);
    await vi.waitFor(() => expect(s.stats.openConnections).toBe(0));
  });

  it('answers 451 when a hook throws, so a broken test hook shows', async () => {
    const s = await server({
      mailFromReply: () => {
        throw new Error('boom');
      },
    });
    const lane = await session({ url: s.url });

    const err = await rejection(lane.send(message(1)));

    expect(err.responseCode).toBe(451);
    expect(err.response).toContain('capture server hook failed: boom');
    expect(lane.usable).toBe(true);
  });

  it('rateLimit refuses MAIL FROM beyond the rate with 451 4.7.0, and accepts again a second later', async () => {
    const s = await server({ rateLimit: { perSecond: 3 } });
    const lane = await session({ url: s.url });
    const outcomes: (number | 'ok')[] = [];

    for (let i = 0; i < 5; i++) {
      outcomes.push(
        await lane.send(message(i)).then(
          () => 'ok' as const,
          (err: SmtpInviteError) => err.responseCode ?? -1,
        ),
      );
    }
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 451, 451]);
    const refused = await rejection(lane.send(message(5)));
    expect(refused.response).toContain('4.7.0 rate limit exceeded, try again later');
    expect(lane.usable).toBe(true);

    await sleep(1_050);
    await lane.send(message(6));
    expect(s.received).toHaveLength(4);
  });

  it('the helpers compose: failFirst, then a rate limiter, first refusal wins', async () => {
    const failing = failFirst(1, { code: 450, message: '4.2.0 Busy' });
    const hook = firstReply(failing.mailFrom, rateLimiter(1));
    const context: HookContext = {
      connection: 1,
      transaction: 1,
      connectionTransaction: 1,
      envelope: { from: 'a@example.com', to: [] },
      user: undefined,
      secure: false,
    };

    expect(await hook(context)).toEqual({ code: 450, message: '4.2.0 Busy' });
    expect(await hook(context)).toBeUndefined();
    expect(await hook(context)).toMatchObject({ code: 451 });
    expect(await failing.data(Buffer.from('x'), context)).toEqual({
      code: 450,
      message: '4.2.0 Busy',
    });
    expect(await failing.data(Buffer.from('x'), context)).toBe('accept');
  });
});
