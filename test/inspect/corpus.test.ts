/**
 * Real-world and hand-made messages with their expected findings: fixtures/messages/<source>/<file>
 * and fixtures/calendars/<source>/<file>, each with <file>.expected.json:
 *   { "rules": [exact set of rule ids], "options"?: InspectOptions,
 *     "calendars"?: [{ "method"?, "events"?: [{ "uid"?, "sequence"?, "start"?: { "utc"? } }] }],
 *     "clients"?: { "outlook"?: outcome, … } }
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspect } from '../../src/inspect/inspect-engine.ts';
import type { InspectOptions, InspectReport } from '../../src/inspect/inspect-types.ts';

interface Expected {
  rules: string[];
  options?: InspectOptions;
  calendars?: { method?: string; events?: Record<string, unknown>[] }[];
  clients?: Record<string, string>;
}

const roots = ['messages', 'calendars']
  .map((d) => new URL(`../../fixtures/${d}/`, import.meta.url).pathname)
  .filter((d) => existsSync(d));

function expectationFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return expectationFiles(path);
    return name.endsWith('.expected.json') ? [path] : [];
  });
}

const cases = roots.flatMap(expectationFiles).map((path) => ({
  name: relative(join(roots[0] ?? '', '..'), path.replace(/\.expected\.json$/, '')),
  path,
}));

/** Every sample file (not the licence and README notes): each must have its expectations. */
function sampleFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sampleFiles(path);
    return /\.(md|json)$/.test(name) ? [] : [path];
  });
}

it('every sample file has an .expected.json', () => {
  const missing = roots.flatMap(sampleFiles).filter((f) => !existsSync(`${f}.expected.json`));
  expect(missing).toEqual([]);
  expect(cases.length).toBeGreaterThan(100);
});

/** The report's calendars cut to the length of the expectation (it names the first ones only). */
function pick(report: InspectReport, expected: Expected['calendars'] = []): unknown {
  return report.calendars.slice(0, expected.length).map((c, i) => ({
    method: c.method,
    events: c.events.slice(0, expected[i]?.events?.length ?? 0),
  }));
}

describe.each(cases)('$name', ({ path }) => {
  const expected = JSON.parse(readFileSync(path, 'utf8')) as Expected;
  const input = readFileSync(path.replace(/\.expected\.json$/, ''));
  const report = inspect(input, expected.options ?? {});

  it('raises exactly the expected rules', () => {
    const rules = [...new Set(report.findings.map((f) => f.rule))].sort();
    expect(rules, report.findings.map((f) => `${f.rule}: ${f.message}`).join('\n')).toEqual(
      [...expected.rules].sort(),
    );
  });

  if (expected.calendars !== undefined) {
    it('extracts the key fields', () => {
      expect(pick(report, expected.calendars)).toMatchObject(expected.calendars ?? []);
    });
  }

  if (expected.clients !== undefined) {
    it('predicts the client outcomes', () => {
      const outcomes = Object.fromEntries(report.clients.map((c) => [c.client, c.outcome]));
      expect(outcomes).toMatchObject(expected.clients ?? {});
    });
  }
});
