import { defineConfig } from 'vitest/config';

// One config, two projects: unit tests run in parallel on Node; e2e tests start host processes and
// Chromium instances, so they run one file at a time on these 2-core machines.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          root: 'test/unit',
          include: ['**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'e2e',
          root: 'test/e2e',
          include: ['**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
