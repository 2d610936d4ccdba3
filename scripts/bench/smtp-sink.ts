/**
 * The far end of the batch benchmark: an SMTP server on 127.0.0.1 that accepts and discards every
 * message, in a process of its own so that its CPU is not on the event loop being measured.
 *
 * First choice is Postfix's `smtp-sink` (Debian package `postfix`), a C program built to measure
 * SMTP clients. When it is missing, `apt-get install postfix` is tried non-interactively (with the
 * "No configuration" answer, and the postfix daemon stopped afterwards: nothing may listen on port
 * 25). When that fails too, smtp-server (our capture server) runs in a child node process.
 *
 * Both report a running message count on their stdout (`mesg=N`, smtp-sink's `-c` format), which
 * gives the benchmark the time the first and the last message of a run were accepted.
 *
 * SMTP_INVITE_BENCH_SINK=smtp-server skips smtp-sink (to try the fallback).
 *
 * Run directly (`node scripts/bench/smtp-sink.ts`) it starts a sink and prints its URL until Ctrl-C;
 * `node scripts/bench/smtp-sink.ts --capture-child` is the smtp-server fallback itself.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export type SinkKind = 'postfix-smtp-sink' | 'smtp-server';

export interface Sink {
  readonly url: string;
  readonly port: number;
  readonly kind: SinkKind;
  /** The child's pid (smtp-sink or the node child running smtp-server). */
  readonly pid: number;
  /** Messages accepted since the sink started. */
  readonly accepted: () => number;
  /** Starts a measurement window: messages and first/last accept times from now on. */
  mark(): SinkWindow;
  stop(): Promise<void>;
}

export interface SinkWindow {
  /** Messages accepted since mark(). */
  readonly count: () => number;
  /** performance.now() of the first and last message accepted since mark(); NaN when none. */
  readonly firstAt: () => number;
  readonly lastAt: () => number;
  /** Resolves once `n` messages were accepted since mark() (or rejects after timeoutMs). */
  waitFor(n: number, timeoutMs: number): Promise<void>;
}

const SMTP_SINK = '/usr/sbin/smtp-sink';
const SELF = fileURLToPath(import.meta.url);

/** Every child we started, so that an interrupted benchmark can kill them synchronously. */
const children = new Set<ChildProcess>();
export function killSinksNow(): void {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
}

export async function startSink(log: (line: string) => void = () => undefined): Promise<Sink> {
  // SMTP_INVITE_BENCH_SINK=smtp-server forces the fallback (to try it where smtp-sink exists).
  const forced = process.env.SMTP_INVITE_BENCH_SINK === 'smtp-server';
  const hadSmtpSink = existsSync(SMTP_SINK);
  if (!forced && ensurePostfixSmtpSink(log)) {
    if (!hadSmtpSink && (await portOpen(25)))
      log('  warning: something listens on 127.0.0.1:25 after installing postfix: stop it');
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const asRoot = process.getuid?.() === 0;
      const args = ['-c', ...(asRoot ? ['-u', 'nobody'] : []), `127.0.0.1:${port}`, '1000'];
      const sink = await launch('postfix-smtp-sink', SMTP_SINK, args, port);
      if (sink !== undefined) return sink;
    }
    log('  smtp-sink did not start; falling back to smtp-server');
  }
  const port = await freePort();
  const sink = await launch(
    'smtp-server',
    process.execPath,
    [SELF, '--capture-child', String(port)],
    port,
  );
  if (sink === undefined) throw new Error('neither smtp-sink nor smtp-server could be started');
  return sink;
}

/** true when /usr/sbin/smtp-sink exists, installing the postfix package if need be. */
function ensurePostfixSmtpSink(log: (line: string) => void): boolean {
  if (existsSync(SMTP_SINK)) return true;
  if (process.platform !== 'linux' || !existsSync('/usr/bin/apt-get')) return false;
  log('  smtp-sink missing: trying apt-get install postfix (non-interactive)');
  const root = process.getuid?.() === 0;
  const sudo = (cmd: string[]): string[] => (root ? cmd : ['sudo', '-n', ...cmd]);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (cmd: string[], input?: string): boolean => {
    const [file, ...args] = cmd;
    if (file === undefined) return false;
    const r = spawnSync(file, args, {
      env,
      input,
      stdio: ['pipe', 'ignore', 'ignore'],
      timeout: 300_000,
    });
    return r.status === 0;
  };
  // "No configuration": the package installs its programs and starts no mail system.
  run(
    sudo(['debconf-set-selections']),
    'postfix postfix/main_mailer_type select No configuration\n',
  );
  const install = sudo(['apt-get', 'install', '-y', '-q', '--no-install-recommends', 'postfix']);
  // A fresh machine may have no package lists yet: update once and try again.
  const installed = run(install) || (run(sudo(['apt-get', 'update', '-q'])) && run(install));
  // Whatever the package did, no daemon of ours may stay on port 25.
  run(sudo(['postfix', 'stop']));
  run(sudo(['service', 'postfix', 'stop']));
  run(sudo(['systemctl', 'disable', '--now', 'postfix']));
  run(sudo(['update-rc.d', 'postfix', 'disable']));
  if (!installed) log('  apt-get install postfix failed');
  return existsSync(SMTP_SINK);
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(port, '127.0.0.1');
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function launch(
  kind: SinkKind,
  file: string,
  args: string[],
  port: number,
): Promise<Sink | undefined> {
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    if (stderr.length < 4000) stderr += d;
  });

  let accepted = 0;
  const listeners = new Set<(now: number) => void>();
  let pending = '';
  child.stdout?.setEncoding('latin1');
  child.stdout?.on('data', (chunk: string) => {
    const now = performance.now();
    pending += chunk;
    const cut = pending.lastIndexOf('\r');
    if (cut < 0) return;
    const done = pending.slice(0, cut);
    pending = pending.slice(cut + 1);
    const match = /mesg=(\d+)\s*$/.exec(done);
    if (match === null) return;
    const n = Number(match[1]);
    if (n === accepted) return;
    accepted = n;
    for (const listener of listeners) listener(now);
  });

  if (!(await listening(port, child, 5000))) {
    child.kill('SIGKILL');
    if (stderr.trim() !== '') process.stderr.write(`${kind}: ${stderr.trim()}\n`);
    return undefined;
  }

  let stopping: Promise<void> | undefined;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    kind,
    pid: child.pid ?? -1,
    accepted: () => accepted,
    mark(): SinkWindow {
      const start = accepted;
      let firstAt = NaN;
      let lastAt = NaN;
      const waiters = new Set<() => void>();
      const listener = (now: number): void => {
        if (Number.isNaN(firstAt)) firstAt = now;
        lastAt = now;
        for (const waiter of waiters) waiter();
      };
      listeners.add(listener);
      const count = (): number => accepted - start;
      return {
        count,
        firstAt: () => firstAt,
        lastAt: () => lastAt,
        waitFor(n, timeoutMs) {
          return new Promise<void>((resolve, reject) => {
            const check = (): void => {
              if (count() < n) return;
              clearTimeout(timer);
              waiters.delete(check);
              resolve();
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              reject(new Error(`sink: ${count()} of ${n} messages after ${timeoutMs} ms`));
            }, timeoutMs);
            waiters.add(check);
            check();
          });
        },
      };
    },
    stop(): Promise<void> {
      stopping ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 2000).unref();
      });
      return stopping;
    },
  };
}

/** Waits for the SMTP greeting on the port; false if the child exits first or time runs out. */
async function listening(port: number, child: ChildProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection(port, '127.0.0.1');
      socket.setEncoding('latin1');
      socket.setTimeout(1000);
      socket.once('data', (d: string) => {
        socket.end('QUIT\r\n');
        resolve(d.startsWith('220'));
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** The smtp-server fallback, run in the child: count messages, forget them, print `mesg=N`. */
async function captureChild(port: number): Promise<void> {
  const { startCaptureServer } = await import('../../src/transport/capture-server.ts');
  const server = await startCaptureServer({ port });
  let total = 0;
  setInterval(() => {
    const n = server.received.length;
    if (n === 0) return;
    // Forget the bytes: a 100,000-message run must not grow the sink.
    server.received.length = 0;
    total += n;
    process.stdout.write(`sess=0 quit=0 mesg=${total}\r`);
  }, 2);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] === SELF) {
  if (process.argv[2] === '--capture-child') {
    await captureChild(Number(process.argv[3]));
  } else {
    const sink = await startSink((line) => process.stdout.write(`${line}\n`));
    process.stdout.write(`${sink.kind} listening on ${sink.url} (pid ${sink.pid}); Ctrl-C stops\n`);
    const stop = (): void => {
      void sink.stop().then(() => process.exit(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  }
}
