import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { SmtpInviteError } from '../../src/errors.ts';
import { createOutboxTransport, toSafeFileName } from '../../src/transport/outbox-transport.ts';
import type { OutgoingMessage } from '../../src/transport/transport.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'smtp-invite-outbox-'));
  dirs.push(dir);
  return dir;
}

function message(messageId: string, body = 'hello'): OutgoingMessage {
  return {
    messageId,
    envelope: { from: 'alice@example.com', to: ['bob@example.com', 'carol@example.com'] },
    raw: Buffer.from(`Message-ID: <${messageId}>\r\nSubject: Café\r\n\r\n${body}\r\n`, 'utf8'),
  };
}

describe('outbox transport', () => {
  it('creates the directory and writes the exact bytes to <message-id>.eml', async () => {
    const root = await tempDir();
    const dir = path.join(root, 'nested', 'outbox');
    const transport = createOutboxTransport({ dir });
    const msg = message('20250101.abc@example.com');

    const result = await transport.send(msg);

    expect(result).toEqual({
      messageId: '20250101.abc@example.com',
      accepted: ['bob@example.com', 'carol@example.com'],
      rejected: [],
      outboxFile: path.join(dir, '20250101.abc@example.com.eml'),
    });
    expect((await readFile(result.outboxFile!)).equals(msg.raw)).toBe(true);
    // Nothing else, in particular no temporary file left behind.
    expect(await readdir(dir)).toEqual(['20250101.abc@example.com.eml']);
    expect(transport.kind).toBe('outbox');
    expect(transport.description).toContain(dir);
  });

  it('never overwrites: the same Message-ID gets a numbered name', async () => {
    const dir = await tempDir();
    const transport = createOutboxTransport({ dir });

    const first = await transport.send(message('same@example.com', 'first'));
    const second = await transport.send(message('same@example.com', 'second'));
    const third = await transport.send(message('same@example.com', 'third'));

    expect(path.basename(first.outboxFile!)).toBe('same@example.com.eml');
    expect(path.basename(second.outboxFile!)).toBe('same@example.com-1.eml');
    expect(path.basename(third.outboxFile!)).toBe('same@example.com-2.eml');
    expect(await readFile(first.outboxFile!, 'utf8')).toContain('first');
    expect(await readFile(second.outboxFile!, 'utf8')).toContain('second');
  });

  it('never overwrites a file that was already there', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'x@example.com.eml'), 'precious');
    const transport = createOutboxTransport({ dir });

    const result = await transport.send(message('x@example.com'));

    expect(path.basename(result.outboxFile!)).toBe('x@example.com-1.eml');
    expect(await readFile(path.join(dir, 'x@example.com.eml'), 'utf8')).toBe('precious');
  });

  it('keeps concurrent writes of the same Message-ID apart', async () => {
    const dir = await tempDir();
    const transport = createOutboxTransport({ dir });

    const results = await Promise.all(
      ['a', 'b', 'c', 'd'].map((body) => transport.send(message('race@example.com', body))),
    );

    const files = results.map((r) => r.outboxFile!);
    expect(new Set(files).size).toBe(4);
    const bodies = await Promise.all(files.map((f) => readFile(f, 'utf8')));
    expect(bodies.map((b) => b.trim().slice(-1)).sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('keeps a hostile Message-ID inside the directory', async () => {
    const dir = await tempDir();
    const transport = createOutboxTransport({ dir });

    const result = await transport.send(message('../../etc/passwd@x'));

    expect(path.dirname(result.outboxFile!)).toBe(dir);
    expect(path.basename(result.outboxFile!)).toBe('___.._etc_passwd@x.eml');
  });

  it('fails with ERR_FILE_WRITE when the outbox path is a file', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'not-a-dir');
    await writeFile(file, '');
    const transport = createOutboxTransport({ dir: file });

    const err: unknown = await transport.send(message('a@example.com')).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(SmtpInviteError);
    expect((err as SmtpInviteError).code).toBe('ERR_FILE_WRITE');
    expect((err as SmtpInviteError).message).toContain(file);
    expect((err as SmtpInviteError).cause).toBeDefined();
  });

  it('refuses to be used after close()', async () => {
    const dir = await tempDir();
    const transport = createOutboxTransport({ dir });
    await transport.close();

    const err: unknown = await transport.send(message('a@example.com')).catch((e: unknown) => e);

    expect((err as SmtpInviteError).code).toBe('ERR_INTERNAL');
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('toSafeFileName', () => {
  it.each([
    ['abc.123@example.com', 'abc.123@example.com'],
    ['<abc@example.com>', 'abc@example.com'],
    ['a/b\\c:d*e?f"g<h>i|j k@x', 'a_b_c_d_e_f_g_h_i_j_k@x'],
    ['...hidden@x', '___hidden@x'],
    ['trailing.', 'trailing'],
    ['', 'message'],
    ['CON', '_CON'],
    ['nul.example', '_nul.example'],
    ['ünï@x', '_n_@x'],
  ])('%j → %j', (input, expected) => {
    expect(toSafeFileName(input)).toBe(expected);
  });

  it('bounds the length', () => {
    expect(toSafeFileName('x'.repeat(1000)).length).toBeLessThanOrEqual(180);
  });
});
