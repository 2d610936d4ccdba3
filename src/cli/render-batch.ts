/**
 * What `smtp-invite batch` prints: the live progress line (a bar on a terminal, a plain line every
 * few seconds otherwise) and the summary table. Pure functions of the engine's snapshots, so the
 * wording is tested without a terminal or a clock.
 */
import type { BatchProgress, BatchSummary } from '../flows/send-batch.ts';

const BAR_WIDTH = 24;

/** One line of progress. `tty`: with a bar (redrawn in place by the caller). */
export function renderProgress(p: BatchProgress, now: number, tty: boolean): string {
  const total = p.rows;
  const parts: string[] = [];
  if (p.phase === 'reading') {
    return `batch ${p.id ?? ''}: reading rows… ${count(p.rows)} read`;
  }
  const fraction = total === 0 ? 1 : p.done / total;
  if (tty) parts.push(bar(fraction));
  parts.push(`${count(p.done)}/${count(total)} (${Math.floor(fraction * 100)}%)`);
  parts.push(`sent ${count(p.sent)}`);
  parts.push(`failed ${count(p.failed)}`);
  if (p.retrying > 0) parts.push(`retrying ${count(p.retrying)}`);
  if (p.pausedUntil !== undefined && p.pausedUntil > now) {
    parts.push(`paused (throttled) ${String(Math.ceil((p.pausedUntil - now) / 1000))}s`);
  }
  parts.push(`${p.rate >= 10 ? String(Math.round(p.rate)) : p.rate.toFixed(1)}/s`);
  if (p.etaSeconds !== undefined) parts.push(`ETA ${duration(p.etaSeconds)}`);
  return `batch ${p.id ?? ''} ${parts.join('  ')}`;
}

/** The summary table (stderr), without the failure list. */
export function renderSummary(s: BatchSummary): string {
  const lines: string[] = [];
  const seconds = s.elapsedMs / 1000;
  const head =
    s.state === 'finished'
      ? `batch ${s.id} finished`
      : `batch ${s.id} stopped: ${s.stop?.message ?? 'stopped'}`;
  lines.push(
    s.messagesSent > 0
      ? `${head} (this run: ${count(s.messagesSent)} messages in ${seconds.toFixed(1)} s, ${s.ratePerSecond.toFixed(1)}/s)`
      : head,
  );
  const rows: [string, number][] = [
    ['rows', s.rows],
    ['sent', s.sent],
    ['partly sent', s.partial],
    ['failed', s.failed],
    ['invalid', s.invalid],
    ['not sent yet', s.remaining],
  ];
  const width = Math.max(...rows.map(([, n]) => count(n).length));
  for (const [label, n] of rows) {
    if (n === 0 && label !== 'rows' && label !== 'sent') continue;
    lines.push(`  ${label.padEnd(13)}${count(n).padStart(width)}`);
  }
  lines.push(
    `  ${'recipients'.padEnd(13)}${count(s.recipientsAccepted)} accepted, ${count(s.recipientsFailed)} failed`,
  );
  if (s.retries > 0 || s.throttles > 0) {
    lines.push(
      `  ${'this run'.padEnd(13)}${count(s.retries)} retries, throttled ${count(s.throttles)} time${s.throttles === 1 ? '' : 's'}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function bar(fraction: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  const mm = String(m).padStart(h > 0 ? 2 : 1, '0');
  return `${h > 0 ? `${String(h)}:` : ''}${mm}:${String(rest).padStart(2, '0')}`;
}
