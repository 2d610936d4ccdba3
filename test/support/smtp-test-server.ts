/**
 * A real SMTP server on 127.0.0.1 (port 0) for tests, built on the demo's capture server so that
 * there is one implementation of "a server that records what it receives". Adds the fault that
 * needs no SMTP at all: accepting TCP and dropping it at once.
 *
 *   const server = await startTestSmtpServer({ rejectRecipient: (e) => e.startsWith('x') ? { code: 550, message: '5.1.1 No such user' } : undefined });
 *   try { ... server.url ... server.received ... } finally { await server.close(); }
 */
import net from 'node:net';

import { startCaptureServer } from '../../src/transport/capture-server.ts';
import type { ReceivedMessage } from '../../src/transport/capture-server.ts';

export type { ReceivedMessage };

export interface TestSmtpServer {
  readonly port: number;
  /** `smtp://127.0.0.1:<port>` */
  readonly url: string;
  /** Messages the server accepted, oldest first. */
  readonly received: ReceivedMessage[];
  close(): Promise<void>;
}

export interface TestSmtpServerOptions {
  /** Refuse a recipient at RCPT TO, e.g. `{ code: 550, message: '5.1.1 No such user' }`. */
  rejectRecipient?: (email: string) => { code: number; message: string } | undefined;
  /** Reply to the end of DATA; `close-before-reply` drops the connection without replying. */
  onData?: 'accept' | 'close-before-reply' | { code: number; message: string };
  /** Require AUTH PLAIN/LOGIN (allowed without TLS: the server is on loopback). */
  auth?: { user: string; pass: string };
  /** Accept the TCP connection, then drop it before any greeting. */
  closeOnConnect?: boolean;
  /** Hold every reply (greeting included) this long: a slow server for timeout tests. */
  delayMs?: number;
}

export async function startTestSmtpServer(
  options: TestSmtpServerOptions = {},
): Promise<TestSmtpServer> {
  if (options.closeOnConnect === true) return startDroppingServer();
  const onData = options.onData ?? 'accept';
  return startCaptureServer({
    host: '127.0.0.1',
    port: 0,
    ...(options.rejectRecipient === undefined ? {} : { rejectRecipient: options.rejectRecipient }),
    dataReply: onData === 'close-before-reply' ? 'drop' : onData,
    ...(options.auth === undefined ? {} : { auth: options.auth }),
    ...(options.delayMs === undefined ? {} : { replyDelayMs: options.delayMs }),
  });
}

/** A TCP server that ends every connection as soon as it is accepted. */
async function startDroppingServer(): Promise<TestSmtpServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    port: address.port,
    url: `smtp://127.0.0.1:${address.port}`,
    received: [],
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
