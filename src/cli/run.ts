import { readFileSync } from 'node:fs';
import { SmtpInviteError } from '../errors.ts';
import { EXIT, type CliIo } from './cli-io.ts';
import { runBatch } from './command-batch.ts';
import { runBuild } from './command-build.ts';
import { runDemo } from './command-demo.ts';
import { runInspect } from './command-inspect.ts';
import { runSend } from './command-send.ts';
import { runUpdate } from './command-update.ts';
import { runCancel } from './command-cancel.ts';
import { runDeclineCounter } from './command-decline-counter.ts';
import { runList, runStatus } from './command-status.ts';
import { runExport } from './command-export.ts';
import { runIngest } from './command-ingest.ts';
import { runReply } from './command-reply.ts';
import { reportError } from './report-problems.ts';

const COMMANDS: Record<string, (argv: readonly string[], io: CliIo) => Promise<number>> = {
  build: runBuild,
  send: runSend,
  batch: runBatch,
  demo: runDemo,
  inspect: runInspect,
  update: runUpdate,
  cancel: runCancel,
  'decline-counter': runDeclineCounter,
  status: runStatus,
  list: runList,
  export: runExport,
  ingest: runIngest,
  reply: runReply,
};

export const MAIN_HELP = `smtp-invite: meeting invitations over plain SMTP (iCalendar + iMIP), no calendar server needed.

Usage: smtp-invite <command> [options]

Commands:
  build <event.json>... --out DIR   Write <name>.ics and <name>.eml for each invite
  send <event.json>                 Send an invitation by SMTP (or to ./outbox when none is set)
  batch <rows.jsonl|rows.csv>       Send thousands of invitations, paced, retried, resumable
  demo                              Send the examples through a local capture server and check them
  inspect <file.eml|file.ics|->...  Lint invitations and say what Outlook, Gmail, Apple and Thunderbird do
  update <event.json>               Send the changes of a recorded invite (REQUEST/CANCEL as needed)
  cancel <uid> [--attendee EMAIL]   Cancel a recorded invite, or uninvite some attendees
  cancel <uid> --occurrence DATETIME
                                    Cancel one occurrence of a recurring invite
  decline-counter <uid> --attendee EMAIL
                                    Decline an attendee's counter-proposal (DECLINECOUNTER)
  status <uid>                      Attendees' answers, counter-proposals and deliveries of an invite
  list                              Every invite in the ledger
  export <uid>                      The organizer's own copy as .ics, to import into a calendar
  ingest <file|dir|->...            Read attendees' replies (REPLY, COUNTER, REFRESH) into the ledger
  reply <invite.eml> --as EMAIL --accept|--tentative|--decline
                                    The attendee's side: build (and send) a REPLY

Run "smtp-invite <command> --help" for a command's options. Environment: SMTP_URL, SMTP_PASSWORD,
SMTP_INVITE_DB (the ledger, default ./.smtp-invite/ledger.db).
Exit codes: 0 ok, 1 partial failure (some recipients refused), 2 usage or invalid input,
3 operational failure (SMTP, TLS, auth, files).
`;

/** The CLI as a function: argv in, exit code out; all IO through `io`. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(MAIN_HELP);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  if (command === '--version' || command === '-v') {
    io.stdout.write(`${version()}\n`);
    return EXIT.ok;
  }
  const handler = COMMANDS[command];
  if (handler === undefined) {
    io.stderr.write(
      `smtp-invite: unknown command "${command}" (commands: ${Object.keys(COMMANDS).join(', ')}; see smtp-invite --help)\n`,
    );
    return EXIT.usage;
  }
  try {
    return await handler(rest, io);
  } catch (err) {
    if (err instanceof SmtpInviteError && err.code === 'ERR_USAGE') {
      io.stderr.write(`smtp-invite ${err.message}\n`);
      return EXIT.usage;
    }
    return reportError(io, err);
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
