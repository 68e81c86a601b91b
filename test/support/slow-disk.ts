/**
 * A slow disk for a test: a cgroup (v1 blkio, as these machines mount it) whose processes write to
 * the disk holding a folder at most `bytesPerSecond`. The kernel throttles the writes a process
 * submits itself, such as the flush of fsync/fdatasync, which is how a part file's checkpoint waits
 * for a USB stick. Needs root. `spawn` starts a command inside the cgroup; `limit(0)` lifts the limit.
 */
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readlinkSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const BLKIO = '/sys/fs/cgroup/blkio';

/** major:minor of the whole disk that holds `path` (a partition's parent disk). */
function diskOf(path: string): string {
  const dev = statSync(path).dev;
  const major = Number((BigInt(dev) >> 8n) & 0xfffn);
  const minor = Number((BigInt(dev) & 0xffn) | ((BigInt(dev) >> 12n) & ~0xffn));
  const sys = `/sys/dev/block/${major}:${minor}`;
  if (!existsSync(sys)) throw new Error(`${path} is not on a block device (${major}:${minor}); a slow disk cannot be made for it`);
  if (!existsSync(join(sys, 'partition'))) return `${major}:${minor}`;
  return readFileSync(join(resolve(dirname(sys), dirname(readlinkSync(sys))), 'dev'), 'utf8').trim();
}

export class SlowDisk {
  private constructor(
    private readonly cgroup: string,
    private readonly disk: string,
  ) {}

  /** Why no slow disk can be made on this machine, or null when one can. */
  static unavailable(): string | null {
    if (!existsSync(join(BLKIO, 'blkio.throttle.write_bps_device'))) return `a slow disk needs the cgroup v1 blkio controller at ${BLKIO}`;
    if (process.getuid?.() !== 0) return 'a slow disk needs root (it makes a cgroup)';
    return null;
  }

  static create(folder: string, bytesPerSecond: number): SlowDisk {
    const why = SlowDisk.unavailable();
    if (why) throw new Error(why);
    const cgroup = join(BLKIO, `lanline-slow-${process.pid}-${Date.now()}`);
    mkdirSync(cgroup);
    const disk = new SlowDisk(cgroup, diskOf(folder));
    disk.limit(bytesPerSecond);
    return disk;
  }

  /** Bytes per second from now on; 0 lifts the limit. */
  limit(bytesPerSecond: number): void {
    writeFileSync(join(this.cgroup, 'blkio.throttle.write_bps_device'), `${this.disk} ${Math.round(bytesPerSecond)}`);
  }

  /** Bytes the cgroup's processes have written to the disk so far (the kernel's count). */
  written(): number {
    const line = readFileSync(join(this.cgroup, 'blkio.throttle.io_service_bytes'), 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith(`${this.disk} Write `));
    return Number(line?.split(' ')[2] ?? 0);
  }

  /** Starts `command` inside the cgroup (its children stay there too). */
  readonly spawn = (command: string, args: string[], options: SpawnOptions): ChildProcess =>
    nodeSpawn('sh', ['-c', `echo $$ > ${join(this.cgroup, 'cgroup.procs')} && exec "$0" "$@"`, command, ...args], options);

  /** Lifts the limit and removes the cgroup once its processes have ended (waits up to 10 s for them). */
  async remove(): Promise<void> {
    this.limit(0);
    for (let waited = 0; waited < 10_000 && readFileSync(join(this.cgroup, 'cgroup.procs'), 'utf8').trim() !== ''; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    try {
      rmdirSync(this.cgroup);
    } catch (error) {
      console.warn(`could not remove ${this.cgroup}: ${(error as Error).message}`);
    }
  }
}
