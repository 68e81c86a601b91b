/**
 * The LAN signaling socket: a WebSocket server over mutually authenticated TLS that every instance
 * runs on its LAN port, and the connections it opens to other instances. It carries the renderers'
 * offer/answer/candidate/bye between two peers, after each proved which device certificate it holds.
 *
 * On the wire (messages in electron/core/lan/messages.ts; the full handshake in docs/protocol.md):
 *   wss://<address>:<port>/lanline, TLS 1.3, both sides present their device certificate, no CA is
 *   consulted: each side takes the SHA-256 of the certificate the other proved and derives its peer id.
 *   Upgrades from a browser page (an Origin header) are refused with 403, without a client
 *   certificate with 401, other paths with 404, and with 503 while this instance has no identity yet
 *   or no room. Text messages of JSON, at most 256 KiB each (a bigger one closes with 1009).
 *   1. The connecting side says hello: {type:'hello', v:'2.0', id, name, fingerprint, port}. The
 *      accepting side answers with its own hello once it accepted that one, or with an error and a
 *      close. Nothing but hello is accepted before the other side's hello, within 5 s.
 *   2. Each side checks the other's hello, in this order:
 *        another major version                  -> error 'version', close 1002
 *        our own id                             -> error 'identity', close 1008
 *        id not the TLS certificate's peer id   -> error 'identity', close 1008 (an impostor: logged)
 *        a blocked peer                         -> error 'blocked', close 1008 (no warning shown)
 *   3. hello's fingerprint is the peer's WebRTC certificate ('certificate' announces a new one). Every
 *      offer/answer must carry `a=fingerprint` lines that all equal it, or it is dropped (error
 *      'identity' + trustWarning) before any renderer applies it.
 *   4. A session belongs to the connection that carried its offer: answer, candidate, bye, busy and
 *      decline on any other connection, or for a session never offered, are dropped.
 *   Each connection may send 200 messages at once and 100 per second after (token bucket); past that
 *   messages are dropped and one error 'rate-limited' says so. An invalid message is answered with
 *   error 'invalid' naming the problem and dropped; 10 in a row close the connection (1002).
 *   One connection per pair of peers: when a second one becomes ready, the one opened by the peer
 *   whose id sorts lower is kept and the other closed with 4000 'duplicate' (both sides apply the
 *   same rule; when one peer opened both, it closes the older). The peer stays connected throughout:
 *   a side that sees 4000 before the kept connection's hello waits up to 5 s for it.
 *   A ping every 5 s; a connection that missed the last pong is terminated.
 *   stop() closes every connection with 1001 (going away); the other side reports the peer gone.
 */
import type { IncomingMessage, Server } from 'node:http';
import { createServer } from 'node:https';
import { isIPv6, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { Fingerprint, PROTOCOL_VERSION, SignalMessage, type Fingerprint as FingerprintValue, type PeerId, type TrustWarning } from '../../contract.js';
import { LanlineError } from '../errors.js';
import { certificateFingerprint } from '../identity/device.js';
import { peerIdFromFingerprint } from '../identity/peer-id.js';
import type { Log } from '../log.js';
import type { TrustStore } from '../trust/trust-store.js';
import { cleanName, MAX_MESSAGE_BYTES, parseLanMessage, printable, sdpFingerprints, type Hello, type LanErrorCode, type LanMessage } from './messages.js';
import { AddressLimits, TokenBucket } from './rate-limit.js';

export const SIGNALING_PATH = '/lanline';

const CLOSE = {
  goingAway: 1001,
  protocol: 1002,
  policy: 1008,
  internal: 1011,
  tryLater: 1013,
  duplicate: 4000,
} as const;

/** A safety net; the limits below keep strangers far from it. */
const MAX_CONNECTIONS = 256;

/** What strangers may cost (AddressLimits, and the Nearby slots checked at hello). */
export const LAN_LIMITS = {
  /** New connections per source address: a burst of 30, then 30 a minute. */
  perMinute: 30,
  /** Connections from one address still in their handshake (TCP to hello). */
  pendingPerAddress: 8,
  /** Connections from all addresses still in their handshake. */
  pendingTotal: 64,
  /** Ready connections with peers that are not pinned (Nearby), in total and from one address. */
  unknownTotal: 32,
  unknownPerAddress: 4,
};
export type LanLimits = typeof LAN_LIMITS;
const MALFORMED_IN_A_ROW = 10;
const MAX_SESSIONS_PER_PEER = 256;
const STOP_GRACE_MS = 1000;

export interface LanSelf {
  /** The device certificate's peer id (LanSignalingOptions.device). */
  id: PeerId;
  name: string;
  /** The renderer's RTCCertificate: every SDP we send carries it, hello and 'certificate' announce it. */
  fingerprint: FingerprintValue;
}

export type Direction = 'incoming' | 'outgoing';

export interface LanSignalingOptions {
  /** The port to listen on; 0 picks any. When it is taken, a free one is used and logged. */
  port: number;
  /** Default '::' (IPv6 and IPv4); falls back to '0.0.0.0' where IPv6 is off. */
  host?: string;
  /** Who we are; null until the renderer registered its certificate (connections are refused meanwhile). */
  self: () => LanSelf | null;
  /** The device key and certificate both sides of every connection authenticate with (PEM). */
  device: { key: string; cert: string };
  trust: TrustStore;
  log: Log;
  clock?: () => number;
  onWarning: (warning: TrustWarning) => void;
  /** Heartbeat period. Default 5 s: idle timers stay under 1 Hz. */
  pingIntervalMs?: number;
  /** How long the other side has to say hello (and connect() to complete). Default 5 s. */
  helloTimeoutMs?: number;
  /** Per-connection token bucket. Default 200 messages at once, 100 per second. */
  rate?: { capacity: number; refillPerSecond: number };
  /** What strangers may cost; LAN_LIMITS by default. */
  limits?: Partial<LanLimits>;
}

export interface LanSignalingEvents {
  /** A peer said a valid hello; emitted once while it stays connected (a duplicate swap is silent). */
  peer: [peerId: PeerId, hello: Hello, remoteAddress: string, direction: Direction, device: FingerprintValue];
  /** The last connection to that peer closed. */
  'peer-gone': [peerId: PeerId];
  /** A signal from a connected peer, already checked (SDP fingerprints against the pin). */
  signal: [peerId: PeerId, message: SignalMessage];
}
type EventName = keyof LanSignalingEvents;
type Listener<E extends EventName> = (...args: LanSignalingEvents[E]) => void;

export interface ConnectionInfo {
  peerId: PeerId | null;
  direction: Direction;
  remoteAddress: string;
  ready: boolean;
}

interface Pending {
  resolve(peerId: PeerId): void;
  reject(error: LanlineError): void;
}

interface Connection {
  ws: WebSocket;
  seq: number;
  direction: Direction;
  remoteAddress: string;
  /** hello: waiting for theirs; ready: both said hello; refused: we are closing it. */
  state: 'hello' | 'ready' | 'refused';
  peerId: PeerId | null;
  hello: Hello | null;
  /** SHA-256 of the certificate the other side proved it holds in the TLS handshake. */
  device: FingerprintValue | null;
  /** The other side's RTCCertificate: from its hello, then from its 'certificate' announcements. */
  rtc: FingerprintValue | null;
  /** Closed by us as the losing duplicate: never current again. */
  duplicate: boolean;
  alive: boolean;
  malformed: number;
  limited: boolean;
  bucket: TokenBucket;
  helloTimer: NodeJS.Timeout | null;
  pending: Pending | null;
  /** Incoming: its key in LanSignaling.handshakes until hello was accepted. */
  handshake: string | null;
  lastError: Error | null;
}

export class LanSignaling {
  private readonly clock: () => number;
  private readonly pingIntervalMs: number;
  private readonly helloTimeoutMs: number;
  private readonly rate: { capacity: number; refillPerSecond: number };
  private readonly limits: LanLimits;
  private readonly addressLimits: AddressLimits;
  /** Accepted TCP connections not yet past hello, by `address|port`: the pending count and a deadline. */
  private readonly handshakes = new Map<string, { address: string; deadline: NodeJS.Timeout }>();
  /** Connections refused by the limits since the last log line about it (one line a minute at most). */
  private refusals = { count: 0, since: 0, logged: 0 };
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false });
  private readonly connectionSet = new Set<Connection>();
  /** Per peer, which connection carried each session's offer, oldest first. */
  private readonly sessions = new Map<PeerId, Map<string, Connection>>();
  /** The connection signals to a peer go out on. */
  private readonly current = new Map<PeerId, Connection>();
  /** Peers whose current connection the other side closed as a duplicate: the one it kept is on its way. */
  private readonly lingering = new Map<PeerId, NodeJS.Timeout>();
  private readonly listeners: { [E in EventName]: Set<Listener<E>> } = { peer: new Set(), 'peer-gone': new Set(), signal: new Set() };
  private server: Server | null = null;
  private listening: number | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private stopped = false;
  private seq = 0;

  constructor(private readonly options: LanSignalingOptions) {
    this.clock = options.clock ?? Date.now;
    this.pingIntervalMs = options.pingIntervalMs ?? 5_000;
    this.helloTimeoutMs = options.helloTimeoutMs ?? 5_000;
    this.rate = options.rate ?? { capacity: 200, refillPerSecond: 100 };
    this.limits = { ...LAN_LIMITS, ...options.limits };
    this.addressLimits = new AddressLimits({ ...this.limits, clock: this.clock });
  }

  /** The port we listen on, or null before start(). */
  get port(): number | null {
    return this.listening;
  }

  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    this.listeners[event].add(listener);
    return () => this.listeners[event].delete(listener);
  }

  /** Listens; resolves with the actual port. */
  async start(): Promise<number> {
    if (this.listening !== null) return this.listening;
    this.stopped = false;
    const server = createServer(this.tlsOptions(), (_request, response) => {
      response.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
      response.end(`Lanline signaling: open a WebSocket to ${SIGNALING_PATH}\n`);
    });
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.guard('upgrade', () => this.upgrade(request, socket, head)));
    server.on('connection', (socket: Socket) => this.guard('connection', () => this.onTcp(socket)));
    server.on('clientError', (_error, socket) => socket.destroy());
    // A TLS handshake that fails (no certificate, wrong key, not TLS) never reaches 'upgrade'.
    server.on('tlsClientError', (_error, socket) => socket.destroy());
    const { port, host = '::', log } = this.options;
    try {
      this.listening = await listen(server, port, host);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' && port !== 0) {
        this.listening = await listen(server, 0, host);
        log.warn(`LAN port ${port} is in use; listening on port ${this.listening} instead`);
      } else if ((code === 'EAFNOSUPPORT' || code === 'EADDRNOTAVAIL') && host === '::') {
        this.listening = await listen(server, port, '0.0.0.0').catch(() => listen(server, 0, '0.0.0.0'));
        log.warn(`IPv6 is not available; LAN signaling listens on IPv4 only, port ${this.listening}`);
      } else {
        throw new LanlineError('io', `Lanline could not listen for peers on port ${port}: ${(error as Error).message}`);
      }
    }
    this.server = server;
    log.info(`LAN signaling listening on port ${this.listening}`);
    return this.listening;
  }

  /** Closes every connection (1001, going away) and the server. */
  async stop(): Promise<void> {
    this.stopped = true;
    const open = [...this.connectionSet];
    const closed = Promise.all(open.map((conn) => new Promise<void>((resolve) => (conn.ws.readyState === WebSocket.CLOSED ? resolve() : conn.ws.once('close', () => resolve())))));
    for (const conn of open) this.close(conn, CLOSE.goingAway, 'going away');
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise<void>((resolve) => (grace = setTimeout(resolve, STOP_GRACE_MS)))]);
    clearTimeout(grace);
    for (const conn of this.connectionSet) conn.ws.terminate();
    for (const peerId of [...this.lingering.keys()]) this.gone(peerId, CLOSE.goingAway);
    this.stopHeartbeat();
    const server = this.server;
    this.server = null;
    this.listening = null;
    if (server) {
      const closing = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closing;
      this.options.log.info('LAN signaling stopped');
    }
  }

  /**
   * Opens a connection to the instance at `address`:`port` and resolves with its peer id once its
   * hello was accepted. Rejects with a LanlineError when nothing answers, the peer refuses, its
   * identity fails the checks, or no hello arrives within 5 s.
   */
  connect(address: string, port: number): Promise<PeerId> {
    if (this.stopped) return Promise.reject(new LanlineError('unavailable', 'LAN signaling has stopped.'));
    if (!this.options.self()) return Promise.reject(new LanlineError('unavailable', 'Lanline has no identity yet; try again in a moment.'));
    if (!Number.isInteger(port) || port < 1 || port > 65535) return Promise.reject(new LanlineError('invalid', `Port ${port} is not a valid port (1-65535).`));
    const bare = address.replace(/^\[(.*)\]$/, '$1');
    // The URL only names the peer; the socket goes to `bare` itself, which may carry an IPv6 zone (%eth0).
    const urlHost = isIPv6(bare.replace(/%.*$/, '')) ? `[${bare.replace(/%.*$/, '')}]` : bare;
    return new Promise<PeerId>((resolve, reject) => {
      let ws: WebSocket;
      let socket: TLSSocket | null = null;
      try {
        ws = new WebSocket(`wss://${urlHost}:${port}${SIGNALING_PATH}`, {
          maxPayload: MAX_MESSAGE_BYTES,
          perMessageDeflate: false,
          followRedirects: false,
          handshakeTimeout: this.helloTimeoutMs,
          // No CA and no host name: the peer is whoever holds the certificate its id is derived from (onHello).
          createConnection: () => (socket = tlsConnect({ ...this.tlsOptions(), host: bare, port, checkServerIdentity: () => undefined })),
        });
      } catch (error) {
        reject(new LanlineError('invalid', `"${printable(address, 100)}" is not an address Lanline can connect to: ${(error as Error).message}`));
        return;
      }
      const where = `${urlHost}:${port}`;
      this.adopt(ws, 'outgoing', bare, { resolve, reject: (error) => reject(error) }, where, () => socket);
    });
  }

  /** Sends a signal to a connected peer; LanlineError 'unavailable' when there is no connection. */
  send(peerId: PeerId, message: SignalMessage): void {
    // A session's messages go where its offer went (or came from); a new offer on the current connection.
    const bound = message.type === 'offer' ? undefined : this.sessions.get(peerId)?.get(message.session);
    const conn = bound && bound.ws.readyState === WebSocket.OPEN ? bound : this.current.get(peerId);
    if (!conn || conn.ws.readyState !== WebSocket.OPEN) {
      throw new LanlineError('unavailable', 'This peer is not connected right now; wait until it is online again.');
    }
    const parsed = SignalMessage.safeParse(message);
    if (!parsed.success) throw new LanlineError('invalid', 'This signal does not match the LAN protocol.');
    const text = JSON.stringify(parsed.data);
    if (Buffer.byteLength(text) > MAX_MESSAGE_BYTES) {
      throw new LanlineError('invalid', `This signal is larger than LAN signaling allows (${MAX_MESSAGE_BYTES / 1024} KiB).`);
    }
    if (message.type === 'offer') this.bindSession(conn, message.session);
    conn.ws.send(text);
  }

  /** Tells every connected peer our RTCCertificate changed (self().fingerprint); SDP we send after this carries it. */
  announceCertificate(): void {
    const self = this.options.self();
    if (!self) return;
    const text = JSON.stringify({ type: 'certificate', fingerprint: self.fingerprint });
    for (const conn of this.connectionSet) if (conn.state === 'ready' && conn.ws.readyState === WebSocket.OPEN) conn.ws.send(text);
  }

  /** True when an offer of this session already went over (or came from) a connection to this peer. */
  hasSession(peerId: PeerId, session: string): boolean {
    return this.sessions.get(peerId)?.has(session) ?? false;
  }

  isConnected(peerId: PeerId): boolean {
    return this.current.get(peerId)?.ws.readyState === WebSocket.OPEN;
  }

  /** Closes every connection to a peer (after the user blocked it, for example). */
  disconnect(peerId: PeerId): void {
    for (const conn of this.connectionSet) if (conn.peerId === peerId) this.close(conn, 1000, 'closed');
  }

  /** Every open connection, ready or not; for diagnostics and tests. */
  connections(): ConnectionInfo[] {
    return [...this.connectionSet].map((conn) => ({ peerId: conn.peerId, direction: conn.direction, remoteAddress: conn.remoteAddress, ready: conn.state === 'ready' }));
  }

  /**
   * A new TCP connection, before TLS: refused at once past the per-address limits; otherwise it
   * counts as a handshake in progress until hello was accepted, and is cut after two hello timeouts.
   */
  private onTcp(socket: Socket): void {
    const address = plainAddress(socket.remoteAddress ?? '');
    const verdict = this.addressLimits.admit(address);
    if (verdict !== 'ok') {
      this.noteRefusal(address, verdict);
      socket.destroy();
      return;
    }
    const key = `${socket.remoteAddress}|${socket.remotePort}`;
    const deadline = setTimeout(() => {
      if (this.handshakes.has(key)) socket.destroy();
    }, 2 * this.helloTimeoutMs);
    deadline.unref();
    this.handshakes.set(key, { address, deadline });
    socket.once('close', () => this.handshakeOver(key));
  }

  private handshakeOver(key: string | null): void {
    const pending = key === null ? undefined : this.handshakes.get(key);
    if (!pending) return;
    clearTimeout(pending.deadline);
    this.handshakes.delete(key!);
    this.addressLimits.settle(pending.address);
  }

  /** One log line a minute at most about refused connections: a flood must not fill the log. */
  private noteRefusal(address: string, why: string): void {
    const now = this.clock();
    if (this.refusals.count === 0) this.refusals.since = now;
    this.refusals.count += 1;
    if (now - this.refusals.logged < 60_000) return;
    this.options.log.warn(`LAN port: refused ${this.refusals.count} connection(s) past the limits since ${new Date(this.refusals.since).toISOString()} (last from ${address}: ${why})`);
    this.refusals = { count: 0, since: now, logged: now };
  }

  /** Null when a peer that is not pinned may take a slot; otherwise why not. */
  private noRoomForStranger(conn: Connection): string | null {
    let total = 0;
    let fromAddress = 0;
    for (const other of this.connectionSet) {
      if (other === conn || other.state !== 'ready' || this.options.trust.get(other.peerId!)) continue;
      total += 1;
      if (other.remoteAddress === conn.remoteAddress) fromAddress += 1;
    }
    if (total >= this.limits.unknownTotal) return `all ${this.limits.unknownTotal} slots for peers not yet known are taken`;
    if (fromAddress >= this.limits.unknownPerAddress) return `${this.limits.unknownPerAddress} peers not yet known are already connected from ${conn.remoteAddress}`;
    return null;
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const refuse = (status: string): void => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const path = (request.url ?? '/').split('?', 1)[0];
    if (path !== SIGNALING_PATH) return refuse('404 Not Found');
    // Lanline peers never send an Origin; a browser page on some web site always does.
    if (request.headers.origin !== undefined) return refuse('403 Forbidden');
    if (this.stopped || !this.options.self() || this.connectionSet.size >= MAX_CONNECTIONS) return refuse('503 Service Unavailable');
    const address = plainAddress(request.socket.remoteAddress ?? '');
    const tls = request.socket as TLSSocket;
    if (!peerDevice(tls)) return refuse('401 Unauthorized');
    const key = `${tls.remoteAddress}|${tls.remotePort}`;
    this.wss.handleUpgrade(request, socket, head, (ws) => this.guard('accept', () => this.adopt(ws, 'incoming', address, null, address, () => tls, key)));
  }

  /** Both sides: our device certificate, TLS 1.3 only, and the other side's certificate asked for but checked by us, not by a CA. */
  private tlsOptions() {
    const { key, cert } = this.options.device;
    return { key, cert, minVersion: 'TLSv1.3' as const, requestCert: true, rejectUnauthorized: false, handshakeTimeout: this.helloTimeoutMs };
  }

  private adopt(ws: WebSocket, direction: Direction, remoteAddress: string, pending: Pending | null, where: string, tls: () => TLSSocket | null, handshake: string | null = null): void {
    const conn: Connection = {
      ws,
      seq: (this.seq += 1),
      direction,
      remoteAddress,
      state: 'hello',
      peerId: null,
      hello: null,
      device: direction === 'incoming' ? peerDevice(tls()) : null,
      rtc: null,
      duplicate: false,
      alive: true,
      malformed: 0,
      limited: false,
      bucket: new TokenBucket({ ...this.rate, clock: this.clock }),
      helloTimer: null,
      pending,
      handshake,
      lastError: null,
    };
    this.connectionSet.add(conn);
    this.startHeartbeat();
    ws.on('message', (data, isBinary) => this.guard('message', () => this.onMessage(conn, data, isBinary), conn));
    ws.on('pong', () => (conn.alive = true));
    ws.on('error', (error) => {
      conn.lastError = error;
      // Too-big messages (1009), broken frames, refused connections: ws closes the socket itself.
      this.options.log.warn(`LAN connection ${describe(conn)}: ${error.message}`);
    });
    ws.on('close', (code, reason) => this.guard('close', () => this.onClose(conn, code, reason.toString(), where)));
    conn.helloTimer = setTimeout(() => this.guard('hello timeout', () => this.onHelloTimeout(conn, where), conn), this.helloTimeoutMs);
    // The accepting side answers hello with hello (onHello), so only the connecting side starts.
    if (direction === 'outgoing') {
      ws.once('open', () =>
        this.guard(
          'open',
          () => {
            conn.device = peerDevice(tls());
            if (conn.device) return this.sayHello(conn);
            this.refuse(conn, 'identity', 'You presented no certificate.', CLOSE.policy, new LanlineError('forbidden', `${where} presented no certificate, so it cannot be a Lanline peer.`));
          },
          conn,
        ),
      );
    }
  }

  private sayHello(conn: Connection): void {
    const self = this.options.self();
    if (!self) {
      this.refuse(conn, 'identity', 'This Lanline has no identity yet; try again in a moment.', CLOSE.tryLater, new LanlineError('unavailable', 'Lanline has no identity yet; try again in a moment.'));
      return;
    }
    const hello: Hello = {
      type: 'hello',
      v: PROTOCOL_VERSION,
      id: self.id,
      name: cleanName(self.name) || 'Lanline',
      fingerprint: self.fingerprint,
      port: this.listening ?? 0,
    };
    conn.ws.send(JSON.stringify(hello));
  }

  private onMessage(conn: Connection, data: RawData, isBinary: boolean): void {
    conn.alive = true;
    if (conn.state === 'refused') return;
    if (!conn.bucket.take()) {
      if (!conn.limited) {
        conn.limited = true;
        this.options.log.warn(`LAN connection ${describe(conn)} sends too fast; dropping messages`);
        this.sendError(conn, 'rate-limited', `Too many messages: at most ${this.rate.capacity} at once and ${this.rate.refillPerSecond} per second; the rest were dropped.`);
      }
      return;
    }
    conn.limited = false;
    if (isBinary) return this.malformed(conn, 'binary messages are not part of the Lanline protocol');
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
    const parsed = parseLanMessage(text);
    if (!parsed.ok) {
      if (parsed.code === 'version') {
        this.options.log.warn(`LAN connection ${describe(conn)} refused: ${parsed.error}`);
        this.refuse(conn, 'version', parsed.error, CLOSE.protocol, new LanlineError('unavailable', parsed.error));
        return;
      }
      return this.malformed(conn, parsed.error);
    }
    const message = parsed.message;
    if (message.type === 'error') return this.onError(conn, message);
    if (conn.state === 'hello') {
      if (message.type !== 'hello') return this.malformed(conn, `a ${message.type} message before hello; say hello first`);
      conn.malformed = 0;
      return this.onHello(conn, message);
    }
    if (message.type === 'hello') return this.malformed(conn, 'hello was already received on this connection');
    conn.malformed = 0;
    if (message.type === 'certificate') {
      conn.rtc = message.fingerprint;
      this.options.log.info(`peer ${conn.peerId} announced a new WebRTC certificate`);
      return;
    }
    this.onSignal(conn, message);
  }

  private onError(conn: Connection, message: Extract<LanMessage, { type: 'error' }>): void {
    const said = printable(message.message, 300);
    this.options.log.warn(`LAN connection ${describe(conn)} reports ${message.code}: ${said}`);
    // A refusal before we were accepted (the other side closes next): tell whoever waits in connect() why.
    if (conn.state !== 'hello' || message.code === 'invalid' || message.code === 'rate-limited') return;
    this.settle(conn, new LanlineError(message.code === 'version' ? 'unavailable' : 'forbidden', `The peer refused the connection: ${said}`));
  }

  private onHello(conn: Connection, hello: Hello): void {
    const self = this.options.self();
    const { trust, log } = this.options;
    if (!self) {
      this.refuse(conn, 'identity', 'This Lanline has no identity yet; try again in a moment.', CLOSE.tryLater, new LanlineError('unavailable', 'Lanline has no identity yet; try again in a moment.'));
      return;
    }
    if (hello.id === self.id) {
      log.warn(`LAN connection ${describe(conn)} leads back to this instance; closed`);
      this.refuse(conn, 'identity', 'You connected to yourself: this is the same Lanline instance (same peer id).', CLOSE.policy, new LanlineError('invalid', 'That address is this Lanline itself.'));
      return;
    }
    // Proof of possession: the id must be the one of the certificate the TLS handshake proved.
    if (!conn.device || peerIdFromFingerprint(conn.device) !== hello.id) {
      log.warn(`refused a connection ${describe(conn)}: it claims peer id ${hello.id}, which is not the certificate it holds`);
      this.refuse(
        conn,
        'identity',
        'Your peer id is not the one of the certificate you hold in this TLS session; the connection is refused.',
        CLOSE.policy,
        new LanlineError('forbidden', `${hello.name} claims a peer id that does not belong to the certificate it holds, so the connection was refused.`),
      );
      return;
    }
    const decision = trust.decide(hello.id, conn.device);
    if (decision === 'blocked') {
      log.info(`refused a connection from blocked peer ${hello.id}`);
      this.refuse(conn, 'blocked', 'This peer does not accept connections from you.', CLOSE.policy, new LanlineError('forbidden', 'You blocked this peer; unblock it to connect.'));
      return;
    }
    // Slots: strangers share a few; a pinned peer is never refused for room.
    const full = decision === 'match' ? null : this.noRoomForStranger(conn);
    if (full) {
      this.noteRefusal(conn.remoteAddress, full);
      this.refuse(conn, 'rate-limited', `No room: ${full}; try again later.`, CLOSE.tryLater, new LanlineError('unavailable', `The peer has no room for a new connection now (${full}); try again later.`));
      return;
    }
    // A peer never met is accepted as Nearby and pinned nowhere: pinning is the user's act (Peers.adopt).
    if (decision === 'match' && trust.get(hello.id)?.name !== hello.name) trust.rename(hello.id, hello.name);
    conn.rtc = hello.fingerprint;
    if (conn.helloTimer) clearTimeout(conn.helloTimer);
    conn.helloTimer = null;
    this.handshakeOver(conn.handshake);
    if (conn.direction === 'incoming') this.sayHello(conn);
    conn.state = 'ready';
    conn.peerId = hello.id;
    conn.hello = hello;
    this.promote(conn, self.id);
    this.settle(conn, hello.id);
  }

  /** Makes a newly ready connection the peer's current one, or resolves a duplicate (see the header). */
  private promote(conn: Connection, selfId: PeerId): void {
    const peerId = conn.peerId!;
    const existing = this.current.get(peerId);
    const waiting = this.lingering.get(peerId);
    if (!existing && waiting) {
      clearTimeout(waiting);
      this.lingering.delete(peerId);
      this.current.set(peerId, conn);
      return;
    }
    if (!existing) {
      this.current.set(peerId, conn);
      this.options.log.info(`peer ${peerId} connected (${conn.direction}, ${conn.remoteAddress})`);
      this.emit('peer', peerId, conn.hello!, conn.remoteAddress, conn.direction, conn.device!);
      return;
    }
    const opener = (c: Connection) => (c.direction === 'outgoing' ? selfId : peerId);
    if (opener(existing) !== opener(conn)) {
      // Both sides dialled at once; both keep the connection the lower id opened, so they agree.
      const lower = selfId < peerId ? selfId : peerId;
      const [keep, drop] = opener(conn) === lower ? [conn, existing] : [existing, conn];
      this.current.set(peerId, keep);
      this.dropDuplicate(drop);
    } else if (conn.direction === 'outgoing') {
      // We dialled twice: keep the newer connection, close the older.
      const [keep, drop] = conn.seq > existing.seq ? [conn, existing] : [existing, conn];
      this.current.set(peerId, keep);
      this.dropDuplicate(drop);
    } else {
      // The peer dialled twice (or restarted, leaving a dead socket behind): it closes the older one
      // itself, the heartbeat ends a dead one; meanwhile send on the newer.
      this.current.set(peerId, conn.seq > existing.seq ? conn : existing);
    }
  }

  private dropDuplicate(conn: Connection): void {
    conn.duplicate = true;
    this.options.log.info(`peer ${conn.peerId}: closing a duplicate ${conn.direction} connection`);
    this.close(conn, CLOSE.duplicate, 'duplicate');
  }

  private onSignal(conn: Connection, message: SignalMessage): void {
    const peerId = conn.peerId!;
    const entry = this.options.trust.get(peerId);
    if (entry?.blocked) {
      this.refuse(conn, 'blocked', 'This peer does not accept connections from you.', CLOSE.policy, null);
      return;
    }
    // Session binding: answer, candidate, bye, busy and decline only on the connection that carried
    // the offer. When that connection closed, another connection of the same (authenticated) peer takes over.
    const bound = this.sessions.get(peerId)?.get(message.session);
    const live = bound !== undefined && this.connectionSet.has(bound);
    if ((live && bound !== conn) || (!bound && message.type !== 'offer')) {
      this.options.log.warn(`${message.type} from ${peerId} dropped: ${bound ? 'its session belongs to another connection' : 'no offer of its session went over this connection'}`);
      this.sendError(conn, 'invalid', bound ? `session ${message.session} belongs to another connection; the ${message.type} was dropped` : `no offer of session ${message.session} went over this connection; the ${message.type} was dropped`);
      return;
    }
    if (bound && bound !== conn) this.bindSession(conn, message.session);
    if (message.type === 'offer' || message.type === 'answer') {
      const pinned = conn.rtc!;
      const found = sdpFingerprints(message.sdp);
      if (found.length === 0) {
        this.options.log.warn(`${message.type} from ${peerId} dropped: it has no a=fingerprint line`);
        this.sendError(conn, 'invalid', `the ${message.type} has no a=fingerprint line, so its certificate cannot be checked; it was dropped`);
        return;
      }
      const wrong = found.find((fingerprint) => fingerprint !== pinned);
      if (wrong !== undefined) {
        this.options.log.warn(`${message.type} from ${peerId} dropped: its a=fingerprint is not the pinned certificate`);
        const received = Fingerprint.safeParse(wrong);
        if (received.success) {
          this.warn({ peerId, name: entry?.name || conn.hello!.name, reason: 'fingerprint-mismatch', expected: pinned, received: received.data });
        }
        this.sendError(conn, 'identity', `the ${message.type}'s a=fingerprint is not the certificate you said hello with; it was dropped`);
        return;
      }
    }
    if (message.type === 'offer' && !bound) this.bindSession(conn, message.session);
    this.emit('signal', peerId, message);
  }

  private bindSession(conn: Connection, session: string): void {
    const peerId = conn.peerId!;
    let bound = this.sessions.get(peerId);
    if (!bound) this.sessions.set(peerId, (bound = new Map()));
    bound.delete(session);
    bound.set(session, conn);
    // Data links never close their session on the wire: the oldest bindings go first.
    if (bound.size > MAX_SESSIONS_PER_PEER) bound.delete(bound.keys().next().value!);
  }

  private onHelloTimeout(conn: Connection, where: string): void {
    conn.helloTimer = null;
    if (conn.state !== 'hello') return;
    const seconds = this.helloTimeoutMs / 1000;
    const within = `within ${seconds} second${seconds === 1 ? '' : 's'}`;
    this.options.log.warn(`LAN connection ${describe(conn)} closed: no hello ${within}`);
    this.refuse(conn, 'invalid', `No hello ${within}.`, CLOSE.policy, new LanlineError('unavailable', `${where} did not answer as a Lanline peer ${within}.`));
  }

  private onClose(conn: Connection, code: number, reason: string, where: string): void {
    this.connectionSet.delete(conn);
    if (conn.helloTimer) clearTimeout(conn.helloTimer);
    conn.helloTimer = null;
    if (conn.pending) this.settle(conn, closedBeforeHello(where, code, reason, conn.lastError));
    const peerId = conn.peerId;
    if (peerId && this.current.get(peerId) === conn) {
      const other = [...this.connectionSet].find((c) => c.peerId === peerId && c.state === 'ready' && !c.duplicate);
      if (other) {
        this.current.set(peerId, other);
      } else if (code === CLOSE.duplicate && !this.stopped) {
        // The peer kept another connection whose hello has not arrived here yet (it travels on
        // another TCP stream); the peer is not gone unless that one fails to show up.
        this.current.delete(peerId);
        const timer = setTimeout(() => this.guard('duplicate wait', () => this.gone(peerId, code)), this.helloTimeoutMs);
        timer.unref();
        this.lingering.set(peerId, timer);
      } else {
        this.current.delete(peerId);
        this.gone(peerId, code);
      }
    }
    if (this.connectionSet.size === 0) this.stopHeartbeat();
  }

  private gone(peerId: PeerId, code: number): void {
    const waiting = this.lingering.get(peerId);
    if (waiting) clearTimeout(waiting);
    this.lingering.delete(peerId);
    this.sessions.delete(peerId);
    this.options.log.info(`peer ${peerId} disconnected (${code})`);
    this.emit('peer-gone', peerId);
  }

  private malformed(conn: Connection, reason: string): void {
    conn.malformed += 1;
    // One log line per run of bad messages: a hostile peer must not fill the log.
    if (conn.malformed === 1) this.options.log.warn(`LAN connection ${describe(conn)}: message dropped (${printable(reason)})`);
    this.sendError(conn, 'invalid', reason);
    if (conn.malformed >= MALFORMED_IN_A_ROW) {
      this.options.log.warn(`LAN connection ${describe(conn)} closed after ${MALFORMED_IN_A_ROW} invalid messages in a row`);
      this.refuse(conn, 'invalid', `${MALFORMED_IN_A_ROW} invalid messages in a row; closing.`, CLOSE.protocol, new LanlineError('unavailable', 'The peer did not speak the Lanline protocol.'));
    }
  }

  /** Tells the other side why (when the socket is open), closes, and fails a pending connect(). */
  private refuse(conn: Connection, code: LanErrorCode, message: string, closeCode: number, rejection: LanlineError | null): void {
    conn.state = 'refused';
    this.sendError(conn, code, message);
    this.close(conn, closeCode, code);
    if (rejection) this.settle(conn, rejection);
  }

  private sendError(conn: Connection, code: LanErrorCode, message: string): void {
    if (conn.ws.readyState === WebSocket.OPEN) conn.ws.send(JSON.stringify({ type: 'error', code, message: message.slice(0, 500) }));
  }

  private close(conn: Connection, code: number, reason: string): void {
    if (conn.ws.readyState === WebSocket.CONNECTING) conn.ws.terminate();
    else if (conn.ws.readyState === WebSocket.OPEN) conn.ws.close(code, reason);
  }

  private settle(conn: Connection, outcome: PeerId | LanlineError): void {
    const pending = conn.pending;
    if (!pending) return;
    conn.pending = null;
    if (outcome instanceof LanlineError) pending.reject(outcome);
    else pending.resolve(outcome);
  }

  private warn(warning: Omit<TrustWarning, 'at'>): void {
    try {
      this.options.onWarning({ ...warning, at: this.clock() });
    } catch (error) {
      this.options.log.error('a trust warning listener failed', error);
    }
  }

  private emit<E extends EventName>(event: E, ...args: LanSignalingEvents[E]): void {
    for (const listener of this.listeners[event]) {
      try {
        listener(...args);
      } catch (error) {
        this.options.log.error(`a LAN signaling '${event}' listener failed`, error);
      }
    }
  }

  /** Socket callbacks run here: nothing thrown may escape into ws or the http server. */
  private guard(what: string, run: () => void, conn?: Connection): void {
    try {
      run();
    } catch (error) {
      this.options.log.error(`LAN signaling ${what} failed`, error);
      if (conn) {
        conn.state = 'refused';
        try {
          this.close(conn, CLOSE.internal, 'internal error');
        } catch {
          conn.ws.terminate();
        }
      }
    }
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => this.guard('heartbeat', () => this.beat()), this.pingIntervalMs);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private beat(): void {
    for (const conn of this.connectionSet) {
      if (conn.ws.readyState !== WebSocket.OPEN) continue;
      if (!conn.alive) {
        this.options.log.warn(`LAN connection ${describe(conn)} missed a heartbeat; terminated`);
        conn.ws.terminate();
        continue;
      }
      conn.alive = false;
      conn.ws.ping();
    }
  }
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** The fingerprint of the certificate the other side of a TLS socket proved it holds, or null. */
function peerDevice(socket: TLSSocket | null): FingerprintValue | null {
  const raw = socket?.getPeerCertificate?.()?.raw;
  return raw && raw.length ? certificateFingerprint(raw) : null;
}

/** '::ffff:10.0.0.5' (an IPv4 peer on a dual-stack socket) is reported as '10.0.0.5'. */
function plainAddress(address: string): string {
  return address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
}

function describe(conn: Connection): string {
  return `${conn.direction === 'incoming' ? 'from' : 'to'} ${conn.remoteAddress}${conn.peerId ? ` (${conn.peerId})` : ''}`;
}

function closedBeforeHello(where: string, code: number, reason: string, error: Error | null): LanlineError {
  const errno = (error as NodeJS.ErrnoException | null)?.code;
  if (errno === 'ECONNREFUSED') return new LanlineError('unavailable', `Nothing answers at ${where}; is Lanline running there?`);
  if (errno === 'EHOSTUNREACH' || errno === 'ENETUNREACH' || errno === 'ENOTFOUND' || errno === 'EAI_AGAIN') {
    return new LanlineError('unavailable', `${where} cannot be reached from this network.`);
  }
  if (errno === 'EPROTO' || errno === 'ERR_SSL_WRONG_VERSION_NUMBER' || (error && /wrong version number|packet length too long/i.test(error.message))) {
    return new LanlineError('unavailable', `${where} answered, but not as a Lanline peer of protocol 2 (no TLS).`);
  }
  if (error && /Unexpected server response: 503/.test(error.message)) {
    return new LanlineError('unavailable', `The Lanline at ${where} is not ready for connections yet; try again in a moment.`);
  }
  if (error && /Unexpected server response/.test(error.message)) {
    return new LanlineError('unavailable', `${where} answered, but it is not a Lanline peer.`);
  }
  const why = reason ? `: ${printable(reason, 120)}` : error ? `: ${printable(error.message, 120)}` : '';
  return new LanlineError('unavailable', `The connection to ${where} closed before the peer said hello (${code}${why}).`);
}
