/**
 * The contract over the host's WebSocket (see electron/host/bridge.ts for the frames). Used when the
 * renderer runs in a plain browser; the token comes from the URL fragment the host printed.
 */
import type { Envelope, EventName, LanlineApi } from '../../../electron/contract';
import { LanlineError } from './error';

interface Pending {
  resolve(value: unknown): void;
  reject(error: LanlineError): void;
}

type Frame =
  | { type: 'reply'; id: number | null; envelope: Envelope<unknown> }
  | { type: 'event'; name: EventName; payload: unknown };

export function tokenFromLocation(location: Location): string | null {
  return new URLSearchParams(location.hash.replace(/^#/, '')).get('token');
}

export async function connectWebSocketBridge(location: Location, onClose: () => void): Promise<LanlineApi> {
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

  socket.addEventListener('message', (message) => {
    const frame = message.data instanceof ArrayBuffer ? readBinary(message.data) : (JSON.parse(String(message.data)) as Frame);
    if (frame.type === 'event') {
      for (const listener of listeners.get(frame.name) ?? []) listener(frame.payload);
      return;
    }
    const call = frame.id === null ? undefined : pending.get(frame.id);
    if (!call) return;
    pending.delete(frame.id as number);
    if (frame.envelope.ok) call.resolve(frame.envelope.value);
    else call.reject(LanlineError.from(frame.envelope.error));
  });
  socket.addEventListener('close', () => {
    for (const call of pending.values()) call.reject(new LanlineError('unavailable', 'The connection to the Lanline host was closed.'));
    pending.clear();
    onClose();
  });

  const request = (name: string, payload?: unknown) =>
    new Promise((resolve, reject) => {
      if (socket.readyState !== WebSocket.OPEN) return reject(new LanlineError('unavailable', 'The connection to the Lanline host was closed.'));
      const id = nextId++;
      pending.set(id, { resolve, reject });
      const data = (payload as { data?: unknown } | undefined)?.data;
      if (data instanceof Uint8Array) {
        const { data: _bytes, ...rest } = payload as { data: Uint8Array };
        socket.send(writeBinary({ type: 'request', id, name, payload: rest }, data));
      } else {
        socket.send(JSON.stringify({ type: 'request', id, name, payload }));
      }
    });

  const on = new Proxy({} as LanlineApi['on'], {
    get: (_target, name) => (listener: (payload: unknown) => void) => {
      let set = listeners.get(String(name));
      if (!set) listeners.set(String(name), (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  });

  // Request names are known only as types here (the renderer imports no runtime from the contract),
  // so methods are made on access. 'then' must stay undefined or `await api` would treat it as a promise.
  return new Proxy({} as LanlineApi, {
    get: (_target, name) => {
      if (typeof name !== 'string' || name === 'then') return undefined;
      return name === 'on' ? on : (payload?: unknown) => request(name, payload);
    },
  });
}

/** Binary frames carry file chunks: [u32 header length][JSON header][bytes] (electron/host/bridge.ts). */
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function writeBinary(header: unknown, data: Uint8Array): Uint8Array {
  const json = encoder.encode(JSON.stringify(header));
  const frame = new Uint8Array(4 + json.length + data.length);
  new DataView(frame.buffer).setUint32(0, json.length);
  frame.set(json, 4);
  frame.set(data, 4 + json.length);
  return frame;
}

function readBinary(buffer: ArrayBuffer): Frame {
  const length = new DataView(buffer).getUint32(0);
  const frame = JSON.parse(decoder.decode(new Uint8Array(buffer, 4, length))) as Frame;
  if (frame.type === 'reply' && frame.envelope.ok) frame.envelope.value = { ...(frame.envelope.value as object), data: new Uint8Array(buffer, 4 + length) };
  return frame;
}
