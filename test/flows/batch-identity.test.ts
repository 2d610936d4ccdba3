/**
 * The batch engine with a sender identity, against a real SMTP server: the identity crosses to the
 * build worker thread, is stored with the batch (a resume sends the remaining rows the same way)
 * and a conflicting one is refused before any row is recorded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { resumeBatch, sendBatch, type BatchOptions } from '../../src/flows/send-batch.ts';
import { inspect } from '../../src/inspect/inspect-engine.ts';
import { openLedger, type SqliteLedger } from '../../src/ledger/open-ledger.ts';
import { createSmtpTransport } from '../../src/transport/smtp-transport.ts';
import type { Transport } from '../../src/transport/transport.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-test-server.ts';

const SERVICE = { name: 'Webinar Desk', email: 'desk@webinars.example.net' };
const TEMPLATE = {
  summary: 'Webinar {{n}}',
  timeZone: 'Europe/Berlin',
  start: '2026-12-10T16:00',
  duration: 'PT1H',
  organizer: { name: 'Olga Organizer', email: 'olga@example.com' },
  attendees: [{ email: '{{email}}', name: 'Guest {{n}}' }],
};
const rows = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    n: String(i + 1),
    email: `guest${String(i + 1)}@example.org`,
  }));

let dir: string;
let ledger: SqliteLedger;
let server: TestSmtpServer;
let transport: Transport;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'batch-identity-'));
  ledger = openLedger(join(dir, 'ledger.db'));
  server = await startTestSmtpServer();
  transport = createSmtpTransport({ url: server.url });
});
afterEach(async () => {
  await transport.close();
  await server.close();
  ledger.close();
  rmSync(dir, { recursive: true, force: true });
});

const options = (extra: Partial<BatchOptions> = {}): BatchOptions => ({
  ledger,
  transport,
  template: TEMPLATE,
  retry: { baseMs: 5, maxMs: 20 },
  ...extra,
});

function header(raw: Buffer, name: string): string | undefined {
  const text = raw.toString('latin1');
  const head = text.slice(0, text.indexOf('\r\n\r\n')).replace(/\r\n[ \t]/g, ' ');
  const line = head.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

/** Every message received came from the service, for the organizer, and inspects clean. */
function expectServiceIdentity(): void {
  for (const m of server.received) {
    expect(header(m.raw, 'From')).toBe(`Webinar Desk <${SERVICE.email}>`);
    expect(header(m.raw, 'Reply-To')).toBe('Olga Organizer <olga@example.com>');
    expect(header(m.raw, 'Sender')).toBeUndefined();
    expect(m.envelope.from).toBe(SERVICE.email);
    const report = inspect(m.raw, { recipient: m.envelope.to[0] ?? '' });
    expect(report.calendars[0]?.events[0]?.organizer).toMatchObject({
      address: 'olga@example.com',
      sentBy: SERVICE.email,
    });
    expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(/^Message-ID: <[^>]+@webinars\.example\.net>/im.test(m.raw.toString('latin1'))).toBe(
      true,
    );
  }
}

describe('batch with a service identity', () => {
  it('builds in a worker thread with the identity, and a resume keeps it', async () => {
    const controller = new AbortController();
    // More rows than the engine builds ahead (a queue of 256 ready messages plus the chunks of 64
    // being built): the resume must build the rest itself, from the identity stored with the batch.
    const run = sendBatch(
      rows(500),
      options({
        id: 'b-identity',
        build: { service: SERVICE },
        buildThreads: 1,
        signal: controller.signal,
        pacing: { maxConnections: 1 },
      }),
    );
    let seen = 0;
    for await (const outcome of run) {
      void outcome;
      if (++seen === 4) controller.abort();
    }
    const first = await run.summary();
    expect(first.state).toBe('stopped');
    expect(first.remaining).toBeGreaterThan(400);
    expect((ledger.batches.getBatch('b-identity')?.settings as { build: unknown }).build).toEqual({
      profile: 'default',
      attachment: true,
      service: SERVICE,
    });
    // No identity given on resume: the batch's own is used for the rows left.
    const resumed = await resumeBatch('b-identity', {
      ledger,
      transport,
      buildThreads: 1,
    }).summary();
    expect(resumed).toMatchObject({ state: 'finished', sent: 500 });
    expect(server.received).toHaveLength(500);
    expectServiceIdentity();
  });

  it('builds the same way without a worker', async () => {
    const summary = await sendBatch(
      rows(3),
      options({ build: { service: SERVICE }, buildThreads: 0 }),
    ).summary();
    expect(summary).toMatchObject({ state: 'finished', sent: 3 });
    expectServiceIdentity();
  });

  it('refuses service with sender before recording any row', async () => {
    await expect(
      sendBatch(
        rows(3),
        options({ build: { service: SERVICE, sender: { email: 'grace@example.com' } } }),
      ).summary(),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    expect(ledger.batches.listBatches()).toEqual([]);
    expect(server.received).toEqual([]);
  });
});
