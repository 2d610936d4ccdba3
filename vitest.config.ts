import { defineConfig } from 'vitest/config';

// Two projects: the whole suite under TZ=UTC, and the wall-clock-sensitive tests (goldens, time
// handling) once more under TZ=America/New_York, so host time zone leaks cannot hide.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'utc',
          include: ['test/**/*.test.ts'],
          env: { TZ: 'UTC' },
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'new-york',
          include: ['test/golden/**/*.test.ts', 'test/wall-clock/**/*.test.ts'],
          env: { TZ: 'America/New_York' },
          testTimeout: 20_000,
        },
      },
    ],
  },
});
