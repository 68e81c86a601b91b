/**
 * The data connection to one peer: one RTCPeerConnection (perfect negotiation, see peer-link.ts)
 * carrying pre-negotiated data channels, so neither side waits for `datachannel` events:
 *   id 0  'control'  ordered, JSON text: chat, file offers and replies, certificate rotation
 *   id 1+ 'bulk-N'   ordered, binary: file chunks (several channels, as measured to help on these machines)
 * Framing of each is in docs/protocol.md#data-channels. One link per peer, opened on first need by
 * either side; a new data session from a peer replaces the old link (the peer restarted), except
 * during glare, where the session opened by the lower id wins.
 */
import { PeerLink } from './peer-link.js';
import type { SignalRouter } from './signal-router.js';
import type { SignalMessage } from '../../../electron/contract.js';

export const BULK_CHANNELS = 4;
const CONNECT_TIMEOUT_MS = 15_000;
const DISCONNECT_GRACE_MS = 5_000;

export type ControlMessage = { t: string } & Record<string, unknown>;

export interface DataLinkOptions {
  router: SignalRouter;
  peerId: string;
  ownId: string;
  certificate: RTCCertificate;
  session: string;
  iceServers?: RTCIceServer[];
  /** Set when the link answers the peer's first offer. */
  initiator: boolean;
}

export class DataLink {
  readonly link: PeerLink;
  readonly control: RTCDataChannel;
  readonly bulk: RTCDataChannel[];
  readonly opened: Promise<void>;
  readonly initiator: boolean;
  private readonly listeners = new Set<(message: ControlMessage) => void>();
  private readonly closeListeners = new Set<() => void>();
  private readonly release: () => void;
  private closed = false;

  constructor(private readonly options: DataLinkOptions) {
    this.initiator = options.initiator;
    this.link = new PeerLink({
      peerId: options.peerId,
      ownId: options.ownId,
      session: options.session,
      certificate: options.certificate,
      iceServers: options.iceServers,
      purpose: 'data',
      send: (message) => options.router.send(options.peerId, message),
    });
    const pc = this.link.pc;
    this.control = pc.createDataChannel('control', { negotiated: true, id: 0, ordered: true });
    this.bulk = Array.from({ length: BULK_CHANNELS }, (_, index) => {
      const channel = pc.createDataChannel(`bulk-${index}`, { negotiated: true, id: index + 1, ordered: true });
      channel.binaryType = 'arraybuffer';
      return channel;
    });
    this.control.onmessage = ({ data }) => this.receive(data);
    this.release = options.router.own(options.peerId, options.session, (message) => this.onSignal(message));
    this.opened = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error('The peer did not open a data connection in time.'));
        // A link that never opened is dropped, so that the next get() tries a fresh one.
        this.close();
      }, CONNECT_TIMEOUT_MS);
      const all = [this.control, ...this.bulk];
      const check = () => {
        if (all.every((channel) => channel.readyState === 'open')) {
          clearTimeout(timer);
          resolve();
        }
      };
      all.forEach((channel) => channel.addEventListener('open', check));
      this.control.addEventListener('close', () => {
        clearTimeout(timer);
        reject(new Error('The data connection closed.'));
        this.dispose();
      });
    });
    // A link that never opened is closed, so the next attempt starts a new one.
    this.opened.catch(() => this.close());
    // A data link is cheap to open again, so a lost connection ends it (transfers pause and resume
    // on the next link) instead of waiting out ICE: failed at once, disconnected after a grace period.
    let grace: ReturnType<typeof setTimeout> | undefined;
    pc.addEventListener('connectionstatechange', () => {
      clearTimeout(grace);
      if (pc.connectionState === 'failed') this.close();
      else if (pc.connectionState === 'disconnected') grace = setTimeout(() => this.close(), DISCONNECT_GRACE_MS);
    });
  }

  get peerId(): string {
    return this.options.peerId;
  }

  get session(): string {
    return this.options.session;
  }

  get isOpen(): boolean {
    return !this.closed && this.control.readyState === 'open';
  }

  sendControl(message: ControlMessage): void {
    this.control.send(JSON.stringify(message));
  }

  onControl(listener: (message: ControlMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Applies a signal for this session (the router calls this). */
  handle(message: SignalMessage): Promise<void> {
    return this.link.handle(message);
  }

  close(): void {
    if (this.closed) return;
    this.link.close();
    this.dispose();
  }

  private onSignal(message: SignalMessage): void {
    if (message.type === 'bye') return this.dispose();
    if (message.type === 'busy' || message.type === 'decline') return;
    void this.link.handle(message).catch((error: unknown) => console.warn(`data link: ${(error as Error).message}`));
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string' || data.length > 1_000_000) return;
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    if (!message || typeof message !== 'object' || typeof (message as ControlMessage).t !== 'string') return;
    this.listeners.forEach((listener) => listener(message as ControlMessage));
  }

  private dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.release();
    this.link.dispose();
    this.closeListeners.forEach((listener) => listener());
  }
}
