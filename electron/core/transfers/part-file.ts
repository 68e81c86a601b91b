/**
 * One incoming file, written chunk by chunk to `<name>.part` in the download folder and renamed to a
 * name of its own once its SHA-256 matches (DESIGN §3 "Data channels", §6).
 *
 * What a PartFile guarantees:
 * - it writes only under the download root: the relative path must already be sanitized
 *   (sanitizeRelativePath joined with `/`), and the resolved folder, symbolic links followed, must be
 *   inside the resolved root; anything else is refused with 'invalid' before a byte is written;
 * - chunks are accepted only in order (each at the current offset) and never past the size the
 *   sender announced, so a lying sender cannot make it write more; no file is held in memory, only
 *   the running SHA-256 and the chunk being written;
 * - every `fsyncEveryBytes` (4 MiB) the data is flushed to disk and then the state file
 *   `<name>.part.json` records the offset and the SHA-256 of the bytes up to it. After a reconnect or
 *   a restart, opening the same transfer (same size and hash, same path) resumes from that offset:
 *   the bytes are re-read once to rebuild the running hash and checked against the recorded one, and
 *   any unrecorded tail is cut off. Bytes that do not check out are discarded and the file restarts;
 * - a full disk (ENOSPC, EDQUOT) fails the write with 'io' and a sentence saying so; the part is cut
 *   back to the last complete chunk (to the last flush, if it is the flush that failed), so the
 *   transfer goes on from `offset` once there is room, with this object or after a reopen;
 * - `finish()` checks length and SHA-256 and renames the part to a name that did not exist
 *   (unique-path.ts), never replacing a file. A hash mismatch keeps the part, marks it so the next
 *   attempt starts over rather than resuming damaged bytes, and fails with 'invalid';
 * - within one process, two PartFiles never share a part file: a second transfer of the same file
 *   gets its own (`name (1).ext.part`).
 * Log lines name files and sizes, never their contents.
 */
import { createHash, type Hash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { lstat, mkdir, open, readFile, realpath, rename, rm, statfs, type FileHandle } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { LanlineError } from '../errors.js';
import type { Log } from '../log.js';
import { sanitizeRelativePath } from './file-name.js';
import { candidateNames, partNameFor, STATE_SUFFIX, TEMP_SUFFIX, uniqueTarget } from './unique-path.js';

export const DEFAULT_FSYNC_EVERY_BYTES = 4 * 1024 * 1024;
const STATE_VERSION = 1;
/** Part names tried for one target before giving up (each belongs to another transfer). */
const MAX_PART_CANDIDATES = 1_000;

export interface PartFileOptions {
  /** The download folder. It must exist; folders below it are created. */
  root: string;
  /** Where the file goes under root, already sanitized: segments of sanitizeRelativePath joined with '/'. */
  relativePath: string;
  /** Bytes the sender announced. */
  size: number;
  /** SHA-256 the sender announced, hex. */
  sha256: string;
  log: Log;
  /** Flush to disk and record the resume offset after this many bytes. */
  fsyncEveryBytes?: number;
}

/** What `<name>.part.json` holds. */
interface PartState {
  version: number;
  size: number;
  sha256: string;
  /** Bytes flushed to disk and covered by `verifiedSha256`. */
  verified: number;
  /** SHA-256 of the first `verified` bytes, hex. */
  verifiedSha256: string;
  /** The finished file did not match `sha256`; the next attempt starts from zero. */
  damaged?: boolean;
}

/** Part files open in this process (resolved paths). */
const openParts = new Set<string>();

const errnoOf = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code ?? 'error';
const isDiskFull = (error: unknown) => ['ENOSPC', 'EDQUOT'].includes(errnoOf(error));

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Bytes an unprivileged user may still write on the file system holding `dir` (or its nearest existing parent). */
export async function freeSpace(dir: string): Promise<number> {
  let path = resolve(dir);
  for (;;) {
    try {
      const stats = await statfs(path);
      return stats.bavail * stats.bsize;
    } catch (error) {
      const parent = dirname(path);
      if (errnoOf(error) !== 'ENOENT' || parent === path) {
        throw new LanlineError('io', `Could not read the free space of ${dir} (${errnoOf(error)}).`);
      }
      path = parent;
    }
  }
}

/** Throws 'io' when the disk holding `dir` has less than `bytesNeeded` free: call before accepting an offer. */
export async function checkFreeSpace(dir: string, bytesNeeded: number): Promise<void> {
  const free = await freeSpace(dir);
  if (free < bytesNeeded) {
    throw new LanlineError(
      'io',
      `The disk is full: the files need ${formatBytes(bytesNeeded)} but only ${formatBytes(free)} is free in ${dir}. Free some space or choose another download folder.`,
    );
  }
}

async function readState(path: string): Promise<PartState | null> {
  try {
    const data = JSON.parse(await readFile(path, 'utf8')) as Partial<PartState>;
    const ok =
      data.version === STATE_VERSION &&
      Number.isSafeInteger(data.size) &&
      typeof data.sha256 === 'string' &&
      Number.isSafeInteger(data.verified) &&
      typeof data.verifiedSha256 === 'string';
    return ok ? (data as PartState) : null;
  } catch {
    return null;
  }
}

/** Temp file, flushed, renamed over the old state: a crash leaves the old state or the new one. */
async function writeState(path: string, state: PartState): Promise<void> {
  const temp = path + TEMP_SUFFIX;
  // 'wx' after removing a leftover: a link planted at the temp name is replaced, never followed.
  await rm(temp, { force: true });
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(JSON.stringify(state));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
}

/** Feeds bytes [0, length) of the open file to `hash` from disk, a buffer at a time. */
async function hashPrefix(handle: FileHandle, length: number, hash: Hash): Promise<number> {
  if (length === 0) return 0;
  let read = 0;
  const stream = handle.createReadStream({ start: 0, end: length - 1, highWaterMark: 1024 * 1024, autoClose: false });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    read += chunk.length;
  }
  return read;
}

function checkRelativePath(root: string, relativePath: string): string[] {
  const segments = sanitizeRelativePath(relativePath);
  const target = resolve(root, ...segments);
  if (segments.join('/') !== relativePath || !isInside(root, target)) {
    throw new LanlineError('invalid', `The file name "${relativePath}" is not a safe path inside the download folder.`);
  }
  return segments;
}

export class PartFile {
  /** SHA-256 of bytes [0, current). */
  private hash: Hash;
  private current: number;
  /** Bytes flushed to disk, and the hash of exactly those: where a failed flush rolls back to. */
  private synced: number;
  private syncedHash: Hash;
  /** Bytes the state file records as the place to resume from. */
  private recorded: number;
  private closed = false;
  /** Operations run one after another, in the order they were called. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private handle: FileHandle,
    /** The part file's resolved path. */
    readonly partPath: string,
    /** The name the file should get when it is done; the final one may carry a number. */
    readonly targetName: string,
    readonly size: number,
    readonly sha256: string,
    private readonly log: Log,
    private readonly fsyncEveryBytes: number,
    hash: Hash,
    offset: number,
  ) {
    this.hash = hash;
    this.current = offset;
    this.synced = offset;
    this.syncedHash = hash.copy();
    this.recorded = offset;
  }

  /** Creates the part file, or resumes the one this transfer left; see the guarantees at the top. */
  static async open(options: PartFileOptions): Promise<PartFile> {
    const { size, log } = options;
    const sha256 = options.sha256.toLowerCase();
    const fsyncEveryBytes = options.fsyncEveryBytes ?? DEFAULT_FSYNC_EVERY_BYTES;
    if (!Number.isSafeInteger(size) || size < 0) throw new LanlineError('invalid', 'The announced file size is not a whole number of bytes.');
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new LanlineError('invalid', 'The announced SHA-256 is not 64 hexadecimal digits.');
    if (!(fsyncEveryBytes > 0)) throw new LanlineError('invalid', 'fsyncEveryBytes must be a positive number of bytes.');

    let root: string;
    try {
      root = await realpath(resolve(options.root));
    } catch (error) {
      throw new LanlineError(
        errnoOf(error) === 'ENOENT' ? 'not-found' : 'io',
        `The download folder ${options.root} is not available (${errnoOf(error)}). Choose another one in the settings.`,
      );
    }
    const segments = checkRelativePath(root, options.relativePath);
    const targetName = segments[segments.length - 1]!;
    let dir = resolve(root, ...segments.slice(0, -1));
    try {
      await mkdir(dir, { recursive: true });
      dir = await realpath(dir);
    } catch (error) {
      throw new LanlineError('io', `Could not create the folder for "${options.relativePath}" in the download folder (${errnoOf(error)}).`);
    }
    // A folder inside the root may be a link to elsewhere; what counts is where the bytes land.
    if (dir !== root && !isInside(root, dir)) {
      throw new LanlineError('invalid', `The file name "${options.relativePath}" is not a safe path inside the download folder.`);
    }

    for (const candidate of candidateNames(targetName, MAX_PART_CANDIDATES)) {
      const partPath = join(dir, partNameFor(candidate));
      if (openParts.has(partPath)) continue;
      const part = await PartFile.claim(partPath, targetName, size, sha256, log, fsyncEveryBytes);
      if (part) return part;
    }
    throw new LanlineError('io', `Could not find a free name for "${targetName}.part" in the download folder.`);
  }

  /**
   * Removes the part this transfer left for a file (the one whose state records this size and
   * SHA-256), with its state: a retry that will receive different bytes. Parts of other transfers,
   * and parts open in this process, are left alone. Resolves whether one was removed.
   */
  static async discard(options: Pick<PartFileOptions, 'root' | 'relativePath' | 'size' | 'sha256'>): Promise<boolean> {
    const sha256 = options.sha256.toLowerCase();
    let root: string;
    let dir: string;
    try {
      root = await realpath(resolve(options.root));
      const segments = checkRelativePath(root, options.relativePath);
      dir = await realpath(resolve(root, ...segments.slice(0, -1)));
      if (dir !== root && !isInside(root, dir)) return false;
      for (const candidate of candidateNames(segments[segments.length - 1]!, MAX_PART_CANDIDATES)) {
        const partPath = join(dir, partNameFor(candidate));
        const statePath = partPath + STATE_SUFFIX;
        const state = await readState(statePath);
        // PartFile.open claims the first free name, so the parts of one name leave no gaps.
        if (!state && !(await lstat(partPath).then(() => true, () => false))) return false;
        if (!state || openParts.has(partPath) || state.size !== options.size || state.sha256 !== sha256) continue;
        for (const path of [partPath, statePath, statePath + TEMP_SUFFIX]) await rm(path, { force: true });
        return true;
      }
    } catch {
      // No folder, nothing to remove.
    }
    return false;
  }

  /** A new part at `partPath`, this transfer's earlier part there resumed, or null when it belongs to another. */
  private static async claim(
    partPath: string,
    targetName: string,
    size: number,
    sha256: string,
    log: Log,
    fsyncEveryBytes: number,
  ): Promise<PartFile | null> {
    const statePath = partPath + STATE_SUFFIX;
    const failure = (error: unknown) =>
      isDiskFull(error)
        ? new LanlineError('io', `The disk is full: there is no room to start receiving "${targetName}". Free some space and try again.`)
        : new LanlineError('io', `Could not open "${basename(partPath)}" in the download folder (${errnoOf(error)}).`);

    let created: FileHandle | undefined;
    try {
      created = await open(partPath, 'wx');
    } catch (error) {
      if (errnoOf(error) !== 'EEXIST') throw failure(error);
    }
    if (created) {
      openParts.add(partPath);
      const empty = createHash('sha256');
      try {
        await writeState(statePath, { version: STATE_VERSION, size, sha256, verified: 0, verifiedSha256: empty.copy().digest('hex') });
      } catch (error) {
        openParts.delete(partPath);
        await created.close().catch(() => undefined);
        await rm(partPath, { force: true }).catch(() => undefined);
        throw failure(error);
      }
      log.info(`transfer: receiving "${basename(partPath)}" (${size} bytes)`);
      return new PartFile(created, partPath, targetName, size, sha256, log, fsyncEveryBytes, empty, 0);
    }

    // The part exists: resume it if it is this transfer's, else leave it to its owner.
    const state = await readState(statePath);
    if (!state || state.size !== size || state.sha256 !== sha256) return null;
    let handle: FileHandle;
    try {
      // Never follow a link planted where the part was: the bytes must land in the folder checked above.
      if (!(await lstat(partPath)).isFile()) return null;
      handle = await open(partPath, fsConstants.O_RDWR | (fsConstants.O_NOFOLLOW ?? 0));
    } catch (error) {
      if (['ELOOP', 'ENOENT'].includes(errnoOf(error))) return null;
      throw failure(error);
    }
    openParts.add(partPath);
    try {
      const onDisk = (await handle.stat()).size;
      let offset = 0;
      let hash = createHash('sha256');
      if (state.damaged) {
        log.info(`transfer: "${basename(partPath)}" arrived damaged before; receiving it again from the start`);
      } else if (state.verified > 0 && state.verified <= onDisk && state.verified <= size) {
        const read = await hashPrefix(handle, state.verified, hash);
        if (read === state.verified && hash.copy().digest('hex') === state.verifiedSha256) {
          offset = state.verified;
        } else {
          hash = createHash('sha256');
          log.warn(`transfer: the bytes of "${basename(partPath)}" on disk changed since they were received; receiving it again from the start`);
        }
      } else if (state.verified > 0) {
        log.warn(`transfer: "${basename(partPath)}" is shorter than recorded; receiving it again from the start`);
      }
      // Bytes past the recorded offset were never flushed and checked: drop them.
      await handle.truncate(offset);
      if (offset !== state.verified || state.damaged) {
        await writeState(statePath, { version: STATE_VERSION, size, sha256, verified: offset, verifiedSha256: hash.copy().digest('hex') });
      }
      log.info(`transfer: resuming "${basename(partPath)}" at ${offset} of ${size} bytes`);
      return new PartFile(handle, partPath, targetName, size, sha256, log, fsyncEveryBytes, hash, offset);
    } catch (error) {
      openParts.delete(partPath);
      await handle.close().catch(() => undefined);
      throw failure(error);
    }
  }

  /** Bytes received so far; the next chunk must start here. */
  get offset(): number {
    return this.current;
  }

  private get statePath(): string {
    return this.partPath + STATE_SUFFIX;
  }

  private get label(): string {
    return `"${this.targetName}"`;
  }

  private enqueue<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed) throw new LanlineError('invalid', `The transfer of ${this.label} is already finished or cancelled.`);
      return operation();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Writes `chunk` at `offset`, which must be the current offset. */
  write(offset: number, chunk: Uint8Array): Promise<void> {
    return this.enqueue(async () => {
      if (offset !== this.current) {
        throw new LanlineError('invalid', `A chunk of ${this.label} arrived for byte ${offset} while byte ${this.current} was expected.`);
      }
      if (offset + chunk.length > this.size) {
        throw new LanlineError('invalid', `The sender sent more than the ${this.size} bytes it announced for ${this.label}; the extra data was refused.`);
      }
      if (chunk.length === 0) return;
      try {
        let written = 0;
        while (written < chunk.length) {
          const { bytesWritten } = await this.handle.write(chunk, written, chunk.length - written, offset + written);
          written += bytesWritten;
        }
      } catch (error) {
        // Cut back what part of this chunk made it, so the file ends at the last complete chunk.
        await this.handle.truncate(this.current).catch(() => undefined);
        throw this.writeFailure(error, offset);
      }
      this.hash.update(chunk);
      this.current += chunk.length;
      if (this.current - this.synced >= this.fsyncEveryBytes) await this.checkpoint();
    });
  }

  private writeFailure(error: unknown, offset: number): LanlineError {
    if (isDiskFull(error)) {
      this.log.warn(`transfer: disk full while writing ${this.label} at ${offset} of ${this.size} bytes`);
      return new LanlineError(
        'io',
        `The disk is full: ${this.label} could not be saved. Free some space and try again; the ${formatBytes(this.current)} received so far are kept.`,
      );
    }
    this.log.error(`transfer: could not write ${this.label} at ${offset}`, errnoOf(error));
    return new LanlineError('io', `Could not write ${this.label} to the download folder (${errnoOf(error)}).`);
  }

  /** Flushes the bytes to disk, then records them as the place to resume from. */
  private async checkpoint(): Promise<void> {
    if (this.current !== this.synced) {
      try {
        await this.handle.datasync();
      } catch (error) {
        // After a failed flush the bytes since the last one cannot be trusted (some file systems
        // report a full disk or quota only here): go back to the last flushed offset.
        await this.handle.truncate(this.synced).catch(() => undefined);
        this.current = this.synced;
        this.hash = this.syncedHash.copy();
        throw this.writeFailure(error, this.synced);
      }
      this.synced = this.current;
      this.syncedHash = this.hash.copy();
    }
    if (this.recorded === this.current) return;
    try {
      await writeState(this.statePath, this.stateAt(this.current, this.hash));
      this.recorded = this.current;
    } catch (error) {
      if (isDiskFull(error)) {
        // The bytes are on disk; only the resume point lags. Receiving goes on, and a later
        // checkpoint or the final rename settles it.
        this.log.warn(`transfer: disk full while recording the progress of ${this.label}`);
        return;
      }
      throw new LanlineError('io', `Could not save the progress of ${this.label} (${errnoOf(error)}).`);
    }
  }

  private stateAt(verified: number, hash: Hash): PartState {
    return { version: STATE_VERSION, size: this.size, sha256: this.sha256, verified, verifiedSha256: hash.copy().digest('hex') };
  }

  private async removeFiles(): Promise<void> {
    for (const path of [this.partPath, this.statePath, this.statePath + TEMP_SUFFIX]) await rm(path, { force: true }).catch(() => undefined);
  }

  private async close(): Promise<void> {
    this.closed = true;
    openParts.delete(this.partPath);
    await this.handle.close().catch(() => undefined);
  }

  /**
   * Checks length and SHA-256 and renames the part to a name of its own in the same folder; returns
   * the final path. An incomplete file fails with 'invalid' and stays open; a damaged one fails with
   * 'invalid', keeps its part and closes.
   */
  finish(): Promise<string> {
    return this.enqueue(async () => {
      if (this.current !== this.size) {
        throw new LanlineError('invalid', `${this.label} is incomplete: ${this.current} of ${this.size} bytes arrived.`);
      }
      if (this.hash.copy().digest('hex') !== this.sha256) {
        let kept = true;
        try {
          await writeState(this.statePath, { ...this.stateAt(0, createHash('sha256')), damaged: true });
        } catch {
          // Unmarked, the damaged bytes would be resumed and fail again on every retry: drop them.
          kept = false;
        }
        await this.close();
        if (!kept) await this.removeFiles();
        this.log.warn(`transfer: ${this.label} arrived damaged (SHA-256 mismatch); ${kept ? `kept ${basename(this.partPath)}` : 'removed its part'}`);
        throw new LanlineError('invalid', `The file ${this.label} arrived damaged (its SHA-256 does not match). You can retry the transfer.`);
      }
      // Flushed and recorded first: if the rename below fails, a reopen resumes at the end.
      await this.checkpoint();
      await this.close();
      const dir = dirname(this.partPath);
      const target = await uniqueTarget(dir, this.targetName, { ownPart: this.partPath });
      try {
        await rename(this.partPath, target);
      } catch (error) {
        await rm(target, { force: true }).catch(() => undefined);
        throw new LanlineError('io', `Could not rename ${basename(this.partPath)} to ${basename(target)} (${errnoOf(error)}).`);
      }
      await rm(this.statePath, { force: true }).catch(() => undefined);
      this.log.info(`transfer: received ${this.label} as "${basename(target)}" (${this.size} bytes)`);
      return target;
    });
  }

  /**
   * Stops receiving. keep: flush and record progress so the same transfer resumes later; otherwise
   * delete the part and its state.
   */
  abort(keep: boolean): Promise<void> {
    return this.enqueue(async () => {
      if (keep) {
        await this.checkpoint().catch((error: unknown) => this.log.warn(`transfer: ${(error as Error).message}`));
        await this.close();
        this.log.info(`transfer: paused ${this.label} at ${this.current} of ${this.size} bytes`);
        return;
      }
      await this.close();
      await this.removeFiles();
      this.log.info(`transfer: cancelled ${this.label}`);
    });
  }
}
