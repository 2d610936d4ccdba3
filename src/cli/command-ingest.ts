import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { SmtpInviteError } from '../errors.ts';
import { ingestMessages, SETTLED_RESULTS, type IngestedMessage } from '../flows/ingest-replies.ts';
import type { Ledger } from '../ledger/ledger-types.ts';
import { openImapInbox, parseImapUrl, type ImapInbox } from '../replies/imap-source.ts';
import { splitMbox } from '../replies/split-mbox.ts';
import { EXIT, type CliIo } from './cli-io.ts';
import { urlHasPassword } from './delivery-settings.ts';
import { DELIVERY_HELP, DELIVERY_OPTIONS, selectTransport, usage } from './common-options.ts';
import { LEDGER_HELP, LEDGER_OPTIONS, openLedgerFor } from './ledger-option.ts';
import { parseOptions } from './parse-options.ts';
import { IDENTITY_HELP, IDENTITY_OPTIONS, resolveIdentityOptions } from './identity-options.ts';
import { reportError } from './report-problems.ts';

export const INGEST_HELP = `Usage: smtp-invite ingest <file|dir|->... [options]
       smtp-invite ingest --imap URL [<file|dir|->...] [options]

Reads attendees' answers (REPLY, COUNTER, REFRESH emails or .ics files; a directory of them; an
mbox file; - for standard input) into the ledger. Answers are matched by UID and the ATTENDEE in
the calendar, never by the email's From (Google replies come from calendar-notification@google.com).
Stale answers (an older SEQUENCE, or an older DTSTAMP at the same SEQUENCE) and messages already
processed change nothing and say why. A COUNTER is recorded (see "status"); a REFRESH is answered
with the latest REQUEST, to that attendee only, through the delivery options below.

Options:
  --imap URL   Also read the unseen messages of an IMAP mailbox: imaps://user@host[:993]/MAILBOX
               (implicit TLS) or imap://user@host[:143]/MAILBOX (STARTTLS required unless the
               host is loopback; --insecure relaxes that, toward a remote host only with
               SMTP_INVITE_ALLOW_INSECURE=1). MAILBOX defaults to INBOX. The password comes from
               $IMAP_PASSWORD (never from the URL given here: argv is visible in ps) and is never
               printed. Reading does not mark a
               message; afterwards the messages that were applied, duplicates or stale are marked
               \\Seen. The others stay unseen for a person to read (and are reported again by the
               next run); nothing is marked with --dry-run. Source: imap:MAILBOX/UID.
  --json       {"messages":[{"source","messageId","method","uid","attendee","result","reason",
               "resent"}]}; result: applied, duplicate, stale, unknown-event, unknown-attendee,
               no-calendar, malformed, unsupported. With --imap also "imap":{"mailbox",
               "unseen","markedSeen":[UID...]}.
  -h, --help

${IDENTITY_HELP}                       (for the REQUESTs that answer a REFRESH)

${DELIVERY_HELP}
${LEDGER_HELP}
Exit codes: 0 every message applied, or ignored as a duplicate or stale; 1 some message could not
be matched or read; 2 usage or an unreadable file; 3 ledger, SMTP or IMAP failure.
`;

export async function runIngest(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions('ingest', argv, {
    ...DELIVERY_OPTIONS,
    ...LEDGER_OPTIONS,
    imap: { type: 'string' },
    ...IDENTITY_OPTIONS,
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(INGEST_HELP);
    return EXIT.ok;
  }
  if (positionals.length === 0 && values.imap === undefined)
    throw usage(
      'ingest',
      'give at least one file, directory or - for standard input, or --imap URL',
    );
  const identity = resolveIdentityOptions('ingest', values, io);
  let inputs: { source: string; raw: Buffer }[];
  try {
    inputs = (await Promise.all(positionals.map((p) => readSources(p, io)))).flat();
  } catch (err) {
    return reportError(io, err, 'ingest');
  }
  const transport = selectTransport('ingest', values, io);
  const dryRun = values['dry-run'] ?? false;
  let ledger: Ledger | undefined;
  let inbox: ImapInbox | undefined;
  try {
    ledger = openLedgerFor(values, io);
    const firstImap = inputs.length;
    if (values.imap !== undefined) {
      inbox = await openInbox(values.imap, values.insecure ?? false, io);
      inputs = [...inputs, ...inbox.messages];
    }
    // One result per input, in order.
    const results = await ingestMessages(inputs, {
      ledger,
      transport,
      dryRun,
      ...(identity.service === undefined && identity.sender === undefined
        ? {}
        : { build: identity }),
    });
    // Marked only once the ledger holds them: a failure before this leaves them unseen, and the
    // next run finds them again (as duplicates, which change nothing).
    const settledUids = (inbox?.messages ?? []).flatMap((m, i) => {
      const result = results[firstImap + i]?.result;
      return result !== undefined && SETTLED_RESULTS.has(result) ? [m.uid] : [];
    });
    let markFailure: unknown;
    if (inbox !== undefined && !dryRun) {
      try {
        await inbox.markSeen(settledUids);
      } catch (err) {
        markFailure = err;
      }
    }
    const marked = dryRun || markFailure !== undefined ? [] : settledUids;
    if (values.json) {
      const imap =
        inbox === undefined
          ? {}
          : {
              imap: {
                mailbox: inbox.mailbox,
                unseen: inbox.messages.length,
                markedSeen: marked,
              },
            };
      io.stdout.write(`${JSON.stringify({ messages: results, ...imap })}\n`);
    } else for (const r of results) io.stdout.write(render(r));
    if (inbox !== undefined) {
      const n = inbox.messages.length;
      io.stderr.write(
        `ingest: ${n} unseen message${n === 1 ? '' : 's'} in ${inbox.description}; ${
          dryRun ? 'dry run: none marked as seen' : `${marked.length} marked as seen`
        }\n`,
      );
    }
    if (markFailure !== undefined) return reportError(io, markFailure, 'ingest');
    return results.every((r) => SETTLED_RESULTS.has(r.result)) ? EXIT.ok : EXIT.partial;
  } catch (err) {
    return reportError(io, err, 'ingest');
  } finally {
    await inbox?.close();
    ledger?.close();
    await transport.close();
  }
}

async function openInbox(url: string, insecure: boolean, io: CliIo): Promise<ImapInbox> {
  const password = io.env['IMAP_PASSWORD'];
  // As for --smtp: argv is readable by every local user (ps) and lands in shell history.
  if (urlHasPassword(url)) {
    throw usage(
      'ingest',
      'a password in --imap would be visible to other users (ps) and kept in the shell history: remove it from the URL and give it in IMAP_PASSWORD',
    );
  }
  const allowInsecureRemote = io.env['SMTP_INVITE_ALLOW_INSECURE'] === '1';
  if (insecure && allowInsecureRemote && !parseImapUrl(url).loopback) {
    io.stderr.write(
      'WARNING: --insecure: the IMAP connection may be unencrypted or unverified; the credentials and the replies can be read or altered on the way.\n',
    );
  }
  return openImapInbox({
    url,
    ...(password === undefined || password === '' ? {} : { password }),
    ...(insecure ? { insecure: true } : {}),
    ...(allowInsecureRemote ? { allowInsecureRemote: true } : {}),
  });
}

function render(r: IngestedMessage): string {
  const resent = r.resent === undefined ? '' : ` (REQUEST sent again: ${r.resent.join(', ')})`;
  return `${r.result.padEnd(16)} ${r.source}: ${r.reason}${resent}\n`;
}

/** One path → its messages: a file (an mbox is split), every file of a directory, or stdin. */
async function readSources(path: string, io: CliIo): Promise<{ source: string; raw: Buffer }[]> {
  if (path === '-') return splitIfMbox('(stdin)', await io.readStdin());
  const full = resolve(io.cwd, path);
  let info;
  try {
    info = await stat(full);
  } catch (err) {
    throw new SmtpInviteError('ERR_FILE_READ', `${path}: cannot read: no such file or directory`, {
      cause: err,
    });
  }
  if (info.isDirectory()) {
    const names = (await readdir(full)).filter((n) => !n.startsWith('.')).sort();
    const nested = await Promise.all(
      names.map(async (n) => {
        const child = join(full, n);
        return (await stat(child)).isFile()
          ? splitIfMbox(join(path, n), await readFile(child))
          : [];
      }),
    );
    return nested.flat();
  }
  return splitIfMbox(path, await readFile(full));
}

function splitIfMbox(source: string, raw: Buffer): { source: string; raw: Buffer }[] {
  // mbox files start with a "From " separator line; a single email never does (RFC 5322 headers
  // have a colon after the field name).
  if (raw.subarray(0, 5).toString('latin1') !== 'From ') return [{ source, raw }];
  return splitMbox(raw).map((message, i) => ({ source: `${source}#${i + 1}`, raw: message }));
}
