/**
 * The transport over the host's WebSocket (see electron/host/bridge.ts for the frames), which api.ts
 * turns into the LanlineApi. Used when the renderer runs in a plain browser; the token comes from the
 * URL fragment the host printed.
 * A request or reply carrying file bytes is a JSON frame announcing `bytes`, then one binary frame
 * holding exactly them: the bytes go as they are, never copied into a frame with their header.
 */
import type { Envelope, EventName } from '../../../electron/contract.js';
import type { Transport } from './api.js';
import { LanlineError } from './error.js';

interface Pending {
  resolve(envelope: Envelope<unknown>): void;
  reject(error: LanlineError): void;
}

type Frame =
  | { type: 'reply'; id: number | null; envelope: Envelope<unknown>; bytes?: number }
  | { type: 'event'; name: EventName; payload: unknown };

export function tokenFromLocation(location: Location): string | null {
  return new URLSearchParams(location.hash.replace(/^#/, '')).get('token');
}

export async function connectWebSocketTransport(location: Location, onClose: () => void): Promise<Transport> {
  const token = tokenFromLocation(location);
  if (!token) throw new LanlineError('forbidden', 'This page was opened without the host token; open the address the host printed.');
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(`${scheme}//${location.host}/bridge?token=${encodeURIComponent(token)}`);
  socket.binaryType = 'arraybuffer';
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new LanlineError('unavailable', 'The Lanline host refused the connection or is not running.')), { once: true });
  });

  let nextId = 1;
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();

  /** A reply that announced bytes: the next frame holds them. */
  let awaitingBytes: (Frame & { type: 'reply' }) | null = null;
  const settle = (frame: Frame & { type: 'reply' }) => {
    const call = frame.id === null ? undefined : pending.get(frame.id);
    if (!call) return;
    pending.delete(frame.id as number);
    call.resolve(frame.envelope);
  };
  const mismatch = (frame: Frame & { type: 'reply' }) => {
    frame.envelope = { ok: false, error: { code: 'internal', message: 'The Lanline host did not send the bytes its reply announced.' } };
    settle(frame);
  };
  socket.addEventListener('message', (message) => {
    const announced = awaitingBytes;
    awaitingBytes = null;
    if (message.data instanceof ArrayBuffer) {
      if (!announced) return;
      if (message.data.byteLength !== announced.bytes) return mismatch(announced);
      if (announced.envelope.ok) announced.envelope.value = { ...(announced.envelope.value as object), data: new Uint8Array(message.data) };
      return settle(announced);
    }
    if (announced) mismatch(announced);
    const frame = JSON.parse(String(message.data)) as Frame;
    if (frame.type === 'event') {
      for (const listener of listeners.get(frame.name) ?? []) listener(frame.payload);
      return;
    }
    if (typeof frame.bytes === 'number') awaitingBytes = frame;
    else settle(frame);
  });
  const closed = () => new LanlineError('unavailable', 'The connection to the Lanline host was closed.');
  socket.addEventListener('close', () => {
    for (const call of pending.values()) call.reject(closed());
    pending.clear();
    onClose();
  });

  return {
    invoke: (name, payload) =>
      new Promise((resolve, reject) => {
        if (socket.readyState !== WebSocket.OPEN) return reject(closed());
        const id = nextId++;
        pending.set(id, { resolve, reject });
        const data = (payload as { data?: unknown } | undefined)?.data;
        if (data instanceof Uint8Array) {
          const { data: _bytes, ...rest } = payload as { data: Uint8Array };
          socket.send(JSON.stringify({ type: 'request', id, name, payload: rest, bytes: data.length }));
          socket.send(data as Uint8Array<ArrayBuffer>);
        } else {
          socket.send(JSON.stringify({ type: 'request', id, name, payload }));
        }
      }),
    on: (name, listener) => {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(listener);
      return () => void set.delete(listener);
    },
  };
}
