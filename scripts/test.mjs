// `npm test`: builds the app (the e2e tests drive the built renderer through real hosts), runs every
// vitest project this machine can run, and ends with the line `N passed, N failed`.
//   npm test                 unit, e2e, lan and interop, one project after another (not the benchmarks)
//   npm test -- unit         one project (unit, e2e, lan, interop); benchmarks have `npm run bench`
//   npm test -- --no-build   reuse out/ from an earlier build
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const build = !args.includes('--no-build');
const projects = args.filter((arg) => !arg.startsWith('--'));

if (build) {
  const built = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  if (built.status !== 0) {
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

// Projects run one after another: the e2e and lan tests each start several Chromiums and hosts, and
// on two cores they would slow each other past their timeouts if run together. Benchmarks print
// figures and take minutes: `npm run bench` (scripts/bench.mjs) runs them.
const order = projects.length ? projects : ['unit', 'e2e', 'lan', 'interop'];

let passed = 0;
let failed = 0;
let skipped = 0;
let allGreen = true;
for (const project of order) {
  const report = join(mkdtempSync(join(tmpdir(), 'lanline-test-')), 'report.json');
  const vitestArgs = ['vitest', 'run', '--config', 'test/vitest.config.ts', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`];
  // npx is a .cmd script on Windows, which only a shell can start.
  const run = spawnSync('npx', vitestArgs, { stdio: 'inherit', shell: process.platform === 'win32' });
  if (run.status !== 0) allGreen = false;
  try {
    const result = JSON.parse(readFileSync(report, 'utf8'));
    passed += result.numPassedTests;
    failed += result.numFailedTests;
    skipped += result.numPendingTests + result.numTodoTests;
    // A file that fails to load has no tests to count; count it so the line cannot read green.
    failed += result.testResults.filter((file) => file.status === 'failed' && file.assertionResults.length === 0).length;
  } catch {
    failed += 1;
  }
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(allGreen && failed === 0 ? 0 : 1);
