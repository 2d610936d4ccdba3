import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SmtpInviteError } from '../errors.ts';
import { deliverMessages } from '../flows/send-invite.ts';
import { buildReply, type ReplyPartStat } from '../replies/build-reply.ts';
import { checkEmailOption } from './check-email-option.ts';
import { EXIT, type CliIo } from './cli-io.ts';
import { DELIVERY_HELP, DELIVERY_OPTIONS, selectTransport, usage } from './common-options.ts';
import { parseOptions } from './parse-options.ts';
import { reportError } from './report-problems.ts';
import { writeFileAtomic } from './write-file-atomic.ts';

export const REPLY_HELP = `Usage: smtp-invite reply <invite.eml|invite.ics|-> --as EMAIL --accept|--tentative|--decline [options]

The attendee's side: builds the REPLY to an invitation (RFC 5546 §3.2.3: METHOD:REPLY, one
ATTENDEE with the answer, SEQUENCE echoed, no RSVP, method=REPLY) as an email to the organizer.
Written to --out FILE, or sent with --smtp/--outbox; printed on stdout when neither is given.

Options:
  --as EMAIL           The attendee answering (must be an ATTENDEE of the invitation).
  --accept, --tentative, --decline
                       The answer (exactly one).
  --comment TEXT       A note for the organizer (COMMENT).
  --out FILE           Write the reply email to FILE.
  -h, --help

${DELIVERY_HELP}
Exit codes: 0 written or sent, 1 the organizer's server refused it, 2 usage or an invitation that
cannot be answered (not a REQUEST, --as not invited), 3 SMTP or file failure.
`;

export async function runReply(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions('reply', argv, {
    ...DELIVERY_OPTIONS,
    as: { type: 'string' },
    accept: { type: 'boolean' },
    tentative: { type: 'boolean' },
    decline: { type: 'boolean' },
    comment: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(REPLY_HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw usage('reply', 'give exactly one invitation file (or -)');
  if (values.as === undefined) throw usage('reply', '--as EMAIL is required');
  const as = checkEmailOption('reply', '--as', values.as);
  const answers: [boolean | undefined, ReplyPartStat][] = [
    [values.accept, 'ACCEPTED'],
    [values.tentative, 'TENTATIVE'],
    [values.decline, 'DECLINED'],
  ];
  const chosen = answers.filter(([on]) => on === true).map(([, p]) => p);
  if (chosen.length !== 1)
    throw usage('reply', 'give exactly one of --accept, --tentative or --decline');
  const file = positionals[0] ?? '';
  let built;
  try {
    const invitation =
      file === '-' ? await io.readStdin() : await readInvitation(resolve(io.cwd, file), file);
    built = buildReply(invitation, {
      as,
      partstat: chosen[0] ?? 'ACCEPTED',
      ...(values.comment === undefined ? {} : { comment: values.comment }),
      now: new Date(),
      messageId: `${randomUUID()}@${as.slice(as.lastIndexOf('@') + 1).toLowerCase()}`,
    });
  } catch (err) {
    return reportError(io, err, file);
  }
  if (values.out !== undefined) {
    try {
      await writeFileAtomic(resolve(io.cwd, values.out), built.raw);
      io.stderr.write(`wrote the reply to ${resolve(io.cwd, values.out)}\n`);
    } catch (err) {
      return reportError(io, err, 'reply');
    }
    if (values.smtp === undefined && values.outbox === undefined) return EXIT.ok;
  } else if (values.smtp === undefined && values.outbox === undefined && !values['dry-run']) {
    io.stdout.write(built.raw.toString('utf8'));
    return EXIT.ok;
  }
  const transport = selectTransport('reply', values, io);
  try {
    const report = await deliverMessages(
      [
        {
          messageId: built.messageId,
          envelope: { from: built.from, to: [built.to] },
          raw: built.raw,
          method: 'REPLY',
          sequence: 0,
          uid: '',
          recipients: [built.to],
        },
      ],
      { transport, dryRun: values['dry-run'] ?? false },
    );
    if (values.json) io.stdout.write(`${JSON.stringify(report)}\n`);
    else io.stderr.write(`reply to ${built.to} via ${transport.description}\n`);
    return report.messages.some((m) => m.rejected.length > 0) ? EXIT.partial : EXIT.ok;
  } catch (err) {
    return reportError(io, err, 'reply');
  } finally {
    await transport.close();
  }
}

async function readInvitation(path: string, shown: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new SmtpInviteError('ERR_FILE_READ', `${shown}: cannot read: no such file`, {
      cause: err,
    });
  }
}
