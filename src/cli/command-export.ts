import { resolve } from 'node:path';
import { loadEvent } from '../flows/organizer-flows.ts';
import { buildCalendar } from '../ical/build-calendar.ts';
import { EXIT, type CliIo } from './cli-io.ts';
import { usage } from './common-options.ts';
import { LEDGER_HELP, LEDGER_OPTIONS } from './ledger-option.ts';
import { parseOptions } from './parse-options.ts';
import { withLedger } from './command-status.ts';
import { writeFileAtomic } from './write-file-atomic.ts';

export const EXPORT_HELP = `Usage: smtp-invite export <uid> [--out FILE]

The organizer's own copy of an invite as .ics (METHOD:PUBLISH, current attendees with the answers
received), to import into the organizer's calendar: the SMTP path's answer to the missing
organizer item. Written to FILE, or to stdout.

${LEDGER_HELP}
Exit codes: 0 ok, 2 usage or unknown uid, 3 ledger or file failure.
`;

export async function runExport(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions('export', argv, {
    ...LEDGER_OPTIONS,
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(EXPORT_HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw usage('export', 'give exactly one uid');
  return withLedger(values, io, 'export', async (ledger) => {
    const { current, stored } = loadEvent(ledger, positionals[0] ?? '');
    const calendar = buildCalendar(
      {
        ...current,
        method: 'PUBLISH',
        ...(stored.state === 'cancelled' ? { status: 'CANCELLED' as const } : {}),
      },
      { now: new Date() },
    );
    if (values.out === undefined) io.stdout.write(calendar);
    else {
      const path = resolve(io.cwd, values.out);
      await writeFileAtomic(path, Buffer.from(calendar, 'utf8'));
      io.stderr.write(`wrote ${path}\n`);
    }
  });
}
