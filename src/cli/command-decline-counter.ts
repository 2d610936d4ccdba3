import { declineCounterAndRecord } from '../flows/organizer-flows.ts';
import { checkEmailOption } from './check-email-option.ts';
import { EXIT, type CliIo } from './cli-io.ts';
import { DELIVERY_HELP, DELIVERY_OPTIONS, parseProfileOption, usage } from './common-options.ts';
import { LEDGER_HELP, LEDGER_OPTIONS } from './ledger-option.ts';
import { parseOptions } from './parse-options.ts';
import { runPlanCommand } from './run-plan-command.ts';
import { IDENTITY_HELP, IDENTITY_OPTIONS, resolveIdentityOptions } from './identity-options.ts';

export const DECLINE_COUNTER_HELP = `Usage: smtp-invite decline-counter <uid> --attendee EMAIL [--comment TEXT] [options]

Declines the counter-proposal an attendee sent (a COUNTER read by "smtp-invite ingest"): a
DECLINECOUNTER (RFC 5546 §3.2.8) to that attendee only, with the event unchanged (same SEQUENCE),
and their open proposals marked declined in the ledger ("smtp-invite status" shows them). To accept
a proposal instead, change the event with "smtp-invite update". Outlook shows a DECLINECOUNTER as
an attachment; the message's text says what it means.

Options:
  --attendee EMAIL     The attendee whose proposal is declined (required).
  --comment TEXT       Why (COMMENT in the calendar, shown in the message text).
  --profile P          default (with invite.ics attachment) or outlook (flat, base64 calendar).
  --no-attachment      Leave out the .ics attachment (default profile).
  -h, --help           Show this help.

${IDENTITY_HELP}
${DELIVERY_HELP}
${LEDGER_HELP}
Exit codes: 0 sent, 1 the attendee's server refused it, 2 usage, unknown uid, attendee not
invited or without an open counter-proposal, cancelled event, 3 SMTP, file or ledger failure.
`;

export async function runDeclineCounter(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions('decline-counter', argv, {
    ...DELIVERY_OPTIONS,
    ...LEDGER_OPTIONS,
    attendee: { type: 'string' },
    comment: { type: 'string' },
    profile: { type: 'string' },
    'no-attachment': { type: 'boolean' },
    ...IDENTITY_OPTIONS,
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(DECLINE_COUNTER_HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw usage('decline-counter', 'give exactly one uid');
  const uid = positionals[0] ?? '';
  if (values.attendee === undefined)
    throw usage('decline-counter', '--attendee EMAIL is required (whose proposal to decline)');
  const attendee = checkEmailOption('decline-counter', '--attendee', values.attendee);
  const comment = values.comment;
  const profile = parseProfileOption(values.profile, 'decline-counter');
  const identity = resolveIdentityOptions('decline-counter', values, io);
  return runPlanCommand(
    'decline-counter',
    values,
    io,
    { profile, attachment: !values['no-attachment'], perRecipient: false, ...identity },
    (options) =>
      declineCounterAndRecord(
        uid,
        { attendee, ...(comment === undefined ? {} : { comment }) },
        options,
      ),
  );
}
