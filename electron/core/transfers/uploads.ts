/**
 * The browser host's way to send files: the page cannot name a path (issue 14 §4), so it uploads the
 * bytes of the files the user chose (a file input or a drop) into a staging folder main controls,
 * `<data>/uploads/<upload id>/<relative path>`, and gets handles for them (chosen-files.ts). From
 * there they are sent like any chosen file; the staged copy is removed when its transfer ends.
 *
 * The bytes arrive as the page reads them, a few MiB at a time, each piece at the offset where its
 * file stands (the bridge keeps their order), so neither side holds a file in memory. Relative paths
 * are kept as the user's files are named (the receiver sanitises what it receives, file-name.ts), but
 * a segment that could leave the upload's folder (empty, `.`, `..`, a separator of this OS, NUL) is
 * refused; a file never takes more bytes than announced, and `finish` refuses an upload whose files
 * are not all complete.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { ChosenFile } from '../../contract.js';
import { LanlineError } from '../errors.js';
import type { Log } from '../log.js';
import type { ChosenFiles } from './chosen-files.js';
import { checkFreeSpace } from './part-file.js';

/** Uploads open at once; more means the page is misbehaving. */
const MAX_OPEN_UPLOADS = 8;

interface Upload {
  dir: string;
  files: Array<{ path: string; size: number; done: number }>;
  /** The file being written and its open handle; files arrive one after another. */
  current: { index: number; handle: FileHandle } | null;
  /** Pieces are written one after another in the order they came (the page sends a few at once). */
  queue: Promise<unknown>;
}

export interface UploadsOptions {
  /** The staging folder (`<data>/uploads`); nothing else lives there. */
  dir: string;
  chosen: ChosenFiles;
  log: Log;
}

/** `path` (segments split by '/') as a path under the upload's folder; 'invalid' when a segment could leave it. */
export function stagedPath(path: string, platform: NodeJS.Platform = process.platform): string {
  const separators = platform === 'win32' ? /[\\/:\0]/u : /[/\0]/u;
  const segments = path.split('/');
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..' || separators.test(segment)) {
      throw new LanlineError('invalid', `"${path}" cannot be uploaded: its name has an empty, "." or ".." part or a character this system does not allow.`);
    }
  }
  return segments.join(sep);
}

export class Uploads {
  private readonly open = new Map<string, Upload>();
  /** Uploads finished in this run and not sent yet: the user may still press Send. */
  private readonly unsent = new Set<string>();

  constructor(private readonly options: UploadsOptions) {}

  /** The staging folder, for the transfers that send from it. */
  get dir(): string {
    return resolve(this.options.dir);
  }

  async begin(files: Array<{ path: string; size: number }>): Promise<string> {
    if (this.open.size >= MAX_OPEN_UPLOADS) throw new LanlineError('invalid', 'Too many uploads are open at once; wait for the others to finish.');
    const id = randomBytes(16).toString('base64url');
    const dir = join(this.dir, id);
    const seen = new Set<string>();
    const staged = files.map(({ path, size }) => {
      const target = stagedPath(path);
      if (seen.has(target)) throw new LanlineError('invalid', `"${path}" is chosen twice.`);
      seen.add(target);
      return { path: join(dir, target), size, done: 0 };
    });
    const total = files.reduce((sum, file) => sum + file.size, 0);
    await mkdir(dir, { recursive: true });
    await checkFreeSpace(dir, total).catch(async (error: unknown) => {
      await rm(dir, { recursive: true, force: true });
      throw error;
    });
    this.open.set(id, { dir, files: staged, current: null, queue: Promise.resolve() });
    return id;
  }

  /** Writes `data` at `offset` of file `index`, which must be where that file stands; answers its bytes so far. */
  async write(id: string, index: number, offset: number, data: Uint8Array): Promise<number> {
    const upload = this.get(id);
    // Runs up to here at once (no await before it), so pieces queue in the order they came.
    const written = upload.queue.then(() => this.writeNow(id, upload, index, offset, data));
    upload.queue = written.catch(() => undefined);
    return written;
  }

  private async writeNow(id: string, upload: Upload, index: number, offset: number, data: Uint8Array): Promise<number> {
    if (!this.open.has(id)) throw new LanlineError('not-found', 'This upload was cancelled; choose the files again.');
    const file = upload.files[index];
    if (!file) throw new LanlineError('not-found', 'That upload has no such file.');
    if (offset !== file.done) throw new LanlineError('invalid', `Byte ${offset} of "${this.name(upload, index)}" came while ${file.done} were written.`);
    if (offset + data.length > file.size) throw new LanlineError('invalid', `"${this.name(upload, index)}" is larger than announced.`);
    const handle = await this.handle(upload, index);
    try {
      for (let written = 0; written < data.length; ) written += (await handle.write(data, written, data.length - written, offset + written)).bytesWritten;
    } catch (error) {
      await this.cancel(id);
      throw new LanlineError('io', `The upload could not be written (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
    }
    file.done += data.length;
    return file.done;
  }

  /** Checks every file arrived whole and answers one handle per chosen file or top folder. */
  async finish(id: string): Promise<ChosenFile[]> {
    const upload = this.get(id);
    await upload.queue;
    for (const [index, file] of upload.files.entries()) {
      // Empty files never get a piece; they are made here.
      if (file.size === 0) await this.handle(upload, index);
      else if (file.done !== file.size) {
        await this.cancel(id);
        throw new LanlineError('invalid', `"${this.name(upload, index)}" arrived with ${file.done} of ${file.size} bytes; choose it again.`);
      }
    }
    await upload.current?.handle.close();
    this.open.delete(id);
    this.unsent.add(id);
    const tops = new Set(upload.files.map((file) => relative(upload.dir, file.path).split(sep)[0]!));
    return [...tops].map((top) => this.options.chosen.add(join(upload.dir, top)));
  }

  async cancel(id: string): Promise<void> {
    const upload = this.open.get(id);
    if (!upload) return;
    this.open.delete(id);
    await upload.current?.handle.close().catch(() => undefined);
    await rm(upload.dir, { recursive: true, force: true });
  }

  /** These paths are being sent: their uploads go once their transfer no longer needs them. */
  claim(paths: string[]): void {
    for (const id of this.uploadIds(paths)) this.unsent.delete(id);
  }

  /**
   * Removes staged uploads no transfer needs: `keep` is every source path of an unfinished outgoing
   * transfer. Called at start (nothing is uploading then) and when a transfer ends.
   */
  async sweep(keep: string[]): Promise<void> {
    const needed = this.uploadIds(keep);
    const entries = await readdir(this.dir).catch(() => [] as string[]);
    for (const entry of entries) {
      if (needed.has(entry) || this.open.has(entry) || this.unsent.has(entry)) continue;
      await rm(join(this.dir, entry), { recursive: true, force: true }).catch((error: unknown) => this.options.log.warn(`uploads: ${(error as Error).message}`));
    }
  }

  /** The uploads these paths lie in (paths elsewhere have none). */
  private uploadIds(paths: string[]): Set<string> {
    return new Set(paths.flatMap((path) => (resolve(path).startsWith(this.dir + sep) ? [relative(this.dir, resolve(path)).split(sep)[0]!] : [])));
  }

  private get(id: string): Upload {
    const upload = this.open.get(id);
    if (!upload) throw new LanlineError('not-found', 'This upload is unknown or finished; choose the files again.');
    return upload;
  }

  private name(upload: Upload, index: number): string {
    return relative(upload.dir, upload.files[index]!.path).split(sep).join('/');
  }

  private async handle(upload: Upload, index: number): Promise<FileHandle> {
    if (upload.current?.index === index) return upload.current.handle;
    await upload.current?.handle.close();
    upload.current = null;
    const { path, done } = upload.files[index]!;
    await mkdir(join(path, '..'), { recursive: true });
    // Created here, never found: nothing else writes in an upload's folder.
    const handle = await open(path, done === 0 ? 'wx' : 'r+', 0o600);
    upload.current = { index, handle };
    return handle;
  }
}
