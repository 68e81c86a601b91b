/**
 * Whole Lanline instances on a private LAN (netns.ts): in a network namespace, a host started as a
 * person would (`npm run host -- …`) and Debian's Chromium showing it, both inside that namespace, so
 * that discovery runs over real multicast between distinct addresses and the peers list is the one a
 * user reads. Shared by test/lan/peers.test.ts and test/bench/discovery.bench.ts.
 *
 * Chromium enters the namespace through a generated wrapper script (`exec ip netns exec <ns> chromium
 * "$@"`): playwright drives it over a pipe, which passes through `ip netns exec` untouched.
 *
 * Every page records when each entry of its peers list turns Online or Offline (a MutationObserver
 * added before the app's own scripts run), so a measured time is the moment the list changed, not the
 * moment a test's polling noticed. Times are Date.now() on both sides: namespaces share one clock.
 */
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { assertChromium, chromiumPath, launchBrowser, type AppPage } from './browser.js';
import { startHost, tempDir, type RunningHost } from './host.js';
import { createLan, type Lan, type LanHost } from './netns.js';

export type PeerStatus = 'Online' | 'Offline';

export interface LanApp {
  name: string;
  /** The namespace (and address) it runs in. */
  lanHost: LanHost;
  host: RunningHost;
  app: AppPage;
  page: Page;
  /** Date.now() when its host was spawned, and when its page started loading the app. */
  spawnedAt: number;
  loadStartedAt: number;
  /** The peer id the Peers screen shows for this install (waits until the certificate is registered). */
  peerId(): Promise<string>;
  /**
   * Signals the host's process group, SIGTERM to quit as a person would (goodbye on mDNS) or SIGKILL
   * to crash it, then closes the page. The signal goes out before this returns its promise, so a
   * caller can take the time just before calling and wait for the others' lists meanwhile.
   */
  stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

export interface AppLan {
  lan: Lan;
  /** Starts an instance named `name` in namespace `index` with a fresh profile. */
  launch(index: number, name: string): Promise<LanApp>;
  /** Closes every page, kills every process in the namespaces, removes them and the temp folders. */
  destroy(): Promise<void>;
}

interface StatusChange {
  name: string;
  status: PeerStatus;
  at: number;
}

declare global {
  interface Window {
    __lanlinePeerStatus?: StatusChange[];
  }
}

/** Page-side recorder (serialised into the page, so self-contained): a log of status changes. */
function recordPeerStatus(): void {
  const log: StatusChange[] = [];
  const current = new Map<string, string>();
  window.__lanlinePeerStatus = log;
  const scan = () => {
    const at = Date.now();
    for (const item of document.querySelectorAll('[aria-label="Peers on the network"] li[aria-label]')) {
      const name = item.getAttribute('aria-label')!;
      const status = [...item.querySelectorAll('*')]
        .filter((element) => element.childElementCount === 0)
        .map((element) => element.textContent?.trim())
        .find((text) => text === 'Online' || text === 'Offline');
      if (status && current.get(name) !== status) {
        current.set(name, status);
        log.push({ name, status: status as PeerStatus, at });
      }
    }
  };
  new MutationObserver(scan).observe(document, { childList: true, subtree: true, characterData: true });
}

/** The entry for `name` in this instance's list of peers, found as a screen reader would. */
export function peerItem(observer: LanApp, name: string): Locator {
  return observer.page.getByRole('list', { name: 'Peers on the network' }).getByRole('listitem', { name });
}

async function visibleWithin(observer: LanApp, locator: Locator, what: string, timeoutMs: number): Promise<void> {
  try {
    await locator.waitFor({ timeout: timeoutMs });
  } catch {
    const list = await observer.page
      .getByRole('list', { name: 'Peers on the network' })
      .innerText({ timeout: 1_000 })
      .catch(() => '(no list of peers)');
    throw new Error(`${observer.name} did not show ${what} within ${timeoutMs} ms; its list reads:\n${list}\nhost log on stderr:\n${observer.host.stderr()}`);
  }
}

/**
 * Waits until `observer`'s list shows `name` as `status`, as a user sees it, and returns when (Date.now())
 * the entry last turned to that status.
 */
export async function shownAs(observer: LanApp, name: string, status: PeerStatus, timeoutMs: number): Promise<number> {
  await visibleWithin(observer, peerItem(observer, name).getByText(status, { exact: true }), `${name} as ${status}`, timeoutMs);
  const at = await observer.page.evaluate(
    ({ name, status }) => {
      const last = window.__lanlinePeerStatus?.findLast((change) => change.name === name);
      return last?.status === status ? last.at : null;
    },
    { name, status },
  );
  // Without a record (it changed back meanwhile), the time it was seen is the best there is.
  return at ?? Date.now();
}

/** Waits until `observer` lists `name` as Known: its certificate is pinned (first contact done). */
/** The peer's trust label: 'Known' (pinned) or 'Nearby' (met, never acted towards). */
export async function shownPinned(observer: LanApp, name: string, timeoutMs: number, label: 'Known' | 'Nearby' = 'Known'): Promise<void> {
  await visibleWithin(observer, peerItem(observer, name).getByText(label, { exact: true }), `${name} as ${label}`, timeoutMs);
}

export async function createAppLan(count: number): Promise<AppLan> {
  assertChromium();
  const lan = await createLan(count);
  const scratch = tempDir('lan-app');
  const folders = [scratch];
  const running = new Set<LanApp>();

  const wrappers = lan.hosts.map((lanHost) => join(scratch, `chromium-${lanHost.netns}.sh`));
  try {
    for (const [index, lanHost] of lan.hosts.entries()) {
      writeFileSync(wrappers[index]!, `#!/bin/sh\nexec ip netns exec '${lanHost.netns}' '${chromiumPath}' "$@"\n`);
      chmodSync(wrappers[index]!, 0o755);
    }
  } catch (error) {
    await lan.destroy();
    rmSync(scratch, { recursive: true, force: true });
    throw error;
  }

  async function launch(index: number, name: string): Promise<LanApp> {
    const lanHost = lan.hosts[index];
    if (!lanHost) throw new Error(`this LAN has ${lan.hosts.length} namespaces, not ${index + 1}`);
    const dataDir = tempDir('lan-data');
    const userDataDir = tempDir('lan-chromium');
    folders.push(dataDir, userDataDir);
    const spawnedAt = Date.now();
    // Chromium starts while the host does, as a window opens while the app's main process starts.
    const [host, app] = await Promise.allSettled([
      startHost({ dataDir, name, extraArgs: ['--lan-port', '0'], spawn: lanHost.spawn, discovery: lanHost.device }),
      launchBrowser({ userDataDir, executablePath: wrappers[index], initScript: recordPeerStatus }),
    ]);
    if (host.status === 'rejected' || app.status === 'rejected') {
      if (app.status === 'fulfilled') await app.value.close().catch(() => undefined);
      if (host.status === 'fulfilled') await host.value.stop('SIGKILL');
      throw host.status === 'rejected' ? host.reason : (app as PromiseRejectedResult).reason;
    }
    const loadStartedAt = Date.now();
    await app.value.page.goto(host.value.url);
    const instance: LanApp = {
      name,
      lanHost,
      host: host.value,
      app: app.value,
      page: app.value.page,
      spawnedAt,
      loadStartedAt,
      async peerId() {
        const id = instance.page.getByTestId('my-peer-id');
        await id.waitFor({ timeout: 10_000 });
        return (await id.textContent())?.trim() ?? '';
      },
      async stop(signal) {
        running.delete(instance);
        await instance.host.stop(signal);
        await instance.app.close().catch(() => undefined);
      },
    };
    running.add(instance);
    return instance;
  }

  async function destroy(): Promise<void> {
    const closing = [...running].map((instance) => instance.app.close().catch(() => undefined));
    running.clear();
    await Promise.race([Promise.all(closing), new Promise((resolve) => setTimeout(resolve, 10_000))]);
    // Hosts, Chromium and anything else left in the namespaces are killed with them.
    await lan.destroy();
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  }

  return { lan, launch, destroy };
}
