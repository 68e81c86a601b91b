import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { photoFileName, Photos } from '../../electron/core/calls/photos.js';

const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const downloads = () => join(mkdtempSync(join(tmpdir(), 'lanline-photos-')), 'Downloads');

describe('saving a call photo', () => {
  it('writes the bytes under the download folder with a sanitised .png name, never overwriting', async () => {
    const dir = downloads();
    const photos = new Photos(() => dir);
    const first = await photos.save({ name: 'Bob 2024-05-01.png', data: png, done: true });
    const second = await photos.save({ name: 'Bob 2024-05-01.png', data: png, done: true });
    expect(first.path).toBe(join(dir, 'Bob 2024-05-01.png'));
    expect(second.path).toBe(join(dir, 'Bob 2024-05-01 (1).png'));
    expect(readFileSync(first.path)).toEqual(png);
    const escape = await photos.save({ name: '../../etc/passwd', data: png, done: true });
    expect(escape.path).toBe(join(dir, 'etc_passwd.png'));
    expect(readdirSync(dir).sort()).toEqual(['Bob 2024-05-01 (1).png', 'Bob 2024-05-01.png', 'etc_passwd.png']);
  });

  it('never creates a download folder other than the OS one: a mistyped folder is an error in words', async () => {
    const typo = downloads();
    const photos = new Photos(() => typo, join(typo, '..', 'Real Downloads'));
    await expect(photos.save({ name: 'x.png', data: png, done: true })).rejects.toThrow(`The download folder ${typo} does not exist.`);
    expect(existsSync(typo)).toBe(false);
  });

  it('a photo in pieces is joined in order; a finished or unknown upload takes no more bytes', async () => {
    const dir = downloads();
    const photos = new Photos(() => dir);
    const { upload, path } = await photos.save({ name: 'big', data: png, done: false });
    await photos.save({ name: 'big', data: Buffer.from([4, 5]), upload, done: false });
    await photos.save({ name: 'big', data: Buffer.from([6]), upload, done: true });
    expect([...readFileSync(path)]).toEqual([...png, 4, 5, 6]);
    await expect(photos.save({ name: 'big', data: Buffer.from([7]), upload, done: true })).rejects.toMatchObject({ code: 'not-found' });
    await expect(photos.save({ name: 'big', data: png, upload: 'made-up-upload-id', done: true })).rejects.toMatchObject({ code: 'not-found' });
    expect([...readFileSync(path)]).toEqual([...png, 4, 5, 6]);
  });

  it('names end in .png and carry no separators or reserved names', () => {
    expect(photoFileName('photo')).toBe('photo.png');
    expect(photoFileName('a/b\\c:d.PNG')).not.toMatch(/[/\\:]/);
    expect(photoFileName('CON')).toBe('_CON.png');
  });

  it('refuses what is not a PNG and writes nothing', async () => {
    const dir = downloads();
    await expect(new Photos(() => dir).save({ name: 'x.png', data: Buffer.from('<script>'), done: true })).rejects.toMatchObject({ code: 'invalid' });
    expect(() => readdirSync(dir)).toThrow();
  });
});
