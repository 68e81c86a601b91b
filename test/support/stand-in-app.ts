/**
 * The Electron semantics harness (issue 13 §4): a STAND-IN, NOT ELECTRON. Starts the built main bundle
 * under the stand-in `electron` module in a Node process (electron-stand-in/run-main.ts) and opens a
 * Chromium page on the renderer it serves, with the built preload run ahead of the page's scripts
 * against the stand-in contextBridge and ipcRenderer (electron-stand-in/page.ts). What passes here
 * keeps the rules Electron documents; whether Electron itself starts is for the tests that need its
 * binary.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { openApp, type AppPage } from './browser.js';
import { repoRoot, tempDir } from './host.js';
import type { StandInRecord } from './electron-stand-in/main.js';

let built: Promise<{ runMain: string; initScript: string }> | null = null;

/** Bundles the two halves of the stand-in once per test process. */
function buildStandIn() {
  built ??= (async () => {
    const dir = tempDir('stand-in');
    const runMain = join(dir, 'run-main.cjs');
    const source = (file: string) => join(repoRoot, 'test', 'support', 'electron-stand-in', file);
    await build({ entryPoints: [source('run-main.ts')], outfile: runMain, bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['bufferutil', 'utf-8-validate'], logLevel: 'warning' });
    const page = await build({ entryPoints: [source('page.ts')], bundle: true, platform: 'browser', format: 'iife', globalName: 'standIn', write: false, logLevel: 'warning' });
    const preload = readFileSync(join(repoRoot, 'out', 'preload', 'index.cjs'), 'utf8');
    // One script, so nothing is evaluated from a string in the page (its CSP forbids it) and nothing
    // but what the preload exposes is left on the page's global.
    const initScript = `(function () {\n${page.outputFiles[0]!.text}\n(function (require, module, exports) {\n${preload}\n})(standIn.require, { exports: {} }, {});\n})();`;
    return { runMain, initScript };
  })();
  return built;
}

export interface StandInMain {
  /** The renderer's entry as the page loads it (what main's window loaded, served over http). */
  url: string;
  dataDir: string;
  process: ChildProcess;
  stderr(): string;
  records(): Promise<StandInRecord[]>;
  /** Queues the paths the next open dialog answers. */
  answerDialog(filePaths: string[]): Promise<void>;
  /** A contract request as the window's main frame (or an iframe in it) would send it. */
  invoke(channel: string, args: unknown[], frame?: 'main' | 'sub'): Promise<{ result?: unknown; error?: string }>;
  permission(permission: string, requestingUrl: string, mediaTypes?: string[]): Promise<boolean>;
  /** app.quit(), as the tray's Quit does; resolves with the exit code. */
  quit(): Promise<number | null>;
}

export async function startStandInMain(options: { dataDir?: string } = {}): Promise<StandInMain> {
  const { runMain } = await buildStandIn();
  const dataDir = options.dataDir ?? tempDir('stand-in-data');
  mkdirSync(dataDir, { recursive: true });
  const child = fork(runMain, [], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    // Structured clone on the control channel too, so `undefined` and bytes arrive as they were sent.
    serialization: 'advanced',
    env: { ...process.env, LANLINE_STAND_IN_DATA: dataDir, LANLINE_STAND_IN_APP: repoRoot, LANLINE_MAIN_BUNDLE: join(repoRoot, 'out', 'main', 'index.cjs') },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the stand-in main did not open its window in 20 s\n${stderr}`)), 20_000);
    void exited.then((code) => reject(new Error(`the stand-in main exited with ${code}\n${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /^stand-in main ready: (\S+)$/.exec(line);
      if (!match?.[1]) return;
      clearTimeout(timer);
      resolve(match[1]);
    });
  });
  let nextId = 1;
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  child.on('message', (message: { id: number; value?: unknown; error?: string }) => {
    const call = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.error) call?.reject(new Error(message.error));
    else call?.resolve(message.value);
  });
  const ask = <T>(message: Record<string, unknown>) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ ...message, id });
    });
  return {
    url,
    dataDir,
    process: child,
    stderr: () => stderr,
    records: () => ask({ op: 'records' }),
    answerDialog: (filePaths) => ask({ op: 'dialog', filePaths }),
    invoke: (channel, args, frame = 'main') => ask({ op: 'invoke', channel, args, frame }),
    permission: (permission, requestingUrl, mediaTypes) => ask({ op: 'permission', permission, requestingUrl, mediaTypes }),
    async quit() {
      if (child.exitCode !== null) return child.exitCode;
      await ask({ op: 'quit' });
      return exited;
    },
  };
}

/** Chromium showing the stand-in main's renderer, with `window.lanline` from the built preload. */
export async function openStandInApp(main: StandInMain): Promise<AppPage> {
  const { initScript } = await buildStandIn();
  return openApp(main.url, {
    beforeLoad: async (page) => {
      await page.addInitScript({ content: initScript });
    },
  });
}
