/** Secret files: permissions, empty, huge, several lines; errors name the option and path, never the content. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { readOptionFile } from '../../src/cli/secret-file.ts';
import { tempCliDir } from '../support/temp-cli-dir.ts';
import { thrown } from '../support/thrown.ts';

const dir = tempCliDir('smtp-invite-secret-file-');
/** The secret file of the test, with `content` and `mode`. */
const file = (content: string | Buffer, mode?: number): string =>
  dir.write('secret', content, mode);

const option = '--password-file';

describe('readOptionFile', () => {
  it('reads a 0600 file and drops one trailing newline (echo adds one), nothing else', () => {
    expect(readOptionFile(file('s3cret\n'), { option })).toBe('s3cret');
    expect(readOptionFile(file('s3cret\r\n'), { option })).toBe('s3cret');
    expect(readOptionFile(file(' s3cret '), { option })).toBe(' s3cret ');
    expect(readOptionFile(file('\ufeffs3cret'), { option })).toBe('s3cret');
    expect(readOptionFile(file('s3cret', 0o400), { option })).toBe('s3cret');
  });

  it.each([0o644, 0o640, 0o604, 0o660, 0o606, 0o610])(
    'refuses mode %s with chmod 600 and without the content',
    (mode) => {
      const path = file('Very-Secret-Value\n', mode);
      const err = thrown(() => readOptionFile(path, { option }));
      expect(err.code).toBe('ERR_CONFIG');
      expect(err.message).toBe(
        `--password-file ${path}: group or others can access this secret file (mode 0${mode.toString(8)}): run chmod 600 ${path}`,
      );
    },
  );

  it('does not check the mode on Windows (no such bits), nor for a file that is not secret', () => {
    const path = file('value', 0o644);
    expect(readOptionFile(path, { option, platform: 'win32' })).toBe('value');
    expect(readOptionFile(path, { option: '--tls-ca', secret: false })).toBe('value');
  });

  it('a public file (a CA) that every user can write is refused; group-writable is not', () => {
    const path = file('-----BEGIN CERTIFICATE-----', 0o666);
    const err = thrown(() => readOptionFile(path, { option: '--tls-ca', secret: false }));
    expect(err.code).toBe('ERR_CONFIG');
    expect(err.message).toBe(
      `--tls-ca ${path}: any user can change this file (mode 0666), and with it whom the connection trusts: run chmod 644 ${path}`,
    );
    // A umask-002 system (user private groups) writes 0664: accepted.
    expect(readOptionFile(file('ca', 0o664), { option: '--tls-ca', secret: false })).toBe('ca');
  });

  it('a missing file and a directory are ERR_FILE_READ naming option and path', () => {
    const missing = join(dir.path, 'nope');
    const err = thrown(() => readOptionFile(missing, { option }));
    expect(err.code).toBe('ERR_FILE_READ');
    expect(err.message).toBe(`--password-file ${missing}: cannot read the file (no such file)`);
    const isDir = thrown(() => readOptionFile(dir.path, { option, platform: 'win32' }));
    expect(isDir.code).toBe('ERR_FILE_READ');
  });

  it('an empty file (or only a newline) is refused', () => {
    for (const content of ['', '\n', '  \n']) {
      const err = thrown(() => readOptionFile(file(content), { option }));
      expect(err.code).toBe('ERR_CONFIG');
      expect(err.message).toContain('the file is empty');
    }
  });

  it('a huge file is refused before it is read whole', () => {
    const err = thrown(() => readOptionFile(file(Buffer.alloc(65 * 1024, 0x61)), { option }));
    expect(err.code).toBe('ERR_CONFIG');
    expect(err.message).toContain('larger than 64 KiB');
    expect(readOptionFile(file('x'.repeat(1000)), { option, maxBytes: 1000 })).toHaveLength(1000);
  });

  it('a single-line secret with a line break inside is refused, without quoting it', () => {
    const err = thrown(() =>
      readOptionFile(file('first-Secret\nsecond\n'), { option, singleLine: true }),
    );
    expect(err.code).toBe('ERR_CONFIG');
    expect(err.message).toContain('more than one line');
    expect(err.message).not.toContain('first-Secret');
    // A PEM key is several lines: fine without singleLine.
    expect(readOptionFile(file('-----BEGIN\nabc\n-----END\n'), { option })).toBe(
      '-----BEGIN\nabc\n-----END',
    );
  });

  it('paths with spaces are quoted in the chmod advice', () => {
    const path = dir.write('my secret', 'x', 0o644);
    expect(thrown(() => readOptionFile(path, { option })).message).toContain(`chmod 600 '${path}'`);
  });
});
