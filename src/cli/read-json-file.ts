import { readFile } from 'node:fs/promises';
import { SmtpInviteError } from '../errors.ts';

/** Reads and parses a JSON file; unreadable or malformed files are ERR_FILE_READ (exit 2). */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : String(err);
    throw new SmtpInviteError('ERR_FILE_READ', `${path}: cannot read: ${why}`, { cause: err });
  }
  try {
    // A UTF-8 BOM (Windows editors) is not JSON, but refusing it would only annoy.
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    throw new SmtpInviteError(
      'ERR_FILE_READ',
      `${path}: not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
}
