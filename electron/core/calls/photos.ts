/**
 * Still photos taken in a call (PNG from the renderer's canvas), saved under the download folder.
 * The name comes from the page, so it is sanitised like a peer's file name and never overwrites.
 * A photo arrives in pieces (see `savePhoto` in the contract): the first claims the file and answers
 * an upload id; only pieces naming an open upload are appended, so the page cannot write elsewhere.
 */
import { randomUUID } from 'node:crypto';
import { appendFile, rm, writeFile } from 'node:fs/promises';
import { LanlineError } from '../errors.js';
import { openDownloadFolder } from '../transfers/download-folder.js';
import { sanitizeFileName, splitExtension } from '../transfers/file-name.js';
import { uniqueTarget } from '../transfers/unique-path.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** A photo larger than this is not a photo (8K RGBA PNG, uncompressed, is about 130 MB). */
export const MAX_PHOTO_BYTES = 128 * 1024 * 1024;
const MAX_OPEN_UPLOADS = 8;

export const isPng = (data: Uint8Array): boolean => data.length > PNG_SIGNATURE.length && PNG_SIGNATURE.every((byte, index) => data[index] === byte);

/** `name` sanitised and ending in .png. */
export function photoFileName(name: string): string {
  const safe = sanitizeFileName(name);
  return splitExtension(safe).ext.toLowerCase() === '.png' ? safe : sanitizeFileName(`${safe}.png`);
}

const ioError = (what: string, error: unknown) => new LanlineError('io', `${what} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);

export class Photos {
  private readonly uploads = new Map<string, { path: string; size: number }>();

  /** `defaultDir`: the OS download folder, the only one created when missing (download-folder.ts). */
  constructor(
    private readonly downloadDir: () => string,
    private readonly defaultDir?: string,
  ) {}

  /** Saves one piece; the reply names the file and the upload the next piece continues. */
  async save(piece: { name: string; data: Uint8Array; upload?: string; done: boolean }): Promise<{ path: string; upload: string }> {
    const id = piece.upload ?? randomUUID();
    let upload = piece.upload === undefined ? undefined : this.uploads.get(piece.upload);
    if (piece.upload !== undefined && !upload) throw new LanlineError('not-found', 'This photo upload is unknown or finished; take the photo again.');
    if (!upload) {
      if (!isPng(piece.data)) throw new LanlineError('invalid', 'The photo is not a PNG image.');
      if (this.uploads.size >= MAX_OPEN_UPLOADS) throw new LanlineError('invalid', 'Too many photos are being saved at once.');
      upload = { path: await this.claim(piece.name), size: 0 };
      this.uploads.set(id, upload);
    }
    upload.size += piece.data.length;
    try {
      if (upload.size > MAX_PHOTO_BYTES) throw new LanlineError('invalid', 'The photo is too large.');
      await appendFile(upload.path, piece.data).catch((error: unknown) => {
        throw ioError(`The photo could not be written to ${upload.path}`, error);
      });
    } catch (error) {
      this.uploads.delete(id);
      await rm(upload.path, { force: true });
      throw error;
    }
    if (piece.done) this.uploads.delete(id);
    return { path: upload.path, upload: id };
  }

  private async claim(name: string): Promise<string> {
    const root = await openDownloadFolder(this.downloadDir(), this.defaultDir ?? this.downloadDir());
    const path = await uniqueTarget(root, photoFileName(name));
    await writeFile(path, new Uint8Array()).catch((error: unknown) => {
      throw ioError(`The photo could not be written to ${path}`, error);
    });
    return path;
  }
}
