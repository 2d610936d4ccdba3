// The batch engine (sendBatch) over XOAUTH2: several lanes log in at once with one token from a
// real token endpoint, a token revoked between batches is renewed, and an endpoint that refuses
// the client stops the batch with ERR_SMTP_AUTH before anything is sent.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { RowOutcome } from '../../src/batch/batch-types.ts';
import { sendBatch } from '../../src/flows/send-batch.ts';
import type { BatchOptions } from '../../src/flows/send-batch.ts';
import { openLedger } from '../../src/ledger/open-ledger.ts';
import type { SqliteLedger } from '../../src/ledger/open-ledger.ts';
import { createOAuthTokenSource } from '../../src/transport/oauth-token.ts';
import type { OAuthTokenSource } from '../../src/transport/oauth-token.ts';
import { createSmtpTransport } from '../../src/transport/smtp-transport.ts';
import type { Transport } from '../../src/transport/transport.ts';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  TENANT,
  USER,
  microsoftConfig,
} from '../support/oauth-fixture.ts';
import { startTestSmtpServer } from '../support/smtp-test-server.ts';
import type { TestSmtpServer } from '../support/smtp-test-server.ts';
import { startTokenServer } from '../support/token-server.ts';
import type { TokenServer } from '../support/token-server.ts';

const TEMPLATE = {
  summary: 'Webinar: {{topic}}',
  timeZone: 'Europe/Berlin',
  start: '2026-12-10T16:00',
  duration: 'PT1H',
  organizer: { name: 'Invitations', email: USER },
  attendees: [{ email: '{{email}}', name: '{{name}}' }],
};

function rows(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => ({
    email: `guest${String(i + 1)}@example.org`,
    name: `Guest ${String(i + 1)}`,
    topic: 'Calendars over SMTP',
  }));
}

let dir: string;
let ledger: SqliteLedger;
const cleanups: (() => Promise<void>)[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'oauth-batch-'));
  ledger = openLedger(join(dir, 'ledger.db'));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  ledger.close();
  rmSync(dir, { recursive: true, force: true });
});

async function setup(clientSecret = CLIENT_SECRET): Promise<{
  tokens: TokenServer;
  smtp: TestSmtpServer;
  source: OAuthTokenSource;
  transport: Transport;
}> {
  // A slow endpoint: the lanes connect together and all wait for the one token request.
  const tokens = await startTokenServer({
    microsoft: { tenant: TENANT, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    delayMs: 50,
  });
  cleanups.push(() => tokens.close());
  const smtp = await startTestSmtpServer({
    auth: { user: USER, acceptToken: (token) => tokens.isValid(token) },
  });
  cleanups.push(() => smtp.close());
  const source = createOAuthTokenSource(
    microsoftConfig(tokens.microsoftTokenUrl, { clientSecret }),
  );
  const transport = createSmtpTransport({ url: smtp.url, oauth2: source });
  cleanups.push(() => transport.close());
  return { tokens, smtp, source, transport };
}

function options(transport: Transport, id: string): BatchOptions {
  return {
    ledger,
    transport,
    id,
    template: TEMPLATE,
    buildThreads: 0,
    pacing: { maxConnections: 3 },
    retry: { baseMs: 5, maxMs: 20 },
    throttle: { pauseBaseMs: 20, pauseMaxMs: 200 },
  };
}

async function collect(run: AsyncIterable<RowOutcome>): Promise<RowOutcome[]> {
  const out: RowOutcome[] = [];
  for await (const o of run) out.push(o);
  return out;
}

describe('sendBatch over XOAUTH2', () => {
  it('three lanes, twelve rows, one token request', async () => {
    const { tokens, smtp, transport } = await setup();

    const run = sendBatch(rows(12), options(transport, 'b-oauth'));
    const outcomes = await collect(run);
    const summary = await run.summary();

    expect(summary).toMatchObject({ state: 'finished', rows: 12, sent: 12, failed: 0 });
    expect(outcomes.every((o) => o.status === 'sent')).toBe(true);
    expect(smtp.received).toHaveLength(12);
    expect(smtp.stats.peakConnections).toBe(3);
    expect(tokens.requests).toBe(1);
  });

  it('a token revoked between two batches is renewed once for all lanes', async () => {
    const { tokens, smtp, source, transport } = await setup();
    await sendBatch(rows(3), options(transport, 'b-first')).summary();
    tokens.revoke(await source.getToken(false));

    const summary = await sendBatch(rows(6), options(transport, 'b-second')).summary();

    expect(summary).toMatchObject({ state: 'finished', sent: 6 });
    expect(smtp.received).toHaveLength(9);
    // The lanes were each refused the revoked token; one renewal served them all.
    expect(tokens.requests).toBe(2);
  });

  it('a token endpoint that is briefly down (503) delays the batch, which then finishes', async () => {
    const { tokens, smtp, transport } = await setup();
    tokens.cannedReply = { status: 503, body: 'Service Unavailable' };
    // Back up once the first lanes have been turned away.
    const timer = setInterval(() => {
      if (tokens.requests >= 2) tokens.cannedReply = undefined;
    }, 5);
    cleanups.push(() => {
      clearInterval(timer);
      return Promise.resolve();
    });

    const summary = await sendBatch(rows(6), options(transport, 'b-outage')).summary();

    expect(summary).toMatchObject({ state: 'finished', sent: 6, failed: 0 });
    expect(smtp.received).toHaveLength(6);
    expect(tokens.requests).toBeGreaterThanOrEqual(3);
  });

  it('an endpoint refusing the client stops the batch with ERR_SMTP_AUTH, nothing sent', async () => {
    const wrong = 'Wr0ng~secret.value_9876543210';
    const { smtp, transport } = await setup(wrong);

    const summary = await sendBatch(rows(4), options(transport, 'b-refused')).summary();

    expect(summary).toMatchObject({
      state: 'stopped',
      sent: 0,
      remaining: 4,
      stop: { reason: 'fatal', code: 'ERR_SMTP_AUTH' },
    });
    expect(summary.stop?.message).toContain('invalid_client');
    expect(summary.stop?.message).not.toContain(wrong);
    expect(smtp.received).toHaveLength(0);
  });
});
