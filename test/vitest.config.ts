import { defineConfig } from 'vitest/config';

// One config, three projects: unit tests run in parallel on Node; e2e tests start host processes and
// Chromium instances, and lan tests start processes in network namespaces, so both run one file at a
// time on these 2-core machines.
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
      {
        // Processes in network namespaces talking real multicast (test/support/netns.ts); needs root.
        test: {
          name: 'lan',
          root: 'test/lan',
          include: ['**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
