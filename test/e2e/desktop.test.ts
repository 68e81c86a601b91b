/**
 * The desktop app itself, in a real Electron (issue 13 §5), driven by playwright-core's `_electron`.
 * Skipped here with one printed reason: these machines cannot download the Electron binary; the
 * workflow (.github/workflows/build.yml) runs it on Linux (xvfb), macOS and Windows.
 *
 * One stand-in, at the edge: the OS file dialog (main's dialog.showOpenDialog) is replaced in the
 * main process by one that answers the test's file, since no one can click a native dialog.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { electronBinary, launchDesktop, NO_ELECTRON, type DesktopApp } from '../support/electron-app.js';
import { sha256OfFile, writeRandomFile } from '../support/files.js';
import { tempDir } from '../support/host.js';

const binary = electronBinary();
if (!binary) console.log(`desktop tests ${NO_ELECTRON}`);

const MiB = 1024 * 1024;
const apps: DesktopApp[] = [];
const launch = async (options: Parameters<typeof launchDesktop>[0] = {}) => {
  const desktop = await launchDesktop(options);
  apps.push(desktop);
  return desktop;
};
afterEach(async () => {
  await Promise.all(apps.splice(0).map((desktop) => desktop.close().catch(() => undefined)));
});

const peersHeading = (desktop: DesktopApp) => desktop.page.getByRole('heading', { name: 'People on your network' });
const myId = async (desktop: DesktopApp) => (await desktop.page.getByTestId('my-peer-id').textContent()) ?? '';

describe.skipIf(!binary)('the desktop app in Electron', () => {
  it('opens its window from app://lanline with the CSP header, and the bridge answers', async () => {
    const desktop = await launch();
    await peersHeading(desktop).waitFor();
    expect(desktop.page.url()).toMatch(/^app:\/\/lanline\//);
    const csp = await desktop.page.evaluate(async () => (await fetch('/index.html')).headers.get('content-security-policy'));
    expect(csp).toContain("script-src 'self'");
    // The peer id is the main process's answer to the certificate the renderer registered.
    await desktop.page.getByTestId('my-peer-id').waitFor();
  });

  it('keeps its IndexedDB certificate under app:// across a restart', async () => {
    const userDataDir = tempDir('electron-persist');
    const first = await launch({ userDataDir });
    await first.page.getByTestId('my-peer-id').waitFor();
    const id = await myId(first);
    await first.close();
    apps.length = 0;
    const second = await launch({ userDataDir });
    await second.page.getByTestId('my-peer-id').waitFor();
    expect(await myId(second)).toBe(id);
  });

  it('makes its tray icon and says in its log whether it can be seen', async () => {
    const desktop = await launch();
    await peersHeading(desktop).waitFor();
    const log = readFileSync(join(desktop.userDataDir, 'logs', 'main.log'), 'utf8');
    expect(log).toMatch(/tray (visible|not visible)/);
  });

  it('opens the link it was started with once the renderer is ready', async () => {
    const desktop = await launch({ args: ['tel:+1-555-0100'] });
    await desktop.page.getByRole('heading', { name: 'Dial pad', exact: true }).waitFor();
    await expect(desktop.page.getByLabel('Number', { exact: true }).inputValue()).resolves.toBe('+15550100');
  });

  it('two instances call each other and send a 256 MiB file through IPC', async () => {
    const alice = await launch();
    const bob = await launch();
    await Promise.all([alice, bob].map((desktop) => desktop.page.getByTestId('my-lan-port').waitFor()));
    const downloads = tempDir('electron-downloads');
    await bob.page.getByRole('button', { name: 'Settings' }).click();
    await bob.page.getByLabel('Download folder').fill(downloads);
    await bob.page.getByRole('button', { name: 'Save', exact: true }).click();
    await bob.page.getByRole('button', { name: 'Peers' }).click();
    await alice.page.getByLabel('Add by address').fill(`127.0.0.1:${await bob.page.getByTestId('my-lan-port').textContent()}`);
    await alice.page.getByRole('button', { name: 'Add', exact: true }).click();
    const bobId = await myId(bob);
    const bobRow = alice.page.getByRole('list', { name: 'Peers on the network' }).locator(`li[data-peer-id="${bobId}"]`);
    await bobRow.getByText('Online', { exact: true }).waitFor();

    await bobRow.getByRole('button', { name: /^Call / }).click();
    const prompt = bob.page.getByRole('alertdialog', { name: /^Incoming call from / });
    await prompt.getByRole('button', { name: 'Accept' }).click();
    await alice.page.getByText(/^In call with /).first().waitFor({ timeout: 20_000 });
    await bob.page.getByText(/^In call with /).first().waitFor({ timeout: 20_000 });

    const file = writeRandomFile(join(tempDir('electron-send'), 'big.bin'), 256 * MiB);
    // Stand-in at the edge: the native file dialog answers this file.
    await alice.app.evaluate(({ dialog }, path) => {
      dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: [path] })) as typeof dialog.showOpenDialog;
    }, file);
    await alice.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Files' }).click();
    await alice.page.getByLabel('Send to').selectOption(bobId);
    await alice.page.getByRole('button', { name: 'Choose files…' }).click();
    await bob.page.getByRole('complementary', { name: 'Incoming files' }).getByRole('button', { name: 'Review' }).first().click();
    await bob.page.getByRole('list', { name: 'Transfers' }).getByRole('listitem', { name: /big\.bin/ }).getByRole('button', { name: 'Accept', exact: true }).click();
    const started = Date.now();
    await bob.page.getByRole('list', { name: 'Transfers' }).getByRole('listitem', { name: /big\.bin/ }).getByText(/Received|Done/).waitFor({ timeout: 600_000 });
    console.log(`Electron: 256 MiB during a call in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(await sha256OfFile(join(downloads, 'big.bin'))).toBe(await sha256OfFile(file));
  }, 900_000);
});
