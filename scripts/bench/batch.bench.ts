/**
 * Issue #5 §6 benchmark: bulk sending end to end, rows file → accepted by a local SMTP sink
 * (Postfix's smtp-sink, or smtp-server in a child process), side by side in one run with
 * - the usual approach: ical-generator builds the event, nodemailer `createTransport` (no pool)
 *   per invite with `icalEvent` + text + html, one `sendMail`, transport closed after;
 * - nodemailer's own pooled transport (`pool: true, maxConnections: 5`), same message.
 * Then the peak RSS of the CLI for 10,000 and 100,000 template rows, and the pacing accuracy of
 * `--rate 200/s`. Targets (2-core machine): ≥ 3,000 invites/s end to end, ≥ 6× the usual
 * approach, peak RSS < 250 MB for 100k rows and ≤ 1.2× the 10k figure, rate within 5%.
 *
 * `npm run bench batch` (about 2 minutes with smtp-sink; nearer 5 with the smtp-server fallback,
 * whose 100 ms greeting delay slows the connection-per-invite baseline). Never part of `npm test`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import ical, {
  ICalAlarmType,
  ICalAttendeeRole,
  ICalAttendeeType,
  ICalCalendarMethod,
} from 'ical-generator';
import { DateTime } from 'luxon';
import { createTransport } from 'nodemailer';
import { readRows as readBatchRows } from '../../src/batch/read-rows.ts';
import { sendBatch, type BatchSummary } from '../../src/flows/send-batch.ts';
import { buildVtimezone } from '../../src/ical/vtimezone.ts';
import { openLedger } from '../../src/ledger/open-ledger.ts';
import { createSmtpTransport } from '../../src/transport/smtp-transport.ts';
import { writeRows, writeTemplate } from './batch-rows.ts';
import { killSinksNow, startSink, type Sink } from './smtp-sink.ts';

const ROWS = 10_000;
const BIG_ROWS = 100_000;
const PACED_ROWS = 2_000;
const PACED_RATE = 200;
/** Rounds of ours (CLI and library, interleaved); the median is the figure. */
const ROUNDS = 3;
/** The usual approach is measured on fewer invites when 10,000 would take longer than this. */
const USUAL_BUDGET_MS = 60_000;

/**
 * The CLI as installed users run it: the compiled bin (`npm run bench` builds it first). Three
 * threads load the modules (main, batch thread, build worker), and type stripping them from src/
 * costs about 0.3 s of start-up that an installed package does not pay.
 */
const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const MAX_RSS = fileURLToPath(new URL('./max-rss.ts', import.meta.url));
/** The line max-rss.ts prints on the child's stderr at exit. */
const MAX_RSS_LINE = /^smtp-invite-bench max-rss-kb=(\d+)(?: peak-heap-used-kb=(\d+))?$/m;

interface Figure {
  readonly name: string;
  readonly invites: number;
  readonly ms: number;
  /** Rate between the first and the last message the sink accepted, when known. */
  readonly sinkRate?: number;
  readonly note?: string;
}

const rate = (f: Figure): number => (f.invites * 1000) / f.ms;

function row(f: Figure): string {
  const sink = f.sinkRate === undefined ? '' : `  (sink: ${Math.round(f.sinkRate)}/s)`;
  return `${f.name.padEnd(52)} ${f.invites.toString().padStart(6)} in ${(f.ms / 1000).toFixed(2).padStart(6)} s ${Math.round(rate(f)).toString().padStart(6)} invites/s${sink}${f.note === undefined ? '' : `  ${f.note}`}`;
}

const verdict = (ok: boolean): string => (ok ? 'ok' : 'MISSED');

/** Parsed rows of a JSONL file, streamed. */
async function* readRows(path: string): AsyncGenerator<Record<string, unknown>> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() !== '') yield JSON.parse(line) as Record<string, unknown>;
  }
}

// ---------------------------------------------------------------------------------------------
// The usual approach and the pooled transport.

interface Person {
  name: string;
  email: string;
  role?: string;
  kind?: string;
}

const vtimezones = new Map<string, string>();
function vtimezone(tz: string): string {
  let text = vtimezones.get(tz);
  if (text === undefined) {
    text = buildVtimezone(tz, { fromYear: 2026, toYear: 2027 }).join('\r\n');
    vtimezones.set(tz, text);
  }
  return text;
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One invite as the documentation of ical-generator and nodemailer shows it. */
function usualMail(
  invite: Record<string, unknown>,
): Parameters<ReturnType<typeof createTransport>['sendMail']>[0] {
  const organizer = invite.organizer as Person;
  const attendees = invite.attendees as Person[];
  const zone = invite.timeZone as string;
  const calendar = ical({ method: ICalCalendarMethod.REQUEST, prodId: '//example//bench//EN' });
  // The same VTIMEZONE text as ours, so both sides carry the same calendar content.
  calendar.timezone({ name: null, generator: vtimezone });
  const event = calendar.createEvent({
    id: invite.uid as string,
    start: DateTime.fromISO(invite.start as string, { zone }),
    end: DateTime.fromISO(invite.end as string, { zone }),
    timezone: zone,
    stamp: DateTime.utc(),
    summary: invite.summary as string,
    description: invite.description as string,
    location: invite.location as string,
    url: invite.url as string,
    organizer: { name: organizer.name, email: organizer.email },
  });
  for (const a of attendees) {
    event.createAttendee({
      email: a.email,
      name: a.name,
      rsvp: true,
      ...(a.kind === 'room'
        ? { type: ICalAttendeeType.ROOM, role: ICalAttendeeRole.NON }
        : { role: a.role === 'optional' ? ICalAttendeeRole.OPT : ICalAttendeeRole.REQ }),
    });
  }
  event.createAlarm({ type: ICalAlarmType.display, triggerBefore: 15 * 60 });
  const description = invite.description as string;
  return {
    from: `${organizer.name} <${organizer.email}>`,
    to: attendees.map((a) => `${a.name} <${a.email}>`),
    subject: `Invitation: ${invite.summary as string}`,
    text: `${description}\n\nJoin: ${invite.url as string}`,
    html: `<h2>${escapeHtml(invite.summary as string)}</h2><p>${escapeHtml(description).replace(/\n/g, '<br>')}</p><p><a href="${invite.url as string}">Join</a></p>`,
    icalEvent: { method: 'REQUEST', content: calendar.toString() },
  };
}

/** Sequential (as such code is written), or with `parallel` sends in flight. */
async function usualApproach(
  sink: Sink,
  rowsFile: string,
  limit: number,
  parallel: number,
): Promise<Figure> {
  const window = sink.mark();
  const inFlight = new Set<Promise<void>>();
  const t0 = performance.now();
  let n = 0;
  for await (const invite of readRows(rowsFile)) {
    if (n++ >= limit) break;
    const send = (async () => {
      const transport = createTransport({ host: '127.0.0.1', port: sink.port, secure: false });
      try {
        await transport.sendMail(usualMail(invite));
      } finally {
        transport.close();
      }
    })();
    inFlight.add(send);
    // A failure surfaces from Promise.race / Promise.all below.
    const done = (): boolean => inFlight.delete(send);
    send.then(done, done);
    if (inFlight.size >= parallel) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const ms = performance.now() - t0;
  const invites = Math.min(n, limit);
  await window.waitFor(invites, 10_000);
  const label = parallel === 1 ? 'sequential' : `${parallel} sends in flight`;
  return {
    name: `usual: new transport per invite, ${label}`,
    invites,
    ms,
  };
}

async function pooledApproach(sink: Sink, rowsFile: string, limit: number): Promise<Figure> {
  const window = sink.mark();
  const transport = createTransport({
    pool: true,
    maxConnections: 5,
    host: '127.0.0.1',
    port: sink.port,
    secure: false,
  });
  const t0 = performance.now();
  const sends: Promise<unknown>[] = [];
  let n = 0;
  for await (const invite of readRows(rowsFile)) {
    if (n++ >= limit) break;
    sends.push(transport.sendMail(usualMail(invite)));
  }
  await Promise.all(sends);
  const ms = performance.now() - t0;
  transport.close();
  await window.waitFor(sends.length, 10_000);
  return {
    name: 'pooled: nodemailer pool: true, maxConnections 5',
    invites: sends.length,
    ms,
  };
}

// ---------------------------------------------------------------------------------------------
// Ours.

const running = new Set<ChildProcess>();

interface CliRun {
  readonly ms: number;
  readonly exitCode: number | null;
  /** The signal that ended the child, if one did. */
  readonly signal: string | null;
  readonly maxRssKb: number | undefined;
  readonly peakHeapKb: number | undefined;
  /** ms after the spawn when `batch <ID>` appeared on stderr (every row read and recorded). */
  readonly idAt: number;
  /** The --json report's summary, when it parsed. */
  readonly summary: Partial<BatchSummary> | undefined;
  readonly stderrTail: string;
  readonly accepted: number;
  /** ms after the spawn when the sink accepted the first and the last message. */
  readonly sinkFirstAt: number;
  readonly sinkLastAt: number;
}

/** `smtp-invite batch …` in a child process, the way users run it, with the max-RSS preload. */
async function cliBatch(sink: Sink, args: readonly string[], expected: number): Promise<CliRun> {
  const window = sink.mark();
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', MAX_RSS, MAIN, 'batch', ...args, '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SMTP_URL: '', SMTP_PASSWORD: '', SMTP_INVITE_DB: '' },
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  let idAt = NaN;
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  // Keep the head of stdout (the --json report) and the tail of stderr (progress, errors).
  child.stdout.on('data', (d: string) => {
    if (stdout.length < 4_000_000) stdout += d;
  });
  child.stderr.on('data', (d: string) => {
    if (Number.isNaN(idAt) && /^batch \S+$/m.test(d)) idAt = performance.now() - t0;
    stderr = (stderr + d).slice(-20_000);
  });
  // A run that hangs must not hold the benchmark: well beyond any plausible duration.
  const timeoutMs = 60_000 + expected * 2;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const [exitCode, signal] = await new Promise<[number | null, string | null]>((resolve) =>
    child.once('close', (code, sig) => resolve([code, sig])),
  );
  clearTimeout(timer);
  if (timedOut) stderr += `\n(killed after ${timeoutMs / 1000} s without finishing)`;
  const ms = performance.now() - t0;
  running.delete(child);
  // The sink's counter may trail the child's exit by a moment.
  await window.waitFor(expected, 2_000).catch(() => undefined);
  const rss = MAX_RSS_LINE.exec(stderr);
  let summary: Partial<BatchSummary> | undefined;
  try {
    summary = (JSON.parse(stdout) as { batch?: Partial<BatchSummary> }).batch;
  } catch {
    summary = undefined;
  }
  return {
    ms,
    exitCode,
    signal,
    maxRssKb: rss?.[1] === undefined ? undefined : Number(rss[1]),
    peakHeapKb: rss?.[2] === undefined ? undefined : Number(rss[2]),
    idAt,
    summary,
    stderrTail: stderr.replace(MAX_RSS_LINE, '').trim().split('\n').slice(-5).join('\n'),
    accepted: window.count(),
    sinkFirstAt: window.firstAt() - t0,
    sinkLastAt: window.lastAt() - t0,
  };
}

function sinkRate(run: { accepted: number; sinkFirstAt: number; sinkLastAt: number }): number {
  return ((run.accepted - 1) * 1000) / (run.sinkLastAt - run.sinkFirstAt);
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** Where a CLI run's time went: start-up and reading the rows, sending, and exiting. */
function phases(run: CliRun): string {
  return `start-up + reading/recording rows ${seconds(run.idAt)}, first message ${seconds(run.sinkFirstAt)}, sending ${seconds(run.sinkLastAt - run.sinkFirstAt)}, last message → exit ${seconds(run.ms - run.sinkLastAt)}`;
}

const mb = (kb: number | undefined): string =>
  kb === undefined ? '?' : `${(kb / 1024).toFixed(1)} MB`;

function checkCli(run: CliRun, expected: number, log: (line: string) => void): boolean {
  if (run.exitCode === 0 && run.accepted === expected) return true;
  log(
    `  !! batch ${run.signal === null ? `exited ${run.exitCode}` : `killed by ${run.signal}`}, sink accepted ${run.accepted} of ${expected}: ${run.stderrTail}`,
  );
  return false;
}

function median<T>(items: readonly T[], key: (item: T) => number): T | undefined {
  return [...items].sort((a, b) => key(a) - key(b))[Math.floor(items.length / 2)];
}

/** The library in this process: the project's JSONL reader → sendBatch() → the same sink. */
async function libraryBatch(sink: Sink, rowsFile: string, db: string): Promise<Figure> {
  const window = sink.mark();
  const t0 = performance.now();
  const ledger = openLedger(db);
  const transport = createSmtpTransport({ url: sink.url });
  let sent = 0;
  let other = 0;
  let summary: BatchSummary;
  try {
    const run = sendBatch(readBatchRows(rowsFile, { format: 'jsonl' }), {
      ledger,
      transport,
      // A clean stop if it hangs: well beyond any plausible duration.
      signal: AbortSignal.timeout(120_000),
    });
    for await (const outcome of run) {
      if (outcome.status === 'sent') sent++;
      else other++;
    }
    summary = await run.summary();
  } finally {
    await transport.close();
    ledger.close();
  }
  const ms = performance.now() - t0;
  await window.waitFor(sent, 2_000).catch(() => undefined);
  const problems = [
    ...(other > 0 ? [`${other} rows not sent`] : []),
    ...(summary.state === 'finished' ? [] : [`batch ${summary.state}: ${summary.stop?.message}`]),
  ];
  return {
    name: 'ours: sendBatch() in-process (library)',
    invites: sent,
    ms,
    sinkRate: sinkRate({
      accepted: window.count(),
      sinkFirstAt: window.firstAt(),
      sinkLastAt: window.lastAt(),
    }),
    ...(problems.length > 0 ? { note: problems.join('; ') } : {}),
  };
}

// ---------------------------------------------------------------------------------------------

export async function runBatchBenchmark(log: (line: string) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'smtp-invite-bench-'));
  let sink: Sink | undefined;
  const cleanup = (): void => {
    for (const child of running) child.kill('SIGKILL');
    killSinksNow();
    rmSync(dir, { recursive: true, force: true });
  };
  const interrupted = (): void => {
    cleanup();
    process.stderr.write('\nbatch benchmark interrupted; temp files and children removed\n');
    process.exit(130);
  };
  process.on('SIGINT', interrupted);
  process.on('SIGTERM', interrupted);
  process.on('exit', cleanup);
  try {
    sink = await startSink(log);
    log(
      `Bulk sending end to end (rows → accepted by ${sink.kind === 'postfix-smtp-sink' ? "Postfix's smtp-sink" : 'smtp-server in a child process'} on 127.0.0.1); 3 attendees incl. a room per invite.`,
    );
    const full = join(dir, 'rows-full.jsonl');
    const vars = join(dir, 'rows-vars.jsonl');
    const bigVars = join(dir, 'rows-vars-100k.jsonl');
    const paced = join(dir, 'rows-paced.jsonl');
    const template = join(dir, 'template.json');
    writeTemplate(template);
    const bytes = await writeRows(full, ROWS, 'full', 'full');
    await writeRows(vars, ROWS, 'variables', 'vars');
    await writeRows(bigVars, BIG_ROWS, 'variables', 'big');
    await writeRows(paced, PACED_ROWS, 'variables', 'paced');
    log(
      `  rows: ${ROWS} full invites (${Math.round(bytes / ROWS)} B per row), template rows for 10k, 100k, 2k`,
    );
    log(
      '  usual and pooled: ical-generator builds the event, nodemailer sendMail with icalEvent + text + html',
    );
    // Other work on the machine competes for the same cores: say how busy it was.
    log(
      `  ${availableParallelism()} cores; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} before the runs`,
    );

    // a. Ours, end to end through the CLI (the way users run it) and the library in-process:
    // interleaved rounds, the median of each.
    const cliRuns: CliRun[] = [];
    const libRuns: Figure[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const cli = await cliBatch(
        sink,
        [full, '--smtp', sink.url, '--db', join(dir, `a${round}.db`)],
        ROWS,
      );
      if (!checkCli(cli, ROWS, log)) break;
      cliRuns.push(cli);
      libRuns.push(await libraryBatch(sink, full, join(dir, `lib${round}.db`)));
    }
    const cli = median(cliRuns, (r) => r.ms);
    const lib = median(libRuns, (f) => f.ms);
    let ours: Figure | undefined;
    if (cli !== undefined) {
      ours = {
        name: 'ours: smtp-invite batch (CLI: dist bin, child)',
        invites: ROWS,
        ms: cli.ms,
        sinkRate: sinkRate(cli),
        note: `peak RSS ${mb(cli.maxRssKb)}`,
      };
      log(`  ${row(ours)}  [median of ${cliRuns.length}]`);
      log(`      ${phases(cli)}`);
    }
    if (lib !== undefined) log(`  ${row(lib)}  [median of ${libRuns.length}]`);

    // b. The usual approach: probe, then 10,000 or 1,000 if 10,000 would take minutes.
    const probe = await usualApproach(sink, full, 300, 1);
    const usualRows = (probe.ms / probe.invites) * ROWS > USUAL_BUDGET_MS ? 1_000 : ROWS;
    let usual = await usualApproach(sink, full, usualRows, 1);
    if (usualRows < ROWS)
      usual = { ...usual, note: `(on ${usualRows}: ${ROWS} would take minutes)` };
    log(`  ${row(usual)}`);
    if (sink.kind === 'smtp-server')
      log(
        '      (smtp-server holds its greeting 100 ms on every connection to catch early talkers: with this sink the connection-per-invite figures, and the ratios against them, overstate our lead)',
      );
    const usual5 = await usualApproach(sink, full, usualRows, 5);
    log(`  ${row(usual5)}`);

    // c. nodemailer's pool.
    const pooled = await pooledApproach(sink, full, ROWS);
    log(`  ${row(pooled)}`);

    for (const [label, figure] of [
      ['end to end (CLI)', ours],
      ['library', lib],
    ] as const) {
      if (figure === undefined) continue;
      const r = rate(figure);
      log(
        `  ${label}: ${Math.round(r)} invites/s (target >= 3000: ${verdict(r >= 3000)}); ours/usual ${(r / rate(usual)).toFixed(1)}x (target >= 6x: ${verdict(r / rate(usual) >= 6)}); ours/usual with 5 in flight ${(r / rate(usual5)).toFixed(1)}x; ours/pooled ${(r / rate(pooled)).toFixed(2)}x`,
      );
    }

    // d. Peak RSS of the CLI, template + variables rows.
    const rssRuns: CliRun[] = [];
    for (const [file, n, db] of [
      [vars, ROWS, 'd10k.db'],
      [bigVars, BIG_ROWS, 'd100k.db'],
    ] as const) {
      const run = await cliBatch(
        sink,
        [file, '--template', template, '--smtp', sink.url, '--db', join(dir, db)],
        n,
      );
      if (!checkCli(run, n, log) || run.maxRssKb === undefined) break;
      rssRuns.push(run);
      log(
        `  smtp-invite batch --template, ${n.toString().padStart(6)} rows: peak RSS ${mb(run.maxRssKb)} (peak JS heap used ${mb(run.peakHeapKb)}), ${Math.round((n * 1000) / run.ms)} invites/s`,
      );
      log(`      ${phases(run)}`);
    }
    const [small, big] = rssRuns;
    if (small?.maxRssKb !== undefined && big?.maxRssKb !== undefined) {
      const ratio = big.maxRssKb / small.maxRssKb;
      log(
        `  peak RSS 100k/10k: ${ratio.toFixed(2)}x (target <= 1.2x: ${verdict(ratio <= 1.2)}); 100k: ${mb(big.maxRssKb)} (target < 250 MB: ${verdict(big.maxRssKb / 1024 < 250)})`,
      );
    }

    // e. Pacing accuracy, measured at the sink: first → last accepted message.
    const pacedRun = await cliBatch(
      sink,
      [
        paced,
        '--template',
        template,
        '--rate',
        `${PACED_RATE}/s`,
        '--smtp',
        sink.url,
        '--db',
        join(dir, 'e.db'),
      ],
      PACED_ROWS,
    );
    if (checkCli(pacedRun, PACED_ROWS, log)) {
      const achieved = sinkRate(pacedRun);
      const deviation = ((achieved - PACED_RATE) / PACED_RATE) * 100;
      const reported = pacedRun.summary?.ratePerSecond;
      log(
        `  --rate ${PACED_RATE}/s over ${PACED_ROWS} rows: ${achieved.toFixed(1)}/s at the sink (first → last accepted), deviation ${deviation >= 0 ? '+' : ''}${deviation.toFixed(1)}% (target within 5%: ${verdict(Math.abs(deviation) <= 5)}); the batch's own report: ${reported === undefined ? '?' : `${reported.toFixed(1)}/s`}; whole run incl. start-up ${((PACED_ROWS * 1000) / pacedRun.ms).toFixed(1)}/s`,
      );
    }
  } finally {
    await sink?.stop();
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    process.off('exit', cleanup);
    cleanup();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await runBatchBenchmark((line) => process.stdout.write(`${line}\n`));
}
