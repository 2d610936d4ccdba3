import { resolve } from 'node:path';
import { buildInvite } from '../flows/build-invite.ts';
import { deliverMessages, hasRejections, type SendReport } from '../flows/send-invite.ts';
import { EXIT, type CliIo } from './cli-io.ts';
import {
  DELIVERY_HELP,
  DELIVERY_OPTIONS,
  parseMethodOption,
  parseProfileOption,
  selectTransport,
  usage,
} from './common-options.ts';
import { parseOptions } from './parse-options.ts';
import { readInviteFile, readJsonFile } from './read-json-file.ts';
import { reportError, reportWarnings } from './report-problems.ts';
import { sendAndRecord } from '../flows/organizer-flows.ts';
import { LEDGER_HELP, LEDGER_OPTIONS } from './ledger-option.ts';
import { runPlanCommand } from './run-plan-command.ts';
import { IDENTITY_HELP, IDENTITY_OPTIONS, resolveIdentityOptions } from './identity-options.ts';

export const SEND_HELP = `Usage: smtp-invite send <event.json> [options]

Validates the invite, builds the invitation email and sends it to every attendee (never to the
organizer): one message to all by default, or one per attendee with --per-recipient. Each
recipient's outcome is reported; refused recipients give exit 1.

The invite is recorded in the ledger (--db): its uid, SEQUENCE, attendees and every message, so
that "smtp-invite update", "cancel", "ingest" (replies) and "status" can keep the organizer's side
— plain SMTP has no organizer calendar item. Keep the event's uid in your JSON for later updates
(it is printed on stdout). A uid already in the ledger is refused: use "update".

Options:
  --per-recipient      One message per attendee (To: shows only that attendee).
  --method M           Override the input's method: REQUEST (default), PUBLISH or CANCEL.
                       PUBLISH and CANCEL are sent as they are and not recorded in the ledger
                       (to cancel a recorded invite use "smtp-invite cancel").
  --profile P          default (with invite.ics attachment) or outlook (flat, base64 calendar).
  --no-attachment      Leave out the .ics attachment (default profile).
  -h, --help           Show this help.

${IDENTITY_HELP}
${DELIVERY_HELP}
${LEDGER_HELP}
Exit codes: 0 every recipient accepted (or written/dry run), 1 some recipients refused,
2 invalid input or usage, 3 SMTP/connection/auth/TLS failure, a file or the ledger could not be
written, or the uid is already in the ledger.
`;

export async function runSend(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions('send', argv, {
    ...DELIVERY_OPTIONS,
    'per-recipient': { type: 'boolean' },
    method: { type: 'string' },
    profile: { type: 'string' },
    'no-attachment': { type: 'boolean' },
    ...IDENTITY_OPTIONS,
    ...LEDGER_OPTIONS,
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(SEND_HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw usage('send', 'give exactly one event JSON file');
  const file = positionals[0] ?? '';
  const method = parseMethodOption(values.method, 'send');
  const profile = parseProfileOption(values.profile, 'send');
  const identity = resolveIdentityOptions('send', values, io);

  const shape = {
    profile,
    attachment: !values['no-attachment'],
    perRecipient: values['per-recipient'] ?? false,
    ...identity,
  };
  if (method === undefined || method === 'REQUEST') {
    // The ledger path. Input is validated before the ledger is opened: bad input changes nothing.
    const read = await readInviteFile(io, file);
    if ('exit' in read) return read.exit;
    return runPlanCommand('send', values, io, shape, (options) =>
      sendAndRecord(read.input, options),
    );
  }

  let built;
  try {
    const input = await readJsonFile(resolve(io.cwd, file));
    built = buildInvite(input, { ...shape, ...(method === undefined ? {} : { method }) });
  } catch (err) {
    return reportError(io, err, file);
  }
  reportWarnings(io, built.warnings, file);

  const transport = selectTransport('send', values, io);
  const dryRun = values['dry-run'] ?? false;
  const done: SendReport['messages'][number][] = [];
  try {
    const report = await deliverMessages(built.messages, {
      transport,
      dryRun,
      onDelivered: (message, outcome, outboxFile) => {
        done.push(outcome);
        if (values.json) return;
        const what = `${message.method} (SEQUENCE ${message.sequence}) "${built.invite.summary}"`;
        if (dryRun)
          io.stderr.write(`dry run: would send ${what} to ${message.recipients.join(', ')}\n`);
        else if (outboxFile !== undefined)
          io.stderr.write(`wrote ${what} for ${message.recipients.join(', ')} to ${outboxFile}\n`);
        else {
          io.stderr.write(
            `sent ${what} via ${transport.description}: ${outcome.accepted.length} accepted, ${outcome.rejected.length} refused\n`,
          );
          for (const r of outcome.rejected)
            io.stderr.write(`  refused ${r.email}: ${r.code ?? ''} ${r.response}\n`);
        }
      },
    });
    if (values.json) io.stdout.write(`${JSON.stringify(report)}\n`);
    else if (!dryRun) io.stdout.write(`${built.invite.uid}\n`);
    return hasRejections(report) ? EXIT.partial : EXIT.ok;
  } catch (err) {
    if (values.json) io.stdout.write(`${JSON.stringify({ dryRun, messages: done })}\n`);
    return reportError(io, err, file);
  } finally {
    await transport.close();
  }
}
