// The capture server spoken to over a raw socket, without our client: what it records must not
// depend on nodemailer's behaviour (dot-unstuffing, envelope, refusals).
import net from 'node:net';

import { describe, expect, it } from 'vitest';

import { startCaptureServer } from '../../src/transport/capture-server.ts';

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
