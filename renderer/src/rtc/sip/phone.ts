/**
 * The SIP user agent of the account in settings (DESIGN §3, "Phone gateways"): JsSIP over the
 * gateway's WebSocket (RFC 7118). It registers, lets JsSIP re-register before the registration expires,
 * reconnects with JsSIP's back-off (2 s growing to 30 s) when the WebSocket drops and registers again,
 * and unregisters on `stop()` (quit, account changed or disabled).
 *
 * JsSIP is loaded on first use (a dynamic import), so a user without an account does not pay for it.
 *
 * Status: 'off' (no account or disabled), 'connecting', 'registered', 'failed' (the registrar refused:
 * `problem` holds JsSIP's cause and the status code), 'offline' (the WebSocket is down; JsSIP retries,
 * `attempts` counts the tries).
 */
import type { UA } from 'jssip';
import type { RTCSession } from 'jssip/lib/RTCSession';
import type { IncomingRTCSessionEvent } from 'jssip/lib/UA';
import { PhoneCall, type PhoneCallOptions } from './phone-call';

export type PhoneStatus = 'off' | 'connecting' | 'registered' | 'failed' | 'offline';

export interface PhoneAccount {
  /** sip:user@domain */
  uri: string;
  authUser: string;
  password: string | null;
  wsUrl: string;
  displayName: string;
  outboundProxy: string;
  dtmf: PhoneCallOptions['dtmf'];
}

export interface PhoneProblem {
  cause: string;
  code: number | null;
}

const REGISTER_EXPIRES_S = 600;
const STOP_WAIT_MS = 1_500;

export class SipPhone {
  status: PhoneStatus = 'off';
  problem: PhoneProblem | null = null;
  /** Reconnection attempts since the WebSocket went down. */
  attempts = 0;
  account: PhoneAccount | null = null;
  private ua: UA | null = null;
  private readonly listeners = new Set<() => void>();
  private incoming: ((call: PhoneCall) => boolean) | null = null;
  /** Bumped by every start/stop, so a slow import of an older start does nothing. */
  private generation = 0;

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Who takes incoming calls: returns false when busy (the caller then hears 486 Busy Here). */
  onIncoming(handler: (call: PhoneCall) => boolean): void {
    this.incoming = handler;
  }

  /** Registers the account (after stopping a previous one). */
  async start(account: PhoneAccount, userAgent: string): Promise<void> {
    // Says 'connecting' at once, not 'off' in between: the account is being (re)registered.
    this.set('connecting');
    await this.shutdown();
    const generation = ++this.generation;
    this.account = account;
    this.problem = null;
    this.attempts = 0;
    this.set('connecting');
    const JsSIP = await import('jssip');
    if (generation !== this.generation) return;
    let ua: UA;
    try {
      const socket = new JsSIP.WebSocketInterface(account.wsUrl);
      ua = new JsSIP.UA({
        sockets: [socket],
        uri: account.uri,
        ...(account.authUser && { authorization_user: account.authUser }),
        ...(account.password !== null && { password: account.password }),
        ...(account.displayName && { display_name: account.displayName }),
        register: true,
        register_expires: REGISTER_EXPIRES_S,
        session_timers: false,
        user_agent: userAgent,
        connection_recovery_min_interval: 2,
        connection_recovery_max_interval: 30,
      });
    } catch (error) {
      this.problem = { cause: (error as Error).message, code: null };
      this.set('failed');
      return;
    }
    if (account.outboundProxy) ua.registrator().setExtraHeaders([`Route: <${account.outboundProxy};lr>`]);
    ua.on('connecting', ({ attempts }) => {
      this.attempts = attempts;
      if (this.status !== 'offline') this.set('connecting');
      else this.changed();
    });
    ua.on('disconnected', () => this.status !== 'off' && this.set('offline'));
    ua.on('registered', () => {
      this.problem = null;
      this.attempts = 0;
      this.set('registered');
    });
    ua.on('unregistered', () => this.status === 'registered' && this.set('connecting'));
    ua.on('registrationFailed', ({ response, cause }) => {
      this.problem = { cause: cause ?? 'Rejected', code: response?.status_code ?? null };
      this.set('failed');
    });
    ua.on('newRTCSession', (event: { originator: string }) => {
      if (event.originator === 'remote') this.takeIncoming(event as IncomingRTCSessionEvent);
    });
    this.ua = ua;
    ua.start();
  }

  /** Unregisters and closes the WebSocket; waits at most STOP_WAIT_MS for the registrar's answer. */
  async stop(): Promise<void> {
    await this.shutdown();
    this.problem = null;
    this.set('off');
  }

  private async shutdown(): Promise<void> {
    this.generation += 1;
    const ua = this.ua;
    this.ua = null;
    this.account = null;
    if (ua) {
      // What the old agent says from now on (its unregistration, its socket closing) is not news about
      // the account in use: only the end of its socket is awaited.
      ua.removeAllListeners();
      const closed = new Promise<void>((resolve) => {
        ua.on('disconnected', () => resolve());
        setTimeout(resolve, STOP_WAIT_MS);
      });
      ua.stop();
      await closed;
    }
  }

  /** Places a call; `target` is a SIP URI (rtc/sip/numbers.ts makes one from what was dialed). */
  call(target: string, number: string, stream: MediaStream, pcConfig: RTCConfiguration): PhoneCall {
    const ua = this.ua;
    const account = this.account;
    if (!ua || !account || this.status !== 'registered') throw new Error('The SIP account is not registered.');
    const session: RTCSession = ua.call(target, {
      mediaStream: new MediaStream(stream.getAudioTracks()),
      mediaConstraints: { audio: true, video: false },
      pcConfig,
      rtcOfferConstraints: { offerToReceiveAudio: true, offerToReceiveVideo: false },
      ...(account.outboundProxy && { extraHeaders: [`Route: <${account.outboundProxy};lr>`] }),
    });
    return new PhoneCall(session, { direction: 'outgoing', number, uri: target, name: '', dtmf: account.dtmf });
  }

  private takeIncoming({ session }: IncomingRTCSessionEvent): void {
    const identity = session.remote_identity;
    const uri = identity.uri.toString();
    const call = new PhoneCall(session, {
      direction: 'incoming',
      number: identity.uri.user ?? uri,
      uri,
      name: identity.display_name ?? '',
      dtmf: this.account?.dtmf ?? { mode: 'rfc4733', durationMs: 100, gapMs: 70 },
    });
    if (!this.incoming?.(call)) session.terminate({ status_code: 486, reason_phrase: 'Busy Here' });
  }

  private set(status: PhoneStatus): void {
    this.status = status;
    this.changed();
  }

  private changed(): void {
    this.listeners.forEach((listener) => listener());
  }
}
