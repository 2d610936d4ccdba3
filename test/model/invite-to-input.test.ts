import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { buildCalendar } from '../../src/ical/build-calendar.ts';
import { inviteToInput } from '../../src/model/invite-to-input.ts';
import { parseInvite, validateInvite } from '../../src/model/validate-invite.ts';
import { inviteInputArbitrary } from '../itip/invite-arbitraries.ts';

/**
 * Invites compared as data: each DateTime as what a builder can observe of it, its instant, offset
 * and zone name (luxon's own UTC and our table zone for UTC print `Z` / `+00:00` in toISO).
 */
function comparable(value: unknown): unknown {
  if (DateTime.isDateTime(value))
    return `${value.toMillis()} ${value.offset} [${value.zoneName ?? 'none'}]`;
  if (Array.isArray(value)) return value.map(comparable);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, comparable(v)]));
  return value;
}

const base = {
  uid: 'u-1@example.com',
  summary: 'Planning',
  timeZone: 'Europe/Berlin',
  start: '2026-12-01T10:00',
  end: '2026-12-01T11:00',
  organizer: { email: 'olga@example.com' },
  attendees: [{ email: 'ada@example.com' }],
};

describe('attendee partstat input', () => {
  it('defaults to NEEDS-ACTION and accepts every PARTSTAT in any case', () => {
    const invite = parseInvite({
      ...base,
      attendees: [
        { email: 'a@example.com' },
        { email: 'b@example.com', partstat: 'accepted' },
        { email: 'c@example.com', partstat: 'TENTATIVE' },
      ],
    });
    expect(invite.attendees.map((a) => a.partstat)).toEqual([
      'NEEDS-ACTION',
      'ACCEPTED',
      'TENTATIVE',
    ]);
  });

  it('refuses an unknown PARTSTAT with the attendee path', () => {
    const result = validateInvite({
      ...base,
      attendees: [{ email: 'a@example.com' }, { email: 'b@example.com', partstat: 'maybe' }],
    });
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => [d.path, d.code])).toEqual([
      ['attendees[1].partstat', 'invalid-value'],
    ]);
  });
});

describe('inviteToInput', () => {
  it('writes instants with their offset, so a repeated wall-clock hour keeps its occurrence', () => {
    // 02:30 happens twice in Berlin on 2026-10-25; +01:00 is the second one (after the change).
    const invite = parseInvite({
      ...base,
      start: '2026-10-25T02:30:00+01:00',
      end: '2026-10-25T03:30',
    });
    const input = inviteToInput(invite);
    expect(input.start).toBe('2026-10-25T02:30:00+01:00');
    expect(parseInvite(input).start.toMillis()).toBe(invite.start.toMillis());
  });

  it('stores a cancelled copy as METHOD:CANCEL, the only input that gives STATUS:CANCELLED', () => {
    const invite = parseInvite({ ...base, method: 'cancel' });
    const input = inviteToInput(invite);
    expect(input.method).toBe('CANCEL');
    expect(input.status).toBeUndefined();
    expect(parseInvite(input).status).toBe('CANCELLED');
  });

  it('validates back to the same invite, also through JSON (property)', () => {
    let valid = 0;
    fc.assert(
      fc.property(inviteInputArbitrary, (input) => {
        const first = validateInvite(input);
        if (!first.ok) return;
        valid++;
        const stored = JSON.parse(JSON.stringify(inviteToInput(first.invite))) as unknown;
        const again = validateInvite(stored);
        expect(again.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        if (!again.ok) return;
        expect(comparable(again.invite)).toEqual(comparable(first.invite));
        // And what is sent is byte-identical.
        const now = new Date('2026-01-01T00:00:00Z');
        expect(buildCalendar(again.invite, { now })).toBe(buildCalendar(first.invite, { now }));
        // Same warnings too (e.g. an ambiguous local time): nothing was lost or added.
        expect(again.diagnostics.map((d) => d.code)).toEqual(first.diagnostics.map((d) => d.code));
      }),
      { numRuns: 400 },
    );
    // Most generated inputs must be valid, or the property would test almost nothing.
    expect(valid).toBeGreaterThan(200);
  });
});
