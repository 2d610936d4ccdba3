/**
 * The inspector's text output: what the message is, what each client does with it, then the
 * findings grouped by severity, each with its rule id and a one-line fix. Colour only on a TTY.
 */
import { CLIENT_NAMES, type Finding, type InspectReport } from '../inspect/inspect-types.ts';
import type { Severity } from '../diagnostics.ts';

interface Style {
  red: (s: string) => string;
  yellow: (s: string) => string;
  dim: (s: string) => string;
  bold: (s: string) => string;
}

const plain: Style = { red: (s) => s, yellow: (s) => s, dim: (s) => s, bold: (s) => s };
const ansi: Style = {
  red: (s) => `\u001b[31m${s}\u001b[39m`,
  yellow: (s) => `\u001b[33m${s}\u001b[39m`,
  dim: (s) => `\u001b[2m${s}\u001b[22m`,
  bold: (s) => `\u001b[1m${s}\u001b[22m`,
};

const HEADINGS: Record<Severity, string> = { error: 'Errors', warning: 'Warnings', info: 'Notes' };
const MARKS: Record<Severity, string> = { error: '✗', warning: '!', info: 'i' };

export function renderInspectReport(
  name: string,
  untrusted: InspectReport,
  colour: boolean,
): string {
  // Everything in a report may come from the inspected message: control characters (ESC, CR…)
  // would drive the terminal, so they are shown as escapes.
  const report = terminalSafe(untrusted);
  name = terminalSafe(name);
  const s = colour ? ansi : plain;
  const out: string[] = [];
  const parts = report.calendarParts.length;
  out.push(
    s.bold(`${name}`) +
      s.dim(
        ` — ${report.input.kind}, ${report.input.size} bytes, ${parts} calendar part${parts === 1 ? '' : 's'}`,
      ),
  );
  for (const part of report.calendarParts) {
    const where = {
      alternative: 'inline in multipart/alternative',
      inline: 'inline',
      attachment: 'attachment',
      standalone: 'standalone .ics',
    }[part.placement];
    const params = [
      part.method ? `method=${part.method}` : 'no method=',
      part.charset ? `charset=${part.charset}` : 'no charset',
    ].join(', ');
    out.push(
      `  part ${part.path}: ${part.contentType}, ${where}${part.filename ? ` "${part.filename}"` : ''}${report.input.kind === 'message' ? ` (${params})` : ''}${part.primary ? '' : part.agreesWithPrimary ? ', same as the primary copy' : ', DIFFERS from the primary copy'}`,
    );
  }
  for (const calendar of report.calendars) {
    for (const event of calendar.events) {
      const when = event.start
        ? `${event.start.value}${event.start.tzid ? ` ${event.start.tzid}` : ''}${event.start.utc ? ` (= ${event.start.utc.replace('.000Z', 'Z')})` : ''}`
        : 'no DTSTART';
      out.push(
        `  ${calendar.method ?? 'no METHOD'} ${event.summary === undefined ? '(no SUMMARY)' : `"${event.summary}"`} UID ${event.uid ?? '(none)'} SEQUENCE ${event.sequence ?? '(none)'}${event.recurrenceId ? ` RECURRENCE-ID ${event.recurrenceId}` : ''}; ${when}; ${event.attendees.length} attendee${event.attendees.length === 1 ? '' : 's'}`,
      );
    }
  }
  out.push('  What clients will do:');
  for (const verdict of report.clients) {
    out.push(`    ${CLIENT_NAMES[verdict.client].padEnd(15)} ${verdict.label}`);
  }
  for (const severity of ['error', 'warning', 'info'] as const) {
    const findings = report.findings.filter((f) => f.severity === severity);
    if (findings.length === 0) continue;
    const colourOf = severity === 'error' ? s.red : severity === 'warning' ? s.yellow : s.dim;
    out.push(colourOf(`  ${HEADINGS[severity]} (${findings.length}):`));
    for (const f of findings) out.push(...renderFinding(f, colourOf, s));
  }
  const { errors, warnings, infos } = report.summary;
  out.push(
    `  ${errors === 0 && warnings === 0 ? 'Clean: ' : ''}${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}, ${infos} note${infos === 1 ? '' : 's'}`,
  );
  return out.join('\n') + '\n';
}

function renderFinding(f: Finding, colourOf: (s: string) => string, s: Style): string[] {
  const where = `${f.path}${f.line === undefined ? '' : `, line ${f.line}`}`;
  const clients =
    f.clients === undefined ? '' : s.dim(` [${f.clients.map((c) => CLIENT_NAMES[c]).join(', ')}]`);
  return [
    `    ${colourOf(MARKS[f.severity])} ${s.bold(f.rule)} ${s.dim(`(${where})`)}: ${f.message}${clients}`,
    `      ${s.dim(`fix: ${f.fix}`)}`,
  ];
}

// C0 controls except LF and TAB, DEL and C1 controls.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

function terminalSafe<T>(value: T): T {
  if (typeof value === 'string')
    return value.replace(
      CONTROL,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    ) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => terminalSafe(v)) as T;
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, terminalSafe(v as unknown)]),
    ) as T;
  return value;
}
