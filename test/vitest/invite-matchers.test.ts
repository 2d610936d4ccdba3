import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '../../src/vitest/index.ts';
import { inviteSerializer, normalizeInvite } from '../../src/vitest/index.ts';
import { buildInvite } from '../../src/flows/build-invite.ts';

const fixture = (p: string) => readFileSync(new URL(`../../fixtures/${p}`, import.meta.url));
const good = fixture('invites/simple-meeting/expected.eml');
const bad = good.toString('latin1').replace('; method=REQUEST', '');

describe('vitest matchers', () => {
  it('toBeValidInvite passes for our output and checks method, attendees and clients', () => {
    expect(good).toBeValidInvite();
    expect(good).toBeValidInvite({
      method: 'request',
      attendees: ['ADA@example.com'],
      clients: ['outlook', 'gmail'],
    });
    expect(good).toBeValidInvite({ clients: { thunderbird: 'invitation' } });
    expect(fixture('invites/all-day/expected.ics')).toBeValidInvite({ method: 'REQUEST' });
  });

  it('toBeValidInvite fails with a message that lists the findings and the fix', () => {
    expect(() => expect(bad).toBeValidInvite()).toThrowError(
      /method-param-missing \(1\.3\).*\n\s+fix: Send Content-Type/,
    );
    expect(() => expect(good).toBeValidInvite({ method: 'CANCEL' })).toThrowError(
      /METHOD is REQUEST, expected CANCEL/,
    );
    expect(() => expect(good).toBeValidInvite({ attendees: ['bob@example.com'] })).toThrowError(
      /attendees are \[ada@example.com\], expected \[bob@example.com\]/,
    );
    expect(() => expect(bad).toBeValidInvite({ clients: ['outlook'] })).toThrowError(
      /outlook: shown as an ordinary email/,
    );
    expect(bad).not.toBeValidInvite();
  });

  it('toHaveInviteFinding finds a rule by id', () => {
    expect(bad).toHaveInviteFinding('method-param-missing');
    expect(good).not.toHaveInviteFinding('method-param-missing');
    expect(() => expect(good).toHaveInviteFinding('method-param-missing')).toThrowError(
      /expected a "method-param-missing" finding; findings were:\n\s+\(no findings\)/,
    );
  });
});

describe('snapshot serializer', () => {
  it('recognises invitations and makes random ids stable', () => {
    const input = {
      summary: 'Snapshot',
      timeZone: 'Europe/Berlin',
      start: '2026-12-01T10:00',
      end: '2026-12-01T11:00',
      organizer: { email: 'olga@example.com' },
      attendees: [{ email: 'ada@example.com' }],
    };
    const a = buildInvite(input, { profile: 'outlook' }).messages[0]?.raw;
    const b = buildInvite(input, { profile: 'outlook' }).messages[0]?.raw;
    expect(a?.equals(b ?? Buffer.alloc(0))).toBe(false);
    expect(inviteSerializer.test(a)).toBe(true);
    expect(inviteSerializer.test('just a string')).toBe(false);
    const na = normalizeInvite(a?.toString() ?? '');
    expect(na).toBe(normalizeInvite(b?.toString() ?? ''));
    expect(na).toContain('Message-ID: <MESSAGE-ID>');
    expect(na).toContain('DTSTAMP:<DTSTAMP>');
    expect(na).toContain('UID:UUID-1');
    expect(na).toContain('Content-Transfer-Encoding: base64 (shown decoded)');
    expect(na).toContain('BEGIN:VCALENDAR');
  });
});
