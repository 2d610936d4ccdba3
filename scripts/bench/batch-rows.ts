/**
 * Row files for the batch benchmark: N distinct, deterministic invites of realistic size (like
 * examples/quarterly-planning.json: three attendees including a room, a description, a location,
 * a URL and an alarm), written as JSONL either
 * - `full`: every row a complete invite, or
 * - `variables`: every row the variables merged into BENCH_TEMPLATE (`--template`).
 *
 * Run directly: `node scripts/bench/batch-rows.ts N full|variables OUT.jsonl [TEMPLATE.json]`.
 */
import { once } from 'node:events';
import { createWriteStream, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export type RowMode = 'full' | 'variables';

const ORGANIZER = { name: 'Olga Organizer', email: 'olga@example.com' };
const TOPICS = ['Quarterly planning', 'Design review', 'Customer onboarding', 'Budget sync'];
const FIRST = ['Ada', 'Bob', 'Chen', 'Dana', 'Emil', 'Fatima', 'Goran', 'Hana', 'Ivo', 'Jun'];
const LAST = ['Lovelace', 'Optional', 'Wei', 'Scully', 'Berg', 'Khan', 'Ilic', 'Sato', 'Novak'];

/** Start and end (local time, Europe/Berlin) of row i: working days and hours, spread out. */
function slot(i: number): { start: string; end: string } {
  const day = new Date(Date.UTC(2026, 11, 1) + (i % 120) * 86_400_000);
  const date = day.toISOString().slice(0, 10);
  const hour = 8 + (i % 9);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const minute = (i % 4) * 15;
  return {
    start: `${date}T${pad(hour)}:${pad(minute)}`,
    end: `${date}T${pad(hour + 1)}:${pad(minute)}`,
  };
}

function person(i: number, k: number): { name: string; email: string } {
  const first = FIRST[(i + k) % FIRST.length] ?? 'Ada';
  const last = LAST[(i * 7 + k) % LAST.length] ?? 'Lovelace';
  return {
    name: `${first} ${last}`,
    email: `${first}.${last}.${i}-${k}@example.com`.toLowerCase(),
  };
}

/** The values that differ from one row to the next. */
function variables(i: number, prefix: string): Record<string, string> {
  const topic = TOPICS[i % TOPICS.length] ?? 'Meeting';
  const room = `Room ${1 + (i % 5)}.${10 + (i % 17)}`;
  const ada = person(i, 0);
  const bob = person(i, 1);
  return {
    uid: `${prefix}-${i}@bench.example.com`,
    title: `${topic} #${i}`,
    url: `https://meet.example.com/${topic.toLowerCase().replace(/ /g, '-')}-${i}`,
    ...slot(i),
    room,
    roomEmail: `room-${1 + (i % 5)}.${10 + (i % 17)}@example.com`,
    adaName: ada.name,
    adaEmail: ada.email,
    bobName: bob.name,
    bobEmail: bob.email,
  };
}

/**
 * The template of `variables` rows (`--template`): `{{name}}` placeholders filled from each row
 * (src/batch/merge-template.ts). Merged with variablesRow(i) it gives exactly fullInvite(i).
 */
export const BENCH_TEMPLATE: Readonly<Record<string, unknown>> = {
  uid: '{{uid}}',
  summary: '{{title}}',
  description:
    'Agenda:\n1. Results of Q4\n2. Goals for Q1\n3. Staffing\nPrepared for {{adaName}} and {{bobName}}.',
  location: '{{room}} (Berlin office)',
  url: '{{url}}',
  timeZone: 'Europe/Berlin',
  start: '{{start}}',
  end: '{{end}}',
  organizer: ORGANIZER,
  attendees: [
    { name: '{{adaName}}', email: '{{adaEmail}}' },
    { name: '{{bobName}}', email: '{{bobEmail}}', role: 'optional' },
    { name: '{{room}}', email: '{{roomEmail}}', kind: 'room' },
  ],
  alarms: [{ before: 'PT15M' }],
};

/** Row i as a complete invite (the input `smtp-invite send` takes). */
export function fullInvite(i: number, prefix = 'bench'): Record<string, unknown> {
  const v = variables(i, prefix);
  return {
    uid: v.uid,
    summary: v.title,
    description: `Agenda:\n1. Results of Q4\n2. Goals for Q1\n3. Staffing\nPrepared for ${v.adaName} and ${v.bobName}.`,
    location: `${v.room} (Berlin office)`,
    url: v.url,
    timeZone: 'Europe/Berlin',
    start: v.start,
    end: v.end,
    organizer: ORGANIZER,
    attendees: [
      { name: v.adaName, email: v.adaEmail },
      { name: v.bobName, email: v.bobEmail, role: 'optional' },
      { name: v.room, email: v.roomEmail, kind: 'room' },
    ],
    alarms: [{ before: 'PT15M' }],
  };
}

/** Row i as the variables of BENCH_TEMPLATE. */
export function variablesRow(i: number, prefix = 'bench'): Record<string, unknown> {
  return variables(i, prefix);
}

export function row(mode: RowMode, i: number, prefix = 'bench'): Record<string, unknown> {
  return mode === 'full' ? fullInvite(i, prefix) : variablesRow(i, prefix);
}

/** Writes rows 0…n-1 as JSONL (streamed: 100,000 rows never sit in memory). Returns bytes written. */
export async function writeRows(
  path: string,
  n: number,
  mode: RowMode,
  prefix = 'bench',
): Promise<number> {
  const out = createWriteStream(path);
  let bytes = 0;
  let chunk = '';
  for (let i = 0; i < n; i++) {
    chunk += `${JSON.stringify(row(mode, i, prefix))}\n`;
    if (chunk.length > 64 * 1024) {
      bytes += Buffer.byteLength(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  bytes += Buffer.byteLength(chunk);
  out.end(chunk);
  await once(out, 'finish');
  // On disk before anything is measured: otherwise the first fsync of the ledger (synchronous=FULL)
  // would also wait for these pages.
  const handle = await open(path, 'r');
  await handle.sync();
  await handle.close();
  return bytes;
}

export function writeTemplate(path: string): void {
  writeFileSync(path, `${JSON.stringify(BENCH_TEMPLATE, null, 2)}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [n, mode, out, template] = process.argv.slice(2);
  if (n === undefined || (mode !== 'full' && mode !== 'variables') || out === undefined) {
    process.stderr.write(
      'usage: node scripts/bench/batch-rows.ts N full|variables OUT.jsonl [TEMPLATE.json]\n',
    );
    process.exit(2);
  }
  const bytes = await writeRows(out, Number(n), mode);
  if (template !== undefined) writeTemplate(template);
  process.stdout.write(`${n} ${mode} rows, ${bytes} bytes → ${out}\n`);
}
