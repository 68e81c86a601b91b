/**
 * The contract over a WebSocket, for the renderer running in a plain browser (docs/protocol.md).
 *
 * Frames (JSON text):
 *   browser -> host  {type:'request', id, name, payload?}
 *   host -> browser  {type:'reply', id, envelope}      envelope as in contract.ts
 *                    {type:'event', name, payload}
 * Binary frames carry a request or reply whose payload has one byte field, `data` (file chunks):
 *   [u32 big-endian length of the JSON header][JSON header, as above, without `data`][the bytes]
 * The upgrade must carry the per-run token (`/bridge?token=…`) and, when a browser sends an Origin,
 * the host's own origin; anything else is answered 403 and never reaches the core.
 *
 * The same request frames may also come as the body of `POST /bridge` (the token in the header
 * `X-Lanline-Token`), answered with the reply frame as the response body. The renderer sends the
 * requests that carry file bytes this way: a browser's developer tools (and Playwright, which drives
 * the tests) copy every WebSocket message, base64-encoded, to their client, which costs several times
 * what moving the bytes does; request and response bodies they leave alone.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { eventNames, MAX_BRIDGE_CHUNK_BYTES } from '../contract.js';
import type { Core } from '../core/index.js';
import { describeIssues } from '../core/rpc.js';

export const BRIDGE_PATH = '/bridge';
/** Room for the largest file chunk a request carries plus its header, and for settings and chat. */
const MAX_FRAME = MAX_BRIDGE_CHUNK_BYTES + 64 * 1024;
export const TOKEN_HEADER = 'x-lanline-token';

const RequestFrame = z.object({
  type: z.literal('request'),
  id: z.number().int().nonnegative(),
  name: z.string().max(100),
  payload: z.unknown().optional(),
});

export function tokenMatches(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export class Bridge {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME });
  private readonly clients = new Set<WebSocket>();
  private readonly offEvents: () => void;

  constructor(
    private readonly core: Core,
    private readonly token: string,
    private readonly origin: string,
  ) {
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
    if (!tokenMatches(url.searchParams.get('token'), this.token) || (origin !== undefined && origin !== this.origin)) {
      this.core.log.warn(`bridge connection refused from ${request.socket.remoteAddress} (bad token or origin)`);
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
    ws.on('message', (data, isBinary) => void this.onMessage(ws, data as Buffer, isBinary));
  }

  private async onMessage(ws: WebSocket, raw: Buffer, isBinary: boolean): Promise<void> {
    const reply = await this.answer(raw, isBinary);
    if (ws.readyState === ws.OPEN) ws.send(typeof reply === 'string' ? reply : Buffer.concat(reply));
  }

  /**
   * Handles `POST /bridge`; returns false when the request is not for the bridge. Same frames as the
   * WebSocket, one request per HTTP request; the token goes in a header, so a page of another origin
   * cannot send it without a CORS preflight, which the host never grants.
   */
  handleHttp(request: IncomingMessage, response: ServerResponse): boolean {
    const url = new URL(request.url ?? '/', this.origin);
    if (url.pathname !== BRIDGE_PATH) return false;
    // Without the token the connection is dropped; with it, the body is read and thrown away, so
    // the client sees the status rather than a broken pipe.
    const refuse = (status: number, message: string) => {
      response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...(status === 403 && { Connection: 'close' }) });
      response.end(message);
      request.resume();
    };
    if (request.method !== 'POST') return refuse(405, 'method not allowed'), true;
    const origin = request.headers.origin;
    const token = request.headers[TOKEN_HEADER];
    if (!tokenMatches(typeof token === 'string' ? token : null, this.token) || (origin !== undefined && origin !== this.origin)) {
      this.core.log.warn(`bridge request refused from ${request.socket.remoteAddress} (bad token or origin)`);
      return refuse(403, 'forbidden'), true;
    }
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > MAX_FRAME) return refuse(413, 'too large'), true;
    const isBinary = request.headers['content-type'] === 'application/octet-stream';
    const pieces: Buffer[] = [];
    let length = 0;
    request.on('data', (piece: Buffer) => {
      length += piece.length;
      if (length > MAX_FRAME) return void request.destroy();
      pieces.push(piece);
    });
    request.on('end', () => {
      void this.answer(pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, length), isBinary).then((reply) => {
        const binary = typeof reply !== 'string';
        response.writeHead(200, {
          'Content-Type': binary ? 'application/octet-stream' : 'application/json; charset=utf-8',
          'Content-Length': binary ? reply.reduce((sum, piece) => sum + piece.length, 0) : Buffer.byteLength(reply),
          'Cache-Control': 'no-store',
        });
        if (!binary) return void response.end(reply);
        // Header and bytes written as they are (one writev), not copied into one frame first.
        response.cork();
        for (const piece of reply) response.write(piece);
        response.end();
      });
    });
    request.on('error', () => response.destroy());
    return true;
  }

  /** The reply frame to one request frame: JSON text, or binary (header, bytes) when the value carries bytes. */
  private async answer(raw: Buffer, isBinary: boolean): Promise<string | [Buffer, Uint8Array]> {
    let frame: z.infer<typeof RequestFrame>;
    try {
      const { header, bytes } = isBinary ? splitBinary(raw) : { header: raw.toString('utf8'), bytes: null };
      const parsed = RequestFrame.safeParse(JSON.parse(header));
      if (!parsed.success) throw new Error(describeIssues(parsed.error));
      frame = parsed.data;
      if (bytes) {
        if (!frame.payload || typeof frame.payload !== 'object') throw new Error('a binary frame needs an object payload');
        frame.payload = { ...(frame.payload as object), data: bytes };
      }
    } catch (error) {
      const message = `Invalid bridge frame: ${(error as Error).message}`;
      return JSON.stringify({ type: 'reply', id: null, envelope: { ok: false, error: { code: 'invalid', message } } });
    }
    const envelope = await this.core.dispatch(frame.name, frame.payload);
    const value = envelope.ok ? (envelope.value as { data?: unknown } | undefined) : undefined;
    if (value && typeof value === 'object' && value.data instanceof Uint8Array) {
      const { data, ...rest } = value;
      return joinBinary({ type: 'reply', id: frame.id, envelope: { ok: true, value: rest } }, data);
    }
    return JSON.stringify({ type: 'reply', id: frame.id, envelope });
  }

  close(): void {
    this.offEvents();
    for (const client of this.clients) client.close(1001, 'host shutting down');
    this.wss.close();
  }
}

function splitBinary(raw: Buffer): { header: string; bytes: Buffer } {
  if (raw.length < 4) throw new Error('a binary frame is too short');
  const length = raw.readUInt32BE(0);
  if (length > raw.length - 4) throw new Error('a binary frame header runs past the frame');
  return { header: raw.toString('utf8', 4, 4 + length), bytes: raw.subarray(4 + length) };
}

/** A binary frame as two pieces: [u32 header length][JSON header], then the bytes. */
function joinBinary(header: unknown, data: Uint8Array): [Buffer, Uint8Array] {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const head = Buffer.allocUnsafe(4 + json.length);
  head.writeUInt32BE(json.length, 0);
  json.copy(head, 4);
  return [head, data];
}
