import { updateAndRecord } from '../flows/organizer-flows.ts';
import { EXIT, type CliIo } from './cli-io.ts';
import { DELIVERY_HELP, DELIVERY_OPTIONS, parseProfileOption, usage } from './common-options.ts';
import { LEDGER_HELP, LEDGER_OPTIONS } from './ledger-option.ts';
import { parseOptions } from './parse-options.ts';
import { readInviteFile } from './read-json-file.ts';
import { runPlanCommand } from './run-plan-command.ts';
import { IDENTITY_HELP, IDENTITY_OPTIONS, resolveIdentityOptions } from './identity-options.ts';

export const UPDATE_HELP = `Usage: smtp-invite update <event.json> [options]

Changes an invite already sent (the JSON carries its uid) and mails what RFC 5546 calls for: the
new REQUEST to every attendee, a CANCEL to each attendee removed, the REQUEST to newcomers.
SEQUENCE goes up by one only when the change is significant (start, end, recurrence, status);
then every attendee's answer resets to NEEDS-ACTION. A change of summary, description or
location keeps the SEQUENCE and the answers. No change at all: nothing is sent.

Options:
  --per-recipient      One message per attendee.
  --profile P          default (with invite.ics attachment) or outlook (flat, base64 calendar).
  --no-attachment      Leave out the .ics attachment (default profile).
  -h, --help           Show this help.

${IDENTITY_HELP}                       The identity is how this update is sent, not part of the event:
                       switching it between send and update changes nothing else.

${DELIVERY_HELP}
${LEDGER_HELP}
Exit codes: 0 sent (or nothing to send), 1 some recipients refused, 2 invalid input, usage or an
unknown uid, 3 SMTP, file or ledger failure (ERR_LEDGER_CONFLICT: another process changed the
event meanwhile; nothing was sent: run it again).
`;

export async function runUpdate(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions('update', argv, {
    ...DELIVERY_OPTIONS,
    ...LEDGER_OPTIONS,
    'per-recipient': { type: 'boolean' },
    profile: { type: 'string' },
    'no-attachment': { type: 'boolean' },
    ...IDENTITY_OPTIONS,
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(UPDATE_HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw usage('update', 'give exactly one event JSON file');
  const file = positionals[0] ?? '';
  const profile = parseProfileOption(values.profile, 'update');
  const identity = resolveIdentityOptions('update', values, io);
  const read = await readInviteFile(io, file);
  if ('exit' in read) return read.exit;
  return runPlanCommand(
    'update',
    values,
    io,
    {
      profile,
      attachment: !values['no-attachment'],
      perRecipient: values['per-recipient'] ?? false,
      ...identity,
    },
    (options) => updateAndRecord(read.input, options),
  );
}
