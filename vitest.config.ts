import { defineConfig } from 'vitest/config';

// The whole suite runs twice, under TZ=UTC and TZ=America/New_York: a host time zone leaking into
// a wall-clock time, a date or a golden byte fails one of the two runs.
const project = (name: string, tz: string) => ({
  test: { name, include: ['test/**/*.test.ts'], env: { TZ: tz }, testTimeout: 20_000 },
});

export default defineConfig({
  test: {
    projects: [project('utc', 'UTC'), project('new-york', 'America/New_York')],
  },
});
