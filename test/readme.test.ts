import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderReadme } from '../scripts/readme-tables.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('has its generated tables up to date (npm run docs)', () => {
    expect(readme).toBe(renderReadme(readme));
  });

  it('starts with the two set-up commands and names the test command CI runs', () => {
    expect(readme.indexOf('npm ci')).toBeLessThan(readme.indexOf('npm run demo'));
    expect(readme.indexOf('npm run demo')).toBeLessThan(200);
    expect(readFileSync(new URL('../.ci/run', import.meta.url), 'utf8')).toMatch(/^npm test$/m);
  });
});
