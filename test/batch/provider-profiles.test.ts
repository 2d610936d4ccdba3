import { describe, expect, it } from 'vitest';

import {
  DEFAULT_MAX_CONNECTIONS,
  PROVIDER_PROFILES,
  parseRate,
  resolvePacing,
} from '../../src/batch/provider-profiles.ts';
import { SmtpInviteError } from '../../src/errors.ts';

function usageError(fn: () => unknown): SmtpInviteError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SmtpInviteError);
    expect((err as SmtpInviteError).code).toBe('ERR_USAGE');
    return err as SmtpInviteError;
  }
  throw new Error('expected an ERR_USAGE error');
}

describe('PROVIDER_PROFILES', () => {
  it('has the five documented profiles, each with a description and sources', () => {
    expect(PROVIDER_PROFILES.map((p) => p.name)).toEqual([
      'exchange-online',
      'gmail',
      'google-workspace-relay',
      'ses',
      'local-relay',
    ]);
    for (const profile of PROVIDER_PROFILES) {
      expect(profile.description.length).toBeGreaterThan(20);
      expect(profile.sources.length).toBeGreaterThan(0);
    }
  });

  it('every number of a profile is accounted for in its sources (URL and statement, or "not published")', () => {
    for (const p of PROVIDER_PROFILES) {
      const sources = p.sources.join('\n');
      const { ratePerSecond, dailyRecipientCap, maxConnections } = p.limits;
      if (dailyRecipientCap !== undefined) {
        expect(sources).toContain(dailyRecipientCap.toLocaleString('en-US'));
        expect(sources).toMatch(/https?:\/\//);
      }
      if (ratePerSecond !== undefined) expect(sources).toMatch(/per minute|Rate: not published/);
      if (maxConnections !== undefined) {
        expect(sources).toMatch(/concurrent connections|Connections: not published/);
      }
    }
  });

  it.each([
    [
      'exchange-online',
      { ratePerSecond: 0.5, rateUnit: 'messages', dailyRecipientCap: 10_000, maxConnections: 3 },
    ],
    [
      'gmail',
      { ratePerSecond: 0.5, rateUnit: 'messages', dailyRecipientCap: 500, maxConnections: 2 },
    ],
    [
      'google-workspace-relay',
      { ratePerSecond: 1, rateUnit: 'messages', dailyRecipientCap: 10_000, maxConnections: 3 },
    ],
    ['local-relay', { maxConnections: DEFAULT_MAX_CONNECTIONS }],
  ])('%s resolves to its numbers', (name, expected) => {
    expect(resolvePacing(name, {})).toEqual(expected);
  });

  it('exchange-online is 30 messages per minute, 10,000 recipients per day, 3 connections (issue 5 §2)', () => {
    const limits = resolvePacing('exchange-online', {});
    expect((limits.ratePerSecond ?? 0) * 60).toBeCloseTo(30, 9);
  });

  it('ses counts recipients and takes its rate from --rate', () => {
    expect(resolvePacing('ses', { rate: '14/s' })).toEqual({
      ratePerSecond: 14,
      rateUnit: 'recipients',
      maxConnections: DEFAULT_MAX_CONNECTIONS,
    });
    expect(resolvePacing('ses', { rate: '14/s', dailyCap: '50000' })).toMatchObject({
      dailyRecipientCap: 50_000,
    });
  });

  it('ses without --rate says where to find the account rate', () => {
    const err = usageError(() => resolvePacing('ses', {}));
    expect(err.message).toContain('--rate');
    expect(err.message).toContain('aws ses get-send-quota');
    expect(err.message).toContain('MaxSendRate');
  });
});

describe('resolvePacing', () => {
  it('no profile and no flags: no rate, no daily cap, 5 connections', () => {
    expect(resolvePacing(undefined, {})).toEqual({ maxConnections: 5 });
  });

  it('flags alone', () => {
    expect(resolvePacing(undefined, { rate: '200/s', dailyCap: 1000, concurrency: '8' })).toEqual({
      ratePerSecond: 200,
      rateUnit: 'messages',
      dailyRecipientCap: 1000,
      maxConnections: 8,
    });
  });

  it('flags override the profile, one by one', () => {
    expect(resolvePacing('exchange-online', { rate: '20/min' })).toEqual({
      ratePerSecond: 20 / 60,
      rateUnit: 'messages',
      dailyRecipientCap: 10_000,
      maxConnections: 3,
    });
    expect(resolvePacing('exchange-online', { dailyCap: '5000' }).dailyRecipientCap).toBe(5000);
    expect(resolvePacing('exchange-online', { concurrency: 1 }).maxConnections).toBe(1);
    expect(resolvePacing('gmail', { dailyCap: 2000 }).dailyRecipientCap).toBe(2000);
    expect(resolvePacing('local-relay', { rate: '50/s' })).toEqual({
      ratePerSecond: 50,
      rateUnit: 'messages',
      maxConnections: 5,
    });
  });

  it('profile names are matched without regard to case or surrounding space', () => {
    expect(resolvePacing(' Exchange-Online ', {}).maxConnections).toBe(3);
  });

  it('an unknown profile lists the names', () => {
    const err = usageError(() => resolvePacing('outlook', {}));
    expect(err.message).toContain('"outlook"');
    for (const p of PROVIDER_PROFILES) expect(err.message).toContain(p.name);
  });

  it.each([0, -1, 1.5, '0', '12abc', '', ' ', '1e3', Number.NaN, 2 ** 60])(
    '--daily-cap %s is refused, naming the flag',
    (dailyCap) => {
      expect(usageError(() => resolvePacing(undefined, { dailyCap })).message).toMatch(
        /^--daily-cap must be a whole number/,
      );
    },
  );

  it.each([0, 101, -3, 2.5, '0', '101', 'five', '', '3.0'])(
    '--concurrency %s is refused, naming the flag',
    (concurrency) => {
      expect(usageError(() => resolvePacing(undefined, { concurrency })).message).toMatch(
        /^--concurrency must be a whole number of connections from 1 to 100/,
      );
    },
  );

  it('--concurrency 1 and 100 are the bounds', () => {
    expect(resolvePacing(undefined, { concurrency: 1 }).maxConnections).toBe(1);
    expect(resolvePacing(undefined, { concurrency: '100' }).maxConnections).toBe(100);
  });

  it('a bad --rate is refused with the profile too, naming the flag', () => {
    expect(usageError(() => resolvePacing('ses', { rate: 'fast' })).message).toMatch(/^--rate /);
  });
});

describe('parseRate', () => {
  it.each([
    ['200/s', 200],
    ['200/sec', 200],
    ['1/second', 1],
    ['2/seconds', 2],
    ['30/min', 0.5],
    ['30/minute', 0.5],
    ['90/mins', 1.5],
    ['1000/h', 1000 / 3600],
    ['3600/hr', 1],
    ['7200/hour', 2],
    ['0.5/s', 0.5],
    ['.5/s', 0.5],
    [' 10 / S ', 10],
    ['10/Min', 10 / 60],
  ])('%s → %s per second', (text, perSecond) => {
    expect(parseRate(text, '--rate')).toBeCloseTo(perSecond, 12);
  });

  it.each([
    '',
    '200',
    '200/',
    '/s',
    '200/m',
    '200/day',
    'abc/s',
    '-5/s',
    '1e3/s',
    '5/s/s',
    '5 per s',
  ])('%j is refused, naming the flag and the format', (text) => {
    const err = usageError(() => parseRate(text, '--rate'));
    expect(err.message).toMatch(
      /^--rate must be a number per unit like 200\/s, 30\/min or 1000\/h/,
    );
  });

  it.each(['0/s', '0.0/min', `${'9'.repeat(400)}/s`])(
    '%s is refused: not > 0 and finite',
    (text) => {
      const err = usageError(() => parseRate(text, '--limit'));
      expect(err.message).toMatch(/^--limit must be greater than 0 and finite/);
    },
  );

  it('does not echo an overlong value', () => {
    const err = usageError(() => parseRate(`x${'y'.repeat(1000)}`, '--rate'));
    expect(err.message.length).toBeLessThan(200);
  });
});
