/**
 * The real Electron app, launched by playwright-core's `_electron` (issue 13 §5). Where the Electron
 * binary is missing (these machines cannot download it), `electronBinary()` is null and the tests
 * that need it are skipped with one printed reason. Each app gets its own user-data dir (reuse it to
 * test persistence across restarts) and `--lan-port 0`-like isolation through its own profile.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { repoRoot, tempDir } from './host.js';

const require = createRequire(import.meta.url);

/**
 * The Electron executable the `electron` package installed, or null where it has none. Read from the
 * package's path.txt and dist/ directly: since Electron 45, require('electron') tries to download a
 * missing binary, which these machines cannot (the workflow installs it before the tests).
 */
export function electronBinary(): string | null {
  try {
    const root = dirname(require.resolve('electron/package.json'));
    const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
    const relative = existsSync(join(root, 'path.txt')) ? readFileSync(join(root, 'path.txt'), 'utf8').trim() : null;
    if (!relative) return null;
    const path = override ? join(override, relative) : join(root, 'dist', relative);
    return existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

export const NO_ELECTRON = 'skipped: no Electron binary';

export interface DesktopApp {
  app: ElectronApplication;
  page: Page;
  userDataDir: string;
  close(): Promise<void>;
}

export async function launchDesktop(options: { userDataDir?: string; args?: string[] } = {}): Promise<DesktopApp> {
  const executablePath = electronBinary();
  if (!executablePath) throw new Error(NO_ELECTRON);
  const userDataDir = options.userDataDir ?? tempDir('electron');
  const app = await _electron.launch({
    executablePath,
    cwd: repoRoot,
    args: ['.', `--user-data-dir=${userDataDir}`, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--allow-loopback-in-peer-connection', ...(options.args ?? [])],
    env: { ...process.env, LANLINE_E2E: '1' },
  });
  const page = await app.firstWindow();
  return { app, page, userDataDir, close: () => app.close() };
}
