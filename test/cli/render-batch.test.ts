import { describe, expect, it } from 'vitest';

import { renderProgress, renderSummary } from '../../src/cli/render-batch.ts';
import type { BatchProgress, BatchSummary } from '../../src/flows/send-batch.ts';

const progress: BatchProgress = {
  id: '20261121-3f9a1c',
  phase: 'sending',
  rows: 20_000,
  done: 5_000,
  sent: 4_990,
  failed: 10,
  retrying: 3,
  inFlight: 3,
  pausedUntil: 1_000_000 + 4_200,
  rate: 212.4,
  etaSeconds: 71,
};

const summary: BatchSummary = {
  id: '20261121-3f9a1c',
  state: 'finished',
  rows: 20_000,
  sent: 19_990,
  partial: 4,
  failed: 5,
  invalid: 1,
  remaining: 0,
  recipientsAccepted: 59_980,
  recipientsFailed: 12,
  messagesSent: 19_994,
  retries: 14,
  throttles: 2,
  elapsedMs: 94_500,
  ratePerSecond: 211.6,
};

describe('batch progress and summary', () => {
  it('a terminal line has the bar, counts, retrying, throttling pause, rate and ETA', () => {
    expect(renderProgress(progress, 1_000_000, true)).toBe(
      'batch 20261121-3f9a1c [######..................]  5,000/20,000 (25%)  sent 4,990  failed 10  retrying 3  paused (throttled) 5s  212/s  ETA 1:11',
    );
  });

  it('a log line has no bar, and no pause once it is over', () => {
    expect(
      renderProgress({ ...progress, retrying: 0, rate: 0.5, etaSeconds: 7_300 }, 1_010_000, false),
    ).toBe('batch 20261121-3f9a1c 5,000/20,000 (25%)  sent 4,990  failed 10  0.5/s  ETA 2:01:40');
  });

  it('while reading, the rows read so far', () => {
    expect(renderProgress({ ...progress, phase: 'reading', rows: 1_500 }, 0, false)).toBe(
      'batch 20261121-3f9a1c: reading rows… 1,500 read',
    );
  });

  it('the summary table lists what happened, skipping zero lines', () => {
    expect(renderSummary(summary)).toBe(
      [
        'batch 20261121-3f9a1c finished (this run: 19,994 messages in 94.5 s, 211.6/s)',
        '  rows         20,000',
        '  sent         19,990',
        '  partly sent       4',
        '  failed            5',
        '  invalid           1',
        '  recipients   59,980 accepted, 12 failed',
        '  this run     14 retries, throttled 2 times',
        '',
      ].join('\n'),
    );
  });

  it('a stopped batch says why and how many rows are left', () => {
    const text = renderSummary({
      ...summary,
      state: 'stopped',
      stop: { reason: 'quota', message: "the provider's sending quota is exhausted" },
      remaining: 9_000,
      messagesSent: 0,
    });
    expect(text).toMatch(
      /^batch 20261121-3f9a1c stopped: the provider's sending quota is exhausted\n/,
    );
    expect(text).toContain('  not sent yet  9,000');
  });
});
