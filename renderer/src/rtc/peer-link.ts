/**
 * One RTCPeerConnection to one peer, negotiated with the "perfect negotiation" pattern: either side
 * may renegotiate at any time (add video, share a screen, open a data channel); on glare the polite
 * side rolls back its own offer and takes the other's, the impolite side ignores the other's offer.
 * The roles come from the peer ids (the lower id is polite), so both sides agree without talking.
 *
 * On the wire (through main's LAN socket, see docs/protocol.md#signaling) a link sends
 *   {type:'offer', session, sdp, purpose?, media?}  {type:'answer', session, sdp}
 *   {type:'candidate', session, candidate}          {type:'bye', session}
 * Every remote SDP has already had its a=fingerprint checked against the pinned one by main before it
 * reaches `handle`. The install's certificate is passed to the connection, so the fingerprint the
 * other side pins is ours.
 */
import type { SignalMessage } from '../../../electron/contract.js';
import { spareConnections, type SpareConnections } from './spare-connection.js';

export interface PeerLinkOptions {
  peerId: string;
  ownId: string;
  session: string;
  certificate: RTCCertificate;
  iceServers?: RTCIceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** What the first offer of this session is for, so the answering side can ring or not. */
  purpose?: 'call' | 'data';
  media?: { audio: boolean; video: boolean };
  send(message: SignalMessage): Promise<void>;
  /** Extra RTCConfiguration fields (e.g. encodedInsertableStreams for tests of DTMF). */
  configuration?: Partial<RTCConfiguration>;
  /** Where the connection comes from: the page's spare (see spare-connection.ts) unless given. */
  connections?: SpareConnections;
}

/** The RTCConfiguration of a link (also what a spare connection is made with ahead of a call). */
export function linkConfiguration(options: Pick<PeerLinkOptions, 'certificate' | 'iceServers' | 'iceTransportPolicy' | 'configuration'>): RTCConfiguration {
  return {
    ...options.configuration,
    certificates: [options.certificate],
    iceServers: options.iceServers ?? [],
    iceTransportPolicy: options.iceTransportPolicy ?? 'all',
    // Both ends are Lanline, so everything shares one transport from the first offer: one set of
    // candidates to gather, trickle, add and check instead of one per m-line (audio, video, data),
    // which on a call's critical path cost a blocking addIceCandidate each.
    bundlePolicy: 'max-bundle',
  };
}

export class PeerLink {
  readonly pc: RTCPeerConnection;
  readonly polite: boolean;
  /**
   * Settles once the connection first reached 'connected', or failed, or the link ended. A call opens
   * the microphone and camera after that (see LocalMedia's `after`): a camera starting takes both
   * cores of a small machine for a moment, and during the set-up it slowed every step of it.
   */
  readonly established: Promise<void>;
  /** Settles once this side set its first description (the offer, or the answer), or the link ended. */
  readonly described: Promise<void>;
  private establishedNow: () => void = () => undefined;
  private describedNow: () => void = () => undefined;
  private makingOffer = false;
  private ignoreOffer = false;
  private settingRemoteAnswerPending = false;
  private firstOfferSent = false;
  private closed = false;

  constructor(private readonly options: PeerLinkOptions) {
    this.polite = options.ownId < options.peerId;
    this.pc = (options.connections ?? spareConnections).take(linkConfiguration(options));
    this.described = new Promise<void>((resolve) => {
      this.describedNow = resolve;
      this.pc.addEventListener('signalingstatechange', () => this.pc.localDescription && resolve());
    });
    this.established = new Promise<void>((resolve) => {
      this.establishedNow = resolve;
      this.pc.addEventListener('connectionstatechange', () => ['connected', 'failed', 'closed'].includes(this.pc.connectionState) && resolve());
    });
    this.pc.onnegotiationneeded = () => void this.negotiate();
    this.pc.onicecandidate = ({ candidate }) => {
      const init = candidate?.toJSON();
      void this.send({ type: 'candidate', session: options.session, candidate: init ? { ...init, candidate: init.candidate ?? '' } : null });
    };
  }

  get session(): string {
    return this.options.session;
  }

  /**
   * Offers now rather than on `negotiationneeded`, which is a task of its own and so runs only after
   * whatever the page does next (a call screen to draw): the first offer of a call is on its critical
   * path. The event that follows finds the connection negotiating and does nothing.
   */
  offerNow(): void {
    if (this.closed || this.makingOffer || this.pc.signalingState !== 'stable') return;
    void this.negotiate();
  }

  /** Restarts ICE (after `failed` or `disconnected`); negotiation follows by itself. */
  restartIce(): void {
    this.pc.restartIce();
  }

  /** Applies one message from the peer. Messages of other sessions must not be passed here. */
  async handle(message: SignalMessage): Promise<void> {
    if (this.closed) return;
    if (message.type === 'offer' || message.type === 'answer') {
      const description = { type: message.type, sdp: message.sdp } as RTCSessionDescriptionInit;
      const readyForOffer = !this.makingOffer && (this.pc.signalingState === 'stable' || this.settingRemoteAnswerPending);
      const offerCollision = description.type === 'offer' && !readyForOffer;
      this.ignoreOffer = !this.polite && offerCollision;
      if (this.ignoreOffer) return;
      this.settingRemoteAnswerPending = description.type === 'answer';
      await this.pc.setRemoteDescription(description); // a polite side rolls back implicitly on glare
      this.settingRemoteAnswerPending = false;
      if (description.type === 'offer') {
        await this.pc.setLocalDescription();
        await this.send({ type: 'answer', session: this.session, sdp: this.pc.localDescription!.sdp });
      }
    } else if (message.type === 'candidate') {
      try {
        await this.pc.addIceCandidate(message.candidate ?? undefined);
      } catch (error) {
        if (!this.ignoreOffer) throw error;
      }
    }
  }

  close(reason?: string): void {
    if (this.closed) return;
    this.closed = true;
    this.establishedNow();
    this.describedNow();
    // A bye that cannot reach the peer (it is gone) has nothing left to end.
    void this.send({ type: 'bye', session: this.session, ...(reason && { reason }) }).catch(() => undefined);
    this.pc.close();
  }

  /** Ends the link without telling the peer (it said bye, or it is gone). */
  dispose(): void {
    this.closed = true;
    this.establishedNow();
    this.describedNow();
    this.pc.close();
  }

  private async negotiate(): Promise<void> {
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      const first = !this.firstOfferSent;
      this.firstOfferSent = true;
      await this.send({
        type: 'offer',
        session: this.session,
        sdp: this.pc.localDescription!.sdp,
        ...(first && this.options.purpose && { purpose: this.options.purpose }),
        ...(first && this.options.media && { media: this.options.media }),
      });
    } finally {
      this.makingOffer = false;
    }
  }

  private async send(message: SignalMessage): Promise<void> {
    if (this.closed && message.type !== 'bye') return;
    await this.options.send(message);
  }
}

/** A session id for a new link: 128 random bits, URL-safe. */
export function newSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
