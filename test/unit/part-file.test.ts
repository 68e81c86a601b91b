import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { memoryLog } from '../../electron/core/log.js';
import { hashFile, readChunks } from '../../electron/core/transfers/file-source.js';
import { checkFreeSpace, freeSpace, PartFile, type PartFileOptions } from '../../electron/core/transfers/part-file.js';
import { repoRoot } from '../support/host.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});
const freshRoot = () => {
  const dir = mkdtempSync(join(tmpdir(), 'lanline-part-'));
  temps.push(dir);
  return dir;
};
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const fileSha256 = (path: string) => sha256(readFileSync(path));

function openPart(root: string, data: Uint8Array, extra: Partial<PartFileOptions> = {}) {
  const log = memoryLog();
  const opened = PartFile.open({ root, relativePath: 'a.bin', size: data.length, sha256: sha256(data), log, ...extra });
  return { opened, log };
}

async function writeRange(part: PartFile, data: Uint8Array, end: number, chunkSize = 64 * KiB) {
  while (part.offset < end) {
    const next = Math.min(part.offset + chunkSize, end);
    await part.write(part.offset, data.subarray(part.offset, next));
  }
}

const readState = (root: string, name = 'a.bin') => JSON.parse(readFileSync(join(root, `${name}.part.json`), 'utf8')) as { verified: number; damaged?: boolean };

describe('PartFile: receiving', () => {
  it('writes a file in chunks and, once its SHA-256 matches, renames it to its name', async () => {
    const root = freshRoot();
    const data = randomBytes(MiB + 123);
    const part = await openPart(root, data).opened;
    expect(readdirSync(root).sort()).toEqual(['a.bin.part', 'a.bin.part.json']);
    await writeRange(part, data, data.length);
    const path = await part.finish();
    expect(path).toBe(join(root, 'a.bin'));
    expect(fileSha256(path)).toBe(sha256(data));
    expect(readdirSync(root)).toEqual(['a.bin']);
  });

  it('creates the folders of a folder transfer under the root', async () => {
    const root = freshRoot();
    const data = randomBytes(1000);
    const part = await openPart(root, data, { relativePath: 'photos/2024/a.jpg' }).opened;
    await part.write(0, data);
    expect(await part.finish()).toBe(join(root, 'photos', '2024', 'a.jpg'));
  });

  it('receives an empty file', async () => {
    const root = freshRoot();
    const part = await openPart(root, new Uint8Array()).opened;
    const path = await part.finish();
    expect(statSync(path).size).toBe(0);
  });

  it('never overwrites a file already in the folder', async () => {
    const root = freshRoot();
    writeFileSync(join(root, 'a.bin'), 'mine');
    const data = randomBytes(10);
    const part = await openPart(root, data).opened;
    await part.write(0, data);
    expect(basename(await part.finish())).toBe('a (1).bin');
    expect(readFileSync(join(root, 'a.bin'), 'utf8')).toBe('mine');
  });

  it('refuses a chunk whose offset is not the current one, and keeps going after', async () => {
    const root = freshRoot();
    const data = randomBytes(300);
    const part = await openPart(root, data).opened;
    await part.write(0, data.subarray(0, 100));
    await expect(part.write(0, data.subarray(0, 100))).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/byte 0 while byte 100 was expected/) });
    await expect(part.write(200, data.subarray(200))).rejects.toMatchObject({ code: 'invalid' });
    expect(part.offset).toBe(100);
    await part.write(100, data.subarray(100));
    expect(fileSha256(await part.finish())).toBe(sha256(data));
  });

  it('runs writes called without waiting in the order they were called', async () => {
    const root = freshRoot();
    const data = randomBytes(40 * KiB);
    const part = await openPart(root, data).opened;
    await Promise.all([0, 1, 2, 3].map((i) => part.write(i * 10 * KiB, data.subarray(i * 10 * KiB, (i + 1) * 10 * KiB))));
    expect(fileSha256(await part.finish())).toBe(sha256(data));
  });

  it('never writes more than the announced size, whatever the sender sends', async () => {
    const root = freshRoot();
    const data = randomBytes(100);
    const part = await openPart(root, data).opened;
    await expect(part.write(0, randomBytes(150))).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/more than the 100 bytes it announced/) });
    expect(statSync(join(root, 'a.bin.part')).size).toBe(0);
    await part.write(0, data);
    await expect(part.write(100, randomBytes(1))).rejects.toMatchObject({ code: 'invalid' });
    expect(statSync(join(root, 'a.bin.part')).size).toBe(100);
    expect(statSync(await part.finish()).size).toBe(100);
  });

  it('says a file that ends early is incomplete, and lets the rest arrive', async () => {
    const root = freshRoot();
    const data = randomBytes(200);
    const part = await openPart(root, data).opened;
    await part.write(0, data.subarray(0, 50));
    await expect(part.finish()).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/incomplete: 50 of 200 bytes/) });
    await part.write(50, data.subarray(50));
    expect(fileSha256(await part.finish())).toBe(sha256(data));
  });

  it('keeps the .part of a damaged file, says it can be retried, and the retry starts over', async () => {
    const root = freshRoot();
    const data = randomBytes(64 * KiB);
    const damaged = Buffer.from(data);
    damaged[1234] = damaged[1234]! ^ 0xff;
    const { opened, log } = openPart(root, data);
    const part = await opened;
    await writeRange(part, damaged, damaged.length, 16 * KiB);
    await expect(part.finish()).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/arrived damaged.*retry/) });
    expect(readFileSync(join(root, 'a.bin.part')).equals(damaged)).toBe(true);
    expect(existsSync(join(root, 'a.bin'))).toBe(false);
    expect(readState(root)).toMatchObject({ damaged: true, verified: 0 });
    expect(log.lines.join('\n')).toMatch(/arrived damaged/);
    expect(log.lines.join('\n')).not.toContain(damaged.subarray(0, 16).toString('hex'));

    const retry = await openPart(root, data).opened;
    expect(retry.offset).toBe(0);
    await writeRange(retry, data, data.length);
    expect(fileSha256(await retry.finish())).toBe(sha256(data));
  });

  it('abort(false) removes the part; abort(true) keeps it to resume', async () => {
    const root = freshRoot();
    const data = randomBytes(100 * KiB);
    const cancelled = await openPart(root, data).opened;
    await cancelled.write(0, data.subarray(0, 10 * KiB));
    await cancelled.abort(false);
    expect(readdirSync(root)).toEqual([]);
    await expect(cancelled.write(10 * KiB, data.subarray(10 * KiB))).rejects.toMatchObject({ code: 'invalid' });

    const paused = await openPart(root, data).opened;
    await paused.write(0, data.subarray(0, 10 * KiB));
    await paused.abort(true);
    const resumed = await openPart(root, data).opened;
    expect(resumed.offset).toBe(10 * KiB);
    await writeRange(resumed, data, data.length);
    expect(fileSha256(await resumed.finish())).toBe(sha256(data));
  });

  it('gives a different transfer with the same name its own part, and both arrive', async () => {
    const root = freshRoot();
    const first = randomBytes(1000);
    const second = randomBytes(2000);
    const a = await openPart(root, first).opened;
    const b = await openPart(root, second).opened;
    expect([basename(a.partPath), basename(b.partPath)]).toEqual(['a.bin.part', 'a (1).bin.part']);
    await b.write(0, second);
    await a.write(0, first);
    const finalB = await b.finish();
    const finalA = await a.finish();
    expect(fileSha256(finalA)).toBe(sha256(first));
    expect(fileSha256(finalB)).toBe(sha256(second));
    expect(new Set([basename(finalA), basename(finalB)])).toEqual(new Set(['a.bin', 'a (1).bin']));
  });
});

describe('PartFile: resuming', () => {
  it('resumes from the verified offset after the object is dropped without finishing', async () => {
    const root = freshRoot();
    const data = randomBytes(MiB);
    const part = await openPart(root, data, { fsyncEveryBytes: 128 * KiB }).opened;
    // Half, plus a tail that was never flushed or recorded.
    await writeRange(part, data, 512 * KiB + 10 * KiB, 64 * KiB);
    const verified = readState(root).verified;
    expect(verified).toBe(512 * KiB);
    expect(statSync(join(root, 'a.bin.part')).size).toBe(512 * KiB + 10 * KiB);

    // A restart is a fresh process: fresh module state, the old object forgotten, its handle never closed.
    vi.resetModules();
    const fresh = (await import('../../electron/core/transfers/part-file.js')).PartFile;
    const log = memoryLog();
    const resumed = await fresh.open({ root, relativePath: 'a.bin', size: data.length, sha256: sha256(data), log });
    expect(resumed.offset).toBe(verified);
    expect(resumed.partPath).toBe(part.partPath);
    expect(statSync(resumed.partPath).size).toBe(verified);
    expect(log.lines.join('\n')).toMatch(/resuming "a.bin.part" at 524288 of 1048576 bytes/);
    await writeRange(resumed, data, data.length);
    expect(fileSha256(await resumed.finish())).toBe(sha256(data));
    // The crash would have closed the abandoned handle with the process; close it here. Its part
    // and state are already gone, so nothing else changes.
    await part.abort(false);
    expect(readdirSync(root)).toEqual(['a.bin']);
  });

  it('resumes after the receiving process is killed mid-transfer', async () => {
    const root = freshRoot();
    const work = freshRoot();
    const source = join(work, 'source.bin');
    const data = randomBytes(2 * MiB);
    writeFileSync(source, data);
    const driver = join(work, 'crash-receiver.mjs');
    await build({ entryPoints: [join(repoRoot, 'test/support/crash-receiver.ts')], outfile: driver, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'silent' });

    const chunk = 64 * KiB;
    const child = spawn(process.execPath, [driver, root, 'crash.bin', source, sha256(data), String(chunk), '20', String(4 * chunk)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (text: Buffer) => resolve(text.toString().trim()));
      child.on('exit', (code) => reject(new Error(`the receiver exited (${code}) before writing`)));
    });
    expect(line).toBe(`wrote ${20 * chunk}`);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));

    const part = await PartFile.open({ root, relativePath: 'crash.bin', size: data.length, sha256: sha256(data), log: memoryLog() });
    expect(part.offset).toBe(20 * chunk); // 20 chunks, recorded every 4
    await writeRange(part, data, data.length);
    expect(fileSha256(await part.finish())).toBe(sha256(data));
  }, 30_000);

  it('starts over when the bytes on disk no longer match what was recorded', async () => {
    const root = freshRoot();
    const data = randomBytes(256 * KiB);
    const part = await openPart(root, data, { fsyncEveryBytes: 64 * KiB }).opened;
    await writeRange(part, data, 128 * KiB);
    await part.abort(true);
    const handle = await open(join(root, 'a.bin.part'), 'r+');
    await handle.write(Buffer.from([data[100]! ^ 0xff]), 0, 1, 100);
    await handle.close();

    const { opened, log } = openPart(root, data);
    const resumed = await opened;
    expect(resumed.offset).toBe(0);
    expect(log.lines.join('\n')).toMatch(/changed since they were received/);
    await writeRange(resumed, data, data.length);
    expect(fileSha256(await resumed.finish())).toBe(sha256(data));
  });

  it('does not resume a part of the same name that belongs to another file', async () => {
    const root = freshRoot();
    const old = randomBytes(1000);
    const part = await openPart(root, old).opened;
    await part.write(0, old.subarray(0, 500));
    await part.abort(true);
    const other = await openPart(root, randomBytes(1000)).opened;
    expect(other.offset).toBe(0);
    expect(basename(other.partPath)).toBe('a (1).bin.part');
    await other.abort(false);
    expect(readdirSync(root).sort()).toEqual(['a.bin.part', 'a.bin.part.json']);
  });
});

describe('PartFile: where it writes', () => {
  it('refuses any relative path that is not a sanitized path inside the root', async () => {
    const root = join(freshRoot(), 'downloads');
    mkdirSync(root);
    const data = randomBytes(10);
    for (const relativePath of ['../evil.txt', '../../etc/passwd', '/etc/passwd', 'a/../../x.txt', 'a/./b.txt', 'C:\\x.txt', 'a\\b.txt', '\\\\server\\share\\x', '', '.', '..', 'CON', 'x\u0000y', 'evil\u202Etxt.exe']) {
      await expect(openPart(root, data, { relativePath }).opened, JSON.stringify(relativePath)).rejects.toMatchObject({
        code: 'invalid',
        message: expect.stringMatching(/not a safe path inside the download folder/),
      });
    }
    expect(readdirSync(join(root, '..'))).toEqual(['downloads']);
    expect(readdirSync(root)).toEqual([]);
  });

  it('refuses a folder inside the root that links outside it', async () => {
    const base = freshRoot();
    const root = join(base, 'downloads');
    const outside = join(base, 'outside');
    mkdirSync(root);
    mkdirSync(outside);
    symlinkSync(outside, join(root, 'link'));
    await expect(openPart(root, randomBytes(10), { relativePath: 'link/x.txt' }).opened).rejects.toMatchObject({ code: 'invalid' });
    expect(readdirSync(outside)).toEqual([]);
  });

  it('does not follow a link planted where the part file would be', async () => {
    const base = freshRoot();
    const root = join(base, 'downloads');
    mkdirSync(root);
    const victim = join(base, 'victim.txt');
    writeFileSync(victim, 'precious');
    symlinkSync(victim, join(root, 'a.bin.part'));
    const data = randomBytes(10);
    writeFileSync(join(root, 'a.bin.part.json'), JSON.stringify({ version: 1, size: 10, sha256: sha256(data), verified: 0, verifiedSha256: sha256(new Uint8Array()) }));
    const part = await openPart(root, data).opened;
    expect(basename(part.partPath)).toBe('a (1).bin.part');
    await part.write(0, data);
    await part.finish();
    expect(readFileSync(victim, 'utf8')).toBe('precious');
  });

  it('says so when the download folder is missing', async () => {
    await expect(openPart(join(freshRoot(), 'gone'), randomBytes(1)).opened).rejects.toMatchObject({ code: 'not-found' });
  });

  it('refuses announcements that are not a size and a SHA-256', async () => {
    const root = freshRoot();
    await expect(PartFile.open({ root, relativePath: 'a', size: -1, sha256: sha256(new Uint8Array()), log: memoryLog() })).rejects.toMatchObject({ code: 'invalid' });
    await expect(PartFile.open({ root, relativePath: 'a', size: 1.5, sha256: sha256(new Uint8Array()), log: memoryLog() })).rejects.toMatchObject({ code: 'invalid' });
    await expect(PartFile.open({ root, relativePath: 'a', size: 1, sha256: 'abc', log: memoryLog() })).rejects.toMatchObject({ code: 'invalid' });
  });
});

describe('PartFile: a full disk', () => {
  const mounts: string[] = [];
  afterAll(() => {
    for (const dir of mounts) {
      try {
        execFileSync('umount', [dir]);
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // Left for the OS to clean; the test already reported.
      }
    }
  });

  /** A 1 MiB tmpfs, or null when this machine will not mount one. */
  function tinyDisk(): string | null {
    const dir = freshRoot();
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'pipe' });
    } catch {
      return null;
    }
    mounts.push(dir);
    return dir;
  }

  it('fails with "io" and a clear sentence, keeps the .part up to the last good chunk, and goes on once there is room', async (context) => {
    const root = tinyDisk();
    if (!root) return context.skip('cannot mount a 1 MiB tmpfs here (needs root and mount permission), so a full disk is not simulated');

    const data = randomBytes(2 * MiB);
    await expect(checkFreeSpace(root, data.length)).rejects.toMatchObject({ code: 'io', message: expect.stringMatching(/^The disk is full: the files need 2.1 MB but only .* is free/) });
    expect(await freeSpace(root)).toBeLessThanOrEqual(MiB);

    const { opened, log } = openPart(root, data, { fsyncEveryBytes: 256 * KiB });
    const part = await opened;
    const chunk = 256 * KiB;
    let failure: unknown;
    try {
      await writeRange(part, data, data.length, chunk);
    } catch (error) {
      failure = error;
    }
    expect(failure).toMatchObject({ code: 'io', message: expect.stringMatching(/^The disk is full: "a.bin" could not be saved\. Free some space and try again; the .* received so far are kept\.$/) });
    expect(part.offset % chunk).toBe(0);
    expect(part.offset).toBeGreaterThan(0);
    expect(statSync(join(root, 'a.bin.part')).size).toBe(part.offset);
    expect(readFileSync(join(root, 'a.bin.part')).equals(data.subarray(0, part.offset))).toBe(true);
    expect(log.lines.join('\n')).toMatch(/disk full while writing "a.bin"/);

    execFileSync('mount', ['-o', 'remount,size=4m', root]);
    await writeRange(part, data, data.length, chunk);
    expect(fileSha256(await part.finish())).toBe(sha256(data));
  });
});

describe('PartFile: memory', () => {
  it('streams a 256 MiB file from disk to disk in 256 KiB chunks without holding it in memory', async () => {
    const work = freshRoot();
    const root = join(work, 'downloads');
    mkdirSync(root);
    try {
      const source = join(work, 'big.bin');
      const size = 256 * MiB;
      // Made in another process, so this one's memory starts clean of the making.
      const make = `const fs = require('fs'), c = require('crypto'); const h = c.createHash('sha256'); const fd = fs.openSync(process.argv[1], 'w');
        for (let i = 0; i < ${size / MiB}; i++) { const b = c.randomBytes(${MiB}); h.update(b); fs.writeSync(fd, b); } fs.closeSync(fd); process.stdout.write(h.digest('hex'));`;
      const expected = execFileSync(process.execPath, ['-e', make, source], { encoding: 'utf8' });

      const before = process.memoryUsage().rss;
      let peak = before;
      const part = await PartFile.open({ root, relativePath: 'big.bin', size, sha256: expected, log: memoryLog() });
      for await (const { offset, bytes } of readChunks(source, { chunkSize: 256 * KiB, end: size })) {
        expect(bytes.length).toBe(256 * KiB);
        await part.write(offset, bytes);
        peak = Math.max(peak, process.memoryUsage().rss);
      }
      const path = await part.finish();
      expect(statSync(path).size).toBe(size);
      expect(await hashFile(path)).toBe(expected);
      // Holding the file would add 256 MiB. What grows is chunks waiting for the garbage collector,
      // which V8 lets reach about 30 MiB of external memory before it collects, whatever the file
      // size (measured here: 29 MiB for 64 MiB, 34 for 128, 36 for 256).
      const growth = peak - before;
      expect(growth, `RSS grew by ${(growth / MiB).toFixed(1)} MiB`).toBeLessThan(size / 4);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);
});
