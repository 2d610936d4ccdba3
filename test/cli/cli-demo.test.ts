/**
 * `smtp-invite demo` end to end: the embedded capture server, real SMTP, the saved .eml files, and
 * both checks (mailparser + ical.js, and the inspector).
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';

describe('smtp-invite demo', () => {
  it('sends every example over SMTP, saves it, and predicts an invitation in every client', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smtp-invite-demo-'));
    const result = await runCli(['demo', '--out', join(dir, 'out')], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const examples = readdirSync(new URL('../../examples/', import.meta.url)).filter((f) =>
      f.endsWith('.json'),
    );
    const saved = readdirSync(join(dir, 'out')).filter((f) => f.endsWith('.eml'));
    expect(saved).toHaveLength(examples.length);
    expect(result.stdout.match(/Outlook: invitation · Gmail: invitation/g)).toHaveLength(
      examples.length,
    );
    expect(result.stdout).toContain('all checks passed');
    for (const f of saved)
      expect(readFileSync(join(dir, 'out', f), 'latin1')).toMatch(
        /Content-Type: text\/calendar; .*method=REQUEST/,
      );
  });

  it('fails, saying why, when the inspector finds a problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smtp-invite-demo-'));
    mkdirSync(join(dir, 'examples'));
    // A monthly pattern Outlook cannot import: valid input, but the inspector warns the user.
    writeFileSync(
      join(dir, 'examples', 'twice-monthly.json'),
      JSON.stringify({
        summary: 'Twice monthly',
        timeZone: 'Europe/Berlin',
        start: '2026-12-01T10:00',
        end: '2026-12-01T11:00',
        recurrence: { rrule: 'FREQ=MONTHLY;BYMONTHDAY=1,15;COUNT=6' },
        organizer: { email: 'olga@example.com' },
        attendees: [{ email: 'ada@example.com' }],
      }),
    );
    const result = await runCli(
      ['demo', '--examples', join(dir, 'examples'), '--out', join(dir, 'out')],
      { cwd: dir },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/problem: inspect: outlook-unsupported-recurrence/);
    expect(result.stdout).toMatch(/Outlook: attachment/);
  });
});
