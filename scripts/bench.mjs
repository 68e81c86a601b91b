// `npm run bench`: builds the app, then runs the benchmarks in test/bench (vitest project `bench`) one
// file at a time. A benchmark prints its figures and fails only when it cannot measure; it asserts
// nothing about speed. `npm test` does not run them.
//   npm run bench                  every benchmark
//   npm run bench -- discovery     the benchmark files whose name contains "discovery"
//   npm run bench -- --no-build    reuse out/ from an earlier build
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const build = !args.includes('--no-build');
const filters = args.filter((arg) => !arg.startsWith('--'));

if (build) {
  const built = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(1);
}

// npx is a .cmd script on Windows, which only a shell can start.
const run = spawnSync('npx', ['vitest', 'run', '--config', 'test/vitest.config.ts', '--project', 'bench', ...filters], { stdio: 'inherit', shell: process.platform === 'win32' });
process.exit(run.status ?? 1);
