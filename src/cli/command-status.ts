import { listStatuses, readStatus, type EventStatusReport } from '../flows/read-status.ts';
import type { Ledger } from '../ledger/ledger-types.ts';
import { EXIT, type CliIo } from './cli-io.ts';
import { usage } from './common-options.ts';
import { LEDGER_HELP, LEDGER_OPTIONS, openLedgerFor } from './ledger-option.ts';
import { parseOptions } from './parse-options.ts';
import { reportError } from './report-problems.ts';

export const STATUS_HELP = `Usage: smtp-invite status <uid> [--json]

What the organizer knows about an invite: SEQUENCE, status, each attendee's answer (PARTSTAT,
when, and the reply message it came from), counter-proposals, and every message sent with each
recipient's SMTP outcome. Reads the ledger only.

  --json   {"uid","sequence","summary","status","start","attendees":[{"email","name","role",
           "partstat","answeredAt","via","invited"}],"counters":[{"attendee","messageId",
           "receivedAt","start","end","comment","state"}],"deliveries":[{"messageId","method",
           "sequence","recipient","outcome","code"}]}

${LEDGER_HELP}
Exit codes: 0 ok, 2 usage or unknown uid, 3 ledger failure.
`;

export const LIST_HELP = `Usage: smtp-invite list [--json]

Every invite in the ledger: uid, SEQUENCE, status, how many attendees answered.

  --json   [{"uid","sequence","summary","status","attendees","answered","updatedAt"}]

${LEDGER_HELP}
Exit codes: 0 ok, 3 ledger failure.
`;

export async function runStatus(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions('status', argv, {
    ...LEDGER_OPTIONS,
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(STATUS_HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw usage('status', 'give exactly one uid');
  return withLedger(values, io, 'status', (ledger) => {
    const status = readStatus(ledger, positionals[0] ?? '');
    io.stdout.write(values.json ? `${JSON.stringify(status)}\n` : renderStatus(status));
  });
}

export async function runList(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions('list', argv, {
    ...LEDGER_OPTIONS,
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(LIST_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw usage('list', `unexpected argument "${positionals[0] ?? ''}"`);
  return withLedger(values, io, 'list', (ledger) => {
    const events = listStatuses(ledger);
    if (values.json) io.stdout.write(`${JSON.stringify(events)}\n`);
    else if (events.length === 0) io.stderr.write('the ledger holds no invites yet\n');
    else
      for (const e of events)
        io.stdout.write(
          `${e.uid}  SEQUENCE ${e.sequence}  ${e.status.padEnd(9)}  ${e.answered}/${e.attendees} answered  ${JSON.stringify(e.summary)}\n`,
        );
  });
}

export async function withLedger(
  values: { readonly db?: string | undefined },
  io: CliIo,
  command: string,
  body: (ledger: Ledger) => void | Promise<void>,
): Promise<number> {
  let ledger: Ledger | undefined;
  try {
    ledger = openLedgerFor(values, io);
    await body(ledger);
    return EXIT.ok;
  } catch (err) {
    return reportError(io, err, command);
  } finally {
    ledger?.close();
  }
}

function renderStatus(s: EventStatusReport): string {
  const lines = [
    `${s.uid}: ${JSON.stringify(s.summary)}, ${s.start}, SEQUENCE ${s.sequence}, ${s.status}`,
    'Attendees:',
    ...s.attendees.map(
      (a) =>
        `  ${a.partstat.padEnd(12)} ${a.email}${a.name === null ? '' : ` (${a.name})`}${a.invited ? '' : ' [not invited]'}${a.answeredAt === null ? '' : ` answered ${a.answeredAt}`}${a.via === null ? '' : ` via ${a.via}`}`,
    ),
  ];
  if (s.counters.length > 0)
    lines.push(
      'Counter-proposals:',
      ...s.counters.map(
        (c) =>
          `  ${c.state.padEnd(8)} ${c.attendee} proposes ${c.start ?? '?'}–${c.end ?? '?'}${c.comment === null ? '' : `: ${JSON.stringify(c.comment)}`}`,
      ),
    );
  lines.push(
    'Deliveries:',
    ...s.deliveries.map(
      (d) =>
        `  ${d.method} SEQUENCE ${d.sequence} to ${d.recipient}: ${d.outcome}${d.code === null ? '' : ` (${d.code})`} <${d.messageId}>`,
    ),
  );
  return `${lines.join('\n')}\n`;
}
