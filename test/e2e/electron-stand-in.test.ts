/**
 * The Electron semantics harness (issue 13 §4). A STAND-IN, NOT ELECTRON: the built main bundle
 * (out/main/index.cjs) runs in plain Node against the stand-in `electron` module, and the built
 * renderer runs in Chromium with `window.lanline` made by the built preload through the stand-in's
 * contextBridge, its IPC carried to that main process (test/support/stand-in-app.ts). It catches what
 * breaks the rules Electron documents (a frozen exposed object, functions crossing as proxies,
 * structured clones, the sender frame), as the start failure of issue 13 §1 did. It does not show
 * that Electron starts: that needs the binary.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ipcRequestChannel } from '../../electron/contract.js';
import { SETTINGS_VERSION } from '../../electron/core/settings/settings.js';
import { openStandInApp, startStandInMain, type StandInMain } from '../support/stand-in-app.js';
import type { AppPage } from '../support/browser.js';
import { sha256OfFile, writeRandomFile } from '../support/files.js';
import { tempDir } from '../support/host.js';
import { closeAll, launchInstance, type Instance } from '../support/instances.js';
import { callState, dial, lan, meet, peerId, showScreen } from '../support/calls.js';

const running: Array<{ quit(): Promise<unknown> } | AppPage> = [];
afterEach(async () => {
  await closeAll();
  for (const thing of running.splice(0).reverse()) await ('quit' in thing ? thing.quit() : thing.close());
});

/** A profile whose LAN socket takes any free port (the default is fixed), seeded as electron-store's file. */
function profile(displayName: string, extra: Record<string, unknown> = {}): string {
  const dir = tempDir('stand-in-data');
  writeFileSync(join(dir, 'settings.json'), JSON.stringify({ version: SETTINGS_VERSION, lanPort: 0, displayName, ...extra }));
  return dir;
}

async function start(dataDir: string): Promise<StandInMain> {
  const main = await startStandInMain({ dataDir });
  running.push(main);
  return main;
}

const request = (main: StandInMain, name: Parameters<typeof ipcRequestChannel>[0], payload?: unknown, frame?: 'main' | 'sub') => main.invoke(ipcRequestChannel(name), [payload], frame);

describe('the built main bundle under the Electron stand-in', () => {
  it('registers its scheme before ready, serves the renderer with its CSP, and opens a sandboxed window, a tray and its permission policy', async () => {
    const main = await start(profile('Stand-in'));
    const records = await main.records();
    const apis = records.map((entry) => entry.api);
    console.log(`main asked the stand-in for: ${[...new Set(apis)].join(', ')}`);
    expect(apis.indexOf('protocol.registerSchemesAsPrivileged')).toBeLessThan(apis.indexOf('protocol.handle'));
    const window = records.find((entry) => entry.api === 'new BrowserWindow')!.detail as { webPreferences: Record<string, unknown> };
    expect(window.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(readFileSync(window.webPreferences.preload as string, 'utf8')).toContain('exposeInMainWorld');
    expect(records).toContainEqual({ api: 'webContents.setWindowOpenHandler', detail: { answer: { action: 'deny' } } });
    expect(records.filter((entry) => entry.api === 'nativeImage.createFromPath').every((entry) => (entry.detail as { exists: boolean }).exists)).toBe(true);
    const appEvents = records.filter((entry) => entry.api === 'app.on').map((entry) => (entry.detail as { event: string }).event);
    expect(appEvents).toEqual(expect.arrayContaining(['second-instance', 'window-all-closed', 'before-quit', 'will-quit']));
    expect(apis).toContain('new Tray');
    expect(apis).toContain('Tray.setContextMenu');

    const page = await fetch(main.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(await main.permission('media', 'app://lanline/index.html', ['audio', 'video'])).toBe(true);
    expect(await main.permission('media', 'https://evil.example/', ['audio'])).toBe(false);
    expect(await main.permission('geolocation', 'app://lanline/index.html')).toBe(false);
  });

  it('answers the main frame of its window and refuses an iframe in it', async () => {
    const main = await start(profile('Stand-in'));
    expect(await request(main, 'getAppInfo')).toMatchObject({ result: { ok: true, value: { runtime: 'electron' } } });
    expect(await request(main, 'getAppInfo', undefined, 'sub')).toMatchObject({ result: { ok: false, error: { code: 'forbidden' } } });
    expect(await request(main, 'setSettings', { lanPort: 'high' })).toMatchObject({ result: { ok: false, error: { code: 'invalid' } } });
  });

  it('keeps settings in electron-store (ESM-only, bundled into the CommonJS main): written, read back after a restart, a damaged file set aside', async () => {
    const dataDir = profile('Before');
    writeFileSync(join(dataDir, 'calls.json'), '{"calls": [');
    const first = await start(dataDir);
    expect(readdirSync(dataDir).filter((name) => /^calls\.json\.corrupt-.*\.bak$/.test(name))).toHaveLength(1);
    expect(await request(first, 'listCalls')).toMatchObject({ result: { ok: true, value: [] } });
    expect(await request(first, 'getSettings')).toMatchObject({ result: { ok: true, value: { displayName: 'Before' } } });
    expect(await request(first, 'setSettings', { displayName: 'After', theme: 'dark' })).toMatchObject({ result: { ok: true } });
    const code = await first.quit();
    expect(code, first.stderr()).toBe(0);
    expect(JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8'))).toMatchObject({ displayName: 'After', theme: 'dark', version: SETTINGS_VERSION });
    const second = await start(dataDir);
    expect(await request(second, 'getSettings')).toMatchObject({ result: { ok: true, value: { displayName: 'After', theme: 'dark' } } });
  });

  it('the renderer starts on the built preload, loads settings, lists a peer, calls it and sends it a file', { timeout: 180_000 }, async () => {
    const main = await start(profile('Stand-in Ann'));
    const app = await openStandInApp(main);
    running.push(app);
    // The preload's three functions, frozen, on a read-only global: what contextBridge gives the page.
    const exposed = await app.page.evaluate(() => {
      const lanline = (window as unknown as { lanline: object }).lanline;
      return [Object.keys(lanline).sort(), Object.isFrozen(lanline), Object.getOwnPropertyDescriptor(window, 'lanline')?.writable];
    });
    expect(exposed).toEqual([['invoke', 'on', 'pathForFile'], true, false]);
    // Settings loaded: the name from the seeded electron-store file.
    await app.page.getByRole('button', { name: 'Settings' }).click();
    await expect.poll(() => app.page.getByLabel('Display name').inputValue()).toBe('Stand-in Ann');

    const ann = { page: app.page, app } as unknown as Instance;
    const downloads = join(tempDir('stand-in-peer'), 'downloads');
    mkdirSync(downloads);
    const bob = await launchInstance({ name: 'Host Bob', extraArgs: lan });
    await bob.page.getByRole('button', { name: 'Settings' }).click();
    await bob.page.getByLabel('Download folder').fill(downloads);
    await bob.page.getByRole('button', { name: 'Save', exact: true }).click();
    await bob.page.getByRole('status').filter({ hasText: /^Settings saved\.$/ }).waitFor();
    await meet(ann, bob);

    await dial(ann, bob, 'Host Bob', false);
    await bob.page.getByRole('alertdialog', { name: 'Incoming call from Stand-in Ann' }).getByRole('button', { name: 'Accept' }).click();
    await callState(ann, 'Host Bob').filter({ hasText: 'In call with Host Bob' }).waitFor({ timeout: 20_000 });
    await callState(bob, 'Stand-in Ann').filter({ hasText: 'In call with Stand-in Ann' }).waitFor({ timeout: 20_000 });

    // The Electron Files screen picks through the OS dialog: the stand-in's answers the file.
    const source = join(tempDir('stand-in-source'), 'hello.bin');
    const sha256 = writeRandomFile(source, 3 * 1024 * 1024 + 17);
    await main.answerDialog([source]);
    await showScreen(ann, 'Files');
    await app.page.getByLabel('Send to').selectOption(await peerId(bob));
    await app.page.getByRole('button', { name: 'Choose files…' }).click();
    await bob.page.getByRole('complementary', { name: 'Incoming files' }).getByRole('button', { name: 'Review' }).first().click();
    const incoming = bob.page.getByRole('list', { name: 'Transfers' }).getByRole('listitem', { name: /hello\.bin from Stand-in Ann/ });
    await incoming.getByRole('button', { name: 'Accept', exact: true }).click();
    await incoming.getByText('Done').waitFor({ timeout: 60_000 });
    await app.page.getByRole('list', { name: 'Transfers' }).getByRole('listitem', { name: /hello\.bin to Host Bob/ }).getByText('Done').waitFor();
    expect(await sha256OfFile(join(downloads, 'hello.bin'))).toBe(sha256);
    expect(app.errors).toEqual([]);
    expect((await main.records()).map((entry) => entry.api)).toContain('dialog.showOpenDialog');
  });
});
