/**
 * The contract over the host's WebSocket (see electron/host/bridge.ts for the frames). Used when the
 * renderer runs in a plain browser; the token comes from the URL fragment the host printed.
 * Requests that move file bytes go as `POST /bridge` instead, the same frames as bodies: developer
 * tools (and Playwright in the tests) copy every WebSocket message to their client, but not bodies.
 */
import type { Envelope, EventName, LanlineApi, RequestName } from '../../../electron/contract';
import { LanlineError } from './error';

interface Pending {
  resolve(value: unknown): void;
  reject(error: LanlineError): void;
}

type Frame =
  | { type: 'reply'; id: number | null; envelope: Envelope<unknown> }
  | { type: 'event'; name: EventName; payload: unknown };

/** Sent over http: the requests whose payload or reply carries file bytes. */
const OVER_HTTP: ReadonlySet<string> = new Set<RequestName>(['readChunk', 'writeChunk']);

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

  const closed = () => new LanlineError('unavailable', 'The connection to the Lanline host was closed.');
  const overHttp = async (name: string, payload?: unknown) => {
    if (socket.readyState !== WebSocket.OPEN) throw closed();
    const data = (payload as { data?: unknown } | undefined)?.data;
    let body: BodyInit;
    if (data instanceof Uint8Array) {
      const { data: _bytes, ...rest } = payload as { data: Uint8Array };
      // A Blob: its bytes go to the network as they are (developer tools do not copy a Blob body).
      body = new Blob([binaryHeader({ type: 'request', id: 0, name, payload: rest }), data as Uint8Array<ArrayBuffer>]);
    } else {
      body = JSON.stringify({ type: 'request', id: 0, name, payload });
    }
    let response: Response;
    try {
      response = await fetch(`${location.protocol}//${location.host}/bridge`, {
        method: 'POST',
        headers: { 'Content-Type': data instanceof Uint8Array ? 'application/octet-stream' : 'application/json', 'X-Lanline-Token': token },
        body,
      });
    } catch {
      throw closed();
    }
    if (!response.ok) throw new LanlineError(response.status === 403 ? 'forbidden' : 'unavailable', `The Lanline host refused the request (HTTP ${response.status}).`);
    const frame = response.headers.get('Content-Type') === 'application/octet-stream' ? readBinary(await response.arrayBuffer()) : ((await response.json()) as Frame);
    if (frame.type !== 'reply') throw new LanlineError('internal', 'The Lanline host answered with something other than a reply.');
    if (frame.envelope.ok) return frame.envelope.value;
    throw LanlineError.from(frame.envelope.error);
  };

  const request = (name: string, payload?: unknown) =>
    OVER_HTTP.has(name) ? overHttp(name, payload) : new Promise((resolve, reject) => {
      if (socket.readyState !== WebSocket.OPEN) return reject(closed());
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
  const head = binaryHeader(header);
  const frame = new Uint8Array(head.length + data.length);
  frame.set(head);
  frame.set(data, head.length);
  return frame;
}

/** The part of a binary frame before the bytes: [u32 header length][JSON header]. */
function binaryHeader(header: unknown): Uint8Array<ArrayBuffer> {
  const json = encoder.encode(JSON.stringify(header));
  const head = new Uint8Array(4 + json.length);
  new DataView(head.buffer).setUint32(0, json.length);
  head.set(json, 4);
  return head;
}

function readBinary(buffer: ArrayBuffer): Frame {
  const length = new DataView(buffer).getUint32(0);
  const frame = JSON.parse(decoder.decode(new Uint8Array(buffer, 4, length))) as Frame;
  if (frame.type === 'reply' && frame.envelope.ok) frame.envelope.value = { ...(frame.envelope.value as object), data: new Uint8Array(buffer, 4 + length) };
  return frame;
}
