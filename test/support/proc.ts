/**
 * CPU time and memory of process trees, read from Linux's /proc, for benchmarks: a Chromium instance
 * (its browser process, found by its --user-data-dir, and every descendant: zygote, renderers, GPU and
 * utility processes) or a host (npm and the node process under it).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

interface Stat {
  pid: number;
  ppid: number;
  /** user + system CPU seconds */
  cpu: number;
}

function stat(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: split after its closing one.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / ticksPerSecond };
  } catch {
    return null;
  }
}

function allPids(): number[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
}

/** The pid and every descendant of it that is alive now. */
export function processTree(root: number): number[] {
  const stats = allPids().map(stat).filter((entry): entry is Stat => entry !== null);
  const tree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const entry of stats) {
      if (!tree.has(entry.pid) && tree.has(entry.ppid)) {
        tree.add(entry.pid);
        grew = true;
      }
    }
  }
  return [...tree].filter((pid) => stats.some((entry) => entry.pid === pid));
}

/**
 * A process's command line as one string ('' once it is gone). Chromium rewrites the command line of
 * its child processes into one space-separated string, so arguments are looked for as substrings.
 */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** The browser process of the Chromium launched with this user-data dir. */
export function chromiumPid(userDataDir: string): number {
  for (const pid of allPids()) {
    const args = commandLine(pid).split(' ');
    if (args.includes(`--user-data-dir=${userDataDir}`) && !args.some((arg) => arg.startsWith('--type='))) return pid;
  }
  throw new Error(`no Chromium runs with --user-data-dir=${userDataDir}`);
}

export interface Usage {
  /** CPU seconds (user + system) used so far by the processes of the tree alive now. */
  cpu: number;
  /** Memory of those processes now (proportional set size: shared pages divided among them), MiB. */
  rssMiB: number;
}

export function treeUsage(root: number): Usage {
  let cpu = 0;
  let rss = 0;
  for (const pid of processTree(root)) {
    cpu += stat(pid)?.cpu ?? 0;
    try {
      // Proportional set size: a page shared by N processes counts 1/N in each, so the sum is fair.
      const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      rss += match ? Number(match[1]) : 0;
    } catch {
      // gone meanwhile
    }
  }
  return { cpu, rssMiB: rss / 1024 };
}

/** Resident memory of one process now, KiB (0 once it is gone). */
export function residentKiB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * An instance's host (the node process itself, not the npm and shell processes that started it) and
 * its page's renderer (the largest renderer of its Chromium, extensions aside).
 */
export function instanceProcesses(hostRoot: number, userDataDir: string): { host: number; renderer: number } {
  const host = processTree(hostRoot).find((pid) => /^(\S*\/)?node (-\S+ )*\S*out\/host\/index\.js/.test(commandLine(pid)));
  const renderers = processTree(chromiumPid(userDataDir)).filter((pid) => {
    const args = commandLine(pid);
    return args.includes('--type=renderer') && !args.includes('--extension-process');
  });
  const renderer = renderers.map((pid) => ({ pid, rss: residentKiB(pid) })).sort((x, y) => y.rss - x.rss)[0]?.pid;
  if (host === undefined || renderer === undefined) throw new Error(`no host node process under ${hostRoot} or no renderer of ${userDataDir}`);
  return { host, renderer };
}

/**
 * Samples the resident memory of some processes every 250 ms; `stop` gives each one's figure at the
 * start and its peak growth over it, MiB.
 */
export function residentGrowth<Name extends string>(pids: Record<Name, number>): { stop(): Record<Name, { before: number; growth: number }> } {
  const names = Object.keys(pids) as Name[];
  const base = Object.fromEntries(names.map((name) => [name, residentKiB(pids[name])])) as Record<Name, number>;
  const peak = { ...base };
  const sample = () => names.forEach((name) => (peak[name] = Math.max(peak[name], residentKiB(pids[name]))));
  const timer = setInterval(sample, 250);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return Object.fromEntries(names.map((name) => [name, { before: base[name] / 1024, growth: (peak[name] - base[name]) / 1024 }])) as Record<Name, { before: number; growth: number }>;
    },
  };
}
