/**
 * A private LAN for tests: N Linux network namespaces, each with one veth (`lan0`) plugged into a
 * bridge that lives in a namespace of its own, so nothing is added to the machine's own network and
 * no test traffic leaves the namespaces made here. Each host gets 10.231.0.<i+1>/24 (a subnet only
 * tests use), `lo` up and a route for 224.0.0.0/4 on `lan0`, so multicast (mDNS) flows between them.
 *
 * Names carry the pid and a random suffix (`lanline-<pid>-<hex>-<i>`), so parallel runs never clash;
 * namespaces left by a run whose process is gone are removed by the next createLan. Needs root (or
 * CAP_NET_ADMIN and CAP_SYS_ADMIN) and iproute2; `namespacesAvailable()` says whether this machine allows it.
 */
import { execFile, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const PREFIX = 'lanline-';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface LanHost {
  /** The network namespace's name, for `ip netns exec`. */
  netns: string;
  /** Its address on the LAN (10.231.0.<i+1>). */
  address: string;
  /** Its LAN interface inside the namespace. */
  device: string;
  /** Runs a command inside the namespace to its end. Never rejects; look at `code`. */
  run(command: string, args?: string[], options?: { timeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<RunResult>;
  /** Starts a long-running command inside the namespace, in its own process group; destroy() ends it. */
  spawn(command: string, args?: string[], options?: SpawnOptions): ChildProcess;
}

export interface Lan {
  hosts: LanHost[];
  /** e.g. 10.231.0.0/24 */
  subnet: string;
  /** Kills what was spawned in the namespaces and removes them; safe to call twice and after a failed create. */
  destroy(): Promise<void>;
}

async function ip(...args: string[]): Promise<void> {
  try {
    await exec('ip', args);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('the `ip` command (Debian package iproute2) is not installed');
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`ip ${args.join(' ')} failed: ${stderr || (error as Error).message}`);
  }
}

async function listNamespaces(): Promise<string[]> {
  const { stdout } = await exec('ip', ['netns', 'list']);
  return stdout
    .split('\n')
    .map((line) => line.split(' ')[0]!)
    .filter(Boolean);
}

async function pidsIn(netns: string): Promise<number[]> {
  try {
    const { stdout } = await exec('ip', ['netns', 'pids', netns]);
    return stdout.split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function removeNamespace(netns: string): Promise<void> {
  // A process left inside keeps the namespace (and its veth) alive after its name is gone.
  for (const pid of await pidsIn(netns)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await exec('ip', ['netns', 'del', netns]).catch(() => undefined);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes namespaces of earlier runs whose process no longer exists (a crashed or killed vitest). */
async function removeLeftovers(): Promise<void> {
  for (const netns of await listNamespaces().catch(() => [])) {
    const match = /^lanline-(\d+)-[0-9a-f]+-/.exec(netns);
    if (match && !processAlive(Number(match[1]))) await removeNamespace(netns);
  }
}

let availability: Promise<{ ok: true } | { ok: false; reason: string }> | null = null;

/** Tries once to make a namespace with a bridge and a veth; false with the kernel's reason when refused. */
export function namespacesAvailable(): Promise<{ ok: true } | { ok: false; reason: string }> {
  availability ??= (async () => {
    if (process.platform !== 'linux') return { ok: false as const, reason: `network namespaces need Linux, this is ${process.platform}` };
    const probe = `${PREFIX}${process.pid}-${randomBytes(3).toString('hex')}-probe`;
    try {
      await ip('netns', 'add', probe);
      await ip('-n', probe, 'link', 'add', 'br0', 'type', 'bridge');
      await ip('-n', probe, 'link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'p1');
      return { ok: true as const };
    } catch (error) {
      return { ok: false as const, reason: `cannot create network namespaces here (${(error as Error).message}); they need root on Linux` };
    } finally {
      await removeNamespace(probe);
    }
  })();
  return availability;
}

export async function createLan(count: number, options: { subnet?: string } = {}): Promise<Lan> {
  const base = options.subnet ?? '10.231.0';
  await removeLeftovers();
  const run = `${PREFIX}${process.pid}-${randomBytes(3).toString('hex')}`;
  const hub = `${run}-hub`;
  const made: string[] = [];
  const children = new Set<ChildProcess>();

  const destroy = async () => {
    killAll(children);
    for (const netns of made.splice(0).reverse()) await removeNamespace(netns);
  };

  const host = (netns: string, address: string): LanHost => ({
    netns,
    address,
    device: 'lan0',
    ...runners(netns, children),
  });

  try {
    await ip('netns', 'add', hub);
    made.push(hub);
    // Snooping off: every port hears every multicast group, as on a plain switch without a querier.
    await ip('-n', hub, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0');
    await ip('-n', hub, 'link', 'set', 'br0', 'up');
    const hosts: LanHost[] = [];
    for (let i = 0; i < count; i += 1) {
      const netns = `${run}-${i}`;
      const address = `${base}.${i + 1}`;
      await ip('netns', 'add', netns);
      made.push(netns);
      await ip('-n', hub, 'link', 'add', `p${i}`, 'type', 'veth', 'peer', 'name', 'lan0', 'netns', netns);
      await ip('-n', hub, 'link', 'set', `p${i}`, 'master', 'br0', 'up');
      await ip('-n', netns, 'link', 'set', 'lo', 'up');
      await ip('-n', netns, 'addr', 'add', `${address}/24`, 'dev', 'lan0');
      await ip('-n', netns, 'link', 'set', 'lan0', 'up');
      await ip('-n', netns, 'route', 'add', '224.0.0.0/4', 'dev', 'lan0');
      hosts.push(host(netns, address));
    }
    return { hosts, subnet: `${base}.0/24`, destroy };
  } catch (error) {
    await destroy();
    throw error;
  }
}

export interface LoopbackNamespace extends LanHost {
  /** Kills what was spawned in it (and anything else still inside), then removes it; safe to call twice. */
  destroy(): Promise<void>;
}

/** Kills the process group of every child still running, and forgets them. */
function killAll(children: Set<ChildProcess>): void {
  for (const child of children) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  children.clear();
}

/** `run` and `spawn` inside a namespace; spawned children are added to `children` for destroy(). */
function runners(netns: string, children: Set<ChildProcess>): Pick<LanHost, 'run' | 'spawn'> {
  return {
    run: (command, args = [], runOptions = {}) =>
      new Promise((resolve) => {
        execFile('ip', ['netns', 'exec', netns, command, ...args], { timeout: runOptions.timeoutMs ?? 30_000, env: runOptions.env ?? process.env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        });
      }),
    spawn: (command, args = [], spawnOptions = {}) => {
      // `ip netns exec` execs the command, so the child's pid is the command's and its group is ours to kill.
      const child = spawn('ip', ['netns', 'exec', netns, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...spawnOptions, detached: true });
      children.add(child);
      return child;
    },
  };
}

/**
 * One network namespace with only `lo` (127.0.0.1) up: a private loopback where fixed ports never clash
 * with the machine's or another run's, and nothing can leave. Named `lanline-<pid>-<hex>-<label>` like
 * createLan's, so a crashed run's namespace is removed by the next createLan or createLoopbackNamespace.
 */
export async function createLoopbackNamespace(label: string): Promise<LoopbackNamespace> {
  await removeLeftovers();
  const netns = `${PREFIX}${process.pid}-${randomBytes(3).toString('hex')}-${label}`;
  const children = new Set<ChildProcess>();
  let made = false;
  const destroy = async () => {
    killAll(children);
    if (made) {
      made = false;
      await removeNamespace(netns);
    }
  };
  try {
    await ip('netns', 'add', netns);
    made = true;
    await ip('-n', netns, 'link', 'set', 'lo', 'up');
  } catch (error) {
    await destroy();
    throw error;
  }
  return {
    netns,
    address: '127.0.0.1',
    device: 'lo',
    ...runners(netns, children),
    destroy,
  };
}
