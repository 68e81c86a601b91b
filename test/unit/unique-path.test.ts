import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { utf8Length } from '../../electron/core/transfers/file-name.js';
import { candidateNames, partNameFor, uniqueTarget } from '../../electron/core/transfers/unique-path.js';

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'lanline-unique-'));
  temps.push(dir);
  return dir;
};
/** No lone surrogate: every UTF-16 unit is part of a whole code point. */
const wellFormed = (text: string) => !/\p{Cs}/u.test(text);
const take = (names: Generator<string>, n: number) => Array.from({ length: n }, () => names.next().value as string);

describe('candidateNames', () => {
  it('numbers before the whole extension', () => {
    expect(take(candidateNames('photo.jpg'), 3)).toEqual(['photo.jpg', 'photo (1).jpg', 'photo (2).jpg']);
    expect(take(candidateNames('archive.tar.gz'), 2)).toEqual(['archive.tar.gz', 'archive (1).tar.gz']);
    expect(take(candidateNames('README'), 2)).toEqual(['README', 'README (1)']);
    expect(take(candidateNames('.bashrc'), 2)).toEqual(['.bashrc', '.bashrc (1)']);
  });

  it('keeps every candidate of a 255-byte name within 255 bytes, extension and number included', () => {
    const long = '가'.repeat(83) + '.txt';
    for (const name of take(candidateNames(long), 12)) {
      expect(utf8Length(name)).toBeLessThanOrEqual(255);
      expect(name.endsWith('.txt')).toBe(true);
      expect(wellFormed(name)).toBe(true);
    }
    expect(take(candidateNames(long), 12)[11]).toMatch(/ \(11\)\.txt$/);
  });

  it('gives part names that leave room for the state file', () => {
    expect(partNameFor('a.txt')).toBe('a.txt.part');
    const part = partNameFor('x'.repeat(251) + '.txt');
    expect(utf8Length(part + '.json.tmp')).toBeLessThanOrEqual(255);
    expect(part.endsWith('.txt.part')).toBe(true);
  });
});

describe('uniqueTarget', () => {
  it('takes the name itself when it is free, and claims it', async () => {
    const dir = freshDir();
    const path = await uniqueTarget(dir, 'report.pdf');
    expect(path).toBe(join(dir, 'report.pdf'));
    expect(readdirSync(dir)).toEqual(['report.pdf']);
  });

  it('never overwrites: numbers the name and leaves existing files untouched', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'archive.tar.gz'), 'first');
    writeFileSync(join(dir, 'archive (1).tar.gz'), 'second');
    const path = await uniqueTarget(dir, 'archive.tar.gz');
    expect(basename(path)).toBe('archive (2).tar.gz');
    expect(readFileSync(join(dir, 'archive.tar.gz'), 'utf8')).toBe('first');
    expect(readFileSync(join(dir, 'archive (1).tar.gz'), 'utf8')).toBe('second');
  });

  it("skips a name another transfer's .part is waiting for, but not the caller's own", async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'photo.jpg.part'), '');
    expect(basename(await uniqueTarget(dir, 'photo.jpg'))).toBe('photo (1).jpg');
    const own = join(dir, 'video.mp4.part');
    writeFileSync(own, '');
    expect(basename(await uniqueTarget(dir, 'video.mp4', { ownPart: own }))).toBe('video.mp4');
  });

  it('treats folders and dangling links as taken', async () => {
    const dir = freshDir();
    mkdirSync(join(dir, 'data'));
    symlinkSync(join(dir, 'nowhere'), join(dir, 'data (1)'));
    expect(basename(await uniqueTarget(dir, 'data'))).toBe('data (2)');
    expect(readdirSync(dir)).not.toContain('nowhere');
  });

  it('hands out distinct paths to claims racing for the same name', async () => {
    const dir = freshDir();
    const paths = await Promise.all(Array.from({ length: 20 }, () => uniqueTarget(dir, 'same.txt')));
    expect(new Set(paths).size).toBe(20);
    expect(readdirSync(dir)).toHaveLength(20);
  });
});
