import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';

const fixture = (p: string) => new URL(`../../fixtures/${p}`, import.meta.url).pathname;
let dir: string;
let broken: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'smtp-invite-inspect-'));
  broken = join(dir, 'broken.eml');
  writeFileSync(
    broken,
    readFileSync(fixture('invites/simple-meeting/expected.eml'), 'latin1').replace(
      '; method=REQUEST',
      '',
    ),
    'latin1',
  );
});

describe('smtp-invite inspect', () => {
  it('reports a clean invitation with what each client does, exit 0', async () => {
    const result = await runCli(['inspect', fixture('invites/simple-meeting/expected.eml')], {
      cwd: dir,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'part 1.3: text/calendar, inline in multipart/alternative (method=REQUEST, charset=UTF-8)',
    );
    expect(result.stdout).toMatch(
      /Outlook\s+shown as an invitation with Accept \/ Tentative \/ Decline buttons/,
    );
    expect(result.stdout).toContain('Clean: 0 errors, 0 warnings');
    expect(result.stdout).not.toContain('\u001b[');
  });

  it('lists findings with rule id, message and fix, and exits 1 on errors', async () => {
    const result = await runCli(['inspect', broken], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /✗ method-param-missing \(1\.3\): the text\/calendar part 1\.3 has no method= parameter/,
    );
    expect(result.stdout).toContain('fix: Send Content-Type: text/calendar; method=<METHOD>');
    expect(result.stdout).toMatch(
      /Outlook\s+shown as an ordinary email with a calendar file attached/,
    );
  });

  it('never lets text from the message drive the terminal', async () => {
    const hostile = join(dir, 'hostile.ics');
    writeFileSync(
      hostile,
      readFileSync(fixture('invites/simple-meeting/expected.ics'), 'utf8').replace(
        'SUMMARY:Project kick-off',
        'SUMMARY:\u001b]0;pwned\u0007\u001b[2JKick-off\rX',
      ),
    );
    const result = await runCli(['inspect', hostile], { cwd: dir });
    expect(result.stdout).toContain('control-character');
    expect(result.stdout).toContain('\\u001b]0;pwned\\u0007');
    expect(result.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });

  it('colours only on a terminal', async () => {
    const result = await runCli(['inspect', broken], { cwd: dir, tty: true });
    expect(result.stdout).toContain('\u001b[31m');
  });

  it('honours --fail-on and --ignore', async () => {
    expect((await runCli(['inspect', broken, '--fail-on', 'never'], { cwd: dir })).code).toBe(0);
    expect(
      (await runCli(['inspect', broken, '--ignore', 'method-param-missing'], { cwd: dir })).code,
    ).toBe(0);
  });

  it('prints one JSON object for one file and an array for several', async () => {
    const one = await runCli(['inspect', '--json', broken], { cwd: dir });
    const report = JSON.parse(one.stdout) as {
      file: string;
      findings: { rule: string }[];
      clients: { client: string; outcome: string }[];
    };
    expect(report.file).toBe(broken);
    expect(report.findings.map((f) => f.rule)).toContain('method-param-missing');
    expect(report.clients.find((c) => c.client === 'outlook')?.outcome).toBe('attachment');
    const many = await runCli(
      ['inspect', '--json', broken, fixture('invites/all-day/expected.ics')],
      { cwd: dir },
    );
    const reports = JSON.parse(many.stdout) as { input: { kind: string } }[];
    expect(reports.map((r) => r.input.kind)).toEqual(['message', 'calendar']);
  });

  it('reads standard input with -', async () => {
    const result = await runCli(['inspect', '-', '--json'], {
      cwd: dir,
      stdin: readFileSync(fixture('invites/all-day/expected.ics')),
    });
    expect((JSON.parse(result.stdout) as { file: string }).file).toBe('(stdin)');
  });

  it('checks the recipient against the attendees', async () => {
    const result = await runCli(
      [
        'inspect',
        '--json',
        '--recipient',
        'olga@example.com',
        fixture('invites/simple-meeting/expected.eml'),
      ],
      { cwd: dir },
    );
    expect(
      (JSON.parse(result.stdout) as { findings: { rule: string }[] }).findings.map((f) => f.rule),
    ).toContain('recipient-is-organizer');
  });

  it.each([
    [['inspect'], /at least one/],
    [['inspect', 'x.eml', '--fail-on', 'sometimes'], /--fail-on must be/],
    [['inspect', 'x.eml', '--ignore', 'no-such-rule'], /unknown rule id no-such-rule/],
    [['inspect', 'missing.eml'], /missing\.eml: cannot read: no such file/],
    [['inspect', 'x.eml', '--recipient', 'nope'], /--recipient "nope"/],
  ])('usage problem %j exits 2', async (argv, message) => {
    const result = await runCli(argv, { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('has --help', async () => {
    const result = await runCli(['inspect', '--help'], { cwd: dir });
    expect(result.stdout).toMatch(/^Usage: smtp-invite inspect/);
  });
});
