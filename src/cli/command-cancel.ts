import { cancelAndRecord, cancelOccurrenceAndRecord } from '../flows/organizer-flows.ts';
import { checkEmailOption } from './check-email-option.ts';
import { EXIT, type CliIo } from './cli-io.ts';
import { DELIVERY_HELP, DELIVERY_OPTIONS, parseProfileOption, usage } from './common-options.ts';
import { LEDGER_HELP, LEDGER_OPTIONS } from './ledger-option.ts';
import { parseOptions } from './parse-options.ts';
import { runPlanCommand } from './run-plan-command.ts';
import { IDENTITY_HELP, IDENTITY_OPTIONS, resolveIdentityOptions } from './identity-options.ts';

export const CANCEL_HELP = `Usage: smtp-invite cancel <uid> [--attendee EMAIL]... [options]
       smtp-invite cancel <uid> --occurrence DATETIME [options]

Cancels an invite recorded in the ledger: a CANCEL with STATUS:CANCELLED and SEQUENCE + 1 to every
attendee, so their calendars remove the event. With --attendee, only those attendees are
uninvited (each gets a CANCEL listing just them); the others keep the event. With --occurrence,
only that occurrence of a recurring event is cancelled (a CANCEL with RECURRENCE-ID to every
attendee); the ledger's copy gains an EXDATE for it, which later updates keep.

Options:
  --attendee EMAIL     Uninvite this attendee only (repeatable).
  --occurrence DATETIME
                       Cancel one occurrence: its original start as in the event JSON
                       (2026-12-08T10:00 in the event's zone, or with Z or an offset; a date
                       like 2026-12-24 for an all-day series). Not with --attendee.
  --per-recipient      One message per attendee.
  --profile P          default (with invite.ics attachment) or outlook (flat, base64 calendar).
  --no-attachment      Leave out the .ics attachment (default profile).
  -h, --help           Show this help.

${IDENTITY_HELP}
${DELIVERY_HELP}
${LEDGER_HELP}
Exit codes: 0 sent, 1 some recipients refused, 2 usage, unknown uid or attendee, already
cancelled, not an occurrence of the series, 3 SMTP, file or ledger failure.
`;

export async function runCancel(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions('cancel', argv, {
    ...DELIVERY_OPTIONS,
    ...LEDGER_OPTIONS,
    attendee: { type: 'string', multiple: true },
    occurrence: { type: 'string' },
    'per-recipient': { type: 'boolean' },
    profile: { type: 'string' },
    'no-attachment': { type: 'boolean' },
    ...IDENTITY_OPTIONS,
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(CANCEL_HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw usage('cancel', 'give exactly one uid');
  const uid = positionals[0] ?? '';
  const attendees = (values.attendee ?? []).map((a) => checkEmailOption('cancel', '--attendee', a));
  const occurrence = values.occurrence;
  if (occurrence !== undefined && attendees.length > 0)
    throw usage('cancel', '--occurrence cancels one occurrence for everyone: not with --attendee');
  const profile = parseProfileOption(values.profile, 'cancel');
  const identity = resolveIdentityOptions('cancel', values, io);
  return runPlanCommand(
    'cancel',
    values,
    io,
    {
      profile,
      attachment: !values['no-attachment'],
      perRecipient: values['per-recipient'] ?? false,
      ...identity,
    },
    (options) =>
      occurrence === undefined
        ? cancelAndRecord(uid, { attendees }, options)
        : cancelOccurrenceAndRecord(uid, occurrence, options),
  );
}
