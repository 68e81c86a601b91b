/**
 * Debian's Chromium driven by playwright-core, with the flags DESIGN §4 lists. One browser context per
 * app instance, each with its own user-data dir (pass the same dir again to test persistence).
 */
import { chmodSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { tempDir } from './host.js';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const chromiumFlags = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
];

export interface AppPage {
  page: Page;
  context: BrowserContext;
  userDataDir: string;
  /** console errors and uncaught exceptions seen so far */
  errors: string[];
  close(): Promise<void>;
}

export function assertChromium(): void {
  if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath}; install Debian's chromium or set CHROMIUM_PATH`);
}

export interface LaunchOptions {
  userDataDir?: string;
  extraArgs?: string[];
  /** The Chromium to run; a wrapper script may run it elsewhere (test/support/lan-app.ts: in a network namespace). */
  executablePath?: string;
  /**
   * Runs Chromium inside this network namespace (`ip netns exec`, through a generated wrapper script),
   * e.g. a SIP lab's (sip-lab.ts), so that 127.0.0.1 is the namespace's loopback. Ignored when
   * executablePath is given.
   */
  netns?: string;
  /** Runs in the page before any of its own scripts, on every load. */
  initScript?: () => void;
  /** Runs once before the page first loads the app (e.g. to set the page's clock). */
  beforeLoad?: (page: Page) => Promise<void>;
}

/** Starts Chromium with one blank page, not yet showing the app (so a test can time the load itself). */
export async function launchBrowser(options: LaunchOptions = {}): Promise<AppPage> {
  if (!options.executablePath) assertChromium();
  const userDataDir = options.userDataDir ?? tempDir('chromium');
  let executablePath = options.executablePath ?? chromiumPath;
  let wrapperDir: string | null = null;
  if (options.netns && !options.executablePath) {
    // playwright drives Chromium over a pipe, which passes through `ip netns exec` untouched.
    wrapperDir = tempDir('chromium-netns');
    executablePath = join(wrapperDir, 'chromium.sh');
    writeFileSync(executablePath, `#!/bin/sh\nexec ip netns exec '${options.netns}' '${chromiumPath}' "$@"\n`);
    chmodSync(executablePath, 0o755);
  }
  const removeWrapper = () => {
    if (wrapperDir) rmSync(wrapperDir, { recursive: true, force: true });
  };
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: [...chromiumFlags, ...(options.extraArgs ?? [])],
    });
  } catch (error) {
    removeWrapper();
    throw error;
  }
  if (options.initScript) await context.addInitScript(options.initScript);
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  const close = wrapperDir ? () => context.close().finally(removeWrapper) : () => context.close();
  return { page, context, userDataDir, errors, close };
}

export async function openApp(url: string, options: LaunchOptions = {}): Promise<AppPage> {
  const app = await launchBrowser(options);
  await options.beforeLoad?.(app.page);
  await app.page.goto(url);
  return app;
}
