/**
 * Chat over each peer's data link, on its ordered 'control' channel (docs/protocol.md#chat, version 1):
 *   sender   -> {t:'chat', id, text, sentAt}
 *   receiver -> {t:'chat-ack', id}     once the message is stored (on disk); again for a repeat
 * Ids are random (128 bits, base64url) and chosen once, so sending a message again after a reconnect
 * is harmless: the receiver keeps one copy and acknowledges every copy.
 *
 * A message stays in the outbox until its ack arrives. It is written to every link to the peer that
 * opens (either side may open one) and once more to a link it was not yet written to, so a message
 * that was in flight when the link broke goes out again on the next one. Reported states: 'sent'
 * (written to an open channel), 'delivered' (acknowledged), 'failed' (no link could be opened, or
 * the link closed before the ack; the message stays queued for the next link).
 *
 * While the peer is reachable (its signaling connection is up) but no link opens (its page may still
 * be starting and miss the offer), delivery is tried again after 3 s, 6 s, 12 s… up to a minute
 * between tries. Nothing is timed while the outbox is empty or the peer is away.
 */

/** What chat needs of a DataLink (data-link.ts); narrow so that the unit tests can stand in for one. */
export interface ChatLink {
  readonly peerId: string;
  readonly isOpen: boolean;
  readonly opened: Promise<void>;
  sendControl(message: ControlMessage): void;
  onControl(listener: (message: ControlMessage) => void): () => void;
  onClose(listener: () => void): () => void;
}

/** What chat needs of DataLinks (data-links.ts). */
export interface ChatLinks {
  get(peerId: string): Promise<ChatLink>;
  current(peerId: string): ChatLink | null;
  onLink(listener: (link: ChatLink) => void): () => void;
}

type ControlMessage = { t: string } & Record<string, unknown>;

export interface ChatWireMessage {
  id: string;
  text: string;
  sentAt: number;
}

export interface ChatHandlers {
  /** Keep a message from `peerId`; resolve once it is stored, and the ack is sent. Reject to send none. */
  received(peerId: string, message: ChatWireMessage): Promise<void>;
  /** Delivery progress of an outgoing message. */
  progress(peerId: string, id: string, state: 'sent' | 'delivered' | 'failed'): void;
}

const ID = /^[A-Za-z0-9_-]{16,64}$/;
/** Far above the 10 000-character limit in UTF-16 units; core judges the text itself. */
const MAX_WIRE_TEXT = 40_000;

/** 128 random bits in base64url: 22 characters. */
export function newMessageId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A `chat` control message of the right shape, or null. */
export function parseChatMessage(message: ControlMessage): ChatWireMessage | null {
  const { id, text, sentAt } = message;
  if (message.t !== 'chat' || typeof id !== 'string' || !ID.test(id)) return null;
  if (typeof text !== 'string' || text.length > MAX_WIRE_TEXT) return null;
  if (typeof sentAt !== 'number' || !Number.isSafeInteger(sentAt) || sentAt < 0) return null;
  return { id, text, sentAt };
}

export interface ChatOptions {
  /** Whether the peer can be reached now (its signaling connection is up); retries happen only then. */
  reachable?: (peerId: string) => boolean;
  /** First delay between tries, doubled each time up to a minute. */
  retryBaseMs?: number;
}

const MAX_RETRY_MS = 60_000;

interface Queued {
  message: ChatWireMessage;
  /** The link it was last written to; written again to any other. */
  sentOn: ChatLink | null;
}

export class Chat {
  private readonly outbox = new Map<string, Map<string, Queued>>();
  private readonly opening = new Set<string>();
  private readonly retries = new Map<string, { timer: ReturnType<typeof setTimeout> | null; attempt: number }>();

  constructor(
    private readonly links: ChatLinks,
    private readonly handlers: ChatHandlers,
    private readonly options: ChatOptions = {},
  ) {
    links.onLink((link) => this.attach(link));
  }

  /** Queues a message; `deliver` sends it. A message already queued is left as it is. */
  queue(peerId: string, message: ChatWireMessage): void {
    let queue = this.outbox.get(peerId);
    if (!queue) this.outbox.set(peerId, (queue = new Map()));
    if (!queue.has(message.id)) queue.set(message.id, { message, sentOn: null });
  }

  hasQueued(peerId: string): boolean {
    return Boolean(this.outbox.get(peerId)?.size);
  }

  /**
   * Sends what is queued for `peerId`, opening a link when there is none. When none can be opened,
   * every queued message is reported 'failed' and stays queued.
   */
  async deliver(peerId: string): Promise<void> {
    if (!this.hasQueued(peerId)) return;
    const open = this.links.current(peerId);
    if (open) return this.flush(open);
    if (this.opening.has(peerId)) return;
    this.opening.add(peerId);
    try {
      // A link that opens is flushed by attach(); this only has to notice that none did.
      await this.links.get(peerId);
    } catch {
      this.failAll(peerId, () => true);
      this.retryLater(peerId);
    } finally {
      this.opening.delete(peerId);
    }
  }

  /** Reports every queued message for a peer that cannot be reached now as 'failed'. */
  unreachable(peerId: string): void {
    this.failAll(peerId, () => true);
  }

  private attach(link: ChatLink): void {
    link.onControl((message) => {
      if (message.t === 'chat') this.receive(link, message);
      else if (message.t === 'chat-ack' && typeof message.id === 'string') this.acknowledged(link.peerId, message.id);
    });
    link.opened.then(
      () => this.flush(link),
      () => undefined,
    );
    link.onClose(() => {
      this.failAll(link.peerId, (queued) => queued.sentOn === link);
      this.retryLater(link.peerId);
    });
  }

  private retryLater(peerId: string): void {
    const retry = this.retries.get(peerId) ?? { timer: null, attempt: 0 };
    if (retry.timer || !this.hasQueued(peerId) || !(this.options.reachable?.(peerId) ?? false)) return;
    const delay = Math.min(MAX_RETRY_MS, (this.options.retryBaseMs ?? 3_000) * 2 ** retry.attempt);
    retry.attempt += 1;
    retry.timer = setTimeout(() => {
      retry.timer = null;
      void this.deliver(peerId);
    }, delay);
    this.retries.set(peerId, retry);
  }

  /** A link is up: tries start over from the shortest delay next time. */
  private stopRetrying(peerId: string): void {
    const retry = this.retries.get(peerId);
    if (retry?.timer) clearTimeout(retry.timer);
    this.retries.delete(peerId);
  }

  private flush(link: ChatLink): void {
    if (link.isOpen) this.stopRetrying(link.peerId);
    for (const queued of this.outbox.get(link.peerId)?.values() ?? []) {
      if (queued.sentOn === link || !link.isOpen) continue;
      try {
        link.sendControl({ t: 'chat', ...queued.message });
      } catch {
        continue;
      }
      queued.sentOn = link;
      this.handlers.progress(link.peerId, queued.message.id, 'sent');
    }
  }

  private receive(link: ChatLink, raw: ControlMessage): void {
    const message = parseChatMessage(raw);
    if (!message) return void console.warn(`chat: dropped a malformed message from ${link.peerId}`);
    this.handlers.received(link.peerId, message).then(
      () => {
        if (link.isOpen) link.sendControl({ t: 'chat-ack', id: message.id });
      },
      (error: unknown) => console.warn(`chat: a message from ${link.peerId} was not kept: ${(error as Error).message}`),
    );
  }

  private acknowledged(peerId: string, id: string): void {
    const queue = this.outbox.get(peerId);
    if (!queue?.delete(id)) return;
    if (!queue.size) this.outbox.delete(peerId);
    this.handlers.progress(peerId, id, 'delivered');
  }

  private failAll(peerId: string, which: (queued: Queued) => boolean): void {
    for (const queued of this.outbox.get(peerId)?.values() ?? []) {
      if (!which(queued)) continue;
      queued.sentOn = null;
      this.handlers.progress(peerId, queued.message.id, 'failed');
    }
  }
}
