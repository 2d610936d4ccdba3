import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';

const example = (name: string) => new URL(`../../examples/${name}`, import.meta.url).pathname;
const invite = {
  summary: 'CLI test',
  timeZone: 'Europe/Berlin',
  start: '2026-12-01T10:00',
  end: '2026-12-01T11:00',
  organizer: { email: 'olga@example.com' },
  attendees: [{ email: 'ada@example.com' }],
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'smtp-invite-cli-'));
});

describe('smtp-invite build', () => {
  it('writes <name>.ics and <name>.eml per input and prints the --json contract', async () => {
    const result = await runCli(
      [
        'build',
        example('quarterly-planning.json'),
        example('weekly-standup.json'),
        '--out',
        'out',
        '--json',
      ],
      { cwd: dir },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { files: Record<string, unknown>[] };
    expect(json.files).toEqual([
      {
        ics: join(dir, 'out/quarterly-planning.ics'),
        eml: join(dir, 'out/quarterly-planning.eml'),
        uid: '3f6d1c2e-5b7a-4c1e-9a55-2d0b8e4f7a10',
        sequence: 0,
        method: 'REQUEST',
      },
      {
        ics: join(dir, 'out/weekly-standup.ics'),
        eml: join(dir, 'out/weekly-standup.eml'),
        uid: 'weekly-standup-2026@example.com',
        sequence: 0,
        method: 'REQUEST',
      },
    ]);
    expect(readFileSync(join(dir, 'out/quarterly-planning.ics'), 'utf8')).toMatch(
      /^BEGIN:VCALENDAR\r\n/,
    );
    expect(readFileSync(join(dir, 'out/quarterly-planning.eml'), 'utf8')).toMatch(/method=REQUEST/);
  });

  it('is byte-identical across runs with --deterministic, and not without', async () => {
    const a = await runCli(
      ['build', example('quarterly-planning.json'), '--out', 'a', '--deterministic'],
      { cwd: dir },
    );
    const b = await runCli(
      ['build', example('quarterly-planning.json'), '--out', 'b', '--deterministic'],
      { cwd: dir },
    );
    const c = await runCli(['build', example('quarterly-planning.json'), '--out', 'c'], {
      cwd: dir,
    });
    expect([a.code, b.code, c.code]).toEqual([0, 0, 0]);
    const read = (d: string) => readFileSync(join(dir, d, 'quarterly-planning.eml'));
    expect(read('a').equals(read('b'))).toBe(true);
    expect(read('a').equals(read('c'))).toBe(false);
  });

  it('honours SOURCE_DATE_EPOCH in deterministic mode', async () => {
    await runCli(['build', example('quarterly-planning.json'), '--out', 'out', '--deterministic'], {
      cwd: dir,
      env: { SOURCE_DATE_EPOCH: '1767225600' },
    });
    expect(readFileSync(join(dir, 'out/quarterly-planning.ics'), 'utf8')).toContain(
      'DTSTAMP:20260101T000000Z',
    );
    await runCli(
      ['build', example('quarterly-planning.json'), '--out', 'out2', '--deterministic'],
      { cwd: dir, env: { SOURCE_DATE_EPOCH: '1780000000' } },
    );
    expect(readFileSync(join(dir, 'out2/quarterly-planning.ics'), 'utf8')).toContain(
      'DTSTAMP:20260528T202640Z',
    );
  });

  it('applies --method, --profile outlook and --no-attachment', async () => {
    await runCli(
      [
        'build',
        example('quarterly-planning.json'),
        '--out',
        'o',
        '--method',
        'cancel',
        '--profile',
        'outlook',
      ],
      { cwd: dir },
    );
    const eml = readFileSync(join(dir, 'o/quarterly-planning.eml'), 'utf8');
    expect(eml).toContain('Content-Class: urn:content-classes:calendarmessage');
    expect(eml).toMatch(/method=CANCEL/);
    expect(readFileSync(join(dir, 'o/quarterly-planning.ics'), 'utf8')).toContain(
      'STATUS:CANCELLED',
    );
    await runCli(['build', example('quarterly-planning.json'), '--out', 'n', '--no-attachment'], {
      cwd: dir,
    });
    expect(readFileSync(join(dir, 'n/quarterly-planning.eml'), 'utf8')).not.toContain('invite.ics');
  });

  it('reports every problem of every input with its path, exits 2 and writes nothing', async () => {
    writeFileSync(join(dir, 'good.json'), JSON.stringify(invite));
    writeFileSync(
      join(dir, 'bad.json'),
      JSON.stringify({
        ...invite,
        timeZone: 'Nowhere/Land',
        attendees: [{ email: 'x@' }, { email: 'olga@example.com' }],
      }),
    );
    writeFileSync(join(dir, 'broken.json'), '{ "summary": ');
    const result = await runCli(
      ['build', 'good.json', 'bad.json', 'broken.json', 'missing.json', '--out', 'out'],
      { cwd: dir },
    );
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      'bad.json: invalid invite (3 problems); nothing was written or sent',
    );
    expect(result.stderr).toContain('timeZone: unknown time zone "Nowhere/Land"');
    expect(result.stderr).toContain('attendees[0].email: "x@" is not an email address');
    expect(result.stderr).toContain('attendees[1].email: is the organizer');
    expect(result.stderr).toMatch(/broken\.json: .*not valid JSON/);
    expect(result.stderr).toMatch(/missing\.json: .*no such file/);
    expect(readdirSync(dir).sort()).toEqual(['bad.json', 'broken.json', 'good.json']);
  });

  it.each([
    [['build', '--out', 'x'], /give at least one event JSON file/],
    [['build', 'a.json'], /--out DIR is required/],
    [
      ['build', 'a.json', '--out', 'x', '--method', 'REPLY'],
      /--method must be one of REQUEST, PUBLISH, CANCEL/,
    ],
    [
      ['build', 'a.json', '--out', 'x', '--profile', 'gmail'],
      /--profile must be "default" or "outlook"/,
    ],
    [['build', 'a.json', '--out', 'x', '--colour'], /Unknown option '--colour'/],
    [['build', 'x/a.json', 'y/a.json', '--out', 'x'], /would both write a\.ics/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('usage error %j exits 2', async (argv, message) => {
    const result = await runCli(argv, { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it.each(['build', 'send', 'demo'])('%s --help explains the command', async (command) => {
    const result = await runCli([command, '--help'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: smtp-invite ${command}`));
    expect(result.stdout).toContain('Exit codes');
  });

  it('prints the main help and the version', async () => {
    expect((await runCli(['--help'], { cwd: dir })).stdout).toContain('Commands:');
    expect((await runCli([], { cwd: dir })).code).toBe(2);
    expect((await runCli(['--version'], { cwd: dir })).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
