import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES, CHUNK_HEADER_BYTES, decodeChunk, encodeChunk, MAX_MESSAGE_BYTES, Reorder } from '../../renderer/src/rtc/transfer/framing.js';

describe('chunk framing', () => {
  it('round-trips handle, file, offset and bytes, up to the largest message a channel takes', () => {
    const data = new Uint8Array(CHUNK_BYTES).map((_, i) => i % 251);
    const message = encodeChunk(7, 3, 2 ** 40 + 5, data);
    expect(message.length).toBe(MAX_MESSAGE_BYTES);
    const chunk = decodeChunk(message.buffer);
    expect(chunk).toMatchObject({ handle: 7, file: 3, offset: 2 ** 40 + 5 });
    expect(Buffer.from(chunk!.data).equals(Buffer.from(data))).toBe(true);
    expect(decodeChunk(encodeChunk(1, 0, 0, new Uint8Array(0)).buffer)).toMatchObject({ offset: 0, data: new Uint8Array(0) });
  });

  it('writes a chunk into a reused buffer, the message being a view of just its bytes', () => {
    const scratch = new Uint8Array(MAX_MESSAGE_BYTES).fill(0xee);
    const first = encodeChunk(2, 1, 4096, new Uint8Array(100).fill(9), scratch);
    expect(first.buffer).toBe(scratch.buffer);
    expect(first.length).toBe(CHUNK_HEADER_BYTES + 100);
    const copy = first.slice();
    const second = encodeChunk(2, 1, 4196, new Uint8Array(10).fill(4), scratch);
    expect(decodeChunk(copy.buffer)).toMatchObject({ handle: 2, file: 1, offset: 4096, data: new Uint8Array(100).fill(9) });
    expect(decodeChunk(second.slice().buffer)).toMatchObject({ offset: 4196, data: new Uint8Array(10).fill(4) });
    expect(() => encodeChunk(2, 1, 0, new Uint8Array(200), new Uint8Array(100))).toThrow(RangeError);
  });

  it('refuses chunks that are too big to send, and messages that are not chunks', () => {
    expect(() => encodeChunk(1, 0, 0, new Uint8Array(CHUNK_BYTES + 1))).toThrow(RangeError);
    expect(decodeChunk(new ArrayBuffer(CHUNK_HEADER_BYTES - 1))).toBeNull();
    expect(decodeChunk(new ArrayBuffer(MAX_MESSAGE_BYTES + 1))).toBeNull();
    const bad = new Uint8Array(CHUNK_HEADER_BYTES);
    new DataView(bad.buffer).setFloat64(8, -1);
    expect(decodeChunk(bad.buffer)).toBeNull();
    new DataView(bad.buffer).setFloat64(8, 1.5);
    expect(decodeChunk(bad.buffer)).toBeNull();
    new DataView(bad.buffer).setFloat64(8, Number.NaN);
    expect(decodeChunk(bad.buffer)).toBeNull();
  });
});

describe('putting chunks from several channels back in order', () => {
  const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

  it('releases chunks only in offset order and keeps the ones ahead until the gap closes', () => {
    const order = new Reorder(0);
    expect(order.take(10, bytes(10, 2))).toEqual([]);
    expect(order.take(20, bytes(5, 3))).toEqual([]);
    expect(order.waitingBytes).toBe(15);
    const ready = order.take(0, bytes(10, 1));
    expect(ready.map((chunk) => chunk.offset)).toEqual([0, 10, 20]);
    expect(order.next).toBe(25);
    expect(order.waitingBytes).toBe(0);
  });

  it('starts at a resume offset and drops what it already has', () => {
    const order = new Reorder(1000);
    expect(order.take(0, bytes(10, 1))).toEqual([]);
    expect(order.take(990, bytes(10, 1))).toEqual([]);
    expect(order.take(1000, bytes(10, 1)).map((chunk) => chunk.offset)).toEqual([1000]);
    expect(order.waitingBytes).toBe(0);
  });
});
