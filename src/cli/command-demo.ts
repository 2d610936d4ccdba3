import { readdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildInvite } from '../flows/build-invite.ts';
import { deliverMessages } from '../flows/send-invite.ts';
import { readCalendar } from '../ical/read-calendar.ts';
import { inspect } from '../inspect/inspect-engine.ts';
import { CLIENT_NAMES } from '../inspect/inspect-types.ts';
import { readMessage } from '../mime/read-message.ts';
import { startCaptureServer } from '../transport/capture-server.ts';
import { createSmtpTransport } from '../transport/smtp-transport.ts';
import { EXIT, type CliIo } from './cli-io.ts';
import { usage } from './common-options.ts';
import { parseOptions } from './parse-options.ts';
import { readJsonFile } from './read-json-file.ts';
import { reportError } from './report-problems.ts';
import { writeFileAtomic } from './write-file-atomic.ts';

export const DEMO_HELP = `Usage: smtp-invite demo [--out DIR] [--examples DIR] [--json]

Starts an SMTP capture server on 127.0.0.1 (a free port), sends every example invite through it
over real SMTP, saves what arrived as .eml files and checks each one: the calendar part is there,
its MIME method= agrees with METHOD, every TZID has a VTIMEZONE, DTSTAMP is UTC, and the SMTP
envelope reached exactly the attendees; then inspects each as its recipient would (any error or
warning fails) and prints what Outlook, Gmail, Apple Calendar and Thunderbird will do. Nothing
leaves this machine.

Options:
  --out DIR        Where to save the received messages (default ./demo-output).
  --examples DIR   Event JSON files to send (default: the examples shipped with smtp-invite).
  --json           Print a JSON report on stdout.
  -h, --help       Show this help.

Exit codes: 0 every example arrived and passed the checks, 1 some check failed, 3 the server or
the SMTP exchange failed.
`;

interface DemoResult {
  example: string;
  method: string;
  summary: string;
  recipients: readonly string[];
  file: string;
  bytes: number;
  problems: string[];
  when: string;
}

export async function runDemo(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions('demo', argv, {
    out: { type: 'string' },
    examples: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(DEMO_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw usage('demo', `unexpected argument "${positionals[0] ?? ''}"`);
  const examplesDir =
    values.examples === undefined
      ? fileURLToPath(new URL('../../examples/', import.meta.url))
      : resolve(io.cwd, values.examples);
  const outDir = resolve(io.cwd, values.out ?? 'demo-output');
  const files = (await readdir(examplesDir)).filter((f) => f.endsWith('.json')).sort();
  if (files.length === 0) throw usage('demo', `no .json files in ${examplesDir}`);

  const server = await startCaptureServer();
  const log = (line: string) => {
    if (!values.json) io.stdout.write(`${line}\n`);
  };
  log(`capture server listening on ${server.url} (127.0.0.1 only)`);
  const transport = createSmtpTransport({ url: server.url });
  const results: DemoResult[] = [];
  try {
    for (const file of files) {
      const input = await readJsonFile(join(examplesDir, file));
      const built = buildInvite(input);
      const before = server.received.length;
      await deliverMessages(built.messages, { transport });
      const arrived = server.received.slice(before);
      for (const [i, received] of arrived.entries()) {
        const name = `${basename(file, '.json')}${arrived.length > 1 ? `-${i + 1}` : ''}.eml`;
        const path = join(outDir, name);
        await writeFileAtomic(path, received.raw);
        const problems = await checkReceived(
          received.raw,
          received.envelope.to,
          built.invite.attendees.map((a) => a.email),
        );
        results.push({
          example: file,
          method: built.invite.method,
          summary: built.invite.summary,
          recipients: received.envelope.to,
          file: path,
          bytes: received.raw.length,
          problems,
          when: describeWhen(built.invite),
        });
        log(
          `${problems.length === 0 ? 'ok  ' : 'FAIL'} ${file}: ${built.invite.method} "${built.invite.summary}" ${describeWhen(built.invite)}`,
        );
        log(`     ${received.raw.length} bytes to ${received.envelope.to.join(', ')} -> ${path}`);
        log(`     ${verdictLine(received.raw, received.envelope.to[0])}`);
        for (const p of problems) log(`     problem: ${p}`);
      }
      if (arrived.length === 0) {
        results.push({
          example: file,
          method: built.invite.method,
          summary: built.invite.summary,
          recipients: [],
          file: '',
          bytes: 0,
          problems: ['nothing arrived'],
          when: '',
        });
        log(`FAIL ${file}: nothing arrived at the capture server`);
      }
    }
  } catch (err) {
    return reportError(io, err, 'demo');
  } finally {
    await transport.close();
    await server.close();
  }
  const failed = results.filter((r) => r.problems.length > 0).length;
  if (values.json)
    io.stdout.write(`${JSON.stringify({ server: server.url, outDir, messages: results })}\n`);
  else
    log(
      `${results.length} message(s) received and saved in ${outDir}; ${failed === 0 ? 'all checks passed' : `${failed} failed a check`}.`,
    );
  return failed === 0 ? EXIT.ok : EXIT.partial;
}

function describeWhen(invite: ReturnType<typeof buildInvite>['invite']): string {
  if (invite.allDay) return `${invite.start.toISODate() ?? ''} (all day)`;
  const zone = invite.timeZone ?? 'UTC';
  return `${invite.start.toFormat('yyyy-LL-dd HH:mm')} ${zone} (${invite.start.toUTC().toFormat("HH:mm'Z'")})`;
}

/** "Outlook: invitation · Gmail: invitation · …" — what the inspector predicts for each client. */
function verdictLine(raw: Buffer, recipient: string | undefined): string {
  const report = inspect(raw, recipient === undefined ? {} : { recipient });
  return report.clients.map((c) => `${CLIENT_NAMES[c.client]}: ${c.outcome}`).join(' · ');
}

/**
 * The demo's checks: two independent readings of what arrived — mailparser + ical.js, and our
 * inspector (`smtp-invite inspect` prints its full report).
 */
async function checkReceived(
  raw: Buffer,
  envelopeTo: readonly string[],
  attendees: readonly string[],
): Promise<string[]> {
  const problems: string[] = [];
  const message = await readMessage(raw);
  const inline = message.calendars.find((c) => c.contentType === 'text/calendar');
  if (inline === undefined) return ['no text/calendar part'];
  const calendar = readCalendar(inline.text);
  if (inline.method !== calendar.method)
    problems.push(
      `MIME method=${inline.method ?? '(none)'} but METHOD:${calendar.method ?? '(none)'}`,
    );
  for (const event of calendar.events) {
    for (const t of [event.start, event.end]) {
      if (t?.tzid !== undefined && !calendar.timezones.includes(t.tzid))
        problems.push(`TZID ${t.tzid} has no VTIMEZONE`);
    }
    if (event.dtstamp !== undefined && !event.dtstamp.endsWith('Z'))
      problems.push(`DTSTAMP ${event.dtstamp} is not UTC`);
  }
  // The inspector too, as the recipient sees it: any error or warning fails the demo.
  const report = inspect(raw, envelopeTo[0] === undefined ? {} : { recipient: envelopeTo[0] });
  for (const f of report.findings)
    if (f.severity !== 'info') problems.push(`inspect: ${f.rule}: ${f.message}`);
  const want = [...attendees].map((a) => a.toLowerCase()).sort();
  const got = [...envelopeTo].map((a) => a.toLowerCase()).sort();
  if (want.join() !== got.join())
    problems.push(`envelope went to ${got.join(', ')}, expected ${want.join(', ')}`);
  return problems;
}
