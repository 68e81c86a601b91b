import { defineConfig } from 'vitest/config';

// One config, five projects: unit tests run in parallel on Node; e2e tests start host processes and
// Chromium instances, and lan tests start processes in network namespaces, so both run one file at a
// time on these 2-core machines. Benchmarks (bench) print figures rather than pass or fail on them and
// run only through `npm run bench` (scripts/bench.mjs); `npm test` leaves them out.
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
      {
        // Third-party peers from Debian (kamailio + rtpengine + baresip: test/support/sip-lab.ts), started
        // per file, some in a network namespace of their own; needs root for the namespaces.
        test: {
          name: 'interop',
          root: 'test/interop',
          include: ['**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 120_000,
        },
      },
      {
        // One file at a time, so that one benchmark's load does not skew another's figures.
        test: {
          name: 'bench',
          root: 'test/bench',
          include: ['**/*.bench.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 600_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
