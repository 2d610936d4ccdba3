/**
 * A fresh temporary directory for every test of a file, removed after it: the working directory
 * the CLI runs in, with what the CLI tests put there (the event, the batch fixtures, config and
 * secret files with the mode they are checked for) and an io for the library functions that read
 * from it.
 *
 *   const dir = tempCliDir('smtp-invite-secrets-', { files: { 'event.json': invite } });
 *   it('…', async () => {
 *     dir.write('pw.txt', PASSWORD); // chmod 600
 *     await dir.run(['send', 'event.json', '--password-file', 'pw.txt']);
 *   });
 */
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach } from 'vitest';

import type { CliIo } from '../../src/cli/cli-io.ts';
import { runCli, type CliResult } from './run-cli.ts';

const batchFixtures = new URL('../../fixtures/batch/', import.meta.url).pathname;

/** `batch` over the fixtures copied by `batchFixtures: true` (add --db, --smtp...). */
export const BATCH_ARGS = ['batch', 'rows.jsonl', '--template', 'template.json'] as const;

export interface TempCliDir {
  /** The directory of the running test. */
  readonly path: string;
  /**
   * Writes `content` (a string or bytes as they are, anything else as JSON) to `name` in the
   * directory with `mode`: 0600 unless told, as a secret file or a config file with an inline
   * secret must be. Returns the file's path.
   */
  readonly write: (name: string, content: unknown, mode?: number) => string;
  /** Runs the CLI in-process in the directory, with only `env` as its environment. */
  readonly run: (argv: readonly string[], env?: NodeJS.ProcessEnv) => Promise<CliResult>;
  /** An io for `cwd` (the directory unless told) and `env` that writes nowhere. */
  readonly io: (env?: NodeJS.ProcessEnv, cwd?: string) => CliIo;
}

export interface TempCliDirOptions {
  /** Files written at the start of every test (as `write` does, with the default umask mode). */
  readonly files?: Readonly<Record<string, unknown>>;
  /** Copy template.json and rows.jsonl of fixtures/batch at the start of every test. */
  readonly batchFixtures?: boolean;
}

const bytes = (content: unknown): string | Buffer =>
  typeof content === 'string' || Buffer.isBuffer(content) ? content : JSON.stringify(content);

/** Registers the hooks that make and remove the directory; call it at the top of a test file. */
export function tempCliDir(prefix: string, options: TempCliDirOptions = {}): TempCliDir {
  let path = '';
  beforeEach(() => {
    path = mkdtempSync(join(tmpdir(), prefix));
    for (const [name, content] of Object.entries(options.files ?? {})) {
      writeFileSync(join(path, name), bytes(content));
    }
    if (options.batchFixtures === true) {
      for (const name of ['template.json', 'rows.jsonl']) {
        copyFileSync(join(batchFixtures, name), join(path, name));
      }
    }
  });
  afterEach(() => {
    rmSync(path, { recursive: true, force: true });
  });
  return {
    get path() {
      return path;
    },
    write: (name, content, mode = 0o600) => {
      const file = join(path, name);
      writeFileSync(file, bytes(content));
      chmodSync(file, mode);
      return file;
    },
    run: (argv, env = {}) => runCli(argv, { cwd: path, env }),
    io: (env = {}, cwd = path) => ({
      stdout: { write: () => true },
      stderr: { write: () => true },
      env,
      cwd,
      stderrIsTty: false,
      stdoutIsTty: false,
      readStdin: () => Promise.resolve(Buffer.alloc(0)),
    }),
  };
}
