import { basename, extname, join, resolve } from 'node:path';
import { SmtpInviteError } from '../errors.ts';
import { buildInvite, deterministicIds, type BuiltInvite } from '../flows/build-invite.ts';
import type { BuildMethod } from '../model/invite.ts';
import { EXIT, type CliIo } from './cli-io.ts';
import { parseMethodOption, parseProfileOption, usage } from './common-options.ts';
import { parseOptions } from './parse-options.ts';
import { readJsonFile } from './read-json-file.ts';
import { reportError, reportWarnings } from './report-problems.ts';
import { writeFileAtomic } from './write-file-atomic.ts';
import { IDENTITY_OPTIONS, identityFromFlagsOnly } from './identity-options.ts';

export const BUILD_HELP = `Usage: smtp-invite build <event.json>... --out DIR [options]

Builds each invite into DIR/<name>.ics (the iCalendar object) and DIR/<name>.eml (the complete
invitation email), where <name> is the input file name without .json. Every input is validated
first; if any is invalid, every problem is printed and nothing is written (exit 2).

Options:
  --out DIR            Output directory (created if missing). Required.
  --method M           Override the input's method: REQUEST (default), PUBLISH or CANCEL.
  --profile P          Email layout: default (multipart/mixed with an invite.ics attachment, as
                       Google sends) or outlook (flat multipart/alternative, base64 calendar part).
  --no-attachment      Leave out the .ics attachment (default profile).
  --deterministic      Fixed clock (SOURCE_DATE_EPOCH or 2026-01-01T00:00:00Z) and ids derived from
                       the input: the same input gives byte-identical files (fixtures, goldens).
  --json               Print {"files":[{"ics","eml","uid","sequence","method"}]} on stdout.
  --service EMAIL      Build as sent by a service for the organizer (From = EMAIL, Reply-To = the
                       organizer, ORGANIZER;SENT-BY = EMAIL); --service-name NAME for its name.
  --sender EMAIL       Build as sent by a delegate (Sender = EMAIL, ORGANIZER;SENT-BY = EMAIL).
                       See "smtp-invite send --help". The config file is not read here.
  -h, --help           Show this help.

Exit codes: 0 written, 2 invalid input or usage, 3 a file could not be written.
`;

export async function runBuild(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions('build', argv, {
    out: { type: 'string' },
    method: { type: 'string' },
    profile: { type: 'string' },
    'no-attachment': { type: 'boolean' },
    deterministic: { type: 'boolean' },
    json: { type: 'boolean' },
    ...IDENTITY_OPTIONS,
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(BUILD_HELP);
    return EXIT.ok;
  }
  if (positionals.length === 0) throw usage('build', 'give at least one event JSON file');
  if (values.out === undefined) throw usage('build', '--out DIR is required');
  const method = parseMethodOption(values.method, 'build');
  const profile = parseProfileOption(values.profile, 'build');
  const outDir = resolve(io.cwd, values.out);
  const identity = identityFromFlagsOnly('build', values);

  const names = new Map<string, string>();
  for (const file of positionals) {
    const name = basename(file, extname(file));
    const other = names.get(name);
    if (other !== undefined)
      throw usage('build', `${file} and ${other} would both write ${name}.ics/.eml; rename one`);
    names.set(name, file);
  }

  // Validate and build everything before writing anything.
  const built: { file: string; name: string; result: BuiltInvite }[] = [];
  let failed = 0;
  for (const [name, file] of names) {
    try {
      const input = await readJsonFile(resolve(io.cwd, file));
      const result = buildInvite(input, {
        profile,
        attachment: !values['no-attachment'],
        ...identity,
        ...(method === undefined ? {} : { method }),
        ...(values.deterministic ? { ids: deterministicIds(input, io.env) } : {}),
      });
      reportWarnings(io, result.warnings, file);
      built.push({ file, name, result });
    } catch (err) {
      failed = Math.max(failed, reportError(io, err, file));
    }
  }
  if (failed > 0) return failed;

  const files: { ics: string; eml: string; uid: string; sequence: number; method: BuildMethod }[] =
    [];
  for (const { name, result } of built) {
    const message = result.messages[0];
    if (message === undefined)
      throw new SmtpInviteError('ERR_INTERNAL', `no message was built for ${name}`);
    const ics = join(outDir, `${name}.ics`);
    const eml = join(outDir, `${name}.eml`);
    await writeFileAtomic(ics, result.calendar);
    await writeFileAtomic(eml, message.raw);
    files.push({
      ics,
      eml,
      uid: result.invite.uid,
      sequence: result.invite.sequence,
      method: result.invite.method,
    });
    if (!values.json) {
      io.stdout.write(
        `wrote ${ics} and ${eml} (${result.invite.method}, UID ${result.invite.uid}, SEQUENCE ${result.invite.sequence})\n`,
      );
    }
  }
  if (values.json) io.stdout.write(`${JSON.stringify({ files })}\n`);
  return EXIT.ok;
}
