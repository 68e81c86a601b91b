/**
 * Moves the bytes of file transfers between a peer's data link and main (docs/protocol.md#files).
 *
 * Control messages, on the link's ordered 'control' channel:
 *   sender   -> {t:'file-offer', offer}                      (again after a reconnect: resume)
 *   receiver -> {t:'file-accept', id, handle, offsets, window} offsets: where each file resumes;
 *                                        window: bytes the sender may have sent beyond what main wrote
 *   receiver -> {t:'file-written', id, bytes}  bytes of this accept's chunks main has written so far
 *   receiver -> {t:'file-decline', id}
 *   receiver -> {t:'file-done', id, file}                     the file's SHA-256 checked, renamed
 *   either   -> {t:'file-cancel', id}   {t:'file-error', id, code, message}
 *   receiver -> {t:'file-retry', id}     a failed transfer again: the sender re-hashes what is not
 *                                        received and offers it again (same id), or answers file-error
 * Chunks go over the bulk channels (framing.ts), spread round-robin, with flow control from each
 * channel's bufferedAmount (never a stop-and-wait per chunk). The sender reads 4 MiB at a time from
 * main, a few reads ahead, and frames its chunks in one reused buffer. The receiver hands each chunk
 * to main as soon as it is in order, without waiting for the previous write's answer (main writes a
 * file's chunks in the order they were handed over) and without copying it: what it holds is what the
 * channels delivered and main has not confirmed yet. That is bounded by the receive window: the
 * receiver tells the sender every few MiB how much main has written, and the sender stays within
 * `window` bytes of it. A disk that keeps up never closes the window; a slow one (a USB stick, a
 * network share) slows the sender to its pace instead of filling the receiver's memory.
 */
import type { LanlineApi, PeerId, Transfer, TransferOffer } from '../../../../electron/contract.js';
import type { DataLink } from '../data-link.js';
import type { DataLinks } from '../data-links.js';
import { CHUNK_BYTES, decodeChunk, encodeChunk, MAX_MESSAGE_BYTES, Reorder } from './framing.js';

/** One read from main on the sending side: 16 whole chunks (about 4 MiB). */
const READ_BYTES = 16 * CHUNK_BYTES;
/** Reads from main in flight at once on the sending side. */
const READ_AHEAD = 2;
/** Per channel: stop sending above HIGH, resume at LOW (bufferedamountlow). */
const HIGH_WATER = 4 * 1024 * 1024;
const LOW_WATER = 1024 * 1024;
const PROGRESS_MS = 250;
/** The receiver's window: what may be sent and not yet written by main (file-accept `window`). */
export const RECEIVE_WINDOW_BYTES = 32 * 1024 * 1024;
/** The receiver reports what main wrote (file-written) each time this much more was written. */
export const WRITTEN_REPORT_BYTES = 4 * 1024 * 1024;
/** How long the receiver waits for the sender's offer after asking for a retry (the sender hashes first). */
const RETRY_ANSWER_MS = 60_000;

export type TransferApi = Pick<LanlineApi, 'readChunk' | 'receiveOffer' | 'answerTransfer' | 'writeChunk' | 'finishFile' | 'updateTransfer' | 'outgoingFor' | 'retryIncoming' | 'retryOutgoing'>;

interface Sending {
  offer: TransferOffer;
  peerId: string;
  link: DataLink;
  stopped: boolean;
  doneFiles: Set<number>;
  /** The receiver's window, when its file-accept gave one (older receivers do not). */
  window: number | null;
  /** Chunk bytes sent since the accept, and what the receiver last said main wrote of them. */
  sent: number;
  written: number;
  /** Wakes a pump waiting for room (file-written, stop); the channels' events wake it too. */
  wake: (() => void) | null;
}

interface Receiving {
  id: string;
  /** Announced size of each file. */
  sizes: number[];
  link: DataLink;
  handle: number;
  order: Reorder[];
  /** Writes handed to main and not confirmed yet, per file. */
  inflight: number[];
  /** Chunk bytes main has written (or that needed no writing) since the accept, and the last reported. */
  written: number;
  reported: number;
  finished: Set<number>;
  stopped: boolean;
}

export interface TransferEngineEvents {
  /** A new offer waits for the user's answer (main recorded it; the transfer list shows it). */
  offered?(transfer: Transfer): void;
  /** Something failed that the user should see (main's record carries the details too). */
  error?(message: string): void;
}

export class TransferEngine {
  private readonly sending = new Map<string, Sending>();
  private readonly receiving = new Map<string, Receiving>();
  private readonly byHandle = new Map<DataLink, Map<number, Receiving>>();
  private nextHandle = 1;
  /** Retries asked for and not answered yet: the timer that gives up on the sender. */
  private readonly retrying = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly api: TransferApi,
    private readonly links: DataLinks,
    private readonly events: TransferEngineEvents = {},
  ) {
    links.onLink((link) => this.attach(link));
  }

  /** Sends an offer that main prepared (createOutgoing); the bytes follow the receiver's accept. */
  async offer(peerId: string, offer: TransferOffer): Promise<void> {
    const link = await this.links.get(peerId);
    link.sendControl({ t: 'file-offer', offer });
  }

  /** The user's answer to an incoming offer. */
  async answer(transfer: Transfer, accept: boolean, always = false): Promise<void> {
    const reply = await this.api.answerTransfer({ id: transfer.id, accept, ...(always && { always }) });
    const link = await this.links.get(transfer.peerId);
    if (!accept) return link.sendControl({ t: 'file-decline', id: transfer.id });
    this.startReceiving(link, transfer.id, transfer.files.map((file) => file.size), reply.offsets);
  }

  async cancel(transfer: Transfer): Promise<void> {
    this.stop(transfer.id);
    await this.api.updateTransfer({ id: transfer.id, event: 'cancelled' });
    this.links.current(transfer.peerId)?.sendControl({ t: 'file-cancel', id: transfer.id });
  }

  /**
   * Asks the sender to send a failed transfer again (file-retry). Its offer comes back with the same
   * id and is taken like a resume; a sender that no longer has the files answers file-error.
   */
  async retry(transfer: Transfer): Promise<void> {
    const { id } = transfer;
    await this.api.retryIncoming({ id });
    const link = await this.links.get(transfer.peerId);
    link.sendControl({ t: 'file-retry', id });
    this.retryAnswered(id);
    this.retrying.set(
      id,
      setTimeout(() => {
        this.retrying.delete(id);
        const error = {
          code: 'unavailable',
          message: 'The sender did not answer the retry. Their Lanline may be too old to retry transfers; ask them to send the files again.',
        };
        void this.api.updateTransfer({ id, event: 'failed', error }).catch(() => undefined);
      }, RETRY_ANSWER_MS),
    );
  }

  private retryAnswered(id: string): void {
    const timer = this.retrying.get(id);
    if (timer !== undefined) clearTimeout(timer);
    this.retrying.delete(id);
  }

  /** Offers again what is unfinished for this peer, so both sides resume (after a reconnect or restart). */
  async resume(peerId: string): Promise<void> {
    const offers = await this.api.outgoingFor({ peerId: peerId as PeerId });
    if (!offers.length) return;
    const link = await this.links.get(peerId);
    for (const offer of offers) if (!this.sending.has(offer.id)) link.sendControl({ t: 'file-offer', offer });
  }

  private attach(link: DataLink): void {
    link.onControl((message) => void this.control(link, message).catch((error: unknown) => this.events.error?.((error as Error).message)));
    link.bulk.forEach((channel) => {
      channel.bufferedAmountLowThreshold = LOW_WATER;
      channel.onmessage = ({ data }) => this.chunk(link, data as ArrayBuffer);
    });
    link.onClose(() => this.linkClosed(link));
    void link.opened.then(() => this.resume(link.peerId)).catch(() => undefined);
  }

  private async control(link: DataLink, message: { t: string } & Record<string, unknown>): Promise<void> {
    const id = typeof message.id === 'string' ? message.id : '';
    switch (message.t) {
      case 'file-offer': {
        const offer = message.offer as TransferOffer;
        if (typeof offer?.id === 'string') this.retryAnswered(offer.id);
        // The same offer twice on one link: the sender's resume() and offer() both send it when an
        // offer is made as the link opens. The first one is being received; a second accept would
        // number the transfer anew while the sender goes on with the first number.
        if (this.receivingOn(link, offer.id)) return;
        let reply: Awaited<ReturnType<TransferApi['receiveOffer']>>;
        try {
          reply = await this.api.receiveOffer({ peerId: link.peerId as PeerId, offer });
        } catch (error) {
          // Refused before the user was asked (too many offers waiting, not enough space, an offer
          // that breaks the rules): the sender is told why, in the same words the receiver reads.
          const failure = { code: (error as { code?: string }).code ?? 'invalid', message: (error as Error).message };
          if (typeof offer?.id === 'string' && link.isOpen) link.sendControl({ t: 'file-error', id: offer.id, ...failure });
          throw error;
        }
        if (this.receivingOn(link, offer.id)) return;
        if (reply.accepted) this.startReceiving(link, offer.id, offer.files.map((file) => file.size), reply.offsets);
        else if (reply.transfer.state === 'waiting') this.events.offered?.(reply.transfer);
        else if (reply.transfer.state === 'declined') link.sendControl({ t: 'file-decline', id: offer.id });
        else if (reply.transfer.state === 'cancelled') link.sendControl({ t: 'file-cancel', id: offer.id });
        return;
      }
      case 'file-accept': {
        const offers = await this.api.outgoingFor({ peerId: link.peerId as PeerId });
        const offer = offers.find((candidate) => candidate.id === id);
        if (!offer || this.sending.has(id)) return;
        const offsets = Array.isArray(message.offsets) ? (message.offsets as number[]) : [];
        // A window smaller than one chunk would never let a chunk through: it counts as one chunk.
        const window = Number.isSafeInteger(message.window) && (message.window as number) > 0 ? Math.max(message.window as number, CHUNK_BYTES) : null;
        void this.pump({ offer, peerId: link.peerId, link, stopped: false, doneFiles: new Set(), window, sent: 0, written: 0, wake: null }, Number(message.handle), offsets);
        return;
      }
      case 'file-written': {
        const sending = this.sending.get(id);
        const bytes = Number(message.bytes);
        if (!sending || !Number.isSafeInteger(bytes) || bytes <= sending.written) return;
        sending.written = bytes;
        sending.wake?.();
        return;
      }
      case 'file-done': {
        const sending = this.sending.get(id);
        const file = Number(message.file);
        await this.api.updateTransfer({ id, event: 'file-done', file });
        if (!sending) return;
        sending.doneFiles.add(file);
        if (sending.doneFiles.size === sending.offer.files.length) {
          this.sending.delete(id);
          await this.api.updateTransfer({ id, event: 'done' });
        }
        return;
      }
      case 'file-retry': {
        // The receiver wants a failed transfer again: files checked and hashed anew, then offered.
        if (!id || this.sending.has(id)) return;
        let offer: TransferOffer;
        try {
          offer = await this.api.retryOutgoing({ peerId: link.peerId as PeerId, id });
        } catch (error) {
          const failure = { code: (error as { code?: string }).code ?? 'io', message: (error as Error).message };
          if (link.isOpen) link.sendControl({ t: 'file-error', id, ...failure });
          return;
        }
        link.sendControl({ t: 'file-offer', offer });
        return;
      }
      case 'file-decline':
        this.stop(id);
        await this.api.updateTransfer({ id, event: 'declined' });
        return;
      case 'file-cancel':
        this.retryAnswered(id);
        this.stop(id);
        await this.api.updateTransfer({ id, event: 'cancelled' });
        return;
      case 'file-error': {
        this.retryAnswered(id);
        this.stop(id);
        const error = { code: String(message.code ?? 'io').slice(0, 40), message: String(message.message ?? 'The transfer failed.').slice(0, 500) };
        await this.api.updateTransfer({ id, event: 'failed', error });
        return;
      }
    }
  }

  // ---- sending -----------------------------------------------------------------------------------

  private async pump(sending: Sending, handle: number, offsets: number[]): Promise<void> {
    const { offer, link } = sending;
    this.sending.set(offer.id, sending);
    let confirmedFiles = 0;
    // Every chunk is framed in this buffer: send() has copied it before it returns.
    const message = new Uint8Array(MAX_MESSAGE_BYTES);
    try {
      await this.api.updateTransfer({ id: offer.id, event: 'started' });
      let lastReport = 0;
      let round = 0;
      for (const [file, { size }] of offer.files.entries()) {
        let offset = Math.min(offsets[file] ?? 0, size);
        if (offset >= size && size > 0) {
          confirmedFiles++;
          continue;
        }
        const reads: Array<Promise<Uint8Array>> = [];
        let readAt = offset;
        const fill = () => {
          while (reads.length < READ_AHEAD && readAt < size) {
            const length = Math.min(READ_BYTES, size - readAt);
            const read = this.api.readChunk({ id: offer.id, file, offset: readAt, length }).then((reply) => reply.data);
            read.catch(() => undefined);
            reads.push(read);
            readAt += length;
          }
        };
        fill();
        while (offset < size) {
          if (sending.stopped) return;
          const batch = await reads.shift()!;
          fill();
          for (let at = 0; at < batch.length; at += CHUNK_BYTES) {
            const data = batch.subarray(at, at + CHUNK_BYTES);
            const channel = await this.writable(sending, round++, data.length);
            if (!channel) return;
            channel.send(encodeChunk(handle, file, offset, data, message));
            offset += data.length;
            sending.sent += data.length;
            if (Date.now() - lastReport >= PROGRESS_MS) {
              lastReport = Date.now();
              void this.api.updateTransfer({ id: offer.id, event: 'progress', file, done: offset }).catch(() => undefined);
            }
          }
        }
        void this.api.updateTransfer({ id: offer.id, event: 'progress', file, done: size }).catch(() => undefined);
      }
      // Files the receiver already had count as done at once.
      if (confirmedFiles === offer.files.length) {
        this.sending.delete(offer.id);
        await this.api.updateTransfer({ id: offer.id, event: 'done' });
      }
    } catch (error) {
      if (sending.stopped) return;
      this.sending.delete(offer.id);
      if (isUnavailable(error)) return;
      if (!link.isOpen) {
        await this.api.updateTransfer({ id: offer.id, event: 'paused' }).catch(() => undefined);
        return;
      }
      const failure = { code: (error as { code?: string }).code ?? 'io', message: (error as Error).message };
      link.sendControl({ t: 'file-error', id: offer.id, ...failure });
      await this.api.updateTransfer({ id: offer.id, event: 'failed', error: failure }).catch(() => undefined);
    }
  }

  /**
   * A bulk channel with room for the next chunk of `bytes`, starting the search at `round`, once the
   * receiver's window (when it gave one) has room for them too; null once the sending stopped. Waits
   * for whichever comes first: bufferedamountlow, file-written, stop, the link closing.
   */
  private async writable(sending: Sending, round: number, bytes: number): Promise<RTCDataChannel | null> {
    const { link } = sending;
    const channels = link.bulk;
    for (;;) {
      if (sending.stopped) return null;
      if (sending.window === null || sending.sent + bytes - sending.written <= sending.window) {
        for (let i = 0; i < channels.length; i++) {
          const channel = channels[(round + i) % channels.length]!;
          if (channel.readyState !== 'open') throw new Error('The data connection closed.');
          if (channel.bufferedAmount < HIGH_WATER) return channel;
        }
      } else if (!link.isOpen) {
        throw new Error('The data connection closed.');
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          sending.wake = null;
          channels.forEach((channel) => channel.removeEventListener('bufferedamountlow', done));
          link.control.removeEventListener('close', done);
          resolve();
        };
        sending.wake = done;
        channels.forEach((channel) => channel.addEventListener('bufferedamountlow', done));
        link.control.addEventListener('close', done);
      });
    }
  }

  // ---- receiving ---------------------------------------------------------------------------------

  private receivingOn(link: DataLink, id: string): boolean {
    const state = this.receiving.get(id);
    return !!state && state.link === link && !state.stopped;
  }

  private startReceiving(link: DataLink, id: string, sizes: number[], offsets: number[]): void {
    this.stopReceiving(id);
    const handle = this.nextHandle++;
    const state: Receiving = {
      id,
      sizes,
      link,
      handle,
      order: sizes.map((_, file) => new Reorder(offsets[file] ?? 0)),
      inflight: sizes.map(() => 0),
      written: 0,
      reported: 0,
      finished: new Set(),
      stopped: false,
    };
    this.receiving.set(id, state);
    let handles = this.byHandle.get(link);
    if (!handles) this.byHandle.set(link, (handles = new Map()));
    handles.set(handle, state);
    link.sendControl({ t: 'file-accept', id, handle, offsets, window: RECEIVE_WINDOW_BYTES });
    // Files with nothing (more) to receive are checked and named now: empty ones, finished ones.
    sizes.forEach((size, index) => {
      if ((offsets[index] ?? 0) >= size) void this.finish(state, index);
    });
  }

  private chunk(link: DataLink, message: ArrayBuffer): void {
    const chunk = decodeChunk(message);
    if (!chunk) return;
    const state = this.byHandle.get(link)?.get(chunk.handle);
    const order = state?.order[chunk.file];
    if (!state || !order || state.stopped) return;
    // Bytes already received (sent again after a resume) need no writing: they count as written.
    if (chunk.offset < order.next) return this.wrote(state, chunk.data.length);
    for (const ready of order.take(chunk.offset, chunk.data)) this.write(state, chunk.file, ready.offset, ready.data);
  }

  /** Counts bytes main has written and tells the sender every WRITTEN_REPORT_BYTES (its window moves). */
  private wrote(state: Receiving, bytes: number): void {
    state.written += bytes;
    if (state.written - state.reported < WRITTEN_REPORT_BYTES || !state.link.isOpen) return;
    state.reported = state.written;
    state.link.sendControl({ t: 'file-written', id: state.id, bytes: state.written });
  }

  /**
   * Hands in-order bytes of a file to main. Writes are not awaited one by one: main takes a file's
   * writes in the order they are made (the bridge keeps order), so the channel's pace sets the speed.
   */
  private write(state: Receiving, file: number, offset: number, data: Uint8Array): void {
    state.inflight[file]!++;
    // Only the length is kept: the bytes are main's once handed over (the bridge has copied them).
    const { length } = data;
    void this.api.writeChunk({ id: state.id, file, offset, data }).then(
      () => {
        if (state.stopped) return;
        state.inflight[file]!--;
        this.wrote(state, length);
        if (state.inflight[file] === 0 && state.order[file]!.next >= state.sizes[file]!) void this.finish(state, file);
      },
      (error: unknown) => this.fail(state, error),
    );
  }

  private async finish(state: Receiving, file: number): Promise<void> {
    if (state.finished.has(file) || state.stopped) return;
    state.finished.add(file);
    try {
      await this.api.finishFile({ id: state.id, file });
      if (state.link.isOpen) state.link.sendControl({ t: 'file-done', id: state.id, file });
      if (state.finished.size === state.sizes.length) this.stopReceiving(state.id);
    } catch (error) {
      this.fail(state, error);
    }
  }

  private fail(state: Receiving, error: unknown): void {
    if (state.stopped) return;
    state.stopped = true;
    this.stopReceiving(state.id);
    // Main is gone (the app is quitting or crashed): nothing failed for the peer; it resumes later.
    if (isUnavailable(error)) return;
    const failure = { code: (error as { code?: string }).code ?? 'io', message: (error as Error).message };
    if (state.link.isOpen) state.link.sendControl({ t: 'file-error', id: state.id, ...failure });
    // main recorded the failure already when it was its own (disk full, damaged file).
    void this.api.updateTransfer({ id: state.id, event: 'failed', error: failure }).catch(() => undefined);
    this.events.error?.(failure.message);
  }

  private stop(id: string): void {
    const sending = this.sending.get(id);
    if (sending) {
      sending.stopped = true;
      sending.wake?.();
    }
    this.sending.delete(id);
    this.stopReceiving(id);
  }

  private stopReceiving(id: string): void {
    const state = this.receiving.get(id);
    if (!state) return;
    state.stopped = true;
    this.receiving.delete(id);
    this.byHandle.get(state.link)?.delete(state.handle);
  }

  private linkClosed(link: DataLink): void {
    for (const state of this.byHandle.get(link)?.values() ?? []) {
      this.stopReceiving(state.id);
      void this.api.updateTransfer({ id: state.id, event: 'paused' }).catch(() => undefined);
    }
    this.byHandle.delete(link);
    for (const sending of [...this.sending.values()]) {
      if (sending.link !== link) continue;
      sending.stopped = true;
      sending.wake?.();
      this.sending.delete(sending.offer.id);
      void this.api.updateTransfer({ id: sending.offer.id, event: 'paused' }).catch(() => undefined);
    }
  }
}

const isUnavailable = (error: unknown) => (error as { code?: string } | null)?.code === 'unavailable';
