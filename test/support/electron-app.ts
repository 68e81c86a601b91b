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
import { sha256OfFile, writeRandomFile } from './files.js';
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

/**
 * Alice adds Bob by address, calls him (he accepts) and, during the call, sends him a file of `size`
 * random bytes, which he accepts; resolves with the seconds from accept to received and both hashes.
 * Stand-in at the edge: the native file dialog in Alice's main process answers the file, since no one
 * can click it.
 */
export async function callAndSend(alice: DesktopApp, bob: DesktopApp, size: number): Promise<{ seconds: number; sent: string; received: string }> {
  await Promise.all([alice, bob].map((desktop) => desktop.page.getByTestId('my-lan-port').waitFor()));
  const downloads = tempDir('electron-downloads');
  await bob.page.getByRole('button', { name: 'Settings' }).click();
  await bob.page.getByLabel('Download folder').fill(downloads);
  await bob.page.getByRole('button', { name: 'Save', exact: true }).click();
  await bob.page.getByRole('button', { name: 'Peers' }).click();
  await alice.page.getByLabel('Add by address').fill(`127.0.0.1:${await bob.page.getByTestId('my-lan-port').textContent()}`);
  await alice.page.getByRole('button', { name: 'Add', exact: true }).click();
  const bobId = (await bob.page.getByTestId('my-peer-id').textContent()) ?? '';
  const bobRow = alice.page.getByRole('list', { name: 'Peers on the network' }).locator(`li[data-peer-id="${bobId}"]`);
  await bobRow.getByText('Online', { exact: true }).waitFor();

  await bobRow.getByRole('button', { name: /^Call / }).click();
  await bob.page.getByRole('alertdialog', { name: /^Incoming call from / }).getByRole('button', { name: 'Accept' }).click();
  await alice.page.getByText(/^In call with /).first().waitFor({ timeout: 20_000 });
  await bob.page.getByText(/^In call with /).first().waitFor({ timeout: 20_000 });

  const file = join(tempDir('electron-send'), 'big.bin');
  const sent = writeRandomFile(file, size);
  await alice.app.evaluate(({ dialog }, path) => {
    dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: [path] })) as unknown as typeof dialog.showOpenDialog;
  }, file);
  await alice.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Files' }).click();
  await alice.page.getByLabel('Send to').selectOption(bobId);
  await alice.page.getByRole('button', { name: 'Choose files…' }).click();
  await bob.page.getByRole('complementary', { name: 'Incoming files' }).getByRole('button', { name: 'Review' }).first().click();
  const item = bob.page.getByRole('list', { name: 'Transfers' }).getByRole('listitem', { name: /big\.bin/ });
  await item.getByRole('button', { name: 'Accept', exact: true }).click();
  const started = performance.now();
  await item.getByText(/Received|Done/).waitFor({ timeout: 600_000 });
  const seconds = (performance.now() - started) / 1000;
  return { seconds, sent, received: await sha256OfFile(join(downloads, 'big.bin')) };
}
