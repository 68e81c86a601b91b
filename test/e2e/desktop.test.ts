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
import { callAndSend, electronBinary, launchDesktop, NO_ELECTRON, type DesktopApp } from '../support/electron-app.js';
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
    const { seconds, sent, received } = await callAndSend(await launch(), await launch(), 256 * MiB);
    console.log(`Electron: 256 MiB during a call in ${seconds.toFixed(1)} s (${(256 / seconds).toFixed(1)} MiB/s)`);
    expect(received).toBe(sent);
  }, 900_000);
});
