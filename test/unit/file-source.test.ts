import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHUNK_SIZE, type FileChunk, hashFile, readChunks } from '../../electron/core/transfers/file-source.js';

const KiB = 1024;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lanline-source-'));
  temps.push(dir);
  return dir;
}

function fileWith(data: Uint8Array): string {
  const path = join(freshDir(), 'source.bin');
  writeFileSync(path, data);
  return path;
}

async function collect(chunks: AsyncIterable<FileChunk>): Promise<FileChunk[]> {
  const all: FileChunk[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

describe('readChunks', () => {
  it('yields the whole file in chunks of exactly chunkSize but the last, each with its offset', async () => {
    const data = randomBytes(3 * DEFAULT_CHUNK_SIZE + 1000);
    const chunks = await collect(readChunks(fileWith(data)));
    expect(chunks.map((c) => c.bytes.length)).toEqual([DEFAULT_CHUNK_SIZE, DEFAULT_CHUNK_SIZE, DEFAULT_CHUNK_SIZE, 1000]);
    expect(chunks.map((c) => c.offset)).toEqual([0, 1, 2, 3].map((i) => i * DEFAULT_CHUNK_SIZE));
    expect(Buffer.concat(chunks.map((c) => c.bytes)).equals(data)).toBe(true);
  });

  it('starts at the offset a resuming receiver asks for', async () => {
    const data = randomBytes(100 * KiB);
    const chunks = await collect(readChunks(fileWith(data), { offset: 30 * KiB + 7, chunkSize: 16 * KiB }));
    expect(chunks[0]!.offset).toBe(30 * KiB + 7);
    expect(chunks.slice(0, -1).every((c) => c.bytes.length === 16 * KiB)).toBe(true);
    expect(Buffer.concat(chunks.map((c) => c.bytes)).equals(data.subarray(30 * KiB + 7))).toBe(true);
  });

  it('yields nothing for an empty file or an offset at the end', async () => {
    expect(await collect(readChunks(fileWith(new Uint8Array())))).toEqual([]);
    const data = randomBytes(10);
    expect(await collect(readChunks(fileWith(data), { offset: 10, end: 10 }))).toEqual([]);
  });

  it('sends only what was offered when the file grew since', async () => {
    const data = randomBytes(50 * KiB);
    const path = fileWith(data);
    appendFileSync(path, randomBytes(10 * KiB));
    const chunks = await collect(readChunks(path, { chunkSize: 16 * KiB, end: data.length }));
    expect(Buffer.concat(chunks.map((c) => c.bytes)).equals(data)).toBe(true);
  });

  it("fails with 'io' when the file became shorter than offered", async () => {
    const data = randomBytes(50 * KiB);
    const path = fileWith(data);
    truncateSync(path, 20 * KiB);
    await expect(collect(readChunks(path, { chunkSize: 16 * KiB, end: data.length }))).rejects.toMatchObject({
      code: 'io',
      message: expect.stringMatching(/became shorter since it was offered \(20480 of 51200 bytes\)/),
    });
  });

  it('stops reading when the consumer stops early', async () => {
    const data = randomBytes(200 * KiB);
    let seen = 0;
    for await (const chunk of readChunks(fileWith(data), { chunkSize: 16 * KiB })) {
      seen += chunk.bytes.length;
      if (seen >= 32 * KiB) break;
    }
    expect(seen).toBe(32 * KiB);
  });

  it("names a missing file with 'not-found' and an unreadable one with 'io'", async () => {
    await expect(collect(readChunks('/nonexistent/lanline/x.bin'))).rejects.toMatchObject({ code: 'not-found', message: 'The file "x.bin" no longer exists.' });
    const dir = freshDir();
    await expect(collect(readChunks(dir))).rejects.toMatchObject({ code: 'io', message: expect.stringMatching(/EISDIR/) });
    if (process.getuid?.() !== 0) {
      const locked = fileWith(randomBytes(10));
      chmodSync(locked, 0);
      await expect(collect(readChunks(locked))).rejects.toMatchObject({ code: 'io' });
    }
  });

  it('refuses nonsense ranges', async () => {
    const path = fileWith(randomBytes(10));
    await expect(collect(readChunks(path, { offset: -1 }))).rejects.toMatchObject({ code: 'invalid' });
    await expect(collect(readChunks(path, { chunkSize: 0 }))).rejects.toMatchObject({ code: 'invalid' });
    await expect(collect(readChunks(path, { offset: 5, end: 4 }))).rejects.toMatchObject({ code: 'invalid' });
  });
});

describe('hashFile', () => {
  it('gives the SHA-256 of the file in lower-case hex', async () => {
    const data = randomBytes(3 * 1024 * KiB + 5);
    expect(await hashFile(fileWith(data))).toBe(sha256(data));
    expect(await hashFile(fileWith(new Uint8Array()))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it("names a missing file with 'not-found'", async () => {
    await expect(hashFile('/nonexistent/lanline/x.bin')).rejects.toMatchObject({ code: 'not-found' });
  });
});
