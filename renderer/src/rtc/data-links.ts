/**
 * One DataLink per peer, opened on first need by either side, reopened after a peer restarts.
 * Protocols that ride on data links (chat, files, certificate rotation) subscribe with `onLink` and
 * attach to every link as it appears.
 */
import { DataLink } from './data-link.js';
import { newSessionId } from './peer-link.js';
import type { SignalRouter } from './signal-router.js';

export interface DataLinksOptions {
  router: SignalRouter;
  ownId: () => string | null;
  certificate: () => RTCCertificate | null;
  iceServers?: () => RTCIceServer[];
}

export class DataLinks {
  private readonly links = new Map<string, DataLink>();
  private readonly linkListeners = new Set<(link: DataLink) => void>();

  constructor(private readonly options: DataLinksOptions) {
    options.router.onNewSession('data', (peerId, offer) => {
      const existing = this.links.get(peerId);
      const ownId = options.ownId();
      if (!ownId) return;
      // Both opened a link and neither is up: the lower id's session wins. Our offer may also have been
      // lost (the peer's page was not listening yet), so the lower side offers again on a new session,
      // which the higher side takes in place of its own.
      if (existing && existing.initiator && !existing.isOpen && ownId < peerId) {
        if (existing.link.pc.signalingState === 'have-local-offer') {
          existing.close();
          this.create(peerId, newSessionId(), true);
        }
        return;
      }
      existing?.close();
      const link = this.create(peerId, offer.session, false);
      if (!link) return;
      void link.handle(offer).catch((error: unknown) => console.warn(`data link offer: ${(error as Error).message}`));
    });
  }

  /** The open link to a peer, opening one when there is none. Rejects when it cannot be opened. */
  async get(peerId: string): Promise<DataLink> {
    const link = this.links.get(peerId) ?? this.create(peerId, newSessionId(), true);
    if (!link) throw new Error('Lanline has no identity yet.');
    try {
      await link.opened;
    } catch (error) {
      // Replaced while it was opening (glare, a restarted peer): wait for the link that replaced it.
      const next = this.links.get(peerId);
      if (next && next !== link) return this.get(peerId);
      throw error;
    }
    return this.links.get(peerId) === link ? link : this.get(peerId);
  }

  /** The link if it is open now; never opens one. */
  current(peerId: string): DataLink | null {
    const link = this.links.get(peerId);
    return link?.isOpen ? link : null;
  }

  onLink(listener: (link: DataLink) => void): () => void {
    this.linkListeners.add(listener);
    return () => this.linkListeners.delete(listener);
  }

  closeAll(): void {
    for (const link of this.links.values()) link.close();
    this.links.clear();
  }

  private create(peerId: string, session: string, initiator: boolean): DataLink | null {
    const ownId = this.options.ownId();
    const certificate = this.options.certificate();
    if (!ownId || !certificate) return null;
    const link = new DataLink({ router: this.options.router, peerId, ownId, certificate, session, initiator, iceServers: this.options.iceServers?.() });
    this.links.set(peerId, link);
    link.onClose(() => {
      if (this.links.get(peerId) === link) this.links.delete(peerId);
    });
    this.linkListeners.forEach((listener) => listener(link));
    return link;
  }
}
