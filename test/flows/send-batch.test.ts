/**
 * The batch engine against a real SMTP server on 127.0.0.1 with fault hooks: per-recipient 550 and
 * 452, 421 mid-batch, a connection dropped after DATA, a slow server and timeouts, a server that
 * enforces a rate with 4.7.0 replies, quotas, the daily cap, invalid rows and resuming.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { RowOutcome } from '../../src/batch/batch-types.ts';
import { SmtpInviteError } from '../../src/errors.ts';
import { buildBatchRow } from '../../src/flows/build-batch-row.ts';
import { resumeBatch, sendBatch, type BatchOptions } from '../../src/flows/send-batch.ts';
import { inspectMessage } from '../../src/inspect/inspect-engine.ts';
import { openLedger, type SqliteLedger } from '../../src/ledger/open-ledger.ts';
import { createSmtpTransport } from '../../src/transport/smtp-transport.ts';
import type { Transport } from '../../src/transport/transport.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-test-server.ts';

const TEMPLATE = {
  summary: 'Webinar: {{topic}}',
  description: 'Join here: {{join_url}}',
  timeZone: 'Europe/Berlin',
  start: '2026-12-10T16:00',
  duration: 'PT1H',
  organizer: { name: 'Olga Organizer', email: 'olga@example.com' },
  attendees: [
    { email: '{{email}}', name: '{{name}}' },
    { email: 'cohost-{{n}}@example.net', role: 'optional' },
    { email: 'room-{{n}}@example.com', kind: 'room' },
  ],
};

function rows(count: number, prefix = 'guest'): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => ({
    n: String(i + 1),
    email: `${prefix}${String(i + 1)}@example.org`,
    name: `Guest ${String(i + 1)}`,
    topic: 'Calendars over SMTP',
    join_url: `https://meet.example.com/j/${String(i + 1)}`,
  }));
}

const FIXED_NOW = Date.parse('2026-11-21T10:00:00Z');

let dir: string;
let ledger: SqliteLedger;
let server: TestSmtpServer | undefined;
let transport: Transport | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'send-batch-'));
  ledger = openLedger(join(dir, 'ledger.db'));
});
afterEach(async () => {
  await transport?.close();
  transport = undefined;
  await server?.close();
  server = undefined;
  ledger.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(
  options: Parameters<typeof startTestSmtpServer>[0] = {},
  smtp: { socketTimeoutMs?: number } = {},
) {
  server = await startTestSmtpServer(options);
  transport = createSmtpTransport({ url: server.url, ...smtp });
  return { server, transport };
}

function baseOptions(t: Transport, extra: Partial<BatchOptions> = {}): BatchOptions {
  return {
    ledger,
    transport: t,
    template: TEMPLATE,
    buildThreads: 0,
    retry: { baseMs: 5, maxMs: 20 },
    throttle: { pauseBaseMs: 20, pauseMaxMs: 200 },
    ...extra,
  };
}

async function collect(run: AsyncIterable<RowOutcome>): Promise<RowOutcome[]> {
  const out: RowOutcome[] = [];
  for await (const o of run) out.push(o);
  return out;
}

function recipientsOf(s: TestSmtpServer): string[] {
  return s.received.flatMap((m) => m.envelope.to).sort();
}

function messageIdOf(raw: Buffer): string {
  return /^Message-ID: <([^>]+)>/im.exec(raw.toString('latin1'))?.[1] ?? '';
}

describe('sendBatch', () => {
  it('sends every row once, in order, byte-identical to a rebuild, and each message inspects clean', async () => {
    const { server: s, transport: t } = await start();
    const run = sendBatch(
      rows(25),
      baseOptions(t, { id: 'b-test', clock: { now: () => FIXED_NOW, random: () => 0.5 } }),
    );
    const outcomes = await collect(run);
    const summary = await run.summary();
    expect(summary).toMatchObject({
      id: 'b-test',
      state: 'finished',
      rows: 25,
      sent: 25,
      failed: 0,
      remaining: 0,
      recipientsAccepted: 75,
    });
    expect(outcomes.map((o) => o.row).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 25 }, (_, i) => i + 1),
    );
    expect(outcomes.every((o) => o.status === 'sent')).toBe(true);
    expect(s.received).toHaveLength(25);
    expect(recipientsOf(s)).toHaveLength(75);
    // Deterministic: the same row built again with the batch's clock gives the bytes received.
    const stored = ledger.batches.nextRows('b-test', 0, 10);
    expect(stored).toEqual([]); // every row done: nothing left to send
    const first = s.received.find((m) => messageIdOf(m.raw) === 'b-test.1@example.com');
    expect(first).toBeDefined();
    const outcome1 = outcomes.find((o) => o.row === 1);
    const rebuilt = buildBatchRow(
      'b-test',
      {
        row: 1,
        inputJson: JSON.stringify({ ...mergedInput(1), uid: outcome1?.uid }),
        nowMs: FIXED_NOW,
      },
      { profile: 'default', attachment: true },
    );
    expect(rebuilt.ok && rebuilt.raw.equals(first?.raw ?? Buffer.alloc(0))).toBe(true);
    for (const m of s.received.slice(0, 5)) {
      const report = inspectMessage(m.raw);
      expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    }
    expect(ledger.batches.getBatch('b-test')?.state).toBe('finished');
  });

  it('refuses invalid rows before sending anything, naming the row and the field, and keeps nothing', async () => {
    const { server: s, transport: t } = await start();
    const bad = rows(5);
    bad[2] = { ...bad[2], email: 'not-an-address' };
    delete bad[4]?.['join_url'];
    const run = sendBatch(bad, baseOptions(t, { id: 'b-bad' }));
    const err = await run.summary().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SmtpInviteError);
    const e = err as SmtpInviteError;
    expect(e.code).toBe('ERR_INVALID_INPUT');
    expect(e.message).toContain('nothing was sent');
    const text = e.diagnostics.map((d) => `${d.path}: ${d.message}`).join('\n');
    expect(text).toMatch(/row 3: attendees\[0\]\.email/);
    expect(text).toMatch(/row 5: .*join_url/);
    expect(s.received).toHaveLength(0);
    expect(ledger.batches.getBatch('b-bad')).toBeUndefined();
  });

  it('with skipInvalid sends the valid rows and reports the invalid ones', async () => {
    const { server: s, transport: t } = await start();
    const bad = rows(4);
    bad[1] = { ...bad[1], email: 'nope' };
    const run = sendBatch(bad, baseOptions(t, { skipInvalid: true }));
    const outcomes = await collect(run);
    const summary = await run.summary();
    expect(summary).toMatchObject({ state: 'finished', rows: 4, sent: 3, invalid: 1 });
    expect(outcomes.find((o) => o.row === 2)).toMatchObject({ status: 'invalid' });
    expect(outcomes.find((o) => o.row === 2)?.problems?.[0]).toMatch(/attendees\[0\]\.email/);
    expect(s.received).toHaveLength(3);
  });

  it('fails a recipient refused with 550 (with the server words) and delivers the others', async () => {
    const { server: s, transport: t } = await start({
      rejectRecipient: (email) =>
        email === 'guest3@example.org'
          ? { code: 550, message: '5.1.1 No such user here' }
          : undefined,
    });
    const run = sendBatch(rows(5), baseOptions(t));
    const outcomes = await collect(run);
    const summary = await run.summary();
    expect(summary).toMatchObject({
      state: 'finished',
      sent: 4,
      partial: 1,
      recipientsFailed: 1,
      recipientsAccepted: 14,
    });
    const row3 = outcomes.find((o) => o.row === 3);
    expect(row3?.status).toBe('partial');
    expect(row3?.recipients.find((r) => r.email === 'guest3@example.org')).toMatchObject({
      status: 'failed',
      code: 550,
      enhanced: '5.1.1',
    });
    expect(row3?.recipients.find((r) => r.email === 'guest3@example.org')?.response).toContain(
      'No such user here',
    );
    expect(recipientsOf(s)).not.toContain('guest3@example.org');
    expect(recipientsOf(s)).toHaveLength(14);
  });

  it('retries a recipient refused with 452 with backoff, resending the same bytes to that recipient only', async () => {
    let refusals = 0;
    const { server: s, transport: t } = await start({
      rejectRecipient: (email) => {
        if (email === 'guest2@example.org' && refusals < 2) {
          refusals += 1;
          return { code: 452, message: '4.2.2 Mailbox temporarily full' };
        }
        return undefined;
      },
    });
    const run = sendBatch(rows(3), baseOptions(t));
    const outcomes = await collect(run);
    expect((await run.summary()).sent).toBe(3);
    expect(
      outcomes.find((o) => o.row === 2)?.recipients.find((r) => r.email === 'guest2@example.org')
        ?.attempts,
    ).toBe(3);
    const row2 = s.received.filter((m) => m.raw.includes('guest2@example.org'));
    expect(row2).toHaveLength(2); // first to the two others, then to guest2 alone
    expect(row2[1]?.envelope.to).toEqual(['guest2@example.org']);
    expect(row2[0]?.raw.equals(row2[1]?.raw ?? Buffer.alloc(0))).toBe(true);
  });

  it('gives up on a recipient after maxAttempts transient refusals, with the count and the words', async () => {
    const { transport: t } = await start({
      rejectRecipient: (email) =>
        email === 'guest1@example.org' ? { code: 451, message: '4.3.0 Try later' } : undefined,
    });
    const run = sendBatch(rows(1), baseOptions(t, { maxAttempts: 3 }));
    const outcomes = await collect(run);
    const r = outcomes[0]?.recipients.find((x) => x.email === 'guest1@example.org');
    expect(r).toMatchObject({ status: 'failed', attempts: 3, code: 451 });
    expect(r?.response).toMatch(/gave up after 3 attempts: .*Try later/);
  });
});

/** What row n becomes after merging (for rebuilding it in the test). */
function mergedInput(n: number): Record<string, unknown> {
  const r = rows(n)[n - 1] as Record<string, string>;
  return {
    ...TEMPLATE,
    summary: `Webinar: ${r['topic'] ?? ''}`,
    description: `Join here: ${r['join_url'] ?? ''}`,
    attendees: [
      { email: r['email'], name: r['name'] },
      { email: `cohost-${String(n)}@example.net`, role: 'optional' },
      { email: `room-${String(n)}@example.com`, kind: 'room' },
    ],
  };
}

describe('resumeBatch', () => {
  it('a stopped batch resumes from the ledger alone and every recipient gets exactly one message', async () => {
    const { server: s, transport: t } = await start({ delayMs: 5 });
    const controller = new AbortController();
    const run = sendBatch(
      rows(40),
      baseOptions(t, { id: 'b-stop', signal: controller.signal, pacing: { maxConnections: 2 } }),
    );
    let seen = 0;
    for await (const o of run) {
      void o;
      seen += 1;
      if (seen === 5) controller.abort();
    }
    const first = await run.summary();
    expect(first.state).toBe('stopped');
    expect(first.stop?.reason).toBe('interrupted');
    expect(first.remaining).toBeGreaterThan(0);
    const again = resumeBatch(undefined, { ledger, transport: t, buildThreads: 0 });
    const second = await again.summary();
    expect(second).toMatchObject({ id: 'b-stop', state: 'finished', sent: 40 });
    const ids = s.received.map((m) => messageIdOf(m.raw));
    expect(new Set(ids).size).toBe(40);
    expect(ids).toHaveLength(40);
    // A finished batch: nothing to do, says so.
    const third = await resumeBatch('b-stop', { ledger, transport: t, buildThreads: 0 }).summary();
    expect(third).toMatchObject({ state: 'finished', messagesSent: 0 });
    expect(s.received).toHaveLength(40);
  });

  it('an unknown batch id is a clear error', async () => {
    const { transport: t } = await start();
    await expect(resumeBatch('nope', { ledger, transport: t }).summary()).rejects.toMatchObject({
      code: 'ERR_UNKNOWN_BATCH',
    });
  });
});

describe('daily cap', () => {
  it('stops when the rolling 24-hour cap would be exceeded, and a second batch the same day respects it', async () => {
    const { server: s, transport: t } = await start();
    const clock = { now: () => FIXED_NOW, random: () => 0.5 };
    const run = sendBatch(
      rows(5),
      baseOptions(t, { clock, pacing: { maxConnections: 1, dailyRecipientCap: 10 } }),
    );
    const summary = await run.summary();
    expect(summary.state).toBe('stopped');
    expect(summary.stop?.reason).toBe('daily-cap');
    expect(summary.stop?.resumeAfter).toBe('2026-11-22T10:00:00.000Z');
    expect(summary.sent).toBe(3);
    expect(recipientsOf(s)).toHaveLength(9);
    const second = await sendBatch(
      rows(2, 'other'),
      baseOptions(t, { clock, pacing: { maxConnections: 1, dailyRecipientCap: 10 } }),
    ).summary();
    expect(second.stop?.reason).toBe('daily-cap');
    expect(second.sent).toBe(0);
    expect(recipientsOf(s)).toHaveLength(9);
    // A day later the capacity is back: the first batch resumes and finishes.
    const later = { now: () => FIXED_NOW + 25 * 3600_000, random: () => 0.5 };
    const resumed = await resumeBatch(summary.id, {
      ledger,
      transport: t,
      clock: later,
      buildThreads: 0,
    }).summary();
    expect(resumed).toMatchObject({ state: 'finished', sent: 5 });
  });
});

describe('server faults', () => {
  it('builds in a worker thread the same bytes as in this thread', async () => {
    const { server: s, transport: t } = await start();
    const clock = { now: () => FIXED_NOW, random: () => 0.5 };
    await sendBatch(rows(6), baseOptions(t, { id: 'b-worker', clock, buildThreads: 1 })).summary();
    const viaWorker = s.received.map((m) => m.raw);
    s.received.length = 0;
    const other = openLedger(join(dir, 'other.db'));
    try {
      // Same batch id and clock in another ledger: the same UIDs are not reused, so compare the
      // structure: one message per row, each inspecting clean, built by the worker.
      await sendBatch(rows(6), {
        ...baseOptions(t, { id: 'b-worker', clock }),
        ledger: other,
      }).summary();
    } finally {
      other.close();
    }
    expect(viaWorker).toHaveLength(6);
    expect(s.received).toHaveLength(6);
    for (const raw of viaWorker) {
      expect(inspectMessage(raw).findings.filter((f) => f.severity !== 'info')).toEqual([]);
    }
  });

  it('reconnects after a 421 mid-batch and delivers everyone', async () => {
    const { server: s, transport: t } = await start({
      mailFromReply: (ctx) =>
        ctx.transaction === 7
          ? { code: 421, message: '4.3.2 Service shutting down, try later' }
          : undefined,
    });
    const run = sendBatch(rows(20), baseOptions(t, { pacing: { maxConnections: 2 } }));
    const summary = await run.summary();
    expect(summary).toMatchObject({ state: 'finished', sent: 20, failed: 0 });
    expect(s.received).toHaveLength(20);
    expect(s.stats.connections).toBeGreaterThan(2);
  });

  it('resends the same bytes when the connection drops after DATA before the reply', async () => {
    const dropped: Buffer[] = [];
    const { server: s, transport: t } = await start({
      onData: (raw) => {
        if (dropped.length < 2 && raw.includes('guest4@example.org')) {
          dropped.push(Buffer.from(raw));
          return 'close-before-reply';
        }
        return 'accept';
      },
    });
    const run = sendBatch(rows(6), baseOptions(t));
    const outcomes = await collect(run);
    expect((await run.summary()).sent).toBe(6);
    const row4 = s.received.filter((m) => m.raw.includes('guest4@example.org'));
    expect(row4).toHaveLength(1);
    expect(dropped).toHaveLength(2);
    for (const d of dropped) expect(d.equals(row4[0]?.raw ?? Buffer.alloc(0))).toBe(true);
    expect(outcomes.find((o) => o.row === 4)?.recipients[0]?.attempts).toBe(3);
  });

  it('survives a slow server, and a reply slower than the socket timeout is an unknown outcome resent', async () => {
    let slowOnce = true;
    const { server: s, transport: t } = await start(
      {
        delayMs: 10,
        onData: async (): Promise<'accept'> => {
          if (slowOnce) {
            slowOnce = false;
            await new Promise((resolve) => setTimeout(resolve, 1500));
          }
          return 'accept';
        },
      },
      { socketTimeoutMs: 400 },
    );
    const run = sendBatch(rows(5), baseOptions(t, { pacing: { maxConnections: 1 } }));
    const summary = await run.summary();
    expect(summary).toMatchObject({ state: 'finished', sent: 5, failed: 0 });
    const ids = s.received.map((m) => messageIdOf(m.raw));
    expect(new Set(ids).size).toBe(5);
    // The slow one may have been taken by the server after we gave up on it: then it is a
    // byte-identical duplicate, never a different message.
    for (const id of new Set(ids)) {
      const copies = s.received.filter((m) => messageIdOf(m.raw) === id);
      for (const c of copies) expect(c.raw.equals(copies[0]?.raw ?? Buffer.alloc(0))).toBe(true);
    }
  });

  it('adapts to a server that enforces a rate with 4.7.0 and finishes with zero failures', async () => {
    const { server: s, transport: t } = await start({ rateLimit: { perSecond: 25 } });
    const run = sendBatch(rows(60), baseOptions(t, { pacing: { maxConnections: 4 } }));
    const summary = await run.summary();
    expect(summary).toMatchObject({ state: 'finished', sent: 60, failed: 0, partial: 0 });
    expect(summary.throttles).toBeGreaterThan(0);
    expect(s.received).toHaveLength(60);
  }, 30_000);

  it('stops on a quota reply without failing anyone, and the resume finishes', async () => {
    const quota = { code: 550, message: '5.4.5 Daily user sending quota exceeded' };
    const { server: s, transport: t } = await start({
      mailFromReply: (ctx) => (ctx.transaction > 4 ? quota : undefined),
    });
    const first = await sendBatch(
      rows(10),
      baseOptions(t, { id: 'b-quota', pacing: { maxConnections: 1 } }),
    ).summary();
    expect(first.state).toBe('stopped');
    expect(first.stop?.reason).toBe('quota');
    expect(first.stop?.message).toContain('5.4.5');
    expect(first).toMatchObject({ sent: 4, failed: 0, partial: 0, recipientsFailed: 0 });
    const good = await startTestSmtpServer();
    const goodTransport = createSmtpTransport({ url: good.url });
    try {
      const second = await resumeBatch('b-quota', {
        ledger,
        transport: goodTransport,
        buildThreads: 0,
      }).summary();
      expect(second).toMatchObject({ state: 'finished', sent: 10, failed: 0 });
      expect(good.received.length + s.received.length).toBe(10);
    } finally {
      await goodTransport.close();
      await good.close();
    }
  });

  it('stops (nothing failed) when the server refuses the sender, and when the credentials are wrong', async () => {
    const { transport: t } = await start({
      mailFromReply: () => ({
        code: 553,
        message: '5.7.1 Sender address rejected: not owned by user',
      }),
    });
    const refused = await sendBatch(rows(3), baseOptions(t)).summary();
    expect(refused).toMatchObject({ state: 'stopped', failed: 0, remaining: 3 });
    expect(refused.stop?.reason).toBe('fatal');
    expect(refused.stop?.message).toContain('5.7.1');

    const authServer = await startTestSmtpServer({ auth: { user: 'olga', pass: 'right' } });
    const wrong = createSmtpTransport({
      url: authServer.url.replace('smtp://', 'smtp://olga@'),
      password: 'wrong-secret',
    });
    try {
      const denied = await sendBatch(rows(2), baseOptions(wrong)).summary();
      expect(denied).toMatchObject({ state: 'stopped', failed: 0 });
      expect(denied.stop).toMatchObject({ reason: 'fatal', code: 'ERR_SMTP_AUTH' });
      expect(JSON.stringify(denied)).not.toContain('wrong-secret');
    } finally {
      await wrong.close();
      await authServer.close();
    }
  });

  it('stops when the server stays unreachable', async () => {
    const { server: s } = await start();
    const url = s.url;
    await s.close();
    const t = createSmtpTransport({ url });
    try {
      const summary = await sendBatch(
        rows(2),
        baseOptions(t, { maxConnectionFailures: 3 }),
      ).summary();
      expect(summary).toMatchObject({ state: 'stopped', failed: 0, remaining: 2 });
      expect(summary.stop).toMatchObject({ reason: 'unreachable', code: 'ERR_SMTP_CONNECTION' });
    } finally {
      await t.close();
    }
  });

  it('keeps to the connection limit and never goes faster than the rate', async () => {
    const { server: s, transport: t } = await start({ delayMs: 2 });
    const started = performance.now();
    const summary = await sendBatch(
      rows(30),
      baseOptions(t, { pacing: { maxConnections: 3, ratePerSecond: 40 } }),
    ).summary();
    const elapsed = performance.now() - started;
    expect(summary.sent).toBe(30);
    expect(s.stats.peakConnections).toBeLessThanOrEqual(3);
    // 30 messages at 40/s with a bucket of at most 4: at least (30 - 4) / 40 s.
    expect(elapsed).toBeGreaterThanOrEqual(((30 - 4) / 40) * 1000);
  });
});
