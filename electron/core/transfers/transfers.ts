/**
 * The transfers main keeps: what is being sent (paths on this disk, hashed before the offer) and what
 * is being received (part files under the download folder), persisted so a transfer survives a
 * restart of either side and resumes from the receiver's verified offset (docs/protocol.md#files).
 *
 * The renderer moves the bytes between the data channels and these requests: `readChunk` on the
 * sending side, `writeChunk` and `finishFile` on the receiving side. Nothing here holds a file in
 * memory: reads are positional, writes go through PartFile one chunk at a time.
 *
 * Rules that protect the receiver (DESIGN §6, issue 14): offers from blocked peers or peers whose
 * certificate does not match the pin are refused; at most MAX_WAITING_PER_PEER offers per peer and
 * MAX_WAITING_TOTAL in all wait for an answer, and an offer larger than the free space of the download
 * folder is refused before the user is asked; every offered path is sanitised and stays under the
 * download folder, which is never created silently; free space is checked again on accepting; a file
 * never receives more bytes than announced; nothing is overwritten; a received file gets the system's
 * "downloaded from the network" mark, and opening a program or script needs the user's confirmation.
 *
 * What is sent: only files the user chose, named by handles (chosen-files.ts); in the browser host,
 * copies uploaded into a staging folder (uploads.ts), removed when their transfer ends.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readdir, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import {
  MAX_FILES_PER_OFFER as MAX_FILES,
  MAX_OFFER_BYTES,
  Transfer as TransferSchema,
  TransferOffer as OfferSchema,
  type ChosenFile,
  type OpenRisk,
  type PeerId,
  type Transfer,
  type TransferOffer,
} from '../../contract.js';
import { LanlineError } from '../errors.js';
import type { EventHub } from '../events.js';
import type { Log } from '../log.js';
import type { Settings } from '../settings/settings.js';
import type { DocumentStore } from '../storage.js';
import type { TrustStore } from '../trust/trust-store.js';
import type { ChosenFiles } from './chosen-files.js';
import { downloadMark, writeDownloadMark, type MarkWriter } from './download-mark.js';
import { openDownloadFolder } from './download-folder.js';
import { sanitizeRelativePath } from './file-name.js';
import { hashFile } from './file-source.js';
import { openRisk } from './open-risk.js';
import { checkFreeSpace, formatBytes, freeSpace, PartFile } from './part-file.js';
import type { Uploads } from './uploads.js';

/** Offers waiting for the user's answer: from one peer, and from everyone. */
export const MAX_WAITING_PER_PEER = 3;
export const MAX_WAITING_TOTAL = 20;
const KEEP_FINISHED = 200;
const PROGRESS_EVENT_MS = 250;
const PERSIST_PROGRESS_MS = 2_000;

const Stored = z.object({
  transfer: TransferSchema,
  offer: OfferSchema,
  /** Out: absolute paths of the offered files, in offer order. */
  sources: z.array(z.string()).optional(),
  /** In: the download folder chosen when it was accepted, and each file's sanitised relative path. */
  root: z.string().optional(),
  targets: z.array(z.string()).optional(),
});
type Stored = z.infer<typeof Stored>;

interface Live extends Stored {
  /** Open part files; a promise while one is being opened, so chunks that race it wait for it. */
  parts: Map<number, Promise<PartFile>>;
  reads: Map<number, FileHandle>;
  lastEvent: number;
  lastPersist: number;
  speedAt: number;
  speedBytes: number;
  /** Out: bytes read for the peer in this run, to tell in the log what a resume saved. */
  bytesRead: number;
  /** In: the user asked the sender to retry this failed transfer; its offer may come back changed. */
  retryRequested?: boolean;
}

export interface TransfersOptions {
  store: DocumentStore;
  settings: Settings;
  trust: TrustStore;
  events: EventHub;
  log: Log;
  /** Where text snippets are written before they are sent. */
  snippetDir: string;
  clock?: () => number;
  /** The OS file dialog; absent in the browser host. */
  pickFiles?: (folders: boolean) => Promise<string[]>;
  /** Opens a file or shows it in its folder; absent in the browser host. */
  openPath?: (path: string, reveal: boolean) => Promise<void>;
  /** What the user chose to send, by handle. */
  chosen: ChosenFiles;
  /** The browser host's staging folder of uploaded files; their copies go when their transfer ends. */
  uploads?: Uploads;
  /** The OS download folder Lanline starts with: the only download folder it creates when missing. */
  defaultDownloadDir: string;
  /** Which "downloaded from the network" mark received files get (default: this process's platform). */
  platform?: NodeJS.Platform;
  /** Writes that mark (tests pass their own); default: download-mark.ts. */
  writeMark?: MarkWriter;
}

const newId = () => randomBytes(16).toString('base64url');
const FINAL = new Set<Transfer['state']>(['done', 'declined', 'cancelled']);

/** The same files, byte for byte as announced. */
const sameFiles = (a: TransferOffer, b: TransferOffer) =>
  a.files.length === b.files.length && a.files.every((file, index) => file.path === b.files[index]!.path && file.size === b.files[index]!.size && file.sha256 === b.files[index]!.sha256);

export class Transfers {
  private readonly live = new Map<string, Live>();
  private autoAccept = new Set<string>();
  private readonly clock: () => number;

  constructor(private readonly options: TransfersOptions) {
    this.clock = options.clock ?? Date.now;
    this.load();
  }

  list(): Transfer[] {
    return [...this.live.values()].map((record) => record.transfer);
  }

  async pickFiles(folders: boolean): Promise<ChosenFile[]> {
    if (!this.options.pickFiles) throw new LanlineError('unavailable', 'The browser host has no file dialog; choose the files with its file input or drop them on the window.');
    return (await this.options.pickFiles(folders)).map((path) => this.options.chosen.add(path));
  }

  // ---- sending ---------------------------------------------------------------------------------

  /** Sends what the user chose: each handle names a file or folder from the dialog, a drop or an upload. */
  createOutgoing(peerId: PeerId, handles: string[]): Promise<{ transfer: Transfer; offer: TransferOffer }> {
    const paths = handles.map((handle) => this.options.chosen.path(handle));
    const created = this.createFromPaths(peerId, paths);
    void created.then(() => this.options.uploads?.claim(paths), () => undefined);
    return created;
  }

  private async createFromPaths(peerId: PeerId, paths: string[], kind: TransferOffer['kind'] = 'files'): Promise<{ transfer: Transfer; offer: TransferOffer }> {
    const sources: Array<{ path: string; name: string; size: number }> = [];
    for (const path of paths) await this.collect(resolve(path), sources);
    if (sources.length === 0) throw new LanlineError('invalid', 'There is nothing to send: the folders are empty.');
    const files = [];
    for (const source of sources) files.push({ path: source.name, size: source.size, sha256: await hashFile(source.path) });
    const offer: TransferOffer = { id: newId(), files, kind };
    if (JSON.stringify(offer).length > MAX_OFFER_BYTES) {
      throw new LanlineError('invalid', `These ${files.length} files do not fit in one offer (their names are too long together); send fewer at a time.`);
    }
    const transfer = this.newTransfer(offer, peerId, 'out');
    this.add({ transfer, offer, sources: sources.map((source) => source.path) });
    return { transfer, offer };
  }

  async createOutgoingText(peerId: PeerId, text: string): Promise<{ transfer: Transfer; offer: TransferOffer }> {
    await mkdir(this.options.snippetDir, { recursive: true });
    const stamp = new Date(this.clock()).toISOString().replace(/[:.]/g, '-');
    const path = join(this.options.snippetDir, `text-${stamp}.txt`);
    await writeFile(path, text, { encoding: 'utf8', flag: 'wx', mode: 0o600 });
    return this.createFromPaths(peerId, [path], 'text');
  }

  /** Offers still to finish for this peer: sent again when it is back, so it resumes. */
  outgoingFor(peerId: string): TransferOffer[] {
    return [...this.live.values()]
      .filter((record) => record.transfer.peerId === peerId && record.transfer.direction === 'out' && ['waiting', 'active', 'paused'].includes(record.transfer.state))
      .map((record) => record.offer);
  }

  /**
   * The receiver asks to retry a failed transfer (docs/protocol.md#files, `file-retry`): every file
   * it does not have yet is read again from this disk and hashed, so a file that changed since the
   * offer is offered as it is now; the transfer waits for the receiver's file-accept with the same id.
   * A transfer this side no longer has, or whose files are gone, fails with 'not-found'.
   */
  async retryOutgoing(peerId: string, id: string): Promise<TransferOffer> {
    const record = this.live.get(id);
    if (!record || record.transfer.direction !== 'out' || record.transfer.peerId !== peerId || !record.sources) {
      throw new LanlineError('not-found', 'The sender no longer has this transfer, so it cannot be retried. Ask them to send the files again.');
    }
    const { state } = record.transfer;
    if (state === 'done') return record.offer;
    if (state === 'cancelled' || state === 'declined') throw new LanlineError('invalid', `This transfer was ${state}; ask for the files to be sent again.`);
    await this.closeFiles(record, true);
    const files = record.offer.files.slice();
    for (const [index, offered] of files.entries()) {
      if (record.transfer.files[index]!.state === 'done') continue;
      const path = record.sources[index]!;
      let size: number;
      let sha256: string;
      try {
        const info = await lstat(path);
        if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
        size = info.size;
        sha256 = await hashFile(path);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const failure =
          code === 'ENOENT' || (error as LanlineError).code === 'not-found'
            ? new LanlineError('not-found', `"${offered.path}" is no longer on the sender's computer, so the transfer cannot be retried.`)
            : new LanlineError('io', `"${offered.path}" cannot be read on the sender's computer (${code ?? (error as Error).message}), so the transfer cannot be retried.`);
        this.update(record, { state: 'failed', error: { code: failure.code, message: failure.message }, speed: 0 });
        throw failure;
      }
      if (size !== offered.size || sha256 !== offered.sha256) {
        this.options.log.info(`transfer ${id}: file ${index} changed since it was offered (${offered.size} -> ${size} bytes); offering it as it is now`);
      }
      files[index] = { path: offered.path, size, sha256 };
      this.setFile(record, index, { size, done: 0, state: 'pending' });
    }
    record.offer = { ...record.offer, files };
    const totalSize = record.transfer.files.reduce((sum, file) => sum + file.size, 0);
    this.update(record, { state: 'waiting', error: null, speed: 0, finishedAt: null, totalSize });
    return record.offer;
  }

  async readChunk(id: string, file: number, offset: number, length: number): Promise<Uint8Array> {
    const record = this.get(id, 'out');
    const path = record.sources?.[file];
    const size = record.offer.files[file]?.size;
    if (path === undefined || size === undefined) throw new LanlineError('not-found', 'That transfer has no such file.');
    if (offset >= size) throw new LanlineError('invalid', `Byte ${offset} is past the end of "${record.offer.files[file]!.path}".`);
    let handle = record.reads.get(file);
    if (!handle) {
      // One open file at a time per transfer: files go one after another.
      for (const [other, open_] of record.reads) if (other !== file) void open_.close().catch(() => undefined), record.reads.delete(other);
      handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
        throw new LanlineError(error.code === 'ENOENT' ? 'not-found' : 'io', `Could not read "${basename(path)}" (${error.code ?? 'error'}).`);
      });
      record.reads.set(file, handle);
    }
    const buffer = Buffer.allocUnsafe(Math.min(length, size - offset));
    // One read usually fills it; a short one (a signal, a network file system) is continued.
    for (let filled = 0; filled < buffer.length; ) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, offset + filled).catch((error: NodeJS.ErrnoException) => {
        // Closed under the read: the transfer was paused or cancelled meanwhile.
        throw new LanlineError(record.reads.get(file) === handle ? 'io' : 'unavailable', `Could not read "${basename(path)}" (${error.code ?? error.message}).`);
      });
      if (bytesRead === 0) throw new LanlineError('io', `"${basename(path)}" became shorter than when it was offered.`);
      filled += bytesRead;
    }
    record.bytesRead += buffer.length;
    return buffer;
  }

  // ---- receiving -------------------------------------------------------------------------------

  /**
   * An offer from a peer. A new one waits for the user (or is accepted at once for a peer the user
   * always accepts from); one seen before resumes: it answers at once with where each file stands.
   */
  async receiveOffer(peerId: PeerId, offer: TransferOffer): Promise<{ transfer: Transfer; accepted: boolean; offsets: number[] }> {
    // A Nearby peer (not pinned) may offer too: the user's answer decides, and accepting adopts it.
    if (this.options.trust.get(peerId)?.blocked) throw new LanlineError('forbidden', 'Offers from a blocked peer are refused.');
    const known = this.live.get(offer.id);
    if (known) {
      if (known.transfer.peerId !== peerId || known.transfer.direction !== 'in') throw new LanlineError('forbidden', 'That transfer belongs to someone else.');
      if (known.transfer.state === 'waiting' || known.transfer.state === 'declined' || known.transfer.state === 'cancelled') {
        return { transfer: known.transfer, accepted: false, offsets: [] };
      }
      if (known.transfer.state === 'failed') await this.takeRetryOffer(known, offer);
      else if (!sameFiles(known.offer, offer)) throw new LanlineError('invalid', 'The offer changed since it was accepted.');
      const offsets = await this.resume(known);
      return { transfer: known.transfer, accepted: true, offsets };
    }
    const targets = this.sanitise(offer);
    await this.checkRoom(peerId, offer);
    const transfer = this.newTransfer(offer, peerId, 'in');
    const record = this.add({ transfer, offer, targets });
    if (this.autoAccept.has(peerId)) {
      const { offsets } = await this.answer(offer.id, true);
      return { transfer: record.transfer, accepted: true, offsets };
    }
    return { transfer, accepted: false, offsets: [] };
  }

  /**
   * The user asks to retry a failed incoming transfer; the renderer then sends `file-retry`. Until
   * the sender's offer comes back, the transfer stays failed. Only after this may that offer carry a
   * file whose size or SHA-256 changed (the sender's file changed since it was first offered).
   */
  retryIncoming(id: string): Transfer {
    const record = this.get(id, 'in');
    if (record.transfer.state !== 'failed') throw new LanlineError('invalid', `This transfer is ${record.transfer.state}; only a failed one can be retried.`);
    record.retryRequested = true;
    return record.transfer;
  }

  async answer(id: string, accept: boolean, always = false): Promise<{ transfer: Transfer; offsets: number[] }> {
    const record = this.get(id, 'in');
    if (record.transfer.state !== 'waiting') throw new LanlineError('invalid', 'This offer was already answered.');
    if (!accept) return { transfer: this.update(record, { state: 'declined', finishedAt: this.clock() }), offsets: [] };
    const root = await this.downloadFolder();
    await checkFreeSpace(root, record.transfer.totalSize);
    if (always) {
      const trust = this.options.trust.get(record.transfer.peerId as PeerId);
      if (!trust || trust.blocked) throw new LanlineError('forbidden', 'Only peers Lanline has met can be always accepted.');
      this.autoAccept.add(record.transfer.peerId);
    }
    record.root = root;
    this.update(record, { state: 'active' });
    return { transfer: record.transfer, offsets: record.offer.files.map(() => 0) };
  }

  async writeChunk(id: string, file: number, offset: number, data: Uint8Array): Promise<number> {
    const record = this.get(id, 'in');
    if (record.transfer.state !== 'active') throw new LanlineError('invalid', `This transfer is ${record.transfer.state}; no more data is accepted.`);
    const part = await this.part(record, file);
    await part.write(offset, data);
    const entry = record.transfer.files[file]!;
    const done = part.offset;
    this.progress(record, file, done - entry.done);
    return done;
  }

  async finishFile(id: string, file: number): Promise<Transfer> {
    const record = this.get(id, 'in');
    const entry = record.transfer.files[file];
    if (!entry) throw new LanlineError('not-found', 'That transfer has no such file.');
    if (entry.state === 'done') return record.transfer;
    // An empty file never receives a chunk; it still gets its part file and its check.
    const part = await this.part(record, file);
    try {
      const savedAs = await part.finish();
      record.parts.delete(file);
      await this.mark(savedAs);
      this.setFile(record, file, { state: 'done', done: entry.size, savedAs });
      const allDone = record.transfer.files.every((f) => f.state === 'done');
      return this.update(record, allDone ? { state: 'done', finishedAt: this.clock(), speed: 0 } : {});
    } catch (error) {
      const failure = error instanceof LanlineError ? error : new LanlineError('io', (error as Error).message);
      // A damaged part is closed already; an incomplete one is flushed and closed: a retry reopens it.
      record.parts.delete(file);
      await part.abort(true).catch(() => undefined);
      this.setFile(record, file, { state: 'failed' });
      this.update(record, { state: 'failed', error: { code: failure.code, message: failure.message }, speed: 0 });
      throw failure;
    }
  }

  // ---- both sides ------------------------------------------------------------------------------

  async updateFromRenderer(id: string, event: string, detail: { file?: number; done?: number; error?: { code: string; message: string } }): Promise<Transfer> {
    const record = this.live.get(id);
    if (!record) throw new LanlineError('not-found', 'There is no such transfer.');
    const final = ['done', 'declined', 'cancelled'].includes(record.transfer.state);
    switch (event) {
      case 'started':
        return final ? record.transfer : this.update(record, { state: 'active', error: null });
      case 'progress':
        if (record.transfer.direction === 'out' && detail.file !== undefined && detail.done !== undefined) {
          const entry = record.transfer.files[detail.file];
          if (entry) this.progress(record, detail.file, Math.max(0, Math.min(detail.done, entry.size) - entry.done));
        }
        return record.transfer;
      case 'file-done':
        if (record.transfer.direction === 'out' && detail.file !== undefined && record.transfer.files[detail.file]) {
          this.setFile(record, detail.file, { state: 'done', done: record.transfer.files[detail.file]!.size });
        }
        return this.update(record, {});
      case 'done':
        if (record.transfer.direction === 'in' && !record.transfer.files.every((f) => f.state === 'done')) return record.transfer;
        record.transfer.files.forEach((f, index) => this.setFile(record, index, { state: 'done', done: f.size }));
        await this.closeFiles(record, true);
        if (record.transfer.direction === 'out') {
          this.options.log.info(`transfer ${id}: done; sent ${record.bytesRead} bytes in this run for ${record.transfer.totalSize} bytes of files`);
        }
        return this.update(record, { state: 'done', finishedAt: this.clock(), speed: 0 });
      case 'failed':
        await this.closeFiles(record, true);
        return final ? record.transfer : this.update(record, { state: 'failed', error: detail.error ?? { code: 'io', message: 'The transfer failed.' }, speed: 0 });
      case 'cancelled':
        await this.closeFiles(record, false);
        return final ? record.transfer : this.update(record, { state: 'cancelled', finishedAt: this.clock(), speed: 0 });
      case 'paused':
        await this.closeFiles(record, true);
        return record.transfer.state === 'active' ? this.update(record, { state: 'paused', speed: 0 }) : record.transfer;
      case 'declined':
        return this.update(record, { state: 'declined', finishedAt: this.clock() });
      default:
        throw new LanlineError('invalid', `Unknown transfer event ${event}.`);
    }
  }

  /**
   * Opens a received file or shows it in its folder. A program or a script (open-risk.ts) is opened
   * only once the user confirmed it: without `confirmed` the answer names the risk and nothing opens.
   */
  async openFile(id: string, file: number, reveal: boolean, confirmed = false): Promise<{ opened: boolean; risk: OpenRisk | null }> {
    const record = this.get(id, 'in');
    const savedAs = record.transfer.files[file]?.savedAs;
    if (!savedAs) throw new LanlineError('not-found', 'That file has not arrived yet.');
    const risk = reveal ? null : openRisk(basename(savedAs));
    if (risk && !confirmed) return { opened: false, risk };
    if (!this.options.openPath) throw new LanlineError('unavailable', `The browser host cannot open files; it is saved at ${savedAs}.`);
    await this.options.openPath(savedAs, reveal);
    return { opened: true, risk };
  }

  /** Pauses everything in flight (the app quits); part files are flushed for resuming. */
  async close(): Promise<void> {
    for (const record of this.live.values()) {
      await this.closeFiles(record, true);
      if (record.transfer.state === 'active') this.update(record, { state: 'paused', speed: 0 });
    }
    this.persist();
  }

  // ---- internals -------------------------------------------------------------------------------

  private downloadFolder(): Promise<string> {
    return openDownloadFolder(this.options.settings.get().downloadDir, this.options.defaultDownloadDir);
  }

  /**
   * Before a new offer is recorded and the user asked: room in the waiting list (per peer, in all)
   * and on the disk. The sentences suit both sides: the receiver shows them, the sender gets them in
   * its file-error.
   */
  private async checkRoom(peerId: string, offer: TransferOffer): Promise<void> {
    const waiting = [...this.live.values()].filter((record) => record.transfer.direction === 'in' && record.transfer.state === 'waiting');
    if (waiting.filter((record) => record.transfer.peerId === peerId).length >= MAX_WAITING_PER_PEER) {
      throw new LanlineError('invalid', `The receiver already has ${MAX_WAITING_PER_PEER} offers from this sender waiting for an answer; send again once they are answered.`);
    }
    if (waiting.length >= MAX_WAITING_TOTAL) throw new LanlineError('invalid', `The receiver has ${MAX_WAITING_TOTAL} offers waiting for an answer; send again once they are answered.`);
    const total = offer.files.reduce((sum, file) => sum + file.size, 0);
    const free = await freeSpace(await this.downloadFolder());
    if (total > free) {
      throw new LanlineError('io', `The offer needs ${formatBytes(total)} and the receiver's download folder has ${formatBytes(free)} free, so it was refused.`);
    }
  }

  /** The system's "downloaded from the network" mark; a failure is logged, the file is kept. */
  private async mark(path: string): Promise<void> {
    const mark = downloadMark(this.options.platform ?? process.platform, this.clock());
    if (!mark) return;
    await (this.options.writeMark ?? writeDownloadMark)(path, mark).catch((error: unknown) => this.options.log.warn(`could not mark ${basename(path)} as downloaded: ${(error as Error).message}`));
  }

  /** Staged uploads no unfinished outgoing transfer sends from are removed. */
  private sweepUploads(): void {
    const uploads = this.options.uploads;
    if (!uploads) return;
    const keep = [...this.live.values()].filter((record) => record.transfer.direction === 'out' && !FINAL.has(record.transfer.state)).flatMap((record) => record.sources ?? []);
    void uploads.sweep(keep).catch((error: unknown) => this.options.log.warn(`uploads: ${(error as Error).message}`));
  }

  private async collect(path: string, into: Array<{ path: string; name: string; size: number }>, base = resolve(path, '..')): Promise<void> {
    const info = await lstat(path).catch((error: NodeJS.ErrnoException) => {
      throw new LanlineError(error.code === 'ENOENT' ? 'not-found' : 'io', `"${path}" cannot be read (${error.code ?? 'error'}).`);
    });
    if (info.isSymbolicLink()) return; // a link could lead anywhere; folders are sent as they are
    if (info.isFile()) {
      if (into.length >= MAX_FILES) throw new LanlineError('invalid', `One offer holds at most ${MAX_FILES} files.`);
      into.push({ path, name: relative(base, path).split(sep).join('/'), size: info.size });
    } else if (info.isDirectory()) {
      const entries = await readdir(path);
      entries.sort();
      for (const entry of entries) await this.collect(join(path, entry), into, base);
    }
  }

  private sanitise(offer: TransferOffer): string[] {
    const seen = new Set<string>();
    return offer.files.map((file) => {
      const target = sanitizeRelativePath(file.path).join('/');
      if (seen.has(target.toLowerCase())) throw new LanlineError('invalid', `The offer names "${target}" twice.`);
      seen.add(target.toLowerCase());
      return target;
    });
  }

  private part(record: Live, file: number): Promise<PartFile> {
    let part = record.parts.get(file);
    if (!part) {
      part = this.openPart(record, file);
      record.parts.set(file, part);
      part.catch(() => record.parts.delete(file));
    }
    return part;
  }

  private async openPart(record: Live, file: number): Promise<PartFile> {
    const offered = record.offer.files[file];
    const target = record.targets?.[file];
    if (!offered || target === undefined || !record.root) throw new LanlineError('not-found', 'That transfer has no such file.');
    const part = await PartFile.open({ root: record.root, relativePath: target, size: offered.size, sha256: offered.sha256, log: this.options.log });
    this.setFile(record, file, { state: 'active', done: part.offset });
    return part;
  }

  /**
   * The sender's answer to `file-retry`: the same files, and those not received yet possibly changed
   * (size, SHA-256). A changed file's old part is removed and the file starts over; a transfer the
   * user did not ask to retry, other paths, or a change to a file already received is refused.
   */
  private async takeRetryOffer(record: Live, offer: TransferOffer): Promise<void> {
    if (sameFiles(record.offer, offer)) return;
    const old = record.offer.files;
    const samePaths = offer.files.length === old.length && offer.files.every((file, index) => file.path === old[index]!.path);
    if (!record.retryRequested || !samePaths) throw new LanlineError('invalid', 'The offer changed since it was accepted.');
    const changed = offer.files.flatMap((file, index) => (file.size !== old[index]!.size || file.sha256 !== old[index]!.sha256 ? [index] : []));
    if (changed.some((index) => record.transfer.files[index]!.state === 'done')) throw new LanlineError('invalid', 'The offer changes a file that was already received.');
    const grows = changed.reduce((sum, index) => sum + Math.max(0, offer.files[index]!.size - old[index]!.size), 0);
    if (grows > 0 && record.root) await checkFreeSpace(record.root, grows);
    await this.closeFiles(record, true);
    for (const index of changed) {
      if (record.root && record.targets?.[index] !== undefined) {
        await PartFile.discard({ root: record.root, relativePath: record.targets[index]!, size: old[index]!.size, sha256: old[index]!.sha256 });
      }
      this.setFile(record, index, { size: offer.files[index]!.size, done: 0, state: 'pending' });
    }
    this.options.log.info(`transfer ${record.transfer.id}: the sender offers ${changed.length} changed file(s) again`);
    record.offer = offer;
    this.update(record, { totalSize: record.transfer.files.reduce((sum, file) => sum + file.size, 0) });
  }

  /** Where each file stands for a transfer seen before: done files are skipped, a partial one reopened. */
  private async resume(record: Live): Promise<number[]> {
    record.retryRequested = false;
    if (record.transfer.state === 'done') return record.offer.files.map((file) => file.size);
    if (record.transfer.state === 'failed') record.transfer.files.forEach((f, index) => f.state === 'failed' && this.setFile(record, index, { state: 'pending', done: 0 }));
    // Files arrive one after another, so at most the first unfinished one has a part file; its own
    // state file (not this record, which is saved every few seconds) says how far it got.
    const offsets: number[] = [];
    let first = true;
    for (const [index, file] of record.transfer.files.entries()) {
      if (file.state === 'done') offsets.push(file.size);
      else if (first || file.done > 0) offsets.push((await this.part(record, index)).offset);
      else offsets.push(0);
      if (file.state !== 'done') first = false;
    }
    this.update(record, { state: 'active', error: null });
    return offsets;
  }

  private async closeFiles(record: Live, keep: boolean): Promise<void> {
    for (const [file, opening] of record.parts) {
      record.parts.delete(file);
      const part = await opening.catch(() => null);
      await part?.abort(keep).catch((error: unknown) => this.options.log.warn(`transfer ${record.transfer.id}: ${(error as Error).message}`));
    }
    for (const [file, handle] of record.reads) {
      await handle.close().catch(() => undefined);
      record.reads.delete(file);
    }
  }

  private newTransfer(offer: TransferOffer, peerId: string, direction: 'in' | 'out'): Transfer {
    return {
      id: offer.id,
      peerId,
      direction,
      kind: offer.kind,
      state: 'waiting',
      files: offer.files.map((file) => ({ path: file.path, size: file.size, done: 0, state: 'pending', savedAs: null })),
      totalSize: offer.files.reduce((sum, file) => sum + file.size, 0),
      bytesDone: 0,
      speed: 0,
      createdAt: this.clock(),
      finishedAt: null,
      error: null,
    };
  }

  private add(stored: Stored): Live {
    const record: Live = { ...stored, parts: new Map(), reads: new Map(), lastEvent: 0, lastPersist: 0, speedAt: this.clock(), speedBytes: 0, bytesRead: 0 };
    this.live.set(stored.transfer.id, record);
    this.trim();
    this.emit(record);
    return record;
  }

  private get(id: string, direction: 'in' | 'out'): Live {
    const record = this.live.get(id);
    if (!record || record.transfer.direction !== direction) throw new LanlineError('not-found', 'There is no such transfer.');
    return record;
  }

  private setFile(record: Live, file: number, patch: Partial<Transfer['files'][number]>): void {
    const files = record.transfer.files.slice();
    files[file] = { ...files[file]!, ...patch };
    record.transfer = { ...record.transfer, files, bytesDone: files.reduce((sum, f) => sum + f.done, 0) };
  }

  /** Counts new bytes; events at most every 250 ms, a checkpoint of the record every 2 s. */
  private progress(record: Live, file: number, added: number): void {
    if (added <= 0) return;
    // Per chunk: count in place rather than copy the file list and sum it again (offers may hold
    // thousands of files). Events and the store serialise the record when they take it.
    const entry = record.transfer.files[file]!;
    entry.done += added;
    if (entry.state === 'pending') entry.state = 'active';
    record.transfer.bytesDone += added;
    const now = this.clock();
    record.speedBytes += added;
    if (now - record.speedAt >= 1_000) {
      const rate = (record.speedBytes * 1_000) / (now - record.speedAt);
      record.transfer = { ...record.transfer, speed: record.transfer.speed ? record.transfer.speed * 0.5 + rate * 0.5 : rate };
      record.speedAt = now;
      record.speedBytes = 0;
    }
    if (now - record.lastEvent >= PROGRESS_EVENT_MS) this.emit(record);
    if (now - record.lastPersist >= PERSIST_PROGRESS_MS) this.persist(record);
  }

  private update(record: Live, patch: Partial<Transfer>): Transfer {
    const ended = !FINAL.has(record.transfer.state) && patch.state !== undefined && FINAL.has(patch.state);
    record.transfer = { ...record.transfer, ...patch };
    this.persist(record);
    this.emit(record);
    if (ended && record.transfer.direction === 'out') this.sweepUploads();
    return record.transfer;
  }

  private emit(record: Live): void {
    record.lastEvent = this.clock();
    this.options.events.emit('transferChanged', record.transfer);
  }

  private trim(): void {
    const finished = [...this.live.values()].filter((record) => ['done', 'declined', 'cancelled'].includes(record.transfer.state));
    for (const record of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.live.delete(record.transfer.id);
  }

  private load(): void {
    const data = this.options.store.read();
    const list = Array.isArray(data.transfers) ? data.transfers : [];
    for (const item of list) {
      const parsed = Stored.safeParse(item);
      if (!parsed.success) {
        this.options.log.warn('transfers file: dropped a damaged entry');
        continue;
      }
      const stored = parsed.data;
      // Whatever was moving when the app stopped waits for the peer to come back.
      if (stored.transfer.state === 'active') stored.transfer = { ...stored.transfer, state: 'paused', speed: 0 };
      this.live.set(stored.transfer.id, { ...stored, parts: new Map(), reads: new Map(), lastEvent: 0, lastPersist: 0, speedAt: this.clock(), speedBytes: 0, bytesRead: 0 });
    }
    this.autoAccept = new Set(Array.isArray(data.autoAccept) ? data.autoAccept.filter((id): id is string => typeof id === 'string') : []);
    this.sweepUploads();
  }

  private persist(record?: Live): void {
    if (record) record.lastPersist = this.clock();
    const transfers = [...this.live.values()].map(({ transfer, offer, sources, root, targets }) => ({ transfer, offer, sources, root, targets }));
    try {
      this.options.store.write({ version: 1, transfers, autoAccept: [...this.autoAccept] });
    } catch (error) {
      this.options.log.error('writing the transfers file failed', error);
    }
  }
}
