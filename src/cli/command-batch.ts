import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { resolvePacing } from '../batch/provider-profiles.ts';
import { detectRowsFormat, readRows } from '../batch/read-rows.ts';
import { formatDiagnostic } from '../diagnostics.ts';
import { SmtpInviteError } from '../errors.ts';
import { resumeBatch, sendBatch, type BatchRun, type BatchSummary } from '../flows/send-batch.ts';
import type { BatchState, Ledger } from '../ledger/ledger-types.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { resolveLedgerPath } from '../ledger/resolve-ledger-path.ts';
import { parseSmtpUrl } from '../transport/smtp-transport.ts';
import { EXIT, type CliIo } from './cli-io.ts';
import {
  DELIVERY_HELP_HEADER,
  DELIVERY_OPTIONS,
  DELIVERY_SERVER_HELP,
  DELIVERY_SETTINGS_HELP,
  parseProfileOption,
  resolveDelivery,
  usage,
} from './common-options.ts';
import type { DeliverySettings, DkimFallback, DkimSettings } from './delivery-settings.ts';
import { openDeliveryTransport } from './delivery-transport.ts';
import { LEDGER_HELP, LEDGER_OPTIONS, openLedgerFor } from './ledger-option.ts';
import { parseOptions } from './parse-options.ts';
import { readJsonFile } from './read-json-file.ts';
import { renderProgress, renderSummary } from './render-batch.ts';
import { reportError } from './report-problems.ts';
import { runInBatchThread } from './run-in-batch-thread.ts';
import {
  hasIdentityFlags,
  IDENTITY_HELP,
  IDENTITY_OPTIONS,
  resolveIdentityOptions,
} from './identity-options.ts';

export const BATCH_HELP = `Usage: smtp-invite batch <rows.jsonl|rows.csv> [options]
       smtp-invite batch --resume [BATCH_ID] [options]
       smtp-invite batch --list

Sends one invitation per row, thousands of them, at the pace the provider allows, without losing
or doubling anyone. Each row is a full invite (JSONL), or the variables of one invitation merged
into --template (JSONL or CSV with a header): "{{column}}" anywhere in the template's text is
replaced by the row's value; a value that is exactly "{{column}}" takes the value as it is, and
is left out when the column is empty.

Every row is read, checked and recorded in the ledger before the first message goes out: an
invalid row stops everything with exit 2 (nothing sent) unless --skip-invalid. The batch id is
printed on stderr as "batch <ID>". Ctrl-C stops cleanly after the messages in flight and prints
the command that resumes; a crash (even kill -9) is resumed the same way, and a message that may
have gone out is resent with the same bytes (same Message-ID, UID, SEQUENCE, DTSTAMP), so calendars
see one invitation.

Rows and template:
  --template FILE      Invite JSON with {{column}} placeholders; rows are then variables.
  --skip-invalid       Send the valid rows and report the invalid ones (exit 1).
  --layout L           Message layout: default (with invite.ics) or outlook.
  --no-attachment      Leave out the .ics attachment (default layout).

Pacing (flags override the profile's values):
  --profile NAME       exchange-online, gmail, google-workspace-relay, ses (needs --rate) or
                       local-relay. Without --profile and --rate: no pacing, 5 connections.
  --rate N/s|N/min     Messages per second or minute (with ses: recipients).
  --daily-cap N        Recipients per rolling 24 hours for this sending account, kept in the ledger
                       across runs (a second batch the same day respects it).
  --concurrency N      SMTP connections at once (1-100).
  --max-attempts N     Attempts per recipient for temporary failures (default 8), with exponential
                       backoff and jitter. Throttling and quota replies never fail a recipient: the
                       batch slows down, or stops to be resumed when the quota resets.

Resuming and reporting:
  --resume [ID]        Continue batch ID (default: the newest unfinished one) from the ledger; no
                       rows file needed. A finished batch is reported and exits 0.
  --list               The ledger's batches, newest last.
  --json               Print a report on stdout: {"batch":{summary},"failures":[{row,line,uid,
                       messageId,status,recipients:[{email,status,code,enhanced,response,attempts}],
                       problems}]} with every failed recipient and invalid row.

${DELIVERY_HELP_HEADER}${DELIVERY_SERVER_HELP}  --outbox DIR         Write .eml files instead of sending.
  --dry-run            Read and check every row and build every message; send and keep nothing.
${DELIVERY_SETTINGS_HELP}On --resume the batch's own server (--smtp or SMTP_URL, without its password), --outbox,
--tls-ca, --require-tls and --insecure are used unless given again. So are its DKIM domain,
selector and key file (the path; the ledger keeps no key), setting by setting under the flags,
the environment and the config file: the rest of a signed batch is signed too. If its key cannot
be had (the file is gone, or the PEM text was in SMTP_INVITE_DKIM_KEY and is not set again), the
resume stops before sending (exit 2): a signed batch is never continued unsigned. Another d= or
s= than the batch's is used, with a warning. The password and OAuth2 settings come from the
flags, the environment and the config file again.

${IDENTITY_HELP}                       The identity is stored with the batch: --resume keeps it.

${LEDGER_HELP}
Exit codes: 0 every recipient accepted, 1 some recipients failed or rows were invalid (skipped),
2 usage or invalid rows (nothing sent), 3 stopped before the end (server unreachable, auth, quota,
daily cap: resume later) or could not run, 130 interrupted (Ctrl-C; resume later).
`;

/** What a resume needs to reach the same server (no secrets: the password comes from the env). */
interface CliBatchExtra {
  readonly smtp?: string;
  readonly outbox?: string;
  readonly insecure?: boolean;
  /** Absolute path of --tls-ca (the file is read again on resume). */
  readonly tlsCa?: string;
  readonly requireTls?: boolean;
  /** What the batch was signed with, never the key itself. */
  readonly dkim?: StoredDkim;
}

interface StoredDkim {
  readonly domain: string;
  readonly selector: string;
  /** How the key was given: `--dkim-key`, `SMTP_INVITE_DKIM_KEY` (PEM text), `dkim.keyFile in …`. */
  readonly keyOrigin: string;
  /** Absolute path of the key file; absent when the key was PEM text in the environment. */
  readonly keyFile?: string;
}

const MAX_LISTED_FAILURES = 20;
const REPORT_PAGE = 500;
const PROGRESS_TTY_MS = 200;
const PROGRESS_LOG_MS = 5000;

export async function runBatch(argv: readonly string[], io: CliIo): Promise<number> {
  if (io.memoryBoundedThreads === true) return runInBatchThread(argv, io);
  return runBatchHere(argv, io);
}

/** The command itself, on whatever thread calls it. */
export async function runBatchHere(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions('batch', withResumeValue(argv), {
    ...DELIVERY_OPTIONS,
    ...LEDGER_OPTIONS,
    template: { type: 'string' },
    'skip-invalid': { type: 'boolean' },
    layout: { type: 'string' },
    'no-attachment': { type: 'boolean' },
    profile: { type: 'string' },
    rate: { type: 'string' },
    'daily-cap': { type: 'string' },
    concurrency: { type: 'string' },
    'max-attempts': { type: 'string' },
    resume: { type: 'string' },
    list: { type: 'boolean' },
    ...IDENTITY_OPTIONS,
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(BATCH_HELP);
    return EXIT.ok;
  }
  if (values.list) {
    if (positionals.length > 0) throw usage('batch', '--list takes no rows file');
    return listBatches(values, io);
  }
  const resuming = values.resume !== undefined;
  if (resuming && positionals.length > 0) {
    throw usage('batch', '--resume continues from the ledger: give no rows file');
  }
  if (!resuming && positionals.length !== 1) {
    throw usage('batch', 'give exactly one rows file (.jsonl or .csv), or --resume');
  }
  if (resuming && (values.template !== undefined || values['skip-invalid'])) {
    throw usage('batch', '--template and --skip-invalid apply to a new batch, not to --resume');
  }
  if (resuming && hasIdentityFlags(values)) {
    // Rows already sent went out with the batch's identity; the rest must match them.
    throw usage(
      'batch',
      '--service, --service-name and --sender apply to a new batch: --resume sends as the batch started',
    );
  }
  const identity = resuming ? {} : resolveIdentityOptions('batch', values, io);
  const maxAttempts = parseCount(values['max-attempts'], '--max-attempts', 1, 100);
  const pacingGiven =
    values.profile !== undefined ||
    values.rate !== undefined ||
    values['daily-cap'] !== undefined ||
    values.concurrency !== undefined;
  const pacing =
    !resuming || pacingGiven
      ? resolvePacing(values.profile, {
          ...(values.rate === undefined ? {} : { rate: values.rate }),
          ...(values['daily-cap'] === undefined ? {} : { dailyCap: values['daily-cap'] }),
          ...(values.concurrency === undefined ? {} : { concurrency: values.concurrency }),
        })
      : undefined;
  const layout = parseProfileOption(values.layout, 'batch');
  const dryRun = values['dry-run'] ?? false;

  // Rows and template are read and checked before the ledger is opened.
  let template: unknown;
  if (values.template !== undefined) {
    try {
      template = await readJsonFile(resolve(io.cwd, values.template));
    } catch (err) {
      return reportError(io, err, values.template);
    }
  }
  const rowsFile = positionals[0];
  const format = rowsFile === undefined ? undefined : detectRowsFormat(rowsFile);
  if (format === 'csv' && template === undefined) {
    throw usage('batch', 'CSV rows are variables: give --template with the invite they fill in');
  }

  let ledger: Ledger;
  let dryRunDir: string | undefined;
  if (dryRun) {
    if (resuming) throw usage('batch', '--dry-run checks a rows file; it cannot resume');
    dryRunDir = mkdtempSync(join(tmpdir(), 'smtp-invite-batch-dry-run-'));
    ledger = openLedger(join(dryRunDir, 'ledger.db'));
  } else {
    ledger = openLedgerFor(values, io);
  }

  let delivery = values;
  const resumed = resuming ? storedExtra(ledger, values.resume) : undefined;
  const stored = resumed?.extra;
  if (resuming && values.smtp === undefined && values.outbox === undefined) {
    if (stored !== undefined) {
      delivery = {
        ...values,
        // The same server as SMTP_URL: SMTP_URL itself then, with the password it may hold.
        // A batch that went to an outbox goes on there (batches recorded before this kept
        // SMTP_URL's server beside the outbox: ignored).
        ...(stored.outbox !== undefined ||
        stored.smtp === undefined ||
        stored.smtp === envUrlWithoutPassword(io)
          ? {}
          : { smtp: stored.smtp }),
        ...(stored.outbox === undefined ? {} : { outbox: stored.outbox }),
        ...(stored.insecure === true && values.insecure === undefined ? { insecure: true } : {}),
        ...(stored.tlsCa === undefined || values['tls-ca'] !== undefined
          ? {}
          : { 'tls-ca': stored.tlsCa }),
        ...(stored.requireTls === true && values['require-tls'] === undefined
          ? { 'require-tls': true }
          : {}),
      };
    }
  }
  let settings: DeliverySettings;
  let transport;
  try {
    // The DKIM settings apply whatever the server: they belong to the messages, not to the route.
    settings = resolveDelivery(
      'batch',
      delivery,
      io,
      // Only for a batch with messages left to send: a finished one is just reported.
      resumed?.extra?.dkim === undefined || resumed.state !== 'open'
        ? {}
        : { dkimFallback: dkimFallback(resumed.extra.dkim, resumed.id) },
    );
    transport = openDeliveryTransport(settings, io);
  } catch (err) {
    ledger.close();
    if (dryRunDir !== undefined) rmSync(dryRunDir, { recursive: true, force: true });
    throw err;
  }
  if (resumed?.extra?.dkim !== undefined && settings.dkim !== undefined) {
    warnIfOtherSignature(resumed.id, resumed.extra.dkim, settings.dkim, io);
  }

  const controller = new AbortController();
  const removeInterrupt = io.onInterrupt?.(() => {
    io.stderr.write('\nstopping after the messages in flight (Ctrl-C again to quit at once)…\n');
    controller.abort();
  });
  const common = {
    ledger,
    transport,
    signal: controller.signal,
    onStart: (id: string) => {
      io.stderr.write(`batch ${id}\n`);
    },
    ...(pacing === undefined ? {} : { pacing: dryRun ? { maxConnections: 1 } : pacing }),
    ...(maxAttempts === undefined ? {} : { maxAttempts }),
  };
  const run: BatchRun =
    rowsFile === undefined
      ? resumeBatch(values.resume === '' ? undefined : values.resume, common)
      : sendBatch(
          readRows(resolve(io.cwd, rowsFile), { format: format ?? 'jsonl', name: rowsFile }),
          {
            ...common,
            ...(template === undefined ? {} : { template }),
            build: { profile: layout, attachment: !values['no-attachment'], ...identity },
            skipInvalid: values['skip-invalid'] ?? false,
            source: rowsFile,
            extra: extraOf(values, settings.dkim, io),
          },
        );

  const ticker = startProgress(run, io);
  let summary: BatchSummary;
  try {
    summary = await run.summary();
  } catch (err) {
    ticker.stop();
    return reportBatchError(io, err, rowsFile);
  } finally {
    ticker.stop();
    removeInterrupt?.();
    await transport.close();
  }
  try {
    if (summary.rows === 0 && summary.state === 'stopped') {
      io.stderr.write('stopped while reading the rows: nothing was sent, nothing was kept\n');
      return EXIT.interrupted;
    }
    io.stderr.write(renderSummary(summary));
    if (summary.messagesSent === 0 && summary.state === 'finished' && resuming) {
      io.stderr.write(`batch ${summary.id} was already finished: nothing to resume\n`);
    }
    listFailures(ledger, summary.id, io);
    if (summary.state === 'stopped') {
      io.stderr.write(
        `${summary.stop?.resumeAfter === undefined ? '' : `capacity frees at ${summary.stop.resumeAfter}; `}resume with: ${resumeCommand(summary.id, values.db)}\n`,
      );
    }
    if (values.json) writeJsonReport(ledger, summary, io);
    if (dryRun) io.stderr.write('dry run: nothing was sent, nothing was kept\n');
  } finally {
    ledger.close();
    if (dryRunDir !== undefined) rmSync(dryRunDir, { recursive: true, force: true });
  }
  if (summary.state === 'stopped') {
    return summary.stop?.reason === 'interrupted' ? EXIT.interrupted : EXIT.operational;
  }
  return summary.failed + summary.partial + summary.invalid > 0 ? EXIT.partial : EXIT.ok;
}

/** `--resume` may stand alone (the newest unfinished batch): give parseArgs an empty value then. */
function withResumeValue(argv: readonly string[]): string[] {
  return argv.flatMap((arg, i) => {
    if (arg !== '--resume') return [arg];
    const next = argv[i + 1];
    return next === undefined || next.startsWith('-') ? ['--resume='] : [arg];
  });
}

function parseCount(
  value: string | undefined,
  flag: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw usage(
      'batch',
      `${flag} must be a whole number from ${String(min)} to ${String(max)}, not "${value}"`,
    );
  }
  return n;
}

function extraOf(
  values: {
    smtp?: string | undefined;
    outbox?: string | undefined;
    insecure?: boolean | undefined;
    'tls-ca'?: string | undefined;
    'require-tls'?: boolean | undefined;
  },
  dkim: DkimSettings | undefined,
  io: CliIo,
): CliBatchExtra {
  // --outbox wins over SMTP_URL (a flag over the environment): then there is no server to keep.
  const url =
    values.outbox !== undefined
      ? undefined
      : (values.smtp ?? (io.env['SMTP_URL'] === '' ? undefined : io.env['SMTP_URL']));
  return {
    ...(url === undefined ? {} : { smtp: withoutPassword(url) }),
    ...(values.outbox === undefined ? {} : { outbox: resolve(io.cwd, values.outbox) }),
    ...(values.insecure ? { insecure: true } : {}),
    ...(values['tls-ca'] === undefined ? {} : { tlsCa: resolve(io.cwd, values['tls-ca']) }),
    ...(values['require-tls'] ? { requireTls: true } : {}),
    ...(dkim === undefined ? {} : { dkim: storedDkimOf(dkim, io) }),
  };
}

/** The DKIM settings as kept with the batch: names and the key file's path, never the key. */
function storedDkimOf(dkim: DkimSettings, io: CliIo): StoredDkim {
  const key = dkim.key.value;
  return {
    domain: dkim.domain.value,
    selector: dkim.selector.value,
    keyOrigin: dkim.key.origin,
    ...('file' in key ? { keyFile: resolve(io.cwd, key.file) } : {}),
  };
}

/**
 * The batch's DKIM settings as the lowest layer of the resume's own (delivery-settings.ts). The
 * key file is opened here to tell "gone" from "there": a key that cannot be had refuses the resume
 * with the message below, before anything is sent.
 */
function dkimFallback(stored: StoredDkim, id: string): DkimFallback {
  const origin = `batch ${id}`;
  const signed = `batch ${id} was DKIM-signed (d=${stored.domain}, s=${stored.selector})`;
  const elsewhere =
    'give the key with --dkim-key FILE, SMTP_INVITE_DKIM_KEY_FILE, SMTP_INVITE_DKIM_KEY or dkim.keyFile in the config file; the ledger keeps no key, and the rest of a signed batch is not sent unsigned';
  const file = stored.keyFile;
  const problem = file === undefined ? undefined : unreadable(file);
  return {
    domain: { value: stored.domain, source: 'batch', origin },
    selector: { value: stored.selector, source: 'batch', origin },
    key:
      file === undefined || problem !== undefined
        ? undefined
        : { value: { file }, source: 'batch', origin: `the DKIM key file of ${origin}` },
    missingKey:
      file === undefined
        ? `${signed} with the key in ${stored.keyOrigin}, which is not set now: set ${stored.keyOrigin} to the same key again, or ${elsewhere}`
        : `${signed} with the key file ${file} (${stored.keyOrigin}), which cannot be read now (${problem ?? 'unreadable'}): put it back, or ${elsewhere}`,
  };
}

/** Why the file cannot be opened for reading, or undefined when it can. */
function unreadable(file: string): string | undefined {
  try {
    closeSync(openSync(file, 'r'));
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'no such file';
    if (code === 'EACCES') return 'permission denied';
    return code ?? 'cannot open it';
  }
}

/**
 * Another d= or s= on the rest of a batch is allowed (a key rotated between start and resume is the
 * usual reason, and the flags say so explicitly) but said: receivers then see two signatures, and
 * DMARC counts each only if its d= aligns with the From domain and its key is still published.
 */
function warnIfOtherSignature(id: string, stored: StoredDkim, now: DkimSettings, io: CliIo): void {
  const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
  if (same(stored.domain, now.domain.value) && same(stored.selector, now.selector.value)) return;
  io.stderr.write(
    `warning: batch ${id} was DKIM-signed with d=${oneLine(stored.domain)}, s=${oneLine(stored.selector)}; the rest is signed with d=${oneLine(now.domain.value)}, s=${oneLine(now.selector.value)} (${now.domain.origin}, ${now.selector.origin}): keep both keys published, and both domains aligned with From for DMARC\n`,
  );
}

function envUrlWithoutPassword(io: CliIo): string | undefined {
  const url = io.env['SMTP_URL'];
  if (url === undefined || url === '') return undefined;
  try {
    return withoutPassword(url);
  } catch {
    return undefined;
  }
}

/** The URL as kept in the ledger: the password (if any was in it) removed. */
function withoutPassword(url: string): string {
  const parsed = parseSmtpUrl(url);
  if (parsed.password === undefined) return url;
  const u = new URL(url.trim());
  u.password = '';
  return u.toString().replace(/\/$/, '');
}

/** The batch --resume continues (undefined if none: resumeBatch then says so) and its extra. */
function storedExtra(
  ledger: Ledger,
  resume: string | undefined,
):
  | { readonly id: string; readonly state: BatchState; readonly extra: CliBatchExtra | undefined }
  | undefined {
  const batch =
    resume === undefined || resume === ''
      ? ledger.batches.latestUnfinished()
      : ledger.batches.getBatch(resume);
  if (batch === undefined) return undefined;
  const settings = batch.settings as { extra?: CliBatchExtra } | undefined;
  return { id: batch.id, state: batch.state, extra: settings?.extra };
}

function startProgress(run: BatchRun, io: CliIo): { stop(): void } {
  const tty = io.stderrIsTty;
  let shown = false;
  const timer = setInterval(
    () => {
      const p = run.progress();
      if (p.id === undefined) return;
      const line = renderProgress(p, Date.now(), tty);
      if (tty) {
        io.stderr.write(`\r\u001b[2K${line}`);
        shown = true;
      } else io.stderr.write(`${line}\n`);
    },
    tty ? PROGRESS_TTY_MS : PROGRESS_LOG_MS,
  );
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      if (shown) {
        io.stderr.write('\r\u001b[2K');
        shown = false;
      }
    },
  };
}

function listFailures(ledger: Ledger, id: string, io: CliIo): void {
  if (ledger.batches.getBatch(id) === undefined) return;
  const rows = ledger.batches.problemRows(id, 0, MAX_LISTED_FAILURES + 1);
  if (rows.length === 0) return;
  io.stderr.write('failures:\n');
  for (const row of rows.slice(0, MAX_LISTED_FAILURES)) {
    const where = `row ${String(row.row)}${row.line === undefined ? '' : ` (line ${String(row.line)})`}`;
    for (const problem of row.problems ?? [])
      io.stderr.write(`  ${where} invalid: ${oneLine(problem)}\n`);
    for (const r of row.recipients ?? []) {
      if (r.status !== 'failed') continue;
      io.stderr.write(`  ${where} ${r.email}: ${oneLine(r.response ?? '')}\n`);
    }
  }
  if (rows.length > MAX_LISTED_FAILURES) io.stderr.write('  … more with --json\n');
}

/** The --json report, written in pages so that memory stays flat with many failures. */
function writeJsonReport(ledger: Ledger, summary: BatchSummary, io: CliIo): void {
  io.stdout.write(`{"batch":${JSON.stringify(summary)},"failures":[`);
  let after = 0;
  let first = true;
  if (ledger.batches.getBatch(summary.id) !== undefined) {
    for (;;) {
      const page = ledger.batches.problemRows(summary.id, after, REPORT_PAGE);
      if (page.length === 0) break;
      for (const row of page) {
        const accepted = (row.recipients ?? []).filter((r) => r.status === 'accepted').length;
        const failed = (row.recipients ?? []).filter((r) => r.status === 'failed');
        const item = {
          row: row.row,
          ...(row.line === undefined ? {} : { line: row.line }),
          ...(row.uid === undefined ? {} : { uid: row.uid }),
          ...(row.messageId === undefined ? {} : { messageId: row.messageId }),
          status: row.state === 'invalid' ? 'invalid' : accepted > 0 ? 'partial' : 'failed',
          recipients: failed,
          ...(row.problems === undefined ? {} : { problems: row.problems }),
        };
        io.stdout.write(`${first ? '' : ','}${JSON.stringify(item)}`);
        first = false;
      }
      after = page[page.length - 1]?.row ?? after;
    }
  }
  io.stdout.write(']}\n');
}

function listBatches(values: { db?: string | undefined }, io: CliIo): number {
  const path = resolveLedgerPath(values.db, io.env, io.cwd);
  const ledger = openLedger(path);
  try {
    const batches = ledger.batches.listBatches();
    if (batches.length === 0) {
      io.stderr.write(`no batch in ${path}\n`);
      return EXIT.ok;
    }
    for (const b of batches) {
      const c = ledger.batches.counts(b.id);
      io.stdout.write(
        `${b.id}  ${b.state.padEnd(8)}  ${b.createdAt}  rows ${String(c.rows)}  sent ${String(c.sent)}  failed ${String(c.failed + c.partial)}  invalid ${String(c.invalid)}  not sent ${String(c.pending + c.sending)}${b.source === undefined ? '' : `  ${b.source}`}\n`,
      );
    }
    return EXIT.ok;
  } finally {
    ledger.close();
  }
}

function reportBatchError(io: CliIo, err: unknown, rowsFile: string | undefined): number {
  if (
    err instanceof SmtpInviteError &&
    err.code === 'ERR_INVALID_INPUT' &&
    err.diagnostics.length > 0
  ) {
    io.stderr.write(`${rowsFile ?? 'batch'}: ${err.message}\n`);
    for (const d of err.diagnostics)
      io.stderr.write(`  ${formatDiagnostic(d).replace(/^error: /, '')}\n`);
    return EXIT.usage;
  }
  return reportError(io, err, rowsFile);
}

function resumeCommand(id: string, db: string | undefined): string {
  return `smtp-invite batch --resume ${id}${db === undefined ? '' : ` --db ${shellQuote(db)}`}`;
}

function shellQuote(text: string): string {
  return /^[\w./:@=-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}
