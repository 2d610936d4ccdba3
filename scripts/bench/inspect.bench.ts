/**
 * Issue #3 benchmark: messages inspected per second (all rules), side by side with the bare cost of
 * parsing the same bytes with mailparser.simpleParser + ical.js. Target: ratio ≤ 2×.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ICAL from 'ical.js';
import { simpleParser } from 'mailparser';
import { buildInvite } from '../../src/flows/build-invite.ts';
import { inspect } from '../../src/inspect/inspect-engine.ts';
import { compare, formatRow } from './bench-util.ts';
import { realisticInput } from './build-invite.bench.ts';

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return name.endsWith('.json') || name.endsWith('.md') ? [] : [path];
  });
}

/** The bare parse: what any tool must do before it can say anything about a message. */
async function bareParse(bytes: Buffer): Promise<void> {
  const head = bytes.subarray(0, 64).toString('latin1').trimStart();
  const texts: string[] = [];
  if (/^BEGIN:VCALENDAR/i.test(head)) texts.push(bytes.toString('utf8'));
  else {
    const mail = await simpleParser(bytes, {
      skipImageLinks: true,
      skipTextToHtml: true,
      skipTextLinks: true,
    });
    for (const a of mail.attachments)
      if (/calendar|ics/i.test(a.contentType)) texts.push(a.content.toString('utf8'));
  }
  for (const text of texts) {
    try {
      ICAL.parse(text);
    } catch {
      // Broken calendars are part of the corpus.
    }
  }
}

export async function runInspectBenchmark(
  log: (line: string) => void,
): Promise<{ ratios: number[] }> {
  const realistic = buildInvite(realisticInput()).messages[0]?.raw ?? Buffer.alloc(0);
  const root = new URL('../../fixtures/', import.meta.url).pathname;
  const corpus = [...files(join(root, 'messages')), ...files(join(root, 'calendars'))].map((f) =>
    readFileSync(f),
  );
  const ratios: number[] = [];
  log(`Inspection (every rule) vs bare parse (mailparser.simpleParser + ical.js), one core.`);
  for (const [name, inputs] of [
    ['realistic invite', [realistic]],
    [`corpus (${corpus.length} files, one pass)`, corpus],
  ] as const) {
    const [a, b] = await compare(
      [
        { name: `inspect: ${name}`, op: () => inputs.forEach((x) => inspect(x)) },
        {
          name: `bare parse: ${name}`,
          op: async () => {
            for (const x of inputs) await bareParse(x);
          },
        },
      ],
      { warmup: inputs.length > 1 ? 3 : 200, rounds: 9, perRound: inputs.length > 1 ? 5 : 300 },
    );
    if (!a || !b) continue;
    const per = inputs.length;
    log(
      `  ${formatRow({ ...a, usPerOp: a.usPerOp / per, opsPerSecond: a.opsPerSecond * per }).replace('invite', 'msg   ')}`,
    );
    log(
      `  ${formatRow({ ...b, usPerOp: b.usPerOp / per, opsPerSecond: b.opsPerSecond * per }).replace('invite', 'msg   ')}`,
    );
    const ratio = a.usPerOp / b.usPerOp;
    ratios.push(ratio);
    log(`  ratio: inspect costs ${ratio.toFixed(2)}x the bare parse (target <= 2x)`);
  }
  return { ratios };
}
