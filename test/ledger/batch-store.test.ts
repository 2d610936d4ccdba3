/** The ledger's batch tables through the BatchStore contract, on a real SQLite file. */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { BatchRecipientState } from '../../src/ledger/ledger-types.ts';
import { openLedger, type SqliteLedger } from '../../src/ledger/open-ledger.ts';

let dir: string;
let ledger: SqliteLedger;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'batch-store-'));
  ledger = openLedger(join(dir, 'l.db'));
});
afterEach(() => {
  ledger.close();
  rmSync(dir, { recursive: true, force: true });
});

const pending = (email: string): BatchRecipientState => ({
  email,
  status: 'pending',
  code: null,
  enhanced: null,
  response: null,
  attempts: 0,
});

function intent(row: number, text = `message ${String(row)}`) {
  const raw = Buffer.from(text);
  return {
    row,
    uid: `u${String(row)}`,
    messageId: `b.${String(row)}@example.com`,
    envelopeFrom: 'olga@example.com',
    sha256: createHash('sha256').update(raw).digest('hex'),
    raw,
    recipients: [pending('a@example.org'), pending('b@example.org')],
  };
}

describe('BatchStore', () => {
  it('records rows, intents and outcomes; counts them; drops the bytes once a row is done', () => {
    const b = ledger.batches;
    b.createBatch('b1', { any: 'settings' }, 'rows.csv');
    expect(() => b.createBatch('b1', {})).toThrow(/already has a batch b1/);
    b.addRows('b1', [
      { row: 1, line: 2, inputJson: '{"uid":"u1"}' },
      { row: 2, line: 3, inputJson: '{"uid":"u2"}' },
      { row: 3, line: 4, problems: ['attendees[0].email: not an address'] },
    ]);
    b.finishReading('b1');
    expect(b.getBatch('b1')).toMatchObject({
      state: 'open',
      rowCount: 3,
      source: 'rows.csv',
      settings: { any: 'settings' },
    });
    expect(b.latestUnfinished()?.id).toBe('b1');
    expect(b.nextRows('b1', 0, 10).map((r) => [r.row, r.state])).toEqual([
      [1, 'pending'],
      [2, 'pending'],
    ]);

    b.recordIntent('b1', intent(1));
    expect(() => b.recordIntent('b1', intent(1))).toThrow(/not pending/);
    const sending = b.nextRows('b1', 0, 10)[0];
    expect(sending).toMatchObject({
      row: 1,
      state: 'sending',
      messageId: 'b.1@example.com',
      envelopeFrom: 'olga@example.com',
    });
    expect(sending?.raw?.toString()).toBe('message 1');

    b.recordOutcome('b1', 1, [
      { ...pending('a@example.org'), status: 'accepted', code: 250, attempts: 1 },
      { ...pending('b@example.org'), attempts: 1, code: 452, response: '4.2.2 full' },
    ]);
    expect(b.nextRows('b1', 0, 10)[0]?.raw?.toString()).toBe('message 1'); // still needed
    b.recordOutcome('b1', 1, [
      { ...pending('a@example.org'), status: 'accepted', code: 250, attempts: 1 },
      {
        ...pending('b@example.org'),
        status: 'failed',
        code: 550,
        enhanced: '5.1.1',
        response: 'no such user',
        attempts: 2,
      },
    ]);
    expect(b.nextRows('b1', 0, 10).map((r) => r.row)).toEqual([2]);
    expect(b.counts('b1')).toEqual({
      rows: 3,
      pending: 1,
      sending: 0,
      sent: 0,
      partial: 1,
      failed: 0,
      invalid: 1,
      recipientsAccepted: 1,
      recipientsFailed: 1,
    });
    expect(b.problemRows('b1', 0, 10).map((r) => r.row)).toEqual([1, 3]);
    // The bytes of a done row are gone from the file.
    const raw = new DatabaseSync(join(dir, 'l.db'))
      .prepare('SELECT raw FROM batch_rows WHERE row_no = 1')
      .get();
    expect(raw?.['raw']).toBeNull();
    b.finishBatch('b1');
    expect(b.latestUnfinished()).toBeUndefined();
    b.deleteBatch('b1');
    expect(b.getBatch('b1')).toBeUndefined();
    expect(b.nextRows('b1', 0, 10)).toEqual([]);
  });

  it('refuses to resend bytes that no longer match their SHA-256', () => {
    const b = ledger.batches;
    b.createBatch('b2', {});
    b.addRows('b2', [{ row: 1, inputJson: '{}' }]);
    b.finishReading('b2');
    b.recordIntent('b2', intent(1));
    const db = new DatabaseSync(join(dir, 'l.db'));
    db.prepare('UPDATE batch_rows SET raw = ? WHERE row_no = 1').run(Buffer.from('message X'));
    db.close();
    expect(() => b.nextRows('b2', 0, 10)).toThrow(/do not match their SHA-256/);
  });

  it('sums the recipients sent per account over the hours asked for', () => {
    const b = ledger.batches;
    b.addUsage('smtp://a@x', '2026-11-21T09', 3);
    b.addUsage('smtp://a@x', '2026-11-21T09', 4);
    b.addUsage('smtp://a@x', '2026-11-21T10', 1);
    b.addUsage('smtp://other@x', '2026-11-21T10', 100);
    expect(b.usageSince('smtp://a@x', '2026-11-21T10')).toEqual([
      { hour: '2026-11-21T10', recipients: 1 },
    ]);
    expect(b.usageSince('smtp://a@x', '2026-11-21T00')).toEqual([
      { hour: '2026-11-21T09', recipients: 7 },
      { hour: '2026-11-21T10', recipients: 1 },
    ]);
  });
});
