/**
 * The contract over a WebSocket, for the renderer running in a plain browser (docs/protocol.md).
 *
 * Frames (JSON text):
 *   browser -> host  {type:'request', id, name, payload?}
 *   host -> browser  {type:'reply', id, envelope}      envelope as in contract.ts
 *                    {type:'event', name, payload}
 * A request or reply whose payload has a byte field `data` (file chunks) leaves `data` out of the
 * JSON frame, says how many bytes it has in `bytes`, and is followed at once by one binary frame
 * holding exactly those bytes. Neither side copies the bytes into a frame with their header, and a
 * connection's frames are taken in order, so a transfer's writes reach the core in the order sent.
 * The upgrade must carry the per-run token (`/bridge?token=…`), a Host header naming this host
 * (`127.0.0.1:<port>` or `localhost:<port>`) and, when a browser sends an Origin, the host's own
 * origin; anything else is answered 403 and never reaches the core.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { eventNames, MAX_BRIDGE_CHUNK_BYTES } from '../contract.js';
import type { Core } from '../core/index.js';
import { describeIssues } from '../core/rpc.js';

export const BRIDGE_PATH = '/bridge';
/** Room for the largest file chunk a request carries plus its header, and for settings and chat. */
const MAX_FRAME = MAX_BRIDGE_CHUNK_BYTES + 64 * 1024;

const RequestFrame = z.object({
  type: z.literal('request'),
  id: z.number().int().nonnegative(),
  name: z.string().max(100),
  payload: z.unknown().optional(),
  /** The length of the binary frame that follows with the payload's `data`. */
  bytes: z.number().int().nonnegative().max(MAX_BRIDGE_CHUNK_BYTES).optional(),
});
type Request = z.infer<typeof RequestFrame>;

export function tokenMatches(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * True when a request's Host header names this host: `127.0.0.1:<port>` or `localhost:<port>`.
 * A page that rebinds its own DNS name to 127.0.0.1 (DNS rebinding) reaches our socket with its
 * name in Host, so everything else is refused, for the static files as for the bridge.
 */
export function isLocalHost(host: string | undefined, port: number): boolean {
  if (host === undefined) return false;
  const value = host.toLowerCase();
  return value === `127.0.0.1:${port}` || value === `localhost:${port}`;
}

export class Bridge {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME });
  private readonly clients = new Set<WebSocket>();
  private readonly offEvents: () => void;
  /** The origins a browser may send: the host's own, by address or as localhost. */
  private readonly origins: string[];
  private readonly port: number;

  constructor(
    private readonly core: Core,
    private readonly token: string,
    private readonly origin: string,
  ) {
    this.port = Number(new URL(origin).port);
    this.origins = [origin, `http://localhost:${this.port}`];
    this.offEvents = core.events.onAny(eventNames, (name, payload) => {
      const frame = JSON.stringify({ type: 'event', name, payload });
      for (const client of this.clients) client.send(frame);
    });
  }

  /** Handles an http upgrade; returns false when the request is not for the bridge. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(request.url ?? '/', this.origin);
    if (url.pathname !== BRIDGE_PATH) return false;
    const origin = request.headers.origin;
    const local = isLocalHost(request.headers.host, this.port);
    if (!local || !tokenMatches(url.searchParams.get('token'), this.token) || (origin !== undefined && !this.origins.includes(origin))) {
      this.core.log.warn(`bridge connection refused from ${request.socket.remoteAddress} (${local ? 'bad token or origin' : 'Host header names another host'})`);
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return true;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws));
    return true;
  }

  private accept(ws: WebSocket): void {
    this.clients.add(ws);
    ws.on('close', () => {
      this.clients.delete(ws);
      // The page is gone, and with it its calls and its SIP agent: nothing is left to leave on quit.
      if (this.clients.size === 0) this.core.devices.pageGone();
    });
    ws.on('error', (error) => this.core.log.warn(`bridge socket error: ${error.message}`));
    /** A request that announced bytes: the next frame must hold them. */
    let announced: Request | null = null;
    ws.on('message', (data: Buffer, isBinary) => {
      const waiting = announced;
      announced = null;
      if (isBinary) {
        if (!waiting) return this.refuse(ws, null, 'a binary frame must follow a request that announces its bytes');
        if (data.length !== waiting.bytes) return this.refuse(ws, waiting.id, `the request announced ${waiting.bytes} bytes and ${data.length} came`);
        return void this.answer(ws, { ...waiting, payload: { ...(waiting.payload as object), data } });
      }
      if (waiting) this.refuse(ws, waiting.id, `the request announced ${waiting.bytes} bytes and a text frame came instead`);
      let frame: Request;
      try {
        const parsed = RequestFrame.safeParse(JSON.parse(data.toString('utf8')));
        if (!parsed.success) throw new Error(describeIssues(parsed.error));
        frame = parsed.data;
      } catch (error) {
        return this.refuse(ws, null, (error as Error).message);
      }
      if (frame.bytes === undefined) return void this.answer(ws, frame);
      if (!frame.payload || typeof frame.payload !== 'object') return this.refuse(ws, frame.id, 'a request with bytes needs an object payload');
      announced = frame;
    });
  }

  private refuse(ws: WebSocket, id: number | null, reason: string): void {
    const message = `Invalid bridge frame: ${reason}`;
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'reply', id, envelope: { ok: false, error: { code: 'invalid', message } } }));
  }

  /**
   * Dispatches one request and sends its reply: JSON, or JSON announcing bytes and then the bytes
   * when the value carries `data`. The dispatch starts before this returns, so requests reach the
   * core in the order their frames came.
   */
  private async answer(ws: WebSocket, frame: Request): Promise<void> {
    const envelope = await this.core.dispatch(frame.name, frame.payload);
    if (ws.readyState !== ws.OPEN) return;
    const value = envelope.ok ? (envelope.value as { data?: unknown } | undefined) : undefined;
    if (value && typeof value === 'object' && value.data instanceof Uint8Array) {
      const { data, ...rest } = value;
      ws.send(JSON.stringify({ type: 'reply', id: frame.id, envelope: { ok: true, value: rest }, bytes: data.length }));
      ws.send(data);
      return;
    }
    ws.send(JSON.stringify({ type: 'reply', id: frame.id, envelope }));
  }

  close(): void {
    this.offEvents();
    for (const client of this.clients) client.close(1001, 'host shutting down');
    this.wss.close();
  }
}
