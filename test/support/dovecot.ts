/**
 * A real IMAP server for tests: Dovecot (Debian package dovecot-imapd), run in the foreground with
 * a private configuration in a temporary directory, listening on 127.0.0.1 on a free port, with
 * one user (plaintext password, allowed: the connection never leaves the machine) and a Maildir.
 * Messages are delivered the way a local delivery agent does: written to `tmp/`, renamed into
 * `new/`.
 *
 * Works as root (mail files owned by `nobody`, Dovecot's own unprivileged users for its services)
 * and as an ordinary user (everything runs as that user, no chroot).
 *
 *   const imap = await startDovecot();
 *   try { imap.deliver(raw); ... imap.url ... imap.password ... } finally { await imap.close(); }
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  chownSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';

export interface TestImapServer {
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** `imap://<user>@127.0.0.1:<port>/INBOX` (no password: pass it in IMAP_PASSWORD). */
  readonly url: string;
  /** Puts a message into INBOX as a new, unseen message. */
  deliver(raw: Buffer | string): void;
  /** Every message in INBOX as stored on disk: its Message-ID and whether it carries \Seen. */
  stored(): { messageId: string; seen: boolean }[];
  /** Dovecot's log so far (for failure messages). */
  log(): string;
  close(): Promise<void>;
}

/** The Dovecot binary, or undefined when it is not installed. */
export function findDovecot(): string | undefined {
  const dirs = [
    ...(process.env['PATH'] ?? '').split(delimiter),
    '/usr/sbin',
    '/usr/local/sbin',
    '/sbin',
  ];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = join(dir, 'dovecot');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const USER = 'organizer';
const PASSWORD = 'Imap-Pa55-wOrd-7319';

export async function startDovecot(): Promise<TestImapServer> {
  const binary = findDovecot();
  if (binary === undefined) {
    throw new Error('dovecot is not installed: apt-get install dovecot-imapd (see .ci/run)');
  }
  let lastError: unknown;
  // The free port is found by binding port 0 and releasing it: another process may take it in
  // between, so try a few times.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(binary, await freePort());
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function startOnce(binary: string, port: number): Promise<TestImapServer> {
  const dir = mkdtempSync(join(tmpdir(), 'smtp-invite-dovecot-'));
  // Dovecot's unprivileged helpers (when started as root) must reach base_dir below it.
  chmodSync(dir, 0o755);
  const root = process.getuid?.() === 0;
  const me = userInfo();
  const mailUser = root ? 'nobody' : me.username;
  const mailGroup = root ? 'nogroup' : execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim();
  const ids = root
    ? {
        uid: Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' })),
        gid: Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' })),
      }
    : undefined;

  const home = join(dir, 'home', USER);
  const maildir = join(home, 'Maildir');
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(maildir, sub), { recursive: true });
  for (const sub of ['run', 'state']) mkdirSync(join(dir, sub));
  if (ids !== undefined) {
    for (const path of [
      join(dir, 'home'),
      home,
      maildir,
      ...['cur', 'new', 'tmp'].map((s) => join(maildir, s)),
    ])
      chownSync(path, ids.uid, ids.gid);
  }
  writeFileSync(join(dir, 'passwd'), `${USER}:{PLAIN}${PASSWORD}\n`, { mode: 0o644 });
  const logPath = join(dir, 'dovecot.log');
  const unprivileged = root
    ? ''
    : `default_login_user = ${mailUser}
default_internal_user = ${mailUser}
default_internal_group = ${mailGroup}
service anvil {
  chroot =
}
`;
  const config = `# smtp-invite test server (Dovecot 2.3 syntax)
protocols = imap
listen = 127.0.0.1
base_dir = ${join(dir, 'run')}
state_dir = ${join(dir, 'state')}
log_path = ${logPath}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# Tests try a wrong password: no delay in answering it. (Dovecot still slows down the logins
# from the same address that follow, by seconds: try wrong passwords last.)
auth_failure_delay = 0
first_valid_uid = 1
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${join(dir, 'passwd')}
}
userdb {
  driver = static
  args = uid=${mailUser} gid=${mailGroup} home=${join(dir, 'home')}/%u
}
service imap-login {
${root ? '' : '  chroot =\n'}  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
${unprivileged}`;
  const configPath = join(dir, 'dovecot.conf');
  writeFileSync(configPath, config);

  const child = spawn(binary, ['-F', '-c', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const log = (): string =>
    `${output}${existsSync(logPath) ? readFileSync(logPath, 'utf8') : ''}`.trim();

  try {
    await waitForGreeting(port, exited, log);
  } catch (err) {
    await stop(child, exited);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  let counter = 0;
  return {
    port,
    user: USER,
    password: PASSWORD,
    url: `imap://${USER}@127.0.0.1:${port}/INBOX`,
    deliver(raw) {
      counter += 1;
      const name = `${Date.now()}.P${process.pid}Q${counter}.smtp-invite-test`;
      const temp = join(maildir, 'tmp', name);
      writeFileSync(temp, raw, { mode: 0o644 });
      if (ids !== undefined) chownSync(temp, ids.uid, ids.gid);
      renameSync(temp, join(maildir, 'new', name));
    },
    stored() {
      const out: { messageId: string; seen: boolean }[] = [];
      for (const sub of ['new', 'cur']) {
        for (const name of readdirSync(join(maildir, sub))) {
          const text = readFileSync(join(maildir, sub, name), 'latin1');
          const messageId = /^Message-ID:\s*(.+)$/im.exec(text)?.[1]?.trim() ?? '';
          const flags = /:2,([A-Za-z]*)$/.exec(name)?.[1] ?? '';
          out.push({ messageId, seen: sub === 'cur' && flags.includes('S') });
        }
      }
      return out;
    },
    log,
    async close() {
      await stop(child, exited);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Resolves once the server greets on the port; rejects (with Dovecot's log) if it exits or takes too long. */
async function waitForGreeting(
  port: number,
  exited: Promise<number | null>,
  log: () => string,
): Promise<void> {
  let gone: number | null | undefined;
  void exited.then((code) => (gone = code));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (gone !== undefined) throw new Error(`dovecot exited (${gone}):\n${log()}`);
    if (await greets(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`dovecot did not greet on 127.0.0.1:${port} within 15 s:\n${log()}`);
}

function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('data', (d: Buffer) => {
      data += d.toString('latin1');
      if (data.includes('\r\n')) done(data.startsWith('* OK'));
    });
  });
}

async function stop(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
