/**
 * A call with one remote participant: one RTCPeerConnection (PeerLink, perfect negotiation) whose
 * first offer says `purpose: 'call'` and which media the caller sends.
 *
 * Set-up keeps getUserMedia off the critical path: the caller creates its transceivers (audio, and
 * video when asked) with the local stream's id and offers at once (`start`); the tracks are swapped
 * in with replaceTrack as the devices open, with no renegotiation. The callee applies the held offer
 * while the phone rings (`prepare`: setRemoteDescription only, nothing is sent, no ICE gathering, no
 * media opened) and, once the user accepted, answers at once (`answer`) and swaps its tracks in the
 * same way. `bye` ends the call from either side; `decline` and `busy` end a dialing call.
 *
 * Next to the media, a negotiated data channel (id 0, label 'call', JSON text, docs/protocol.md#calls)
 * carries what the call itself needs to say: hold, and the mesh messages of a group call.
 *
 * Screen share (docs/protocol.md#screen-share): the sharer adds its screen track (and the screen's
 * audio, when the picker offered it) on transceivers of their own, all in one MediaStream whose id it
 * announces first on the call channel ({t:'screen', stream}); the receiver files the tracks of that
 * stream under `screen` rather than `remote`. Stopping sends {t:'screen', stream:null} and makes the
 * share transceivers inactive, so sharing again reuses them.
 *
 * Resilience: on 'disconnected' (after a 2 s grace) or 'failed' the connection restarts ICE and the
 * call shows 'reconnecting' until it is connected again; renegotiation goes through PeerLink.
 */
import type { SignalMessage } from '../../../../electron/contract';
import { PeerLink } from '../peer-link';
import type { SignalRouter } from '../signal-router';
import type { LocalMedia, MediaKind } from './local-media';
import { callQuality, type Quality } from './quality';
import { StatsSampler, type CallStats } from './stats';

export type CallState = 'dialing' | 'connecting' | 'connected' | 'reconnecting' | 'ended';
export type CallEnd = 'hangup' | 'remote-hangup' | 'declined' | 'busy' | 'unanswered' | 'failed';
export type CallMessage =
  | { t: 'hold'; on: boolean }
  | { t: 'expect'; peer: string }
  | { t: 'connect'; peers: string[] }
  | { t: 'screen'; stream: string | null };

export interface IceConfig {
  iceServers: RTCIceServer[];
  iceTransportPolicy: RTCIceTransportPolicy;
}

export interface CallOptions {
  router: SignalRouter;
  peerId: string;
  ownId: string;
  certificate: RTCCertificate;
  session: string;
  ice: IceConfig;
  direction: 'outgoing' | 'incoming';
  /** What the caller asked for (the callee's answer sends what it has). */
  video: boolean;
  /** The local media (the caller's, from the start); the callee's comes with `answer`. */
  local?: LocalMedia;
  /** Callee while ringing: the session's signaling stays with the ringing prompt until `answer`. */
  ringing?: boolean;
}

const DIAL_TIMEOUT_MS = 45_000;
const DISCONNECT_GRACE_MS = 2_000;

export class Call {
  readonly link: PeerLink;
  readonly remote = new MediaStream();
  /** What the other side shares of its screen (empty while it shares nothing). */
  readonly screen = new MediaStream();
  /** The id of the stream the other side said is its screen; null while it shares nothing. */
  remoteScreenId: string | null = null;
  readonly channel: RTCDataChannel;
  state: CallState;
  end: CallEnd | null = null;
  /** When media first connected (0 until then): the call timer and the log's duration start there. */
  connectedAt = 0;
  readonly startedAt = Date.now();
  remoteHeld = false;
  stats: (CallStats & { quality: Quality }) | null = null;
  private readonly sampler: StatsSampler;
  private readonly listeners = new Set<() => void>();
  private readonly messageListeners = new Set<(message: CallMessage) => void>();
  private release: () => void = () => undefined;
  private local: LocalMedia | null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Each remote track and the id of the stream it came in (msid), to tell screen from camera. */
  private readonly trackStreams = new Map<MediaStreamTrack, string>();
  /** Every stream id the other side ever announced as a screen: never filed as its camera. */
  private readonly screenIds = new Set<string>();
  /** Ours: the one stream our share tracks go in (its id is what we announce), and their transceivers. */
  private readonly shareStream = new MediaStream();
  private readonly shareTransceivers = new Map<MediaKind, RTCRtpTransceiver>();
  private sharing = false;

  constructor(readonly options: CallOptions) {
    this.state = options.direction === 'outgoing' ? 'dialing' : 'connecting';
    this.link = new PeerLink({
      peerId: options.peerId,
      ownId: options.ownId,
      session: options.session,
      certificate: options.certificate,
      iceServers: options.ice.iceServers,
      iceTransportPolicy: options.ice.iceTransportPolicy,
      purpose: 'call',
      media: { audio: true, video: options.video },
      send: (message) => options.router.send(options.peerId, message),
    });
    const pc = this.link.pc;
    this.channel = pc.createDataChannel('call', { negotiated: true, id: 0, ordered: true });
    this.channel.onmessage = ({ data }) => this.receive(data);
    this.channel.addEventListener('open', () => this.sharing && this.announceScreen());
    pc.ontrack = ({ track, streams }) => {
      this.trackStreams.set(track, streams[0]?.id ?? '');
      this.fileTracks();
      this.changed();
    };
    pc.addEventListener('connectionstatechange', () => this.onConnectionState());
    // An ICE restart on a working connection never leaves 'connected': its end is the renegotiation's.
    pc.addEventListener('signalingstatechange', () => {
      if (this.state === 'reconnecting' && pc.signalingState === 'stable' && pc.connectionState === 'connected') {
        this.state = 'connected';
        this.changed();
      }
    });
    this.sampler = new StatsSampler(pc, (stats) => {
      this.stats = { ...stats, quality: callQuality(stats) };
      this.changed();
    });
    this.local = options.local ?? null;
    if (!options.ringing) this.claim();
    if (options.direction === 'outgoing') this.timer = setTimeout(() => this.state === 'dialing' && this.hangUp('unanswered'), DIAL_TIMEOUT_MS);
  }

  get peerId(): string {
    return this.options.peerId;
  }

  get session(): string {
    return this.options.session;
  }

  get pc(): RTCPeerConnection {
    return this.link.pc;
  }

  /**
   * Caller: one transceiver per kind asked for, in the local stream (its id is the msid the callee
   * files our tracks by), carrying whatever track is open already; the first offer (purpose 'call')
   * follows by itself, without waiting for getUserMedia. Tracks opened later come through `setTrack`.
   */
  start(): void {
    const local = this.local!;
    const streams = [local.stream];
    this.pc.addTransceiver(local.audio ?? 'audio', { direction: 'sendrecv', streams });
    if (this.options.video || local.video) this.pc.addTransceiver(local.video ?? 'video', { direction: 'sendrecv', streams });
    this.link.offerNow();
  }

  /** Callee, while ringing: applies the held offer (no answer, no candidates gathered or sent). */
  async prepare(offer: Extract<SignalMessage, { type: 'offer' }>): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
  }

  /**
   * Callee, once the user accepted (after `prepare`): takes the session's signaling, makes the offer's
   * audio and video transceivers send our stream (the tracks open already, or later through
   * `setTrack`) and answers at once, so one answer sends both ways.
   */
  async answer(local: LocalMedia): Promise<void> {
    this.local = local;
    this.claim();
    for (const kind of ['audio', 'video'] as const) {
      const transceiver = this.pc.getTransceivers().find((candidate) => candidate.receiver.track.kind === kind && candidate.currentDirection !== 'stopped');
      if (!transceiver) continue;
      transceiver.direction = 'sendrecv';
      transceiver.sender.setStreams(local.stream);
      const track = kind === 'audio' ? local.audio : local.video;
      if (track) await transceiver.sender.replaceTrack(track);
    }
    await this.pc.setLocalDescription();
    await this.options.router.send(this.peerId, { type: 'answer', session: this.session, sdp: this.pc.localDescription!.sdp });
  }

  /** Ends a call that was never answered or claimed (ringing stopped): closes the connection, tells no one. */
  discard(): void {
    this.dispose('hangup');
  }

  private claim(): void {
    this.release();
    this.release = this.options.router.own(this.options.peerId, this.options.session, (message) => this.onSignal(message));
  }

  /** Swaps what we send of one kind (null: nothing); adds a sender, and so renegotiates, only when there was none. */
  async setTrack(kind: MediaKind, track: MediaStreamTrack | null): Promise<void> {
    if (this.state === 'ended') return;
    const transceiver = this.pc
      .getTransceivers()
      .find((candidate) => candidate.currentDirection !== 'stopped' && candidate.receiver.track.kind === kind && !this.isShare(candidate));
    if (transceiver) {
      await transceiver.sender.replaceTrack(track);
      if (track && (transceiver.direction === 'recvonly' || transceiver.direction === 'inactive')) {
        transceiver.direction = 'sendrecv';
        if (this.local) transceiver.sender.setStreams(this.local.stream);
      }
    } else if (track) {
      if (this.local) this.pc.addTrack(track, this.local.stream);
      else this.pc.addTrack(track);
    }
  }

  /** The track this call sends of that kind now. */
  sending(kind: MediaKind): MediaStreamTrack | null {
    const shared = [...this.shareTransceivers.values()].map((transceiver) => transceiver.sender);
    return this.pc.getSenders().find((sender) => sender.track?.kind === kind && !shared.includes(sender))?.track ?? null;
  }

  /**
   * Shares these screen tracks (a video track, and its audio when there is one) with this participant,
   * or stops sharing (null). The announcement goes first, so the receiver knows the stream when its
   * tracks arrive; the transceivers are renegotiated by perfect negotiation.
   */
  async setScreen(tracks: MediaStreamTrack[] | null): Promise<void> {
    if (this.state === 'ended') return;
    this.sharing = tracks !== null;
    this.announceScreen();
    for (const kind of ['video', 'audio'] as const) {
      const track = tracks?.find((candidate) => candidate.kind === kind) ?? null;
      const transceiver = this.shareTransceivers.get(kind);
      if (!transceiver) {
        if (track) this.shareTransceivers.set(kind, this.pc.addTransceiver(track, { direction: 'sendonly', streams: [this.shareStream] }));
        continue;
      }
      await transceiver.sender.replaceTrack(track);
      transceiver.direction = track ? 'sendonly' : 'inactive';
    }
  }

  /** A transceiver that carries a screen: ours, or one whose remote track came in an announced screen stream. */
  private isShare(transceiver: RTCRtpTransceiver): boolean {
    if ([...this.shareTransceivers.values()].includes(transceiver)) return true;
    const stream = this.trackStreams.get(transceiver.receiver.track);
    return stream !== undefined && this.screenIds.has(stream);
  }

  private announceScreen(): void {
    this.send({ t: 'screen', stream: this.sharing ? this.shareStream.id : null });
  }

  /** Puts each remote track in `screen` (the announced screen stream) or `remote` (camera and microphone). */
  private fileTracks(): void {
    const place = (stream: MediaStream, track: MediaStreamTrack, wanted: boolean) => {
      const has = stream.getTracks().includes(track);
      if (wanted && !has) stream.addTrack(track);
      if (!wanted && has) stream.removeTrack(track);
    };
    for (const [track, stream] of this.trackStreams) {
      place(this.screen, track, this.remoteScreenId !== null && stream === this.remoteScreenId);
      place(this.remote, track, !this.screenIds.has(stream));
    }
  }

  send(message: CallMessage): void {
    if (this.channel.readyState === 'open') this.channel.send(JSON.stringify(message));
  }

  onMessage(listener: (message: CallMessage) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forces an ICE restart now (the user's "Reconnect"); perfect negotiation sends the new offer. */
  reconnect(): void {
    if (this.state === 'ended') return;
    this.state = 'reconnecting';
    this.link.restartIce();
    this.changed();
  }

  hangUp(end: CallEnd = 'hangup', reason?: string): void {
    if (this.state === 'ended') return;
    this.link.close(reason ?? (end === 'unanswered' ? 'no answer' : undefined));
    this.finish(end);
  }

  private onSignal(message: SignalMessage): void {
    if (message.type === 'bye') return this.dispose(this.connectedAt ? 'remote-hangup' : 'declined');
    if (message.type === 'decline') return this.dispose('declined');
    if (message.type === 'busy') return this.dispose('busy');
    if (message.type === 'answer' && this.state === 'dialing') {
      this.state = 'connecting';
      this.changed();
    }
    void this.link.handle(message).catch((error: unknown) => console.warn(`call: ${(error as Error).message}`));
  }

  private onConnectionState(): void {
    const state = this.pc.connectionState;
    if (this.state === 'ended') return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (state === 'connected') {
      if (!this.connectedAt) this.connectedAt = Date.now();
      this.state = 'connected';
      this.sampler.start();
    } else if (state === 'disconnected') {
      this.state = 'reconnecting';
      this.timer = setTimeout(() => this.pc.connectionState === 'disconnected' && this.link.restartIce(), DISCONNECT_GRACE_MS);
    } else if (state === 'failed') {
      this.state = 'reconnecting';
      this.link.restartIce();
    }
    this.changed();
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string' || data.length > 10_000) return;
    let message: CallMessage;
    try {
      message = JSON.parse(data) as CallMessage;
    } catch {
      return;
    }
    if (message?.t === 'hold' && typeof message.on === 'boolean') {
      this.remoteHeld = message.on;
      this.changed();
    }
    if (message?.t === 'screen' && (message.stream === null || (typeof message.stream === 'string' && message.stream.length <= 100))) {
      if (message.stream !== null) this.screenIds.add(message.stream);
      this.remoteScreenId = message.stream;
      this.fileTracks();
      this.changed();
    }
    this.messageListeners.forEach((listener) => listener(message));
  }

  private dispose(end: CallEnd): void {
    if (this.state === 'ended') return;
    this.link.dispose();
    this.finish(end);
  }

  private finish(end: CallEnd): void {
    if (this.timer) clearTimeout(this.timer);
    this.sampler.stop();
    this.release();
    this.state = 'ended';
    this.end = end;
    this.remote.getTracks().forEach((track) => track.stop());
    this.screen.getTracks().forEach((track) => track.stop());
    this.changed();
    this.listeners.clear();
    this.messageListeners.clear();
  }

  private changed(): void {
    this.listeners.forEach((listener) => listener());
  }
}
