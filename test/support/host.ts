/**
 * Starts a Lanline host exactly as a person would (`npm run host -- …`) and waits for its ready line.
 * Each host is its own process group so stop() reaches npm and node together. Hosts start with
 * `--no-discovery` unless a test asks for mDNS (hosts in network namespaces, lan-app.ts): no test
 * multicasts on the machine's real interface, and instances of other runs on this machine never
 * appear in a test's lists. Tests outside namespaces meet by address (peers.ts).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const repoRoot = join(import.meta.dirname, '..', '..');

export interface HostOptions {
  dataDir?: string;
  port?: number;
  name?: string;
  lang?: 'en' | 'ko';
  extraArgs?: string[];
  /**
   * mDNS: off when absent or false (`--no-discovery`); true for all the host's interfaces (only in a
   * network namespace the test made); an interface name confines it there (`--lan-interface`).
   */
  discovery?: boolean | string;
  /**
   * Starts the command in its own process group; node's spawn when absent. A network namespace's
   * `LanHost.spawn` (netns.ts) runs the host inside that namespace.
   */
  spawn?: (command: string, args: string[], options: SpawnOptions) => ChildProcess;
  /**
   * Runs the host inside this network namespace (`ip netns exec`), e.g. a SIP lab's (sip-lab.ts), so a
   * page in the same namespace reaches it on 127.0.0.1. Ignored when spawn is given.
   */
  netns?: string;
}

export interface RunningHost {
  url: string;
  origin: string;
  token: string;
  dataDir: string;
  process: ChildProcess;
  stderr: () => string;
  /**
   * Signals the whole process group (npm does not reliably forward signals to the host) and resolves
   * once every process in it has exited: true when that happened within 10 s, false when it had to be
   * killed.
   */
  stop(signal?: NodeJS.Signals): Promise<boolean>;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `lanline-${prefix}-`));
}

function groupAlive(group: number): boolean {
  try {
    process.kill(group, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startHost(options: HostOptions = {}): Promise<RunningHost> {
  const dataDir = options.dataDir ?? tempDir('data');
  const args = ['run', '--silent', 'host', '--', '--data', dataDir, '--port', String(options.port ?? 0)];
  if (options.name) args.push('--name', options.name);
  if (options.lang) args.push('--lang', options.lang);
  if (!options.discovery) args.push('--no-discovery');
  else if (typeof options.discovery === 'string') args.push('--lan-interface', options.discovery);
  args.push(...(options.extraArgs ?? []));
  const netns = options.netns;
  const spawnIn = netns ? (command: string, commandArgs: string[], spawnOptions: SpawnOptions) => spawn('ip', ['netns', 'exec', netns, command, ...commandArgs], spawnOptions) : spawn;
  const child = (options.spawn ?? spawnIn)('npm', args, { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host did not become ready in 20 s\n${stderr}`)), 20_000);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const match = /^Lanline host ready: (\S+)$/.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`host exited with ${code} before it was ready\n${stderr}`));
    });
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    token: new URLSearchParams(parsed.hash.slice(1)).get('token') ?? '',
    dataDir,
    process: child,
    stderr: () => stderr,
    async stop(signal = 'SIGTERM') {
      const group = -child.pid!;
      if (!groupAlive(group)) return true;
      process.kill(group, signal);
      await exited;
      for (let waited = 0; waited < 10_000; waited += 50) {
        if (!groupAlive(group)) return true;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      process.kill(group, 'SIGKILL');
      return false;
    },
  };
}
