/**
 * Byte-exact golden files: fixtures/invites/<case>/{input.json, options.json?, expected.ics,
 * expected.eml}. `UPDATE_GOLDEN=1` rewrites them (npm run golden:update); review the diff.
 * Runs under TZ=UTC and TZ=America/New_York: the bytes must not depend on the host zone.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildInvite, deterministicIds, type BuildOptions } from '../../src/flows/build-invite.ts';
import { readCalendar } from '../../src/ical/read-calendar.ts';
import { readMessage } from '../../src/mime/read-message.ts';

const root = new URL('../../fixtures/invites/', import.meta.url).pathname;
const update = process.env['UPDATE_GOLDEN'] === '1';
const cases = readdirSync(root).filter((name) => existsSync(join(root, name, 'input.json')));

function golden(path: string, actual: string | Buffer): void {
  if (update) writeFileSync(path, actual);
  expect(existsSync(path), `${path} is missing: run npm run golden:update`).toBe(true);
  // Compare as latin1 strings: a failure shows a readable diff, and every byte still counts.
  expect(Buffer.from(actual).toString('latin1')).toBe(readFileSync(path).toString('latin1'));
}

describe.each(cases)('golden %s', (name) => {
  const dir = join(root, name);
  const input: unknown = JSON.parse(readFileSync(join(dir, 'input.json'), 'utf8'));
  const options = existsSync(join(dir, 'options.json'))
    ? (JSON.parse(readFileSync(join(dir, 'options.json'), 'utf8')) as BuildOptions)
    : {};
  const built = buildInvite(input, { ...options, ids: deterministicIds(input, {}) });
  const message = built.messages[0];

  it('matches expected.ics and expected.eml byte for byte', () => {
    expect(built.messages).toHaveLength(1);
    golden(join(dir, 'expected.ics'), built.calendar);
    golden(join(dir, 'expected.eml'), message?.raw ?? Buffer.alloc(0));
  });

  it('carries the very same calendar inside the email, with method= equal to METHOD', async () => {
    const parsed = await readMessage(message?.raw ?? '');
    const inline = parsed.calendars.find((c) => c.contentType === 'text/calendar');
    expect(inline?.text).toBe(built.calendar);
    expect(inline?.method).toBe(built.invite.method);
    expect(readCalendar(built.calendar).method).toBe(built.invite.method);
  });

  it('is CRLF-only, folded at 75 octets, with a final CRLF', () => {
    expect(built.calendar.endsWith('\r\n')).toBe(true);
    expect(built.calendar.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const line of built.calendar.split('\r\n'))
      expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    const raw = message?.raw.toString('latin1') ?? '';
    expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });
});
