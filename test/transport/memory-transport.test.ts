import { describe, expect, it } from 'vitest';

import { SmtpInviteError } from '../../src/errors.ts';
import { createMemoryTransport } from '../../src/transport/memory-transport.ts';
import type { OutgoingMessage } from '../../src/transport/transport.ts';

function message(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return {
    messageId: 'm1@example.com',
    envelope: { from: 'alice@example.com', to: ['bob@example.com', 'carol@example.com'] },
    raw: Buffer.from('Subject: hi\r\n\r\nbody\r\n'),
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<SmtpInviteError> {
  const err: unknown = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SmtpInviteError);
  return err as SmtpInviteError;
}

describe('memory transport', () => {
  it('records a copy of each message and accepts every recipient', async () => {
    const transport = createMemoryTransport();
    const msg = message();

    const result = await transport.send(msg);
    msg.raw.fill(0); // the caller reusing its buffer must not change the record

    expect(result).toEqual({
      messageId: 'm1@example.com',
      accepted: ['bob@example.com', 'carol@example.com'],
      rejected: [],
    });
    expect(transport.sent).toHaveLength(1);
    expect(transport.sent[0]!.raw.toString()).toBe('Subject: hi\r\n\r\nbody\r\n');
    expect(transport.sent[0]!.envelope).toEqual(msg.envelope);
    expect(transport.kind).toBe('memory');
  });

  it('with accept: false refuses every recipient like an SMTP server would', async () => {
    const transport = createMemoryTransport({ accept: false });

    const err = await failure(transport.send(message()));

    expect(err.code).toBe('ERR_SMTP_REJECTED');
    expect(err.responseCode).toBe(550);
    expect(err.message).toContain('bob@example.com');
    expect(err.rejected.map((r) => r.email)).toEqual(['bob@example.com', 'carol@example.com']);
    expect(transport.sent).toEqual([]);
  });

  it('refuses an impossible message as our bug', async () => {
    const transport = createMemoryTransport();

    for (const bad of [
      message({ envelope: { from: 'alice@example.com', to: [] } }),
      message({ envelope: { from: 'alice@example.com', to: ['bob@example.com\r\nRSET'] } }),
      message({ messageId: '<with-brackets@example.com>' }),
      message({ raw: Buffer.alloc(0) }),
    ]) {
      expect((await failure(transport.send(bad))).code).toBe('ERR_INTERNAL');
    }
    expect(transport.sent).toEqual([]);
  });

  it('refuses to be used after close()', async () => {
    const transport = createMemoryTransport();
    await transport.close();

    expect((await failure(transport.send(message()))).code).toBe('ERR_INTERNAL');
  });
});
