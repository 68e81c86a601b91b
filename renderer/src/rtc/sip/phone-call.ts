/**
 * One call through a SIP gateway: a JsSIP RTCSession (SIP over WebSocket, RFC 7118) whose
 * RTCPeerConnection carries the audio. It joins the CallGroup as an AttachedCall, so the call screen's
 * mute, hold, device switches and hang-up act on it as on a LAN call; the stats come from the same
 * sampler. Digits typed on the in-call keypad go out as RFC 4733 telephone-events through the audio
 * sender's RTCDTMFSender, or as SIP INFO for accounts that ask for it (DtmfQueue, ./dtmf.ts).
 *
 * States: 'dialing' (INVITE sent), 'ringing' (the far end rings: 180/183, maybe with early media, the
 * gateway's ringback), 'incoming' (it rings here), 'connecting' (answered, media not yet flowing),
 * 'connected', 'ended' (see `end`: who ended it, JsSIP's cause, the SIP status code when there was one).
 */
import type { RTCSession } from 'jssip/lib/RTCSession';
import type { AttachedCall } from '../call/call-group';
import type { LocalMedia, MediaKind } from '../call/local-media';
import { callQuality, type Quality } from '../call/quality';
import { StatsSampler, type CallStats } from '../call/stats';
import { DtmfQueue } from './dtmf';

export type PhoneCallState = 'dialing' | 'ringing' | 'incoming' | 'connecting' | 'connected' | 'ended';

export interface PhoneCallEnd {
  /** Who ended it: we did ('local'), the other side or the gateway ('remote'), or the network ('system'). */
  by: 'local' | 'remote' | 'system';
  /** JsSIP's cause ('Busy', 'Not Found', 'Terminated', 'Connection Error', ...). */
  cause: string;
  /** The SIP status code of the final response, when the call ended with one. */
  code: number | null;
}

export interface PhoneCallOptions {
  direction: 'outgoing' | 'incoming';
  /** The number or address as the user dialed it, or as the caller presented it. */
  number: string;
  /** The SIP URI of the other side. */
  uri: string;
  /** The other side's display name, when it gave one. */
  name: string;
  dtmf: { mode: 'rfc4733' | 'info'; durationMs: number; gapMs: number };
}

/** ICE gathering is capped: a configured STUN/TURN server that does not answer must not hold the INVITE. */
const GATHERING_CAP_MS = 2_000;

export class PhoneCall implements AttachedCall {
  readonly id: string;
  state: PhoneCallState;
  end: PhoneCallEnd | null = null;
  readonly remote = new MediaStream();
  readonly startedAt = Date.now();
  connectedAt = 0;
  /** The gateway sent media before the answer (ringback, announcements). */
  earlyMedia = false;
  /** Our side holds the call; the other side holds it. */
  held = false;
  remoteHeld = false;
  stats: (CallStats & { quality: Quality }) | null = null;
  /** The digits played so far, in order (from the DTMF sender's `tonechange`, or each INFO sent). */
  sent = '';
  private sampler: StatsSampler | null = null;
  private dtmf: DtmfQueue | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly session: RTCSession,
    readonly options: PhoneCallOptions,
  ) {
    this.id = `sip:${session.id}`;
    this.state = options.direction === 'outgoing' ? 'dialing' : 'incoming';
    session.on('peerconnection', ({ peerconnection }) => this.bind(peerconnection));
    // An outgoing session has its connection already (JsSIP creates it in call()).
    if (session.connection) this.bind(session.connection);
    // One cap per description (JsSIP hands each offer or answer its own `ready`), from its first candidate.
    let capped: (() => void) | null = null;
    session.on('icecandidate', ({ ready }) => {
      if (capped === ready) return;
      capped = ready;
      setTimeout(ready, GATHERING_CAP_MS);
    });
    session.on('progress', ({ originator, response }: { originator: string; response?: { body?: string } }) => {
      if (originator !== 'remote') return;
      // A provisional answer with SDP (183 Session Progress) brings the gateway's ringback or announcements,
      // whether or not a 180 came first.
      if (response?.body) this.earlyMedia = true;
      if (this.state === 'dialing') this.set('ringing');
      else this.changed();
    });
    session.on('accepted', () => this.set(this.flowing() ? 'connected' : 'connecting'));
    session.on('confirmed', () => this.state !== 'connected' && this.set(this.flowing() ? 'connected' : 'connecting'));
    session.on('hold', ({ originator }) => (originator === 'local' ? (this.held = true) : (this.remoteHeld = true), this.changed()));
    session.on('unhold', ({ originator }) => (originator === 'local' ? (this.held = false) : (this.remoteHeld = false), this.changed()));
    const finish = ({ originator, cause, message }: { originator: string; cause: string; message: unknown }) => {
      const code = (message as { status_code?: unknown } | null)?.status_code;
      this.finish({ by: originator === 'local' ? 'local' : originator === 'remote' ? 'remote' : 'system', cause, code: typeof code === 'number' ? code : null });
    };
    session.on('ended', finish);
    session.on('failed', finish);
  }

  get ended(): boolean {
    return this.state === 'ended';
  }

  /** Answers an incoming call with the group's microphone. */
  answer(media: LocalMedia, pcConfig: RTCConfiguration): void {
    if (this.state !== 'incoming') return;
    this.set('connecting');
    this.session.answer({ mediaStream: audioOnly(media.stream), pcConfig, mediaConstraints: { audio: true, video: false } });
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async setTrack(kind: MediaKind, track: MediaStreamTrack | null): Promise<void> {
    if (kind !== 'audio' || this.ended) return;
    const sender = this.audioSender();
    if (sender && sender.track !== track) await sender.replaceTrack(track);
  }

  setHeld(held: boolean): void {
    if (this.ended || !this.session.isEstablished()) return;
    if (held) this.session.hold();
    else this.session.unhold();
  }

  hangUp(): void {
    if (this.ended) return;
    try {
      this.session.terminate();
    } catch {
      // Already terminated inside JsSIP: the 'ended'/'failed' event has come or comes.
      this.finish({ by: 'local', cause: 'Terminated', code: null });
    }
  }

  /**
   * Sends digits (0-9 * # A-D) to the far end, after those still pending; what was played shows in
   * `sent`. Throws on a digit the standard does not have.
   */
  sendDigits(digits: string): void {
    if (this.state !== 'connected' && this.state !== 'connecting' && !(this.state === 'ringing' && this.earlyMedia)) {
      throw new Error('Digits can be sent once the call is answered.');
    }
    this.dtmf ??= this.createQueue();
    const result = this.dtmf.send(digits);
    if (!result.ok) throw new Error(result.reason);
  }

  private createQueue(): DtmfQueue {
    const { mode, durationMs, gapMs } = this.options.dtmf;
    const sender = this.audioSender()?.dtmf ?? null;
    // Without a DTMF sender (no audio sender negotiated) only SIP INFO can carry the digits.
    const queue =
      mode === 'rfc4733' && sender
        ? new DtmfQueue({ kind: 'rfc4733', sender }, { durationMs, gapMs })
        : new DtmfQueue({ kind: 'info', sendInfo: (digit, duration) => this.session.sendDTMF(digit, { transportType: 'INFO' as never, duration }) }, { durationMs, gapMs });
    queue.onSent((_digit, sent) => {
      this.sent = sent;
      this.changed();
    });
    return queue;
  }

  private audioSender(): RTCRtpSender | null {
    const pc = this.session.connection;
    if (!pc) return null;
    return pc.getTransceivers().find((transceiver) => transceiver.receiver.track.kind === 'audio' && transceiver.currentDirection !== 'stopped')?.sender ?? null;
  }

  private bind(pc: RTCPeerConnection): void {
    if (this.sampler) return;
    pc.addEventListener('track', ({ track }) => {
      if (!this.remote.getTracks().includes(track)) this.remote.addTrack(track);
      this.changed();
    });
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'connected' && this.state === 'connecting') this.set('connected');
      else this.changed();
    });
    this.sampler = new StatsSampler(pc, (stats) => {
      this.stats = { ...stats, quality: callQuality(stats) };
      this.changed();
    });
    this.sampler.start();
  }

  private flowing(): boolean {
    return this.session.connection?.connectionState === 'connected';
  }

  private set(state: PhoneCallState): void {
    if (this.state === 'ended' || this.state === state) return;
    this.state = state;
    if (state === 'connected' && !this.connectedAt) this.connectedAt = Date.now();
    this.changed();
  }

  private finish(end: PhoneCallEnd): void {
    if (this.state === 'ended') return;
    this.end = end;
    this.state = 'ended';
    this.sampler?.stop();
    this.dtmf?.dispose();
    this.remote.getTracks().forEach((track) => track.stop());
    this.changed();
  }

  private changed(): void {
    this.listeners.forEach((listener) => listener());
  }
}

/** A stream with only the microphone: phone calls carry no video. */
function audioOnly(stream: MediaStream): MediaStream {
  return new MediaStream(stream.getAudioTracks());
}
