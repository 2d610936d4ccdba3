/**
 * Reading the files the CLI takes secrets from (--password-file, the OAuth2 and DKIM key files)
 * and the plain files next to them (--tls-ca, a certificate). Errors name the option and the
 * path, never the content.
 *
 * A secret file that group or others can read or write is refused (POSIX mode & 0o077), as ssh
 * does for private keys: another local user could read the secret, or replace it. A public file
 * (a CA) that every user can write is refused too (mode & 0o002). Windows has no such mode bits
 * (Node reports 0o666), so the checks are skipped there.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';

import { SmtpInviteError } from '../errors.ts';

/** A secret is a password, a token or a key: nothing close to this size. */
export const MAX_SECRET_FILE_BYTES = 64 * 1024;
/** A CA bundle can be large (a whole system bundle is about 220 KB). */
export const MAX_PUBLIC_FILE_BYTES = 1024 * 1024;

export interface ReadFileOptions {
  /** How the user named the file, for messages: `--password-file`, `passwordFile in /x/c.json`. */
  readonly option: string;
  /** Refuse a file group or others can access (default true). */
  readonly secret?: boolean;
  /** One value on one line (a password, a token): a line break inside is refused. */
  readonly singleLine?: boolean;
  readonly maxBytes?: number;
  /** For tests of the Windows behaviour; default process.platform. */
  readonly platform?: NodeJS.Platform;
}

/**
 * The file's text (UTF-8, a BOM dropped, one trailing newline removed: `echo secret > file` writes
 * one). Throws ERR_FILE_READ when it cannot be read, ERR_CONFIG when others may access a secret
 * file, or when it is empty, too large or (singleLine) holds several lines.
 */
export function readOptionFile(path: string, options: ReadFileOptions): string {
  const secret = options.secret ?? true;
  const maxBytes = options.maxBytes ?? (secret ? MAX_SECRET_FILE_BYTES : MAX_PUBLIC_FILE_BYTES);
  const where = `${options.option} ${path}`;
  let fd: number;
  try {
    // Opened once and checked through the descriptor: the file checked is the file read.
    fd = openSync(path, 'r');
  } catch (err) {
    throw readError(where, err);
  }
  let bytes: Buffer;
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) {
      throw new SmtpInviteError('ERR_FILE_READ', `${where}: is a directory, not a file`);
    }
    const posix = (options.platform ?? process.platform) !== 'win32';
    if (secret && posix && (stat.mode & 0o077) !== 0) {
      throw new SmtpInviteError(
        'ERR_CONFIG',
        `${where}: group or others can access this secret file (mode ${formatMode(stat.mode)}): run chmod 600 ${shellQuote(path)}`,
      );
    }
    // A CA or certificate is public, but whoever can change it decides whom we trust: any local
    // user could add their own CA and read the session.
    if (!secret && posix && (stat.mode & 0o002) !== 0) {
      throw new SmtpInviteError(
        'ERR_CONFIG',
        `${where}: any user can change this file (mode ${formatMode(stat.mode)}), and with it whom the connection trusts: run chmod 644 ${shellQuote(path)}`,
      );
    }
    if (stat.isFile() && stat.size > maxBytes) {
      throw tooLarge(where, maxBytes);
    }
    bytes = readBounded(fd, maxBytes, where);
  } finally {
    closeSync(fd);
  }
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  text = text.replace(/\r?\n$/, '');
  if (text.trim() === '') {
    throw new SmtpInviteError(
      'ERR_CONFIG',
      `${where}: the file is empty: put the ${secret ? 'secret' : 'content'} in it`,
    );
  }
  if (options.singleLine === true && /[\r\n\u0000]/.test(text)) {
    throw new SmtpInviteError(
      'ERR_CONFIG',
      `${where}: the file holds more than one line: put only the secret in it, on one line`,
    );
  }
  return text;
}

/** The mode of a file as `0644`, or undefined when it does not exist (tests, messages). */
export function fileMode(path: string): string | undefined {
  try {
    return formatMode(statSync(path).mode);
  } catch {
    return undefined;
  }
}

export function formatMode(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

/** A path as the user can paste it into a shell. */
export function shellQuote(text: string): string {
  return /^[\w./:@=+,-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

/** Reads at most maxBytes (a FIFO or /dev/fd/N from `<(pass show smtp)` has no size up front). */
function readBounded(fd: number, maxBytes: number, where: string): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.alloc(Math.min(64 * 1024, maxBytes + 1 - total));
    let read: number;
    try {
      read = readSync(fd, chunk, 0, chunk.length, null);
    } catch (err) {
      throw readError(where, err);
    }
    if (read === 0) break;
    chunks.push(chunk.subarray(0, read));
    total += read;
    if (total > maxBytes) throw tooLarge(where, maxBytes);
  }
  return Buffer.concat(chunks, total);
}

function tooLarge(where: string, maxBytes: number): SmtpInviteError {
  return new SmtpInviteError(
    'ERR_CONFIG',
    `${where}: the file is larger than ${String(Math.round(maxBytes / 1024))} KiB, too large for what it should hold: is it the right file?`,
  );
}

function readError(where: string, err: unknown): SmtpInviteError {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'is a directory, not a file'
          : (code ?? 'cannot read');
  return new SmtpInviteError('ERR_FILE_READ', `${where}: cannot read the file (${why})`, {
    cause: err,
  });
}
