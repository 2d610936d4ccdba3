import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SmtpInviteError } from '../errors.ts';
import { invalidInviteError, validateInvite } from '../model/validate-invite.ts';
import type { CliIo } from './cli-io.ts';
import { reportError, reportWarnings } from './report-problems.ts';

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

/**
 * An invite JSON file for the ledger commands: read, validated up front (so bad input never opens
 * or creates the ledger), warnings reported. Returns the raw input for the flow, or the exit code.
 * The flow validates again with its own ids; that costs microseconds once per command.
 */
export async function readInviteFile(
  io: CliIo,
  file: string,
): Promise<{ readonly input: unknown } | { readonly exit: number }> {
  try {
    const input = await readJsonFile(resolve(io.cwd, file));
    const checked = validateInvite(input);
    if (!checked.ok) throw invalidInviteError(checked.diagnostics);
    reportWarnings(io, checked.diagnostics, file);
    return { input };
  } catch (err) {
    return { exit: reportError(io, err, file) };
  }
}
