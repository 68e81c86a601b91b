/**
 * Local key-press feedback: the two-frequency DTMF tone of a key, generated with WebAudio and played
 * to the user's own speakers only. It is never mixed into the call: the far end gets the digit as an
 * RFC 4733 telephone-event (or SIP INFO) from dtmf.ts, not as audio.
 *
 * ITU-T Q.23 frequencies: a row tone (697-941 Hz) plus a column tone (1209-1633 Hz). Each press sounds
 * for at least ~120 ms, or as long as the key is held (capped), with a few milliseconds of attack and
 * release so it does not click.
 */

export const DTMF_LOW = [697, 770, 852, 941] as const;
export const DTMF_HIGH = [1209, 1336, 1477, 1633] as const;

/** Keys by row (low tone) and column (high tone), as on the 4x4 DTMF keypad. */
const LAYOUT = ['123A', '456B', '789C', '*0#D'] as const;

/** [low, high] in Hz for a key (`+`, the long press of 0, sounds as 0), or null for anything else. */
export function dtmfFrequencies(key: string): readonly [number, number] | null {
  const upper = key === '+' ? '0' : key.toUpperCase();
  if (upper.length !== 1) return null;
  const row = LAYOUT.findIndex((keys) => keys.includes(upper));
  if (row < 0) return null;
  return [DTMF_LOW[row]!, DTMF_HIGH[LAYOUT[row]!.indexOf(upper)]!];
}

export interface TonePlayerOptions {
  /** Makes the context on first use; defaults to `new AudioContext()` where the browser has one. */
  createContext?: () => AudioContext | null;
  /** Peak level of the mix, 0-1. */
  level?: number;
  /** Shortest tone, ms, even for a tap. */
  minMs?: number;
  /** Longest tone, ms, however long a key is held. */
  maxMs?: number;
}

const ATTACK_S = 0.005;
const RELEASE_S = 0.015;

interface Voice {
  gain: GainNode;
  oscillators: OscillatorNode[];
  startedAt: number;
}

function defaultContext(): AudioContext | null {
  const Context = (globalThis as { AudioContext?: typeof AudioContext }).AudioContext;
  return Context ? new Context({ latencyHint: 'interactive' }) : null;
}

export class DtmfTonePlayer {
  readonly #createContext: () => AudioContext | null;
  readonly #level: number;
  readonly #minS: number;
  readonly #maxMs: number;
  #context: AudioContext | null = null;
  /** Once creating a context failed (no WebAudio), stay silent instead of retrying on every key. */
  #unavailable = false;
  #voice: Voice | null = null;
  #cap: ReturnType<typeof setTimeout> | null = null;

  constructor(options: TonePlayerOptions = {}) {
    this.#createContext = options.createContext ?? defaultContext;
    this.#level = options.level ?? 0.12;
    this.#minS = (options.minMs ?? 120) / 1000;
    this.#maxMs = options.maxMs ?? 3_000;
  }

  /** Starts the tone of `key` (cutting any other short); false when the key has none or there is no audio. */
  start(key: string): boolean {
    const pair = dtmfFrequencies(key);
    if (!pair) return false;
    const context = this.#ensureContext();
    if (!context) return false;
    this.#release(true);
    // Started from a key press (a user gesture), so the autoplay policy lets it resume.
    if (context.state === 'suspended') context.resume().catch(() => undefined);
    const now = context.currentTime;
    const gain = context.createGain();
    gain.gain.setValueAtTime(0, now);
    gain.gain.linearRampToValueAtTime(this.#level, now + ATTACK_S);
    gain.connect(context.destination);
    const oscillators = pair.map((frequency) => {
      const oscillator = context.createOscillator();
      oscillator.type = 'sine';
      oscillator.frequency.value = frequency;
      oscillator.connect(gain);
      oscillator.start(now);
      return oscillator;
    });
    this.#voice = { gain, oscillators, startedAt: now };
    this.#cap = setTimeout(() => this.stop(), this.#maxMs);
    return true;
  }

  /** Releases the key: the tone ends now, or once it has sounded its shortest length. */
  stop(): void {
    this.#release(false);
  }

  /** A tap: the shortest tone of `key`. */
  play(key: string): boolean {
    const started = this.start(key);
    this.stop();
    return started;
  }

  /** Lets the audio device go (the dial pad closed). */
  async close(): Promise<void> {
    this.#release(true);
    const context = this.#context;
    this.#context = null;
    if (context && context.state !== 'closed') await context.close().catch(() => undefined);
  }

  #ensureContext(): AudioContext | null {
    if (this.#context && this.#context.state !== 'closed') return this.#context;
    if (this.#unavailable) return null;
    try {
      this.#context = this.#createContext();
    } catch {
      this.#context = null;
    }
    if (!this.#context) this.#unavailable = true;
    return this.#context;
  }

  #release(now: boolean): void {
    if (this.#cap !== null) clearTimeout(this.#cap);
    this.#cap = null;
    const voice = this.#voice;
    const context = this.#context;
    this.#voice = null;
    if (!voice || !context) return;
    // Hold the level until the release starts (never inside the attack), then fade out and stop.
    const earliest = voice.startedAt + (now ? ATTACK_S : Math.max(ATTACK_S, this.#minS));
    const releaseAt = Math.max(context.currentTime, earliest);
    voice.gain.gain.setValueAtTime(this.#level, releaseAt);
    voice.gain.gain.linearRampToValueAtTime(0, releaseAt + RELEASE_S);
    const stopAt = releaseAt + RELEASE_S;
    for (const oscillator of voice.oscillators) oscillator.stop(stopAt);
    voice.oscillators[0]!.onended = () => voice.gain.disconnect();
  }
}
