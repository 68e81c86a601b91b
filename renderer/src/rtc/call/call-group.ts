/**
 * This side of a call: the participants (one Call each, a mesh of up to MAX_PARTICIPANTS including
 * us), the incoming call that is ringing, and the local media they share.
 *
 * Ringing: the first offer of a new 'call' session is held (its candidates too) while the phone rings,
 * and applied at once to a connection of its own (setRemoteDescription only: no answer, no ICE
 * gathering, no media opened), so Accept only answers it and opens the microphone and camera in
 * parallel. A peer the user chose to auto-answer (`autoAnswer`, only trusted peers) is answered
 * without ringing. Decline answers {type:'decline'}; an offer while we are in a call or already
 * ringing is answered {type:'busy'}; the caller's `bye` before an answer (cancel) ends the ringing and
 * the log says "missed".
 *
 * Mesh (docs/protocol.md#calls): whoever invites a newcomer tells each present participant
 * {t:'expect', peer} and then the newcomer {t:'connect', peers}; the newcomer dials each of them,
 * and they answer an expected peer's offer without ringing. Every pair is its own session, so one
 * leaving never drops the others.
 */
import type { CallRecord, SignalMessage } from '../../../../electron/contract';
import { newSessionId } from '../peer-link';
import type { SignalRouter } from '../signal-router';
import { Call, type CallEnd, type IceConfig } from './call';
import { LocalMedia, type MediaKind } from './local-media';

export const MAX_PARTICIPANTS = 4;
const RING_TIMEOUT_MS = 45_000;
const EXPECT_MS = 30_000;
/** At most this long the call screen waits for the first description (see `described`). */
const DRAW_WAIT_MS = 60;

type Offer = Extract<SignalMessage, { type: 'offer' }>;

export interface Ringing {
  peerId: string;
  video: boolean;
  since: number;
}

/**
 * A call this group does not negotiate itself (a phone call through a SIP gateway, rtc/sip): it shares
 * the group's local media, so mute, hold, device switches and hang-up reach it like a LAN call.
 */
export interface AttachedCall {
  readonly id: string;
  readonly ended: boolean;
  setTrack(kind: MediaKind, track: MediaStreamTrack | null): Promise<void>;
  setHeld(held: boolean): void;
  hangUp(): void;
  onChange(listener: () => void): () => void;
}

export interface CallGroupOptions {
  router: SignalRouter;
  ownId(): string | null;
  certificate(): RTCCertificate | null;
  ice(): Promise<IceConfig>;
  /** Device ids to open the media with (preferences already matched against the device list). */
  deviceIds(): { audio: string | null; video: string | null };
  nameOf(peerId: string): string;
  record(entry: Omit<CallRecord, 'id'>): void;
  /** Whether a call from this peer is answered without ringing (the user chose it for a trusted peer). */
  autoAnswer?(peerId: string): boolean;
}

interface Ring {
  peerId: string;
  offer: Offer;
  buffered: SignalMessage[];
  release: () => void;
  timer: ReturnType<typeof setTimeout>;
  /** The connection with the held offer applied, made while ringing. */
  prepared: Promise<Call | null>;
  accepted: boolean;
}

export class CallGroup {
  readonly calls = new Map<string, Call>();
  /** Phone calls (rtc/sip) sharing this side's media. */
  readonly attached = new Set<AttachedCall>();
  local: LocalMedia | null = null;
  ringing: Ringing | null = null;
  /** What failed last (no microphone, the peer unreachable), for the UI to say. */
  error: string | null = null;
  /** How the last call with someone ended, when that is news to the user (declined, busy, no answer). */
  lastEnd: { peerId: string; end: CallEnd } | null = null;
  private ring: Ring | null = null;
  private readonly expected = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  /** The screen (and its sound, when shared) this side sends to every participant, or null. */
  screen: MediaStream | null = null;

  constructor(private readonly options: CallGroupOptions) {
    options.router.onNewSession('call', (peerId, offer) => this.onOffer(peerId, offer));
  }

  get active(): boolean {
    return this.calls.size > 0 || this.attached.size > 0 || this.local !== null;
  }

  /**
   * Settles once every LAN call of the group set its first description (its offer or answer is on
   * its way), at most `DRAW_WAIT_MS` from now. The call screen is drawn after it: drawn at once, it
   * held the page's thread while the description was being made, and the offer or answer left later.
   */
  described(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const cap = new Promise<void>((resolve) => (timer = setTimeout(resolve, DRAW_WAIT_MS)));
    return Promise.race([Promise.all([...this.calls.values()].map((call) => call.link.described)).then(() => undefined), cap]).finally(() => clearTimeout(timer));
  }

  /** The microphone (and camera) for a call placed elsewhere; `attach` it to that call next. */
  async openMedia(video: boolean): Promise<LocalMedia> {
    const local = this.media(video);
    await local.ready;
    return local;
  }

  /** Takes part in mute, hold, device switches and hang-up until the call ends. */
  attach(call: AttachedCall): void {
    this.attached.add(call);
    const release = call.onChange(() => {
      if (call.ended) {
        release();
        this.attached.delete(call);
        this.releaseIfIdle();
      }
      this.changed();
    });
    if (this.local?.held) call.setHeld(true);
    this.changed();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Calls a peer; a running call makes this an invitation into it (mesh). The offer goes out at once;
   * the microphone and camera open meanwhile and their tracks are swapped in as they come.
   */
  async dial(peerId: string, video: boolean): Promise<void> {
    if (this.calls.has(peerId) || this.ringing || this.ring) return;
    if (this.calls.size + 1 >= MAX_PARTICIPANTS) throw new Error(`A call holds at most ${MAX_PARTICIPANTS} people.`);
    const inviting = this.calls.size > 0;
    this.lastEnd = null;
    this.error = null;
    // The devices open once the connection is up (see LocalMedia's `after`).
    let established: () => void = () => undefined;
    const local = this.media(video, new Promise<void>((resolve) => (established = resolve)));
    const call = await this.build(peerId, newSessionId(), 'outgoing', video, { local });
    if (!call || this.local !== local || this.calls.has(peerId)) {
      // No identity, or the media failed (or was released) meanwhile: nothing was offered.
      established();
      call?.discard();
      this.releaseIfIdle();
      return;
    }
    call.start(); // the offer is on its way before the call screen is drawn
    void call.link.established.then(established);
    this.adopt(call);
    if (inviting) this.introduceWhenConnected(call);
  }

  /** Answers the ringing call: its offer is applied already, so the answer goes out while the devices open. */
  async accept(): Promise<void> {
    const ring = this.ring;
    if (!ring || ring.accepted) return;
    ring.accepted = true;
    const video = ring.offer.media?.video ?? false;
    let call: Call | null = null;
    let failure: unknown = null;
    try {
      call = await ring.prepared;
    } catch (error) {
      failure = error;
    }
    if (this.ring !== ring) return; // the caller cancelled meanwhile (missed), which discarded the call
    this.stopRinging();
    if (!call) {
      if (failure) this.fail(failure);
      void this.options.router.send(ring.peerId, { type: 'bye', session: ring.offer.session, reason: 'media unavailable' });
      this.changed();
      return;
    }
    try {
      const local = this.media(video, call.link.established);
      this.adopt(call);
      const answered = call.answer(local); // takes the session's signaling from the ring first
      // The caller's held candidates go in with the answer, not after it was delivered: ICE checks
      // wait for them.
      ring.buffered.forEach((message) => void call!.link.handle(message).catch(() => undefined));
      await answered;
    } catch (error) {
      this.fail(error);
      call.hangUp('failed', 'media unavailable');
    }
  }

  decline(): void {
    const ring = this.ring;
    if (!ring) return;
    this.stopRinging(true);
    void this.options.router.send(ring.peerId, { type: 'decline', session: ring.offer.session });
    this.log(ring.peerId, 'incoming', ring.offer.media?.video ?? false, Date.now(), 0, 'declined');
    this.changed();
  }

  hangUp(): void {
    for (const call of this.calls.values()) call.hangUp();
    for (const call of this.attached) call.hangUp();
  }

  setMuted(muted: boolean): void {
    this.local?.setMuted(muted);
    this.changed();
  }

  setHeld(held: boolean): void {
    this.local?.setHeld(held);
    for (const call of this.calls.values()) call.send({ t: 'hold', on: held });
    for (const call of this.attached) call.setHeld(held);
    this.changed();
  }

  async setCamera(on: boolean): Promise<void> {
    await this.local?.setCamera(on, this.options.deviceIds().video);
    this.changed();
  }

  async useDevice(kind: MediaKind, deviceId: string | null): Promise<void> {
    await this.local?.useDevice(kind, deviceId);
    this.changed();
  }

  reconnect(): void {
    for (const call of this.calls.values()) call.reconnect();
  }

  /** Shares a screen or window with everyone in the call; false when the user cancelled the picker. */
  async startSharing(mediaDevices: MediaDevices = navigator.mediaDevices): Promise<boolean> {
    if (this.screen || this.calls.size === 0) return this.screen !== null;
    let stream: MediaStream;
    try {
      stream = await mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15, max: 30 } }, audio: true });
    } catch (error) {
      if ((error as Error).name === 'NotAllowedError') return false;
      throw error;
    }
    if (this.calls.size === 0) {
      stream.getTracks().forEach((track) => track.stop());
      return false;
    }
    const video = stream.getVideoTracks()[0];
    if (video) video.contentHint = 'detail';
    video?.addEventListener('ended', () => this.stopSharing(), { once: true });
    this.screen = stream;
    for (const call of this.calls.values()) void this.shareWith(call);
    this.changed();
    return true;
  }

  stopSharing(): void {
    const screen = this.screen;
    if (!screen) return;
    this.screen = null;
    screen.getTracks().forEach((track) => track.stop());
    for (const call of this.calls.values()) void call.setScreen(null).catch(() => undefined);
    this.changed();
  }

  private async shareWith(call: Call): Promise<void> {
    const screen = this.screen;
    if (!screen) return;
    if (call.channel.readyState === 'open') await call.setScreen(screen.getTracks()).catch((error: unknown) => this.fail(error));
    else call.channel.addEventListener('open', () => void this.shareWith(call), { once: true });
  }

  /**
   * The shared local media, starting to open it when there is none (returns at once: the tracks reach
   * every call through `onTrack`). When not even a microphone opens, the calls that wait for it end.
   */
  private media(video: boolean, after?: Promise<unknown>): LocalMedia {
    if (this.local) return this.local;
    const ids = this.options.deviceIds();
    const local = LocalMedia.start(video, { audioDeviceId: ids.audio, videoDeviceId: ids.video, after });
    local.onTrack((kind, track) => {
      for (const call of this.calls.values()) void call.setTrack(kind, track).catch((error: unknown) => this.fail(error));
      for (const call of this.attached) void call.setTrack(kind, track);
      this.changed();
    });
    local.ready.catch((error: unknown) => this.mediaFailed(local, error));
    this.local = local;
    this.changed();
    return local;
  }

  private mediaFailed(local: LocalMedia, error: unknown): void {
    if (this.local !== local) return;
    this.fail(error);
    for (const call of [...this.calls.values()]) call.hangUp('failed', 'media unavailable');
    for (const call of [...this.attached]) call.hangUp();
    if (this.local === local) {
      local.stop();
      this.local = null;
    }
    this.changed();
  }

  /** A connection for a call, not yet one of ours (see `adopt`); null without an identity. */
  private async build(
    peerId: string,
    session: string,
    direction: 'outgoing' | 'incoming',
    video: boolean,
    extra: { local?: LocalMedia; ringing?: boolean },
  ): Promise<Call | null> {
    const ownId = this.options.ownId();
    const certificate = this.options.certificate();
    if (!ownId || !certificate) {
      this.fail(new Error('Lanline has no identity yet.'));
      return null;
    }
    const ice = await this.options.ice();
    return new Call({ router: this.options.router, peerId, ownId, certificate, session, ice, direction, video, ...extra });
  }

  /** An incoming call's connection with its offer applied (nothing sent): made while ringing. */
  private async prepare(peerId: string, offer: Offer): Promise<Call | null> {
    const call = await this.build(peerId, offer.session, 'incoming', offer.media?.video ?? false, { ringing: true });
    if (!call) return null;
    try {
      await call.prepare(offer);
    } catch (error) {
      call.discard();
      throw error;
    }
    return call;
  }

  /** The call joins this side's participants: listened to, shown, logged when it ends. */
  private adopt(call: Call): void {
    this.calls.set(call.peerId, call);
    if (this.screen) void this.shareWith(call);
    call.onChange(() => {
      if (call.state === 'ended') this.ended(call);
      this.changed();
    });
    call.onMessage((message) => {
      if (message.t === 'expect' && typeof message.peer === 'string') this.expected.set(message.peer, Date.now() + EXPECT_MS);
      if (message.t === 'connect' && Array.isArray(message.peers)) {
        const ownId = this.options.ownId();
        for (const other of message.peers.slice(0, MAX_PARTICIPANTS - 1)) {
          if (typeof other === 'string' && other !== ownId && !this.calls.has(other)) void this.dial(other, call.options.video).catch((error: unknown) => this.fail(error));
        }
      }
    });
    this.changed();
  }

  /** Once a newcomer answered: the others expect its offer, then it is told whom to dial. */
  private introduceWhenConnected(call: Call): void {
    const introduce = () => {
      const others = [...this.calls.values()].filter((other) => other !== call && other.state !== 'ended');
      for (const other of others) other.send({ t: 'expect', peer: call.peerId });
      call.send({ t: 'connect', peers: others.map((other) => other.peerId) });
    };
    if (call.channel.readyState === 'open') introduce();
    else call.channel.addEventListener('open', introduce, { once: true });
  }

  private onOffer(peerId: string, offer: Offer): void {
    const expires = this.expected.get(peerId);
    if (expires !== undefined && expires > Date.now() && this.calls.size > 0 && !this.calls.has(peerId)) {
      this.expected.delete(peerId);
      void (async () => {
        const call = await this.prepare(peerId, offer);
        if (!call) return;
        if (!this.local || this.calls.has(peerId)) return call.discard();
        this.adopt(call);
        await call.answer(this.local);
      })().catch((error: unknown) => this.fail(error));
      return;
    }
    if (this.active || this.ring) {
      void this.options.router.send(peerId, { type: 'busy', session: offer.session });
      return;
    }
    const buffered: SignalMessage[] = [];
    const release = this.options.router.own(peerId, offer.session, (message) => {
      if (message.type === 'candidate') {
        if (buffered.length < 100) buffered.push(message);
      } else if (message.type === 'bye') {
        // The caller's devices failed right after its offer went out: not a call the user missed.
        this.missed(message.reason !== 'media unavailable');
      }
    });
    const timer = setTimeout(() => this.missed(), RING_TIMEOUT_MS);
    const prepared = this.prepare(peerId, offer);
    prepared.catch(() => undefined); // reported by accept
    this.ring = { peerId, offer, buffered, release, timer, prepared, accepted: false };
    if (this.options.autoAnswer?.(peerId)) {
      // The user chose to answer this (trusted) peer's calls without ringing.
      void this.accept();
      return;
    }
    this.ringing = { peerId, video: offer.media?.video ?? false, since: Date.now() };
    this.changed();
  }

  private missed(log = true): void {
    const ring = this.ring;
    if (!ring) return;
    this.stopRinging(true);
    if (log) this.log(ring.peerId, 'incoming', ring.offer.media?.video ?? false, Date.now(), 0, 'missed');
    this.changed();
  }

  /** Stops ringing; `discard` also closes the connection the held offer was applied to (decline, missed). */
  private stopRinging(discard = false): void {
    const ring = this.ring;
    if (!ring) return;
    clearTimeout(ring.timer);
    ring.release();
    this.ring = null;
    this.ringing = null;
    if (discard) void ring.prepared.then((call) => call?.discard(), () => undefined);
  }

  private ended(call: Call): void {
    if (this.calls.get(call.peerId) !== call) return;
    this.calls.delete(call.peerId);
    this.lastEnd = { peerId: call.peerId, end: call.end ?? 'hangup' };
    const outcomes: Record<CallEnd, CallRecord['outcome']> = {
      hangup: call.connectedAt ? 'answered' : 'cancelled',
      'remote-hangup': 'answered',
      declined: 'declined',
      busy: 'busy',
      unanswered: 'unanswered',
      failed: 'failed',
    };
    const outcome = call.connectedAt ? 'answered' : outcomes[call.end ?? 'hangup'];
    this.log(call.peerId, call.options.direction, call.options.video, call.startedAt, call.connectedAt ? Date.now() - call.connectedAt : 0, outcome);
    if (this.calls.size === 0) {
      this.stopSharing();
      this.expected.clear();
    }
    this.releaseIfIdle();
  }

  /** The microphone and camera close once no call uses them. */
  releaseIfIdle(): void {
    if (this.calls.size > 0 || this.attached.size > 0) return;
    this.local?.stop();
    this.local = null;
  }

  private log(peerId: string, direction: 'incoming' | 'outgoing', video: boolean, startedAt: number, durationMs: number, outcome: CallRecord['outcome']): void {
    this.options.record({ peerId, name: this.options.nameOf(peerId).slice(0, 64), direction, video, startedAt, durationMs: Math.round(durationMs), outcome });
  }

  private fail(error: unknown): void {
    this.error = (error as Error).message;
    this.changed();
  }

  private changed(): void {
    this.listeners.forEach((listener) => listener());
  }
}
