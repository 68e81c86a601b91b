/**
 * The renderer's side of the host bridge (renderer/src/bridge/websocket.ts) against a real WebSocket
 * server standing in for the host: requests with bytes go as a frame announcing them and the bytes,
 * replies with bytes are put back together, and a reply whose bytes do not match fails clearly.
 * The `ws` package plays the browser's WebSocket (Node 20 has none).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer, type RawData } from 'ws';
import { createApi } from '../../renderer/src/bridge/api.js';
import { connectWebSocketTransport } from '../../renderer/src/bridge/websocket.js';
import type { LanlineApi } from '../../electron/contract.js';

let server: WebSocketServer;
/** What the stand-in host does with each request frame (and the bytes that followed it). */
let onRequest: (socket: WebSocket, frame: { id: number; name: string; payload?: Record<string, unknown>; bytes?: number }, bytes: Buffer | null) => void;

beforeAll(async () => {
  (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  server.on('connection', (socket) => {
    let announced: { id: number; name: string; bytes?: number } | null = null;
    socket.on('message', (data: RawData, isBinary) => {
      if (isBinary) {
        const frame = announced!;
        announced = null;
        return onRequest(socket, frame, data as Buffer);
      }
      const frame = JSON.parse(String(data));
      if (typeof frame.bytes === 'number') announced = frame;
      else onRequest(socket, frame, null);
    });
  });
});
afterAll(async () => {
  for (const client of server.clients) client.terminate();
  await new Promise((resolve) => server.close(resolve));
});

async function connect(): Promise<LanlineApi> {
  const { port } = server.address() as { port: number };
  const location = { protocol: 'http:', host: `127.0.0.1:${port}`, hash: '#token=t' } as Location;
  return createApi(await connectWebSocketTransport(location, () => undefined));
}

describe('the renderer side of the host bridge', () => {
  it('sends bytes as an announcing frame and exactly those bytes, and takes a reply with bytes back', async () => {
    const seen: Array<{ name: string; payload?: Record<string, unknown>; bytes: number[] | null }> = [];
    onRequest = (socket, frame, bytes) => {
      seen.push({ name: frame.name, payload: frame.payload, bytes: bytes && [...bytes] });
      if (frame.name === 'writeChunk') return socket.send(JSON.stringify({ type: 'reply', id: frame.id, envelope: { ok: true, value: { done: 3 } } }));
      socket.send(JSON.stringify({ type: 'reply', id: frame.id, envelope: { ok: true, value: {} }, bytes: 4 }));
      socket.send(Buffer.from([9, 8, 7, 6]));
    };
    const api = await connect();
    // A view into a larger buffer: only its own bytes go.
    const backing = new Uint8Array([0, 1, 2, 3, 4]);
    await expect(api.writeChunk({ id: 'x' as never, file: 0, offset: 0, data: backing.subarray(1, 4) })).resolves.toEqual({ done: 3 });
    expect(seen[0]).toEqual({ name: 'writeChunk', payload: { id: 'x', file: 0, offset: 0 }, bytes: [1, 2, 3] });
    const reply = await api.readChunk({ id: 'x' as never, file: 0, offset: 0, length: 4 });
    expect([...reply.data]).toEqual([9, 8, 7, 6]);
  });

  it('fails a call whose reply announced bytes that did not come, and goes on with the next', async () => {
    onRequest = (socket, frame) => {
      if (frame.name === 'readChunk' && frame.payload?.offset === 0) {
        socket.send(JSON.stringify({ type: 'reply', id: frame.id, envelope: { ok: true, value: {} }, bytes: 4 }));
        return socket.send(Buffer.from([1, 2]));
      }
      if (frame.name === 'readChunk') {
        // Announced, then a text frame instead of the bytes.
        socket.send(JSON.stringify({ type: 'reply', id: frame.id, envelope: { ok: true, value: {} }, bytes: 4 }));
        return socket.send(JSON.stringify({ type: 'event', name: 'settingsChanged', payload: {} }));
      }
      socket.send(JSON.stringify({ type: 'reply', id: frame.id, envelope: { ok: true, value: { name: 'Lanline' } } }));
    };
    const api = await connect();
    await expect(api.readChunk({ id: 'x' as never, file: 0, offset: 0, length: 4 })).rejects.toMatchObject({ code: 'internal', message: expect.stringMatching(/did not send the bytes/) });
    await expect(api.readChunk({ id: 'x' as never, file: 0, offset: 4, length: 4 })).rejects.toMatchObject({ code: 'internal' });
    await expect(api.getAppInfo()).resolves.toMatchObject({ name: 'Lanline' });
  });
});
