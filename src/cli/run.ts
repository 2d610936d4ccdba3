import { readFileSync } from 'node:fs';
import { SmtpInviteError } from '../errors.ts';
import { EXIT, type CliIo } from './cli-io.ts';
import { reportError } from './report-problems.ts';
import { withSecretMask } from './secret-mask.ts';

type Command = (argv: readonly string[], io: CliIo) => Promise<number>;

// Loaded on demand: a command pays only for the libraries it uses (a long `batch` keeps less in
// memory, and every command starts faster).
const COMMANDS: Record<string, Command> = {
  build: async (a, io) => (await import('./command-build.ts')).runBuild(a, io),
  send: async (a, io) => (await import('./command-send.ts')).runSend(a, io),
  batch: async (a, io) => (await import('./command-batch.ts')).runBatch(a, io),
  demo: async (a, io) => (await import('./command-demo.ts')).runDemo(a, io),
  inspect: async (a, io) => (await import('./command-inspect.ts')).runInspect(a, io),
  update: async (a, io) => (await import('./command-update.ts')).runUpdate(a, io),
  cancel: async (a, io) => (await import('./command-cancel.ts')).runCancel(a, io),
  'decline-counter': async (a, io) =>
    (await import('./command-decline-counter.ts')).runDeclineCounter(a, io),
  status: async (a, io) => (await import('./command-status.ts')).runStatus(a, io),
  list: async (a, io) => (await import('./command-status.ts')).runList(a, io),
  export: async (a, io) => (await import('./command-export.ts')).runExport(a, io),
  ingest: async (a, io) => (await import('./command-ingest.ts')).runIngest(a, io),
  reply: async (a, io) => (await import('./command-reply.ts')).runReply(a, io),
  'check-setup': async (a, io) => (await import('./command-check-setup.ts')).runCheckSetup(a, io),
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
  check-setup [delivery options]    Check SMTP, TLS, login, OAuth2 and DKIM settings; sends nothing

Run "smtp-invite <command> --help" for a command's options. Environment: SMTP_URL, SMTP_PASSWORD,
SMTP_INVITE_DB (the ledger, default ./.smtp-invite/ledger.db), SMTP_INVITE_CONFIG (settings file,
default ./smtp-invite.config.json or ./.smtp-inviterc), SMTP_OAUTH_TOKEN, SMTP_INVITE_OAUTH_*,
SMTP_INVITE_DKIM_*, SMTP_INVITE_ALLOW_INSECURE. Precedence: flags > environment > config file.
Exit codes: 0 ok, 1 partial failure (some recipients refused), 2 usage or invalid input,
3 operational failure (SMTP, TLS, auth, files).
`;

/** The CLI as a function: argv in, exit code out; all IO through `io`. */
export async function run(argv: readonly string[], rawIo: CliIo): Promise<number> {
  // Everything written from here on goes through the secret mask (secret-mask.ts).
  const io = withSecretMask(rawIo);
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
