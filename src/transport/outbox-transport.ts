/**
 * A transport that writes each message to `<dir>/<message-id>.eml` instead of sending it: for
 * reviewing invitations before they go out, or handing them to another mail system.
 *
 * Writes are atomic (a temporary file in the same directory, then a hard link to the final name)
 * so a reader never sees half a message, and never overwrite: link(2) fails when the name exists,
 * which, unlike an exists-check followed by rename(2), cannot race another writer.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { copyFile, link, mkdir, open, unlink } from 'node:fs/promises';
import path from 'node:path';

import { SmtpInviteError } from '../errors.ts';
import type { DeliveryResult, OutgoingMessage, Transport } from './transport.ts';
import { checkOutgoingMessage, closedTransportError } from './transport.ts';

export interface OutboxTransportOptions {
  /** Directory for the .eml files; created (with parents) on the first send. */
  readonly dir: string;
}

// Room for a `-NNN` suffix and `.eml` within the 255-byte name limit of common file systems.
const MAX_BASE_LENGTH = 180;
const MAX_SUFFIX = 9999;
// Device names Windows reserves whatever the extension (a repository may be checked out there).
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i;

/** A file name (without extension) derived from a Message-ID, safe on POSIX and Windows. */
export function toSafeFileName(messageId: string): string {
  let name = messageId
    .replace(/^<|>$/g, '')
    .replace(/[^A-Za-z0-9._@+=-]/g, '_')
    // No hidden files, and Windows drops trailing dots.
    .replace(/^\.+/, (dots) => '_'.repeat(dots.length))
    .replace(/\.+$/, '')
    .slice(0, MAX_BASE_LENGTH);
  if (name === '') name = 'message';
  if (WINDOWS_RESERVED.test(name)) name = `_${name}`;
  return name;
}

export function createOutboxTransport(options: OutboxTransportOptions): Transport {
  const dir = path.resolve(options.dir);
  let closed = false;

  return {
    kind: 'outbox',
    description: `outbox ${dir} (nothing is sent)`,
    async send(message: OutgoingMessage): Promise<DeliveryResult> {
      if (closed) throw closedTransportError('outbox');
      checkOutgoingMessage(message);
      const outboxFile = await writeNewFile(dir, toSafeFileName(message.messageId), message.raw);
      return {
        messageId: message.messageId,
        accepted: [...message.envelope.to],
        rejected: [],
        outboxFile,
      };
    },
    close(): Promise<void> {
      closed = true;
      return Promise.resolve();
    },
  };
}

async function writeNewFile(dir: string, base: string, data: Buffer): Promise<string> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw writeError(`cannot create the outbox directory ${dir}`, err);
  }

  const tmp = path.join(dir, `.${base}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(tmp, 'wx', 0o644);
    try {
      await handle.writeFile(data);
      // Durable before it becomes visible under its final name.
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw writeError(`cannot write to the outbox directory ${dir}`, err);
  }

  try {
    for (let n = 0; n <= MAX_SUFFIX; n++) {
      const target = path.join(dir, n === 0 ? `${base}.eml` : `${base}-${n}.eml`);
      if (await claimName(tmp, target)) return target;
    }
    throw new SmtpInviteError(
      'ERR_FILE_WRITE',
      `cannot write ${base}.eml in ${dir}: ${MAX_SUFFIX} files with that name already exist; empty the outbox`,
    );
  } catch (err) {
    if (err instanceof SmtpInviteError) throw err;
    throw writeError(`cannot write ${base}.eml in ${dir}`, err);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/** Gives the temporary file the name `target` unless that name exists; false if it does. */
async function claimName(tmp: string, target: string): Promise<boolean> {
  try {
    await link(tmp, target);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return false;
    // Some file systems (FAT, some network shares) have no hard links: an exclusive copy still
    // never overwrites, it is only not atomic for readers.
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV'].includes(errnoCode(err) ?? '')) {
      throw err;
    }
  }
  try {
    await copyFile(tmp, target, fsConstants.COPYFILE_EXCL);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return false;
    throw err;
  }
}

function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') {
    return err.code;
  }
  return undefined;
}

function writeError(what: string, err: unknown): SmtpInviteError {
  const code = errnoCode(err);
  const hint =
    code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
      ? 'check that the directory is writable'
      : code === 'ENOSPC' || code === 'EDQUOT'
        ? 'free some disk space'
        : code === 'ENOTDIR' || code === 'EEXIST'
          ? 'the outbox path must be a directory'
          : 'check the outbox path';
  const reason = code ?? (err instanceof Error ? err.message : String(err));
  return new SmtpInviteError('ERR_FILE_WRITE', `${what} (${reason}): ${hint}`, {
    cause: err,
  });
}
