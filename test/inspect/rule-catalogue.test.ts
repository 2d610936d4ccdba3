/**
 * The catalogue is the contract users rely on (--ignore ids, fixtures, the README table): every rule
 * file is registered once, its id is its file name, and every rule has what the docs print.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inspectMessage, RULES } from '../../src/index.ts';

const rulesDir = new URL('../../src/inspect/rules/', import.meta.url);
const ruleFiles = readdirSync(rulesDir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('-rules.ts'))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();

describe('rule catalogue', () => {
  it('registers every rule file exactly once, under its file name', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ruleFiles);
  });

  it.each(RULES.map((r) => [r.id, r] as const))('%s is documented', (_id, rule) => {
    expect(rule.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(rule.summary.length).toBeGreaterThan(10);
    expect(rule.fix.length).toBeGreaterThan(10);
    expect(rule.source.length).toBeGreaterThan(3);
    expect(rule.summary).not.toMatch(/\n/);
    expect(rule.fix).not.toMatch(/\n/);
  });

  it('has a hand-made fixture that raises each rule', () => {
    const handmade = new URL('../../fixtures/messages/handmade/', import.meta.url);
    const covered = new Set(
      readdirSync(handmade)
        .filter((f) => f.endsWith('.expected.json'))
        .flatMap(
          (f) =>
            (JSON.parse(readFileSync(new URL(f, handmade), 'utf8')) as { rules: string[] }).rules,
        ),
    );
    expect(RULES.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  it('is reachable from the package entry point', () => {
    const eml = readFileSync(
      new URL('../../fixtures/invites/simple-meeting/expected.eml', import.meta.url),
    );
    expect(inspectMessage(eml).summary).toEqual({ errors: 0, warnings: 0, infos: 0 });
  });
});
