// `npm start`: launches the Electron app from the built bundles. The Electron binary is fetched here,
// on first start, rather than during `npm install` (see .npmrc); where it cannot be fetched, this
// ends with one line that says so and names the browser alternative.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    return require('electron'); // the package's main export is the binary's path, or it throws
  } catch {
    return null;
  }
}

let binary = electronBinary();
if (!binary) {
  const env = { ...process.env };
  delete env.ELECTRON_SKIP_BINARY_DOWNLOAD;
  const fetched = spawnSync(process.execPath, [require.resolve('electron/install.js')], { env, encoding: 'utf8', timeout: 300_000 });
  binary = fetched.status === 0 ? electronBinary() : null;
  if (!binary) {
    const reason = `${fetched.stderr ?? ''}`.split('\n').find((line) => /error/i.test(line))?.trim() ?? 'no reason given';
    console.error(`Lanline: the Electron binary could not be downloaded (${reason}); run Lanline in a browser instead with: npm run host`);
    process.exit(1);
  }
}

// Arguments after `npm start --` go to the app (e.g. --self-test, which prints a JSON report and exits).
const app = spawn(binary, ['.', ...process.argv.slice(2)], { stdio: 'inherit' });
app.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => app.kill(signal));
