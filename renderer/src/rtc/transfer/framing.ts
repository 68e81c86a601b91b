/**
 * File chunks on the bulk data channels (docs/protocol.md#files), one binary message each:
 *   u32 handle   the transfer, as numbered by the receiver in its file-accept
 *   u32 file     index of the file in the offer
 *   f64 offset   where the bytes go in that file (exact up to 2^53)
 *   ...          the bytes; the whole message is at most the channel's maxMessageSize
 * Big-endian. Channels are ordered, but chunks of one file are spread over several channels, so the
 * receiver puts them back in order by offset.
 */
export const CHUNK_HEADER_BYTES = 16;
/** sctp.maxMessageSize in Chromium: larger messages make send() throw. */
export const MAX_MESSAGE_BYTES = 262_144;
export const CHUNK_BYTES = MAX_MESSAGE_BYTES - CHUNK_HEADER_BYTES;

export interface Chunk {
  handle: number;
  file: number;
  offset: number;
  data: Uint8Array;
}

/**
 * The message for one chunk. With `into` (at least CHUNK_HEADER_BYTES + data.length long) the message
 * is written there and a view of it returned, so a sender can reuse one buffer for every chunk:
 * RTCDataChannel.send copies what it is given before it returns.
 */
export function encodeChunk(handle: number, file: number, offset: number, data: Uint8Array, into?: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  if (data.length > CHUNK_BYTES) throw new RangeError(`a chunk holds at most ${CHUNK_BYTES} bytes`);
  const length = CHUNK_HEADER_BYTES + data.length;
  if (into && into.length < length) throw new RangeError(`the buffer holds ${into.length} bytes; this chunk needs ${length}`);
  const message = into ? into.subarray(0, length) : new Uint8Array(length);
  const view = new DataView(message.buffer, message.byteOffset, length);
  view.setUint32(0, handle);
  view.setUint32(4, file);
  view.setFloat64(8, offset);
  message.set(data, CHUNK_HEADER_BYTES);
  return message;
}

/** The chunk in a received message, or null when the message is not one (too short, bad offset). */
export function decodeChunk(message: ArrayBuffer): Chunk | null {
  if (message.byteLength < CHUNK_HEADER_BYTES || message.byteLength > MAX_MESSAGE_BYTES) return null;
  const view = new DataView(message);
  const offset = view.getFloat64(8);
  if (!Number.isSafeInteger(offset) || offset < 0) return null;
  return { handle: view.getUint32(0), file: view.getUint32(4), offset, data: new Uint8Array(message, CHUNK_HEADER_BYTES) };
}

/**
 * Chunks of one file put back in order. `take` returns what can be written now; chunks ahead of the
 * next offset wait (bounded by how far the sender's channel buffers let it run ahead).
 */
export class Reorder {
  private readonly waiting = new Map<number, Uint8Array>();

  constructor(public next: number) {}

  get waitingBytes(): number {
    let total = 0;
    for (const data of this.waiting.values()) total += data.length;
    return total;
  }

  take(offset: number, data: Uint8Array): Array<{ offset: number; data: Uint8Array }> {
    if (offset < this.next) return []; // already have it (a resend after resume)
    this.waiting.set(offset, data);
    const ready: Array<{ offset: number; data: Uint8Array }> = [];
    for (let chunk = this.waiting.get(this.next); chunk; chunk = this.waiting.get(this.next)) {
      this.waiting.delete(this.next);
      ready.push({ offset: this.next, data: chunk });
      this.next += chunk.length;
    }
    return ready;
  }
}
