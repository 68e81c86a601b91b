/**
 * The window hides to the tray while calls and transfers go on (issue 13 §2; Electron's window has
 * backgroundThrottling off). Here the receiving page is really hidden (document.hidden true: its
 * window minimised through DevTools, test/support/visibility.ts) while a call and a 256 MiB transfer
 * run, and both keep going: the call's received audio bytes and the file's bytes on disk grow while
 * it is hidden.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { launchDetachable, type DetachableInstance } from '../support/detachable.js';
import { writeRandomFile } from '../support/files.js';
import { tempDir } from '../support/host.js';
import type { Instance } from '../support/instances.js';
import { lan, meet, peerId, peerRow } from '../support/peers.js';
import { rawPage, type RawPage } from '../support/visibility.js';

const MiB = 1024 * 1024;
const running: DetachableInstance[] = [];
const raws: RawPage[] = [];
afterEach(async () => {
  raws.splice(0).forEach((raw) => raw.close());
  await Promise.all(running.splice(0).map((instance) => instance.stop()));
});

const asInstance = (instance: DetachableInstance) => ({ host: instance.host, page: instance.page }) as unknown as Instance;

/** Received audio bytes of every connection in the page (the connections are recorded by an init script). */
const AUDIO_BYTES = `Promise.all((window.__pcs ?? []).map((pc) => pc.getStats())).then((reports) => reports.flatMap((report) => [...report.values()]).filter((s) => s.type === 'inbound-rtp' && s.kind === 'audio').reduce((sum, s) => sum + (s.bytesReceived ?? 0), 0))`;

function partBytes(dir: string): number {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.part') || name === 'hidden.bin')
    .reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}

describe('a hidden window', () => {
  it('keeps a call and a transfer going while its page is hidden', async () => {
    const alice = await launchDetachable({ name: 'Alice', extraArgs: lan });
    running.push(alice);
    const bob = await launchDetachable({ name: 'Bob', extraArgs: lan });
    running.push(bob);
    await bob.page.addInitScript(() => {
      const Native = window.RTCPeerConnection;
      const all: RTCPeerConnection[] = [];
      (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs = all;
      window.RTCPeerConnection = class extends Native {
        constructor(configuration?: RTCConfiguration) {
          super(configuration);
          all.push(this);
        }
      } as typeof RTCPeerConnection;
    });
    await bob.page.reload();
    const downloads = tempDir('hidden-downloads');
    await bob.page.getByRole('button', { name: 'Settings' }).click();
    await bob.page.getByLabel('Download folder').fill(downloads);
    await bob.page.getByRole('button', { name: 'Save', exact: true }).click();
    await bob.page.getByRole('status').filter({ hasText: /^Settings saved\.$/ }).waitFor();
    await bob.page.getByRole('button', { name: 'Peers' }).click();
    const a = asInstance(alice);
    const b = asInstance(bob);
    await meet(a, b);

    await (await peerRow(a, b)).getByRole('button', { name: 'Call Bob', exact: true }).click();
    await bob.page.getByRole('alertdialog', { name: 'Incoming call from Alice' }).getByRole('button', { name: 'Accept' }).click();
    await bob.page.getByText('In call with Alice').first().waitFor({ timeout: 20_000 });

    const file = join(tempDir('hidden-send'), 'hidden.bin');
    writeRandomFile(file, 256 * MiB);
    await alice.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Files' }).click();
    await alice.page.getByLabel('Send to').selectOption(await peerId(b));
    // The browser host's page uploads the chosen file's bytes to its host, which offers them (issue 14 §4).
    // Set through DevTools' DOM.setFileInputFiles: this Chromium is reached over CDP, and Playwright's
    // setInputFiles refuses files over 50 MB to a browser it did not launch.
    const cdp = await alice.page.context().newCDPSession(alice.page);
    const { root } = await cdp.send('DOM.getDocument');
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: 'input[type=file]:not([webkitdirectory])' });
    await cdp.send('DOM.setFileInputFiles', { nodeId, files: [file] });
    await cdp.detach();
    await alice.page.getByRole('button', { name: 'Send files' }).click();
    // Uploading and hashing 256 MiB come first on the sender's side.
    await bob.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Files' }).click();
    await bob.page.getByRole('list', { name: 'Transfers' }).getByRole('listitem', { name: /hidden\.bin/ }).getByRole('button', { name: 'Accept', exact: true }).click({ timeout: 240_000 });

    const origin = bob.host.origin;
    await alice.detach();
    await bob.detach();
    const page = await rawPage(bob.devToolsPort, origin);
    raws.push(page);
    await page.setMinimized(true);
    expect(await page.evaluate<string>('document.visibilityState')).toBe('hidden');
    const audioBefore = await page.evaluate<number>(AUDIO_BYTES);
    const diskBefore = partBytes(downloads);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const hidden = await page.evaluate<boolean>('document.hidden');
    const audioAfter = await page.evaluate<number>(AUDIO_BYTES);
    const diskAfter = partBytes(downloads);
    console.log(`while hidden for 3 s: ${audioAfter - audioBefore} audio bytes received, ${((diskAfter - diskBefore) / MiB).toFixed(1)} MiB written to disk`);
    expect(hidden).toBe(true);
    expect(audioAfter).toBeGreaterThan(audioBefore);
    expect(diskAfter > diskBefore || diskAfter === 256 * MiB).toBe(true);
  }, 180_000);
});
