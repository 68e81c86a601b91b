/**
 * The receive window of file transfers (docs/protocol.md, Files): two TransferEngines joined by
 * in-memory channels that behave as RTCDataChannels do for the engine (send copies, bufferedAmount,
 * bufferedamountlow, delivery in order per channel), with main's side given by the test. Node has no
 * RTCDataChannel; the e2e tests move files between real pages. In every test the offer is made as
 * the link opens, so the sender sends it twice (its resume of unfinished offers, and the offer).
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { PeerId, Transfer, TransferOffer } from '../../electron/contract.js';
import type { DataLink } from '../../renderer/src/rtc/data-link.js';
import type { DataLinks } from '../../renderer/src/rtc/data-links.js';
import { RECEIVE_WINDOW_BYTES, TransferEngine, WRITTEN_REPORT_BYTES, type TransferApi } from '../../renderer/src/rtc/transfer/engine.js';

const MiB = 1024 * 1024;

/** One direction-pair of an ordered channel: what one side sends, the other side's onmessage gets. */
class Channel extends EventTarget {
  readyState: RTCDataChannelState = 'open';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  onmessage: ((event: { data: ArrayBuffer }) => void) | null = null;
  peer!: Channel;
  private readonly queue: Uint8Array[] = [];
  private flushing = false;

  send(data: Uint8Array): void {
    this.queue.push(data.slice());
    this.bufferedAmount += data.length;
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => this.flush());
    }
  }

  /** Delivers one message per turn of the event loop, as a network would take its time. */
  private flush(): void {
    const message = this.queue.shift();
    if (!message) {
      this.flushing = false;
      return;
    }
    const before = this.bufferedAmount;
    this.bufferedAmount -= message.length;
    this.peer.onmessage?.({ data: message.buffer as ArrayBuffer });
    if (before > this.bufferedAmountLowThreshold && this.bufferedAmount <= this.bufferedAmountLowThreshold) this.dispatchEvent(new Event('bufferedamountlow'));
    setImmediate(() => this.flush());
  }
}

type Control = { t: string } & Record<string, unknown>;

class Link {
  readonly control = new EventTarget();
  readonly bulk = [new Channel(), new Channel(), new Channel(), new Channel()];
  readonly opened = Promise.resolve();
  isOpen = true;
  peer!: Link;
  /** Lets a test change or drop what this side sends on the control channel. */
  outgoing: (message: Control) => Control | null = (message) => message;
  private readonly listeners = new Set<(message: Control) => void>();

  constructor(readonly peerId: string) {}

  sendControl(message: Control): void {
    const sent = this.outgoing(JSON.parse(JSON.stringify(message)) as Control);
    if (sent) setImmediate(() => this.peer.listeners.forEach((listener) => listener(sent)));
  }
  onControl(listener: (message: Control) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  onClose(): () => void {
    return () => undefined;
  }
}

function joined(): [Link, Link] {
  const a = new Link('peer-b');
  const b = new Link('peer-a');
  a.peer = b;
  b.peer = a;
  a.bulk.forEach((channel, index) => {
    channel.peer = b.bulk[index]!;
    b.bulk[index]!.peer = channel;
  });
  return [a, b];
}

const links = (link: Link) =>
  ({
    onLink: (listener: (link: DataLink) => void) => listener(link as unknown as DataLink),
    get: async () => link as unknown as DataLink,
    current: () => link as unknown as DataLink,
  }) as unknown as DataLinks;

const unexpected = (name: string) => () => Promise.reject(new Error(`${name} was not expected`));

/** The sending side's main: the file is `source`, read as readChunk asks. */
function senderMain(source: Buffer, offer: TransferOffer) {
  const events: string[] = [];
  let offers: TransferOffer[] = [];
  const api: TransferApi = {
    readChunk: async ({ offset, length }) => ({ data: new Uint8Array(source.subarray(offset, offset + length)) }),
    outgoingFor: async () => offers,
    updateTransfer: async ({ event }) => {
      events.push(event);
      return undefined as never;
    },
    receiveOffer: unexpected('receiveOffer'),
    answerTransfer: unexpected('answerTransfer'),
    writeChunk: unexpected('writeChunk'),
    finishFile: unexpected('finishFile'),
    retryIncoming: unexpected('retryIncoming'),
    retryOutgoing: unexpected('retryOutgoing'),
  };
  return { api, events, publish: () => (offers = [offer]) };
}

/**
 * The receiving side's main with a disk that writes only when the test lets it: `release()` writes
 * what is waiting. Counts what the engine handed over and has not had confirmed: the bytes it holds.
 */
function receiverMain(size: number) {
  const file = Buffer.alloc(size);
  const waiting: Array<() => void> = [];
  const state = { handed: 0, written: 0, mostHeld: 0, finished: false };
  const api: TransferApi = {
    receiveOffer: async ({ offer }) => ({ accepted: true, offsets: offer.files.map(() => 0), transfer: {} as Transfer }),
    writeChunk: ({ offset, data }) => {
      state.handed += data.length;
      state.mostHeld = Math.max(state.mostHeld, state.handed - state.written);
      return new Promise((resolve) =>
        waiting.push(() => {
          file.set(data, offset);
          state.written += data.length;
          resolve({ done: offset + data.length });
        }),
      );
    },
    finishFile: async () => {
      state.finished = true;
      return {} as Transfer;
    },
    updateTransfer: async () => undefined as never,
    readChunk: unexpected('readChunk'),
    outgoingFor: async () => [],
    answerTransfer: unexpected('answerTransfer'),
    retryIncoming: unexpected('retryIncoming'),
    retryOutgoing: unexpected('retryOutgoing'),
  };
  const release = () => waiting.splice(0).forEach((write) => write());
  return { api, file, state, release, waiting };
}

/** Turns of the event loop until nothing moves any more (no message, no write handed over). */
async function settled(progress: () => number): Promise<void> {
  let last = -1;
  let still = 0;
  while (still < 50) {
    await new Promise((resolve) => setImmediate(resolve));
    const now = progress();
    still = now === last ? still + 1 : 0;
    last = now;
  }
}

function setUp(size: number) {
  const source = randomBytes(size);
  const offer: TransferOffer = { id: 'transfer-1', kind: 'files', files: [{ path: 'big.bin', size, sha256: '0'.repeat(64) }] } as TransferOffer;
  const [senderLink, receiverLink] = joined();
  const sender = senderMain(source, offer);
  const receiver = receiverMain(size);
  const senderEngine = new TransferEngine(sender.api, links(senderLink));
  new TransferEngine(receiver.api, links(receiverLink));
  return { source, offer, senderLink, receiverLink, sender, receiver, senderEngine };
}

let stopFeeding: (() => void) | null = null;
afterEach(() => stopFeeding?.());

/** The receiving disk writes what waits every millisecond, until the test ends. */
function keepWriting(receiver: { release(): void }): void {
  const timer = setInterval(() => receiver.release(), 1);
  stopFeeding = () => clearInterval(timer);
}

describe('an offer made as the link opens', () => {
  it('arrives twice and is received once, under the number the sender uses', async () => {
    const size = 3 * MiB + 1;
    const { source, offer, senderLink, receiverLink, sender, receiver, senderEngine } = setUp(size);
    const offers: unknown[] = [];
    const accepts: unknown[] = [];
    senderLink.outgoing = (message) => (message.t === 'file-offer' && offers.push(message), message);
    receiverLink.outgoing = (message) => (message.t === 'file-accept' && accepts.push(message), message);
    keepWriting(receiver);
    sender.publish();
    await senderEngine.offer('peer-b', offer);
    await expect.poll(() => receiver.state.finished, { timeout: 10_000 }).toBe(true);
    await expect.poll(() => sender.events.at(-1), { timeout: 10_000 }).toBe('done');
    expect(offers).toHaveLength(2);
    expect(accepts).toHaveLength(1);
    expect(receiver.file.equals(source)).toBe(true);
  });
});

describe('the receive window of file transfers', () => {
  it('holds the sender to the window while the receiving disk writes nothing, then finishes with the same bytes', async () => {
    const size = 2 * RECEIVE_WINDOW_BYTES + 5 * MiB + 12_345;
    const { source, offer, sender, receiver, senderEngine } = setUp(size);
    sender.publish();
    await senderEngine.offer('peer-b', offer);

    // The disk is stuck: the sender must stop once a window's worth is unwritten.
    await settled(() => receiver.state.handed);
    expect(receiver.state.written).toBe(0);
    expect(receiver.state.handed).toBeGreaterThan(RECEIVE_WINDOW_BYTES / 2);
    expect(receiver.state.handed).toBeLessThanOrEqual(RECEIVE_WINDOW_BYTES);

    // The disk writes again, slowly: the window moves and everything arrives.
    keepWriting(receiver);
    await expect.poll(() => receiver.state.finished, { timeout: 60_000 }).toBe(true);
    await expect.poll(() => sender.events.at(-1), { timeout: 10_000 }).toBe('done');
    expect(receiver.state.written).toBe(size);
    expect(receiver.file.equals(source)).toBe(true);
    // What the receiver held unwritten never went past the window.
    expect(receiver.state.mostHeld).toBeLessThanOrEqual(RECEIVE_WINDOW_BYTES);
  });

  it('reports what was written every few MiB, not per chunk', async () => {
    const size = 3 * WRITTEN_REPORT_BYTES + 7;
    const { offer, receiverLink, sender, receiver, senderEngine } = setUp(size);
    const reports: number[] = [];
    receiverLink.outgoing = (message) => {
      if (message.t === 'file-written') reports.push(Number(message.bytes));
      return message;
    };
    keepWriting(receiver);
    sender.publish();
    await senderEngine.offer('peer-b', offer);
    await expect.poll(() => receiver.state.finished, { timeout: 30_000 }).toBe(true);
    expect(reports.length).toBeGreaterThanOrEqual(2);
    expect(reports.length).toBeLessThanOrEqual(3);
    reports.forEach((bytes, index) => expect(bytes).toBeGreaterThanOrEqual((index + 1) * WRITTEN_REPORT_BYTES));
  });

  it('sends at the channels\' pace to a receiver that gives no window (an older Lanline)', async () => {
    const size = RECEIVE_WINDOW_BYTES + 9 * MiB;
    const { offer, receiverLink, sender, receiver, senderEngine } = setUp(size);
    receiverLink.outgoing = (message) => {
      if (message.t === 'file-written') return null;
      if (message.t === 'file-accept') delete message.window;
      return message;
    };
    sender.publish();
    await senderEngine.offer('peer-b' as PeerId, offer);
    // Nothing is written, yet the whole file reaches the receiver: the old behaviour.
    await expect.poll(() => receiver.state.handed, { timeout: 30_000 }).toBe(size);
    expect(receiver.state.written).toBe(0);
    receiver.release();
    await expect.poll(() => receiver.state.finished, { timeout: 10_000 }).toBe(true);
  });
});
