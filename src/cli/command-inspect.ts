import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Severity } from '../diagnostics.ts';
import { SmtpInviteError } from '../errors.ts';
import { inspect } from '../inspect/inspect-engine.ts';
import type { InspectOptions, InspectReport } from '../inspect/inspect-types.ts';
import { RULES, ENGINE_FINDINGS } from '../inspect/rule-catalogue.ts';
import { EXIT, type CliIo } from './cli-io.ts';
import { checkEmailOption } from './check-email-option.ts';
import { usage } from './common-options.ts';
import { parseOptions } from './parse-options.ts';
import { renderInspectReport } from './render-inspect-report.ts';

export const INSPECT_HELP = `Usage: smtp-invite inspect <file.eml|file.ics|->... [options]

Lints invitation emails and .ics files (ours or anyone's) rule by rule, and says what Outlook,
Gmail, Apple Calendar and Thunderbird will do with each: show an invitation with buttons, show an
attachment, apply an update or cancellation, or ignore it. "-" reads standard input. Whether a
file is an email or a bare calendar is detected from its content.

Options:
  --json                 Print the report as JSON: one object for one file, an array for several
                         (schema: README "Inspect report").
  --fail-on LEVEL        error (default), warning or never: exit 1 when a finding at or above
                         LEVEL is found.
  --recipient EMAIL      The envelope recipient: checks that it is an ATTENDEE and not the ORGANIZER.
  --previous-sequence N  SEQUENCE of the event the recipient already has: an update must be higher.
  --ignore RULE,...      Rule ids to skip (see README "Inspector rules").
  --max-bytes N          Inputs larger than this are not parsed (default 25 MB).
  --time-limit MS        Stop running rules after this many milliseconds per file (default 2000).
  -h, --help             Show this help.

Exit codes: 0 no finding at or above --fail-on, 1 such findings, 2 usage or unreadable file.
`;

const LEVELS = ['error', 'warning', 'never'] as const;
const RANK: Record<Severity, number> = { error: 2, warning: 1, info: 0 };

export async function runInspect(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions('inspect', argv, {
    json: { type: 'boolean' },
    'fail-on': { type: 'string' },
    recipient: { type: 'string' },
    'previous-sequence': { type: 'string' },
    ignore: { type: 'string' },
    'max-bytes': { type: 'string' },
    'time-limit': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(INSPECT_HELP);
    return EXIT.ok;
  }
  if (positionals.length === 0)
    throw usage('inspect', 'give at least one .eml or .ics file, or - for standard input');
  const failOn = values['fail-on'] ?? 'error';
  if (!(LEVELS as readonly string[]).includes(failOn))
    throw usage('inspect', `--fail-on must be error, warning or never, not "${failOn}"`);
  const known = new Set<string>([...RULES.map((r) => r.id), ...ENGINE_FINDINGS]);
  const ignore = (values.ignore ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const unknown = ignore.filter((id) => !known.has(id));
  if (unknown.length > 0)
    throw usage(
      'inspect',
      `--ignore: unknown rule id${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`,
    );
  const options: InspectOptions = {
    ...(values.recipient === undefined
      ? {}
      : { recipient: checkEmailOption('inspect', '--recipient', values.recipient) }),
    ...(values['previous-sequence'] === undefined
      ? {}
      : { previousSequence: integerOption('--previous-sequence', values['previous-sequence']) }),
    ...(values['max-bytes'] === undefined
      ? {}
      : { maxBytes: integerOption('--max-bytes', values['max-bytes']) }),
    ...(values['time-limit'] === undefined
      ? {}
      : { timeLimitMs: integerOption('--time-limit', values['time-limit']) }),
    ...(ignore.length === 0 ? {} : { ignore }),
  };

  const reports: { name: string; report: InspectReport }[] = [];
  for (const file of positionals) {
    const bytes =
      file === '-' ? await io.readStdin() : await readInput(resolve(io.cwd, file), file);
    reports.push({ name: file === '-' ? '(stdin)' : file, report: inspect(bytes, options) });
  }
  if (values.json) {
    const json =
      reports.length === 1
        ? { file: reports[0]?.name, ...reports[0]?.report }
        : reports.map(({ name, report }) => ({ file: name, ...report }));
    io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    io.stdout.write(
      reports
        .map(({ name, report }) => renderInspectReport(name, report, io.stdoutIsTty))
        .join('\n'),
    );
  }
  if (failOn === 'never') return EXIT.ok;
  const threshold = RANK[failOn as Severity];
  const failed = reports.some(({ report }) =>
    report.findings.some((f) => RANK[f.severity] >= threshold),
  );
  return failed ? EXIT.partial : EXIT.ok;
}

async function readInput(path: string, shown: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SmtpInviteError(
      'ERR_FILE_READ',
      `${shown}: cannot read: ${code === 'ENOENT' ? 'no such file' : (code ?? String(err))}`,
      { cause: err },
    );
  }
}

function integerOption(name: string, value: string): number {
  if (!/^\d+$/.test(value))
    throw usage('inspect', `${name} must be a whole number, not "${value}"`);
  return Number(value);
}
