/**
 * What the renderer may send (issue 14 §4): only what the user chose, named by handles, and in the
 * browser host the bytes it uploaded into main's staging folder. Real files, real core.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChosenFiles } from '../../electron/core/transfers/chosen-files.js';
import { memoryLog } from '../../electron/core/log.js';
import { stagedPath, Uploads } from '../../electron/core/transfers/uploads.js';

function staging() {
  const dir = join(mkdtempSync(join(tmpdir(), 'lanline-uploads-')), 'uploads');
  const chosen = new ChosenFiles();
  return { dir, chosen, uploads: new Uploads({ dir, chosen, log: memoryLog() }) };
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe('chosen files', () => {
  it('answers a handle for a chosen path and refuses any other', () => {
    const chosen = new ChosenFiles();
    const file = chosen.add('/home/me/report.pdf');
    expect(file.name).toBe('report.pdf');
    expect(file.handle).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(chosen.path(file.handle)).toBe('/home/me/report.pdf');
    expect(() => chosen.path('/etc/shadow')).toThrow(/sends only files chosen/);
    expect(() => chosen.path('AAAAAAAAAAAAAAAAAAAAAA')).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(() => chosen.add('relative/path')).toThrow(/absolute/);
  });
});

describe('uploads to the staging folder', () => {
  it('stages files and a folder as the user named them, and answers one handle per chosen file or folder', async () => {
    const { dir, chosen, uploads } = staging();
    const id = await uploads.begin([
      { path: 'album/a.txt', size: 5 },
      { path: 'album/inner/b.txt', size: 0 },
      { path: '.bashrc', size: 3 },
    ]);
    // Pieces sent without waiting for each answer still land in order.
    await Promise.all([uploads.write(id, 0, 0, bytes('al')), uploads.write(id, 0, 2, bytes('pha')), uploads.write(id, 2, 0, bytes('x=1'))]);
    const files = await uploads.finish(id);
    expect(files.map((file) => file.name).sort()).toEqual(['.bashrc', 'album']);
    const album = chosen.path(files.find((file) => file.name === 'album')!.handle);
    expect(album).toBe(join(dir, id, 'album'));
    expect(readFileSync(join(album, 'a.txt'), 'utf8')).toBe('alpha');
    expect(readFileSync(join(album, 'inner', 'b.txt'), 'utf8')).toBe('');
  });

  it('refuses bytes out of order, past the announced size, and an upload left incomplete, and keeps nothing of it', async () => {
    const { dir, uploads } = staging();
    const id = await uploads.begin([{ path: 'a.txt', size: 4 }]);
    await expect(uploads.write(id, 0, 2, bytes('xx'))).rejects.toThrow(/came while 0 were written/);
    await expect(uploads.write(id, 0, 0, bytes('toolong'))).rejects.toThrow(/larger than announced/);
    await expect(uploads.write(id, 3, 0, bytes('x'))).rejects.toThrow(/no such file/);
    await uploads.write(id, 0, 0, bytes('ab'));
    await expect(uploads.finish(id)).rejects.toThrow(/arrived with 2 of 4 bytes/);
    expect(readdirSync(dir)).toEqual([]);
    await expect(uploads.write(id, 0, 2, bytes('cd'))).rejects.toMatchObject({ code: 'not-found' });
  });

  it('never stages outside its folder: empty, dot and dot-dot segments are refused', async () => {
    const { uploads } = staging();
    for (const path of ['../escape.txt', 'a/../../b', '/abs', 'a//b', './a', 'a/.']) {
      await expect(uploads.begin([{ path, size: 1 }]), path).rejects.toThrow(/cannot be uploaded/);
    }
    expect(stagedPath('a/b\\c.txt', 'linux')).toBe(['a', 'b\\c.txt'].join(sep));
    expect(() => stagedPath('a/b\\..\\c', 'win32')).toThrow(/cannot be uploaded/);
    expect(() => stagedPath('C:evil', 'win32')).toThrow(/cannot be uploaded/);
    await expect(uploads.begin([{ path: 'same', size: 1 }, { path: 'same', size: 1 }])).rejects.toThrow(/chosen twice/);
  });

  it('refuses an upload larger than the free space before writing a byte', async () => {
    const { dir, uploads } = staging();
    await expect(uploads.begin([{ path: 'huge.bin', size: 2 ** 50 }])).rejects.toThrow(/The disk is full/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('sweeps staged uploads no transfer sends from, but keeps those chosen and not sent yet', async () => {
    const { dir, uploads } = staging();
    const sent = await uploads.begin([{ path: 'sent.txt', size: 1 }]);
    await uploads.write(sent, 0, 0, bytes('s'));
    await uploads.finish(sent);
    const waiting = await uploads.begin([{ path: 'waiting.txt', size: 0 }]);
    await uploads.finish(waiting);
    writeFileSync(join(dir, 'left-over-from-a-crash'), '');
    uploads.claim([join(dir, sent, 'sent.txt')]);
    await uploads.sweep([join(dir, sent, 'sent.txt')]);
    expect(readdirSync(dir).sort()).toEqual([sent, waiting].sort());
    await uploads.sweep([]);
    expect(readdirSync(dir)).toEqual([waiting]);
  });
});
