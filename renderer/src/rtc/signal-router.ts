/**
 * Routes the signaling that arrives from main (contract event `signal`) to the link that owns its
 * session, and hands the first offer of an unknown session to whoever accepts new sessions (the call
 * screen rings for purpose 'call'; data links open silently for 'data'). A `bye`, `busy` or
 * `decline` reaches the session's owner like any other message.
 */
import type { SignalMessage } from '../../../electron/contract.js';

export type SessionHandler = (message: SignalMessage) => void;
export type NewSessionHandler = (peerId: string, offer: Extract<SignalMessage, { type: 'offer' }>) => void;

export interface SignalTransport {
  send(peerId: string, message: SignalMessage): Promise<void>;
  subscribe(listener: (peerId: string, message: SignalMessage) => void): () => void;
}

export class SignalRouter {
  private readonly sessions = new Map<string, { peerId: string; handler: SessionHandler }>();
  private readonly newSession = new Map<string, NewSessionHandler>();
  /** Messages (candidates mostly) that raced ahead of their session's registration. */
  private readonly early = new Map<string, SignalMessage[]>();
  private readonly off: () => void;

  constructor(private readonly transport: SignalTransport) {
    this.off = transport.subscribe((peerId, message) => this.route(peerId, message));
  }

  send(peerId: string, message: SignalMessage): Promise<void> {
    return this.transport.send(peerId, message);
  }

  /** Owns a session: its messages go to `handler` until `release`. Early messages are replayed. */
  own(peerId: string, session: string, handler: SessionHandler): () => void {
    this.sessions.set(session, { peerId, handler });
    const queued = this.early.get(session);
    this.early.delete(session);
    queued?.forEach(handler);
    return () => this.release(session);
  }

  release(session: string): void {
    this.sessions.delete(session);
  }

  /** Who is told about the first offer of a new session with this purpose. */
  onNewSession(purpose: 'call' | 'data', handler: NewSessionHandler): void {
    this.newSession.set(purpose, handler);
  }

  dispose(): void {
    this.off();
    this.sessions.clear();
  }

  private route(peerId: string, message: SignalMessage): void {
    const owner = this.sessions.get(message.session);
    if (owner) {
      // A session belongs to one peer; another peer reusing its id is ignored.
      if (owner.peerId === peerId) owner.handler(message);
      return;
    }
    if (message.type === 'offer') {
      const handler = this.newSession.get(message.purpose ?? 'data');
      if (handler) handler(peerId, message);
      return;
    }
    if (message.type === 'candidate') {
      const queued = this.early.get(message.session) ?? [];
      if (queued.length < 64 && this.early.size < 64) this.early.set(message.session, [...queued, message]);
    }
  }
}
