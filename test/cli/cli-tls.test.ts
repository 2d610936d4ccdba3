/**
 * The TLS policy end to end through the CLI, against real servers on 127.0.0.1 with the fixture
 * certificates (fixtures/tls): verification on by default, --tls-ca for a private CA or a pinned
 * self-signed certificate, --require-tls on a loopback host, no plaintext fallback, --insecure and
 * SMTP_INVITE_ALLOW_INSECURE.
 *
 * Whether a session was encrypted is proven on the wire: the client talks to the server through a
 * TCP relay that records what the client sent. After STARTTLS nothing of the envelope or the
 * message may be readable there; on a plaintext session (the control) it is.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

import type { CliResult } from '../support/run-cli.ts';
import {
  startTestSmtpServer,
  tlsFixture,
  type TestSmtpServer,
} from '../support/smtp-test-server.ts';
import { BATCH_ARGS, tempCliDir } from '../support/temp-cli-dir.ts';

const fixtures = new URL('../../fixtures/tls/', import.meta.url).pathname;
const CA = join(fixtures, 'ca.pem');
const SELF_SIGNED = join(fixtures, 'self-signed.pem');
const OTHER_CA = join(fixtures, 'other-ca.pem');

const invite = {
  uid: 'cli-tls@example.com',
  summary: 'TLS check 7f3a',
  timeZone: 'Europe/Berlin',
  start: '2026-12-01T10:00',
  end: '2026-12-01T11:00',
  organizer: { name: 'Olga', email: 'olga@example.com' },
  attendees: [{ name: 'Ada', email: 'ada@example.com' }],
};

const dir = tempCliDir('smtp-invite-tls-', {
  files: { 'event.json': invite },
  batchFixtures: true,
});
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function server(
  tls?: 'starttls' | 'implicit',
  cert: 'server' | 'selfSigned' = 'server',
): Promise<TestSmtpServer> {
  const f = tlsFixture();
  const s = await startTestSmtpServer(tls === undefined ? {} : { tls: { ...f[cert], mode: tls } });
  closers.push(() => s.close());
  return s;
}

/** A TCP relay to `port` on 127.0.0.1 that keeps every byte the client sent. */
async function relay(
  port: number,
  host = '127.0.0.1',
): Promise<{ port: number; sent: () => string }> {
  const chunks: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const proxy = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => chunks.push(chunk));
    client.pipe(upstream).pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => proxy.listen(0, host, resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        proxy.close(() => resolve());
      }),
  );
  const address = proxy.address() as net.AddressInfo;
  return { port: address.port, sent: () => Buffer.concat(chunks).toString('latin1') };
}

const send = (
  smtp: string,
  extra: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult> =>
  dir.run(['send', 'event.json', '--smtp', smtp, '--db', 'l.db', ...extra], env);

describe('TLS through the CLI', () => {
  it('smtps:// to a self-signed server: exit 3, ERR_SMTP_TLS pointing to --tls-ca, nothing sent', async () => {
    const s = await server('implicit', 'selfSigned');
    const r = await send(s.url);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('error ERR_SMTP_TLS');
    expect(r.stderr).toContain('is not trusted');
    expect(r.stderr).toContain('--tls-ca FILE');
    expect(r.stderr).toContain('SMTP_INVITE_ALLOW_INSECURE=1');
    expect(s.received).toHaveLength(0);
  });

  it('smtps:// to a server of a private CA: refused, then delivered with --tls-ca ca.pem', async () => {
    const s = await server('implicit');
    const refused = await send(s.url);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('ERR_SMTP_TLS');
    expect(s.received).toHaveLength(0);

    const ok = await send(s.url, ['--tls-ca', CA]);
    expect(ok.stderr).not.toContain('ERR_');
    expect(ok.code).toBe(0);
    expect(s.received).toHaveLength(1);
    expect(s.received[0]?.secure).toBe(true);
    expect(ok.stderr).toContain('(implicit TLS)');
  });

  it('an unrelated CA does not help', async () => {
    const s = await server('implicit');
    const r = await send(s.url, ['--tls-ca', OTHER_CA]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('ERR_SMTP_TLS');
    expect(s.received).toHaveLength(0);
  });

  it('a self-signed server is pinned by giving its own certificate as --tls-ca', async () => {
    const s = await server('implicit', 'selfSigned');
    const r = await send(s.url, ['--tls-ca', SELF_SIGNED]);
    expect(r.code).toBe(0);
    expect(s.received).toHaveLength(1);
    expect(s.received[0]?.secure).toBe(true);
  });

  it('a certificate for another host name: ERR_SMTP_TLS saying so (not "use --tls-ca")', async () => {
    // The fixture certificate names localhost, 127.0.0.1 and ::1; 127.0.0.2 is this machine too.
    const s = await server('implicit');
    const wire = await relay(s.port, '127.0.0.2');
    const r = await send(`smtps://127.0.0.2:${wire.port}`, ['--tls-ca', CA]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('ERR_SMTP_TLS');
    expect(r.stderr).toContain('is not issued for that host name');
    expect(s.received).toHaveLength(0);
  });

  it('a --tls-ca file without a certificate is a configuration error before connecting', async () => {
    const s = await server('implicit');
    dir.write('empty-ca.pem', 'not a certificate\n', 0o644);
    const r = await send(s.url, ['--tls-ca', 'empty-ca.pem']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('holds no PEM certificate');
    expect(s.stats.connections).toBe(0);
    const missing = await send(s.url, ['--tls-ca', 'missing.pem']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      `--tls-ca ${join(dir.path, 'missing.pem')}: cannot read the file`,
    );
  });

  it('STARTTLS on a loopback host with --tls-ca: encrypted on the wire, then delivered', async () => {
    const s = await server('starttls');
    const wire = await relay(s.port);
    const r = await send(`smtp://127.0.0.1:${wire.port}`, ['--tls-ca', CA]);
    expect(r.code).toBe(0);
    expect(s.received).toHaveLength(1);
    expect(s.received[0]?.secure).toBe(true);
    expect(wire.sent()).toContain('STARTTLS');
    expect(wire.sent()).not.toContain('MAIL FROM');
    expect(wire.sent()).not.toContain('TLS check 7f3a');
  });

  it('STARTTLS on a loopback host with --require-tls (a trusted CA from the config file)', async () => {
    const s = await server('starttls');
    const wire = await relay(s.port);
    dir.write('smtp-invite.config.json', { tlsCa: CA }, 0o644);
    const r = await send(`smtp://127.0.0.1:${wire.port}`, ['--require-tls']);
    expect(r.code).toBe(0);
    expect(s.received).toHaveLength(1);
    expect(s.received[0]?.secure).toBe(true);
    expect(r.stderr).toContain('(STARTTLS required)');
    expect(wire.sent()).toContain('STARTTLS');
    expect(wire.sent()).not.toContain('MAIL FROM');
  });

  it('--require-tls verifies the certificate: a self-signed STARTTLS server is refused', async () => {
    const s = await server('starttls', 'selfSigned');
    const r = await send(s.url, ['--require-tls']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('ERR_SMTP_TLS');
    expect(s.received).toHaveLength(0);
  });

  it('the control: loopback smtp:// without those options is plaintext (the relay can read it)', async () => {
    const s = await server('starttls');
    const wire = await relay(s.port);
    const r = await send(`smtp://127.0.0.1:${wire.port}`);
    expect(r.code).toBe(0);
    expect(wire.sent()).toContain('MAIL FROM');
    expect(s.received.map((m) => m.secure)).toEqual([false]);
    expect(wire.sent()).toContain('TLS check 7f3a');
  });

  it('a server without STARTTLS and --require-tls: ERR_SMTP_TLS, never a plaintext delivery', async () => {
    const s = await server();
    const wire = await relay(s.port);
    const r = await send(`smtp://127.0.0.1:${wire.port}`, ['--require-tls']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('error ERR_SMTP_TLS');
    expect(r.stderr).toContain('does not support STARTTLS');
    expect(r.stderr).toContain('nothing is sent in plaintext');
    expect(s.received).toHaveLength(0);
    expect(wire.sent()).not.toContain('MAIL FROM');
    // Same with requireTls in the config file.
    dir.write('smtp-invite.config.json', { requireTls: true }, 0o644);
    const fromFile = await send(s.url);
    expect(fromFile.code).toBe(3);
    expect(fromFile.stderr).toContain('ERR_SMTP_TLS');
    expect(s.received).toHaveLength(0);
    // --insecure only skips the certificate check: it never turns required TLS into plaintext.
    dir.write('smtp-invite.config.json', { insecure: true }, 0o644);
    for (const extra of [['--require-tls'], ['--tls-ca', CA]]) {
      const insecure = await send(`smtp://127.0.0.1:${wire.port}`, extra);
      expect(insecure.code).toBe(3);
      expect(insecure.stderr).toContain('ERR_SMTP_TLS');
    }
    expect(s.received).toHaveLength(0);
    expect(wire.sent()).not.toContain('MAIL FROM');
  });

  it('--insecure toward a loopback smtps:// self-signed server: delivered, no banner', async () => {
    const s = await server('implicit', 'selfSigned');
    const r = await send(s.url, ['--insecure']);
    expect(r.code).toBe(0);
    expect(s.received).toHaveLength(1);
    expect(s.received[0]?.secure).toBe(true);
    expect(r.stderr).not.toContain('WARNING');
  });

  it('--insecure toward a non-loopback host without SMTP_INVITE_ALLOW_INSECURE: exit 2, no connection', async () => {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): nothing would answer; the refusal comes before any try.
    const r = await send('smtps://192.0.2.1:465', ['--insecure']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error ERR_SMTP_CONFIG');
    expect(r.stderr).toContain('not a loopback host');
    expect(r.stderr).toContain('SMTP_INVITE_ALLOW_INSECURE=1');
    expect(r.stderr).not.toContain('WARNING');
    // From the config file too.
    dir.write('smtp-invite.config.json', { insecure: true }, 0o644);
    const fromFile = await send('smtps://192.0.2.1:465');
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr).toContain('ERR_SMTP_CONFIG');
  });

  it('--insecure toward a non-loopback host with SMTP_INVITE_ALLOW_INSECURE=1: the banner, every time', async () => {
    // 0.0.0.0 is not a loopback address for the policy, but Linux connects it to this machine:
    // the insecure session really happens, and nothing leaves the host.
    const s = await server('implicit', 'selfSigned');
    const url = `smtps://0.0.0.0:${s.port}`;
    const env = { SMTP_INVITE_ALLOW_INSECURE: '1' };
    for (let i = 0; i < 2; i++) {
      const r = await dir.run(
        ['send', 'event.json', '--method', 'PUBLISH', '--smtp', url, '--insecure'],
        env,
      );
      expect(r.stderr).not.toContain('ERR_SMTP_CONFIG');
      expect(r.stderr).toContain(
        `WARNING: --insecure toward 0.0.0.0:${s.port}, which is not this machine:`,
      );
      expect(r.stderr).toContain("WARNING: the server's TLS certificate is NOT verified.\n");
      expect(r.stderr).toContain('WARNING: with --tls-ca FILE and drop --insecure.\n');
      expect(r.code).toBe(0);
    }
    expect(s.received).toHaveLength(2);
  });

  it('toward smtp:// the banner also says the session may be unencrypted', async () => {
    const s = await server('starttls', 'selfSigned');
    const r = await dir.run(
      [
        'send',
        'event.json',
        '--method',
        'PUBLISH',
        '--smtp',
        `smtp://0.0.0.0:${s.port}`,
        '--insecure',
      ],
      { SMTP_INVITE_ALLOW_INSECURE: '1' },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('WARNING: at all if the server does not offer STARTTLS.\n');
    expect(s.received).toHaveLength(1);
  });

  it('the banner names the config file when insecure comes from it', async () => {
    const s = await server('implicit', 'selfSigned');
    dir.write('smtp-invite.config.json', { insecure: true }, 0o644);
    const r = await dir.run(
      ['send', 'event.json', '--method', 'PUBLISH', '--smtp', `smtps://0.0.0.0:${s.port}`],
      { SMTP_INVITE_ALLOW_INSECURE: '1' },
    );
    expect(r.stderr).toContain('WARNING: insecure in smtp-invite.config.json toward 0.0.0.0');
    expect(r.code).toBe(0);
  });

  it('batch --resume reaches the server with the --tls-ca it started with (kept in the ledger)', async () => {
    const f = tlsFixture();
    const s = await startTestSmtpServer({
      tls: { ...f.server, mode: 'implicit' },
      auth: { user: 'ann@example.com', pass: 'right-Password-1' },
    });
    closers.push(() => s.close());
    const url = s.url.replace('://', '://ann%40example.com@');
    // A wrong password stops the batch before anything is sent: resume later.
    const first = await dir.run([...BATCH_ARGS, '--db', 'l.db', '--smtp', url, '--tls-ca', CA], {
      SMTP_PASSWORD: 'wrong-Password-1',
    });
    expect(first.code).toBe(3);
    expect(first.stderr).toContain('stopped: authentication failed');
    expect(s.received).toHaveLength(0);
    // Neither --smtp nor --tls-ca again: both come from the ledger (without a password).
    const resumed = await dir.run(['batch', '--resume', '--db', 'l.db'], {
      SMTP_PASSWORD: 'right-Password-1',
    });
    expect(resumed.stderr).not.toContain('ERR_');
    expect(resumed.code).toBe(0);
    expect(s.received.length).toBeGreaterThan(1);
    const ledger = readFileSync(join(dir.path, 'l.db')).toString('latin1');
    expect(ledger).toContain(CA);
    expect(ledger).not.toContain('Password-1');
  });
});
