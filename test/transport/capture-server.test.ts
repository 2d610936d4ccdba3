// The capture server spoken to over a raw socket, without our client: what it records must not
// depend on nodemailer's behaviour (dot-unstuffing, envelope, refusals).
import net from 'node:net';

import { describe, expect, it } from 'vitest';

import { startCaptureServer } from '../../src/transport/capture-server.ts';
import { createSmtpTransport } from '../../src/transport/smtp-transport.ts';
import { tlsFixture } from '../support/smtp-test-server.ts';

/** Sends SMTP lines one at a time, each after the previous reply; returns every reply. */
async function converse(port: number, lines: readonly string[]): Promise<string[]> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  const replies: string[] = [];
  let buffer = '';
  let waiting: (() => void) | undefined;
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    // A complete reply ends with a line "NNN text" (a space after the code, not a dash).
    while (/^\d{3} .*\r\n/m.test(buffer)) {
      const end = buffer.search(/^\d{3} .*\r\n/m);
      const lineEnd = buffer.indexOf('\r\n', end) + 2;
      replies.push(buffer.slice(0, lineEnd));
      buffer = buffer.slice(lineEnd);
      waiting?.();
    }
  });
  const nextReply = (count: number): Promise<void> =>
    new Promise((resolve) => {
      if (replies.length >= count) resolve();
      else waiting = () => replies.length >= count && resolve();
    });
  await nextReply(1); // greeting
  for (const line of lines) {
    const expected = replies.length + 1;
    socket.write(line);
    await nextReply(expected);
  }
  socket.end();
  return replies;
}

describe('capture server', () => {
  it('listens on 127.0.0.1 and records the dot-unstuffed DATA and the accepted envelope', async () => {
    const server = await startCaptureServer({
      rejectRecipient: (email) =>
        email === 'nobody@example.com' ? { code: 550, message: '5.1.1 No such user' } : undefined,
    });
    try {
      expect(server.url).toBe(`smtp://127.0.0.1:${server.port}`);
      const replies = await converse(server.port, [
        'EHLO client.example.com\r\n',
        'MAIL FROM:<alice@example.com>\r\n',
        'RCPT TO:<bob@example.com>\r\n',
        'RCPT TO:<nobody@example.com>\r\n',
        'DATA\r\n',
        'Subject: x\r\n\r\n..leading dot\r\nline\r\n.\r\n',
        'QUIT\r\n',
      ]);

      expect(replies[0]).toMatch(/^220 /);
      expect(replies[1]).not.toMatch(/STARTTLS/);
      expect(replies[4]).toBe('550 5.1.1 No such user\r\n');
      expect(replies[6]).toMatch(/^250 /);
      expect(server.received).toEqual([
        {
          envelope: { from: 'alice@example.com', to: ['bob@example.com'] },
          raw: Buffer.from('Subject: x\r\n\r\n.leading dot\r\nline\r\n'),
          secure: false,
          user: undefined,
        },
      ]);
    } finally {
      await server.close();
    }
  });

  it('does not record a message it refused', async () => {
    const server = await startCaptureServer({ dataReply: { code: 554, message: '5.6.0 No' } });
    try {
      const replies = await converse(server.port, [
        'HELO client\r\n',
        'MAIL FROM:<a@example.com>\r\n',
        'RCPT TO:<b@example.com>\r\n',
        'DATA\r\n',
        'Subject: x\r\n\r\nbody\r\n.\r\n',
      ]);
      expect(replies.at(-1)).toBe('554 5.6.0 No\r\n');
      expect(server.received).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('can be closed twice', async () => {
    const server = await startCaptureServer();
    await server.close();
    await server.close();
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect(server.port, '127.0.0.1');
      socket.on('error', () => resolve(true));
      socket.on('connect', () => {
        socket.destroy();
        resolve(false);
      });
    });
    expect(refused).toBe(true);
  });
});

describe('capture server with TLS and AUTH', () => {
  const message = {
    messageId: 'tls-1@example.com',
    envelope: { from: 'ann@example.com', to: ['bob@example.com'] },
    raw: Buffer.from('Subject: over TLS\r\n\r\nhello\r\n'),
  };

  it.each(['starttls', 'implicit'] as const)(
    'records that a %s message came over TLS, and who logged in',
    async (mode) => {
      const { ca, server: cert } = tlsFixture();
      const server = await startCaptureServer({
        tls: { ...cert, mode },
        auth: { user: 'ann', pass: 'pw' },
      });
      expect(server.url.startsWith(mode === 'implicit' ? 'smtps://' : 'smtp://')).toBe(true);
      const transport = createSmtpTransport({
        url: server.url.replace('://', '://ann@'),
        password: 'pw',
        tlsCa: ca,
      });
      try {
        await transport.send(message);
        expect(server.received).toEqual([
          { envelope: message.envelope, raw: message.raw, secure: true, user: 'ann' },
        ]);
      } finally {
        await transport.close();
        await server.close();
      }
    },
  );

  it('XOAUTH2: a token the hook accepts logs in; any other is refused', async () => {
    const server = await startCaptureServer({
      auth: { user: 'ann@example.com', acceptToken: (token) => token === 'good-token' },
    });
    const send = async (token: string): Promise<unknown> => {
      const transport = createSmtpTransport({
        url: server.url.replace('://', '://ann%40example.com@'),
        oauth2: {
          user: 'ann@example.com',
          getToken: () => Promise.resolve(token),
          secrets: () => [token],
        },
      });
      try {
        return await transport.send(message);
      } catch (err) {
        return err;
      } finally {
        await transport.close();
      }
    };
    try {
      expect(await send('bad-token')).toMatchObject({ code: 'ERR_SMTP_AUTH' });
      expect(server.received).toEqual([]);
      await send('good-token');
      expect(server.received.map((m) => [m.user, m.secure])).toEqual([['ann@example.com', false]]);
    } finally {
      await server.close();
    }
  });
});
