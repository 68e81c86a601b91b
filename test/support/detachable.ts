/**
 * An app instance whose Chromium the test can let go of and take back: the browser is started here
 * (not by playwright-core) with a DevTools port, and the test connects over CDP. While detached, no
 * DevTools client watches the page: Playwright enables network inspection on every page it drives,
 * which copies each WebSocket message (base64 for binary ones) to the test process — a cost the
 * desktop app, whose renderer talks to main over IPC with no debugger attached, never pays.
 * Benchmarks detach while they time something that streams through the host's WebSocket bridge.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { assertChromium, chromiumFlags, chromiumPath } from './browser.js';
import { startHost, tempDir, type HostOptions, type RunningHost } from './host.js';

export interface DetachableInstance {
  host: RunningHost;
  userDataDir: string;
  /** The browser's DevTools port, for a raw CDP client (test/support/visibility.ts). */
  devToolsPort: string;
  /** The page while attached; throws while detached. */
  readonly page: Page;
  /** Disconnects the test (the browser and its page keep running). */
  detach(): Promise<void>;
  /** Connects again to the same page. */
  attach(): Promise<Page>;
  stop(): Promise<void>;
}

async function devToolsPort(userDataDir: string, child: ChildProcess): Promise<string> {
  const file = join(userDataDir, 'DevToolsActivePort');
  for (let waited = 0; waited < 20_000; waited += 100) {
    if (child.exitCode !== null) throw new Error(`Chromium exited with ${child.exitCode} before opening its DevTools port`);
    if (existsSync(file)) {
      const port = readFileSync(file, 'utf8').split('\n')[0]?.trim();
      if (port) return port;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('Chromium did not open its DevTools port within 20 s');
}

export async function launchDetachable(options: HostOptions = {}): Promise<DetachableInstance> {
  assertChromium();
  const host = await startHost(options);
  const userDataDir = tempDir('chromium-detachable');
  const child = spawn(chromiumPath, ['--headless=new', ...chromiumFlags, `--user-data-dir=${userDataDir}`, '--remote-debugging-port=0', 'about:blank'], { stdio: 'ignore' });
  const port = await devToolsPort(userDataDir, child);
  let browser: Browser | null = null;
  let page: Page | null = null;
  const attach = async () => {
    browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
    const context = browser.contexts()[0]!;
    page = context.pages().find((candidate) => candidate.url().startsWith(host.origin)) ?? context.pages()[0] ?? (await context.newPage());
    return page;
  };
  await attach();
  await page!.goto(host.url);
  return {
    host,
    userDataDir,
    devToolsPort: port,
    get page() {
      if (!page) throw new Error('the test is detached from this page');
      return page;
    },
    async detach() {
      // On a browser connected over CDP, close() disconnects and leaves the browser running.
      await browser?.close();
      browser = null;
      page = null;
    },
    attach,
    async stop() {
      await browser?.close().catch(() => undefined);
      child.kill('SIGKILL');
      await host.stop();
    },
  };
}
