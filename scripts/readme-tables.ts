/**
 * README sections generated from code, so they cannot drift: `npm run docs` rewrites them, and
 * test/readme.test.ts fails when the README is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { PROVIDER_PROFILES } from '../src/batch/provider-profiles.ts';
import { ERROR_CODES } from '../src/errors.ts';
import { CLIENT_NAMES } from '../src/inspect/inspect-types.ts';
import { RULES } from '../src/inspect/rule-catalogue.ts';

export function errorCodesTable(): string {
  const rows = Object.entries(ERROR_CODES).map(
    ([code, { exit, description }]) => `| \`${code}\` | ${exit} | ${description} |`,
  );
  return ['| Code | Exit | Meaning |', '|---|---|---|', ...rows].join('\n');
}

export function inspectorRulesTable(): string {
  const escape = (s: string) => s.replace(/\|/g, '\\|');
  const rows = RULES.map((r) => {
    const clients = [
      ...new Set((r.effects ?? []).map((e) => `${CLIENT_NAMES[e.client]}: ${e.outcome}`)),
    ].join('; ');
    return `| \`${r.id}\` | ${r.severity} | ${r.category} | ${escape(r.summary)} | ${escape(clients) || '–'} | ${escape(r.source)} |`;
  });
  return [
    '| Rule | Severity | Kind | What it means | Client effect | Source |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

export function providerProfilesTable(): string {
  const escape = (s: string) => s.replace(/\|/g, '\\|');
  const number = (n: number | undefined) => (n === undefined ? '–' : n.toLocaleString('en-US'));
  const rows = PROVIDER_PROFILES.map((p) => {
    const l = p.limits;
    const rate =
      l.ratePerSecond === undefined
        ? p.requires.includes('rate')
          ? '`--rate` required'
          : 'none'
        : l.ratePerSecond < 1
          ? `${String(Math.round(l.ratePerSecond * 60))}/min`
          : `${String(l.ratePerSecond)}/s`;
    const unit = l.rateUnit === 'recipients' ? ' (counts recipients)' : '';
    const sources = p.sources.map((s) => escape(s.replace(/\s+/g, ' '))).join('<br>');
    return `| \`${p.name}\` | ${rate}${unit} | ${number(l.dailyRecipientCap)} | ${number(l.maxConnections)} | ${sources} |`;
  });
  return [
    '| Profile | Rate | Recipients / 24 h | Connections | Sources |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

export const SECTIONS: Record<string, () => string> = {
  'error-codes': errorCodesTable,
  'provider-profiles': providerProfilesTable,
  'inspector-rules': inspectorRulesTable,
};

/** The README with every generated section replaced by its current content. */
export function renderReadme(readme: string): string {
  let out = readme;
  for (const [name, render] of Object.entries(SECTIONS)) {
    const start = `<!-- ${name}:start -->`;
    const end = `<!-- ${name}:end -->`;
    const i = out.indexOf(start);
    const j = out.indexOf(end);
    if (i < 0 || j < i) throw new Error(`README has no ${start} … ${end} section`);
    out = `${out.slice(0, i + start.length)}\n${render()}\n${out.slice(j)}`;
  }
  return out;
}

if (import.meta.main) {
  const path = new URL('../README.md', import.meta.url);
  writeFileSync(path, renderReadme(readFileSync(path, 'utf8')));
}
