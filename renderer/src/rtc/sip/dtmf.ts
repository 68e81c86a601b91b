/**
 * DTMF digits in a call: validation, timing limits and the send queue (framework-free).
 *
 * On the wire (RFC 4733): each digit is a telephone-event RTP packet stream in the audio sender's
 * stream, sent by the browser's RTCDTMFSender (`RTCRtpSender.dtmf`) when the remote SDP offered
 * `telephone-event`. `insertDTMF(tones, duration, gap)` *replaces* the sender's tone buffer (WebRTC
 * §7.2), and a tone leaves the buffer when it starts playing, with a `tonechange` event naming it (an
 * event with `tone === ''` says the buffer ran dry). So digits typed faster than they play are appended
 * by inserting `toneBuffer + new digits`: nothing pending is lost and the order is kept.
 *
 * The fallback for gateways without telephone-event is SIP INFO (`application/dtmf-relay`, one request
 * per digit): the queue calls `sendInfo(digit, duration)` and paces the digits itself with
 * duration + gap between them, as the sender would.
 *
 * `sent` is what was actually played (or sent by INFO), in order, for the call screen's digit strip.
 */

/** What RTCDTMFSender accepts (WebRTC §7.2): digits, A-D (any case), `*`, `#`, and `,` for a 2 s pause. */
export const DTMF_TONES = '0123456789ABCD*#';
export const DTMF_PAUSE = ',';
export const PAUSE_MS = 2_000;

/**
 * Limits as Chromium enforces them (Blink's RTCDTMFSender clamps to these; libwebrtc's DtmfSender
 * refuses a duration outside 40-6000 ms and a gap under 30 ms).
 */
export const DTMF_LIMITS = {
  duration: { min: 40, max: 6_000, default: 100 },
  gap: { min: 30, max: 6_000, default: 70 },
} as const;

export interface DtmfTiming {
  /** How long each tone sounds, ms. */
  durationMs: number;
  /** Silence between tones, ms. */
  gapMs: number;
}

export const DEFAULT_TIMING: DtmfTiming = { durationMs: DTMF_LIMITS.duration.default, gapMs: DTMF_LIMITS.gap.default };

export type DtmfErrorCode = 'invalidDigit' | 'duration' | 'gap' | 'cannotSend';
export interface DtmfError {
  ok: false;
  code: DtmfErrorCode;
  reason: string;
}

export function isDtmfTone(character: string): boolean {
  return character.length === 1 && (DTMF_TONES.includes(character.toUpperCase()) || character === DTMF_PAUSE);
}

/** The digits as the sender keeps them (A-D upper-cased), or which characters are not DTMF. */
export function validateDigits(digits: string): { ok: true; digits: string } | DtmfError {
  const bad = [...new Set([...digits].filter((character) => !isDtmfTone(character)))];
  if (digits.length === 0) return { ok: false, code: 'invalidDigit', reason: 'There are no digits to send.' };
  if (bad.length > 0) return { ok: false, code: 'invalidDigit', reason: `DTMF has only 0-9, *, #, A-D and the pause “,”; “${bad.join('')}” cannot be sent.` };
  return { ok: true, digits: digits.toUpperCase() };
}

/** Checks a timing the user configured; the error names the limit that was crossed. */
export function validateTiming(timing: Partial<DtmfTiming>): { ok: true; timing: DtmfTiming } | DtmfError {
  const durationMs = timing.durationMs ?? DEFAULT_TIMING.durationMs;
  const gapMs = timing.gapMs ?? DEFAULT_TIMING.gapMs;
  const { duration, gap } = DTMF_LIMITS;
  if (!Number.isInteger(durationMs) || durationMs < duration.min || durationMs > duration.max) {
    return { ok: false, code: 'duration', reason: `A DTMF tone lasts from ${duration.min} to ${duration.max} ms (whole milliseconds); ${durationMs} is outside that.` };
  }
  if (!Number.isInteger(gapMs) || gapMs < gap.min || gapMs > gap.max) {
    return { ok: false, code: 'gap', reason: `The gap between DTMF tones is from ${gap.min} to ${gap.max} ms (whole milliseconds); ${gapMs} is outside that.` };
  }
  return { ok: true, timing: { durationMs, gapMs } };
}

/** The nearest timing within the limits (what Chromium would use for the same arguments). */
export function clampTiming(timing: Partial<DtmfTiming>): DtmfTiming {
  const clamp = (value: number | undefined, limit: { min: number; max: number; default: number }) =>
    value === undefined || !Number.isFinite(value) ? limit.default : Math.min(limit.max, Math.max(limit.min, Math.round(value)));
  return { durationMs: clamp(timing.durationMs, DTMF_LIMITS.duration), gapMs: clamp(timing.gapMs, DTMF_LIMITS.gap) };
}

/** The part of RTCDTMFSender the queue uses (a real `RTCRtpSender.dtmf` fits it). */
export interface DtmfSenderLike {
  readonly toneBuffer: string;
  readonly canInsertDTMF: boolean;
  insertDTMF(tones: string, duration?: number, interToneGap?: number): void;
  addEventListener(type: 'tonechange', listener: (event: { tone: string }) => void): void;
  removeEventListener(type: 'tonechange', listener: (event: { tone: string }) => void): void;
}

export type DtmfTransport =
  /** RFC 4733 telephone-events through the audio sender's RTCDTMFSender. */
  | { kind: 'rfc4733'; sender: DtmfSenderLike }
  /** SIP INFO, one request per digit (e.g. JsSIP `session.sendDTMF(digit, { transportType: 'INFO', duration })`). */
  | { kind: 'info'; sendInfo: (digit: string, durationMs: number) => void | Promise<void> };

type SentListener = (digit: string, sent: string) => void;
type ErrorListener = (error: unknown, digit: string) => void;

export class DtmfQueue {
  #transport: DtmfTransport;
  #timing: DtmfTiming;
  #sent = '';
  #sentListeners = new Set<SentListener>();
  #errorListeners = new Set<ErrorListener>();
  /** INFO mode: digits not sent yet, and the timer that spaces them. */
  #pending = '';
  #timer: ReturnType<typeof setTimeout> | null = null;
  #disposed = false;

  constructor(transport: DtmfTransport, timing: Partial<DtmfTiming> = {}) {
    this.#transport = transport;
    this.#timing = clampTiming(timing);
    if (transport.kind === 'rfc4733') transport.sender.addEventListener('tonechange', this.#onToneChange);
  }

  get mode(): DtmfTransport['kind'] {
    return this.#transport.kind;
  }

  /** Digits played so far, in order (pauses left out). */
  get sent(): string {
    return this.#sent;
  }

  /** Digits accepted but not yet started. */
  get pending(): string {
    return this.#transport.kind === 'rfc4733' ? this.#transport.sender.toneBuffer : this.#pending;
  }

  get timing(): DtmfTiming {
    return { ...this.#timing };
  }

  /** Applies to digits sent from now on; out-of-range values are clamped (validate them first to tell the user). */
  setTiming(timing: Partial<DtmfTiming>): void {
    this.#timing = clampTiming({ ...this.#timing, ...timing });
  }

  /**
   * Queues digits behind whatever is still pending. Invalid characters refuse the whole string (so a
   * half-sent code never reaches an IVR); `cannotSend` means the sender has no telephone-event to use
   * (the remote did not negotiate it, or the call is on hold): the caller may switch to INFO.
   */
  send(digits: string): { ok: true } | DtmfError {
    if (this.#disposed) return { ok: false, code: 'cannotSend', reason: 'The call has ended.' };
    const valid = validateDigits(digits);
    if (!valid.ok) return valid;
    const transport = this.#transport;
    if (transport.kind === 'info') {
      this.#pending += valid.digits;
      if (this.#timer === null) this.#next();
      return { ok: true };
    }
    const { sender } = transport;
    if (!sender.canInsertDTMF) return { ok: false, code: 'cannotSend', reason: 'This call cannot send DTMF tones now (the other side did not offer telephone-event, or the call is on hold).' };
    try {
      // insertDTMF replaces the buffer: keep what has not started yet in front of the new digits.
      sender.insertDTMF(sender.toneBuffer + valid.digits, this.#timing.durationMs, this.#timing.gapMs);
    } catch (error) {
      return { ok: false, code: 'cannotSend', reason: `The browser refused to send the tones: ${(error as Error).message}` };
    }
    return { ok: true };
  }

  /** Calls `listener(digit, sent)` each time a digit starts playing. Returns the unsubscribe function. */
  onSent(listener: SentListener): () => void {
    this.#sentListeners.add(listener);
    return () => this.#sentListeners.delete(listener);
  }

  /**
   * INFO mode: a request that failed. One that throws at once is not counted as sent; one whose promise
   * rejects later was already shown as sent, and this tells the call screen it may not have arrived.
   */
  onError(listener: ErrorListener): () => void {
    this.#errorListeners.add(listener);
    return () => this.#errorListeners.delete(listener);
  }

  /** Drops the digits not started yet; a tone already sounding finishes. */
  stop(): void {
    this.#pending = '';
    const transport = this.#transport;
    if (transport.kind === 'rfc4733' && transport.sender.toneBuffer !== '') {
      try {
        transport.sender.insertDTMF('');
      } catch {
        // The sender is gone (call ended): nothing is left to play anyway.
      }
    }
  }

  /** Stops and lets go of the sender (at the end of the call). */
  dispose(): void {
    this.stop();
    this.#disposed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#transport.kind === 'rfc4733') this.#transport.sender.removeEventListener('tonechange', this.#onToneChange);
    this.#sentListeners.clear();
    this.#errorListeners.clear();
  }

  #onToneChange = (event: { tone: string }): void => {
    if (event.tone && event.tone !== DTMF_PAUSE) this.#played(event.tone.toUpperCase());
  };

  #played(digit: string): void {
    this.#sent += digit;
    for (const listener of this.#sentListeners) listener(digit, this.#sent);
  }

  /** INFO mode: sends the next digit and waits duration + gap before the one after (2 s for a pause). */
  #next(): void {
    this.#timer = null;
    if (this.#disposed || this.#pending === '') return;
    const digit = this.#pending[0]!;
    this.#pending = this.#pending.slice(1);
    const { durationMs, gapMs } = this.#timing;
    this.#timer = setTimeout(() => this.#next(), digit === DTMF_PAUSE ? PAUSE_MS : durationMs + gapMs);
    if (digit === DTMF_PAUSE || this.#transport.kind !== 'info') return;
    const fail = (error: unknown) => {
      for (const listener of this.#errorListeners) listener(error, digit);
    };
    try {
      const sending = this.#transport.sendInfo(digit, durationMs);
      if (sending && typeof sending.catch === 'function') sending.catch(fail);
    } catch (error) {
      fail(error);
      return;
    }
    this.#played(digit);
  }
}
