import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import {
  clampTiming,
  DEFAULT_TIMING,
  DTMF_LIMITS,
  DtmfQueue,
  isDtmfTone,
  PAUSE_MS,
  validateDigits,
  validateTiming,
  type DtmfSenderLike,
} from '../../renderer/src/rtc/sip/dtmf.js';
import { dtmfFrequencies, DtmfTonePlayer } from '../../renderer/src/rtc/sip/tones.js';

/**
 * An RTCDTMFSender as WebRTC §7.2 describes it: insertDTMF replaces the tone buffer; a playout task
 * takes the first tone out of the buffer, fires `tonechange` with it and runs again duration + gap
 * later (2 s for ','); with the buffer empty it fires `tonechange` with '' and stops.
 */
class SpecSender implements DtmfSenderLike {
  toneBuffer = '';
  canInsertDTMF = true;
  inserts: string[] = [];
  /** [tone, ms since the test started] for every tonechange. */
  events: Array<[string, number]> = [];
  #listeners = new Set<(event: { tone: string }) => void>();
  #scheduled = false;
  #duration = 100;
  #gap = 70;

  insertDTMF(tones: string, duration = 100, interToneGap = 70): void {
    if (!this.canInsertDTMF) throw new DOMException('The sender cannot send DTMF.', 'InvalidStateError');
    if (/[^0-9A-D#*,]/i.test(tones)) throw new DOMException(`Invalid tones: ${tones}`, 'InvalidCharacterError');
    this.inserts.push(tones);
    this.toneBuffer = tones.toUpperCase();
    this.#duration = Math.min(6000, Math.max(40, duration));
    this.#gap = Math.max(30, interToneGap);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setTimeout(() => this.#playout(), 0);
  }

  addEventListener(_type: 'tonechange', listener: (event: { tone: string }) => void): void {
    this.#listeners.add(listener);
  }
  removeEventListener(_type: 'tonechange', listener: (event: { tone: string }) => void): void {
    this.#listeners.delete(listener);
  }

  #playout(): void {
    if (this.toneBuffer === '') {
      this.#scheduled = false;
      this.#fire('');
      return;
    }
    const tone = this.toneBuffer[0]!;
    this.toneBuffer = this.toneBuffer.slice(1);
    setTimeout(() => this.#playout(), tone === ',' ? 2000 : this.#duration + this.#gap);
    this.#fire(tone);
  }

  #fire(tone: string): void {
    this.events.push([tone, Date.now()]);
    for (const listener of this.#listeners) listener({ tone });
  }
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('DTMF digits and limits', () => {
  it('accepts what RTCDTMFSender accepts: 0-9, *, #, A-D in any case and the , pause', () => {
    for (const tone of '0123456789*#ABCDabcd,') expect(isDtmfTone(tone)).toBe(true);
    for (const tone of ['E', '+', ' ', '', '12', 'p', 'w']) expect(isDtmfTone(tone)).toBe(false);
    expect(validateDigits('12ab#')).toEqual({ ok: true, digits: '12AB#' });
  });

  it('refuses other characters, naming them, and an empty string', () => {
    const bad = validateDigits('12+E3');
    expect(bad).toMatchObject({ ok: false, code: 'invalidDigit' });
    if (!bad.ok) expect(bad.reason).toMatch(/“\+E” cannot be sent/);
    expect(validateDigits('')).toMatchObject({ ok: false, code: 'invalidDigit' });
  });

  it('keeps durations within 40-6000 ms and gaps within 30-6000 ms, defaulting to 100 and 70 ms', () => {
    expect(DEFAULT_TIMING).toEqual({ durationMs: 100, gapMs: 70 });
    expect(DTMF_LIMITS.duration).toMatchObject({ min: 40, max: 6000 });
    expect(DTMF_LIMITS.gap).toMatchObject({ min: 30 });
    expect(validateTiming({})).toEqual({ ok: true, timing: { durationMs: 100, gapMs: 70 } });
    expect(validateTiming({ durationMs: 40, gapMs: 30 })).toEqual({ ok: true, timing: { durationMs: 40, gapMs: 30 } });
    expect(validateTiming({ durationMs: 6000, gapMs: 6000 })).toMatchObject({ ok: true });
    const short = validateTiming({ durationMs: 39 });
    expect(short).toMatchObject({ ok: false, code: 'duration' });
    if (!short.ok) expect(short.reason).toMatch(/from 40 to 6000 ms/);
    expect(validateTiming({ durationMs: 6001 })).toMatchObject({ ok: false, code: 'duration' });
    expect(validateTiming({ durationMs: 100.5 })).toMatchObject({ ok: false, code: 'duration' });
    expect(validateTiming({ gapMs: 29 })).toMatchObject({ ok: false, code: 'gap' });
    expect(validateTiming({ gapMs: Number.NaN })).toMatchObject({ ok: false, code: 'gap' });
  });

  it('clamps a timing to the limits the way Chromium would', () => {
    expect(clampTiming({ durationMs: 10, gapMs: 5 })).toEqual({ durationMs: 40, gapMs: 30 });
    expect(clampTiming({ durationMs: 9000, gapMs: 9000 })).toEqual({ durationMs: 6000, gapMs: 6000 });
    expect(clampTiming({ durationMs: Number.NaN })).toEqual({ durationMs: 100, gapMs: 70 });
    expect(clampTiming({ durationMs: 120.4 })).toEqual({ durationMs: 120, gapMs: 70 });
  });

  it('takes a real RTCDTMFSender as its sender', () => {
    expectTypeOf<RTCDTMFSender>().toExtend<DtmfSenderLike>();
  });
});

describe('DtmfQueue over RTCDTMFSender (RFC 4733)', () => {
  it('plays digits in order and reports each as it starts', async () => {
    const sender = new SpecSender();
    const queue = new DtmfQueue({ kind: 'rfc4733', sender });
    const heard: Array<[string, string]> = [];
    queue.onSent((digit, sent) => heard.push([digit, sent]));
    expect(queue.send('12#')).toEqual({ ok: true });
    expect(queue.pending).toBe('12#');
    await vi.runAllTimersAsync();
    expect(queue.sent).toBe('12#');
    expect(heard).toEqual([
      ['1', '1'],
      ['2', '12'],
      ['#', '12#'],
    ]);
    // One tone every duration + gap, then the empty tonechange that says the buffer ran dry.
    expect(sender.events).toEqual([
      ['1', 0],
      ['2', 170],
      ['#', 340],
      ['', 510],
    ]);
    expect(queue.pending).toBe('');
  });

  it('queues digits typed faster than they are played: none dropped, order kept', async () => {
    const sender = new SpecSender();
    const queue = new DtmfQueue({ kind: 'rfc4733', sender }, { durationMs: 100, gapMs: 70 });
    // A user taps 1 to 6 twenty milliseconds apart: 100 ms of typing for a second of tones.
    for (const digit of '123456') {
      expect(queue.send(digit)).toEqual({ ok: true });
      await vi.advanceTimersByTimeAsync(20);
    }
    expect(queue.sent).toBe('1');
    expect(queue.pending).toBe('23456');
    // Each insert carried what was still pending in front of the new digit, since insertDTMF replaces the buffer.
    expect(sender.inserts).toEqual(['1', '2', '23', '234', '2345', '23456']);
    await vi.runAllTimersAsync();
    expect(queue.sent).toBe('123456');
    expect(sender.events.map(([tone]) => tone).join('')).toBe('123456');
    const starts = sender.events.filter(([tone]) => tone !== '').map(([, at]) => at);
    expect(starts.slice(1).map((at, i) => at - starts[i]!)).toEqual([170, 170, 170, 170, 170]);
  });

  it('keeps adding to what is pending while a tone plays, and after the buffer ran dry', async () => {
    const sender = new SpecSender();
    const queue = new DtmfQueue({ kind: 'rfc4733', sender });
    queue.send('1');
    await vi.advanceTimersByTimeAsync(50);
    queue.send('2');
    await vi.runAllTimersAsync();
    queue.send('3');
    await vi.runAllTimersAsync();
    expect(queue.sent).toBe('123');
  });

  it('passes the configured duration and gap, and counts a pause without reporting it', async () => {
    const sender = new SpecSender();
    const insert = vi.spyOn(sender, 'insertDTMF');
    const queue = new DtmfQueue({ kind: 'rfc4733', sender }, { durationMs: 250, gapMs: 100 });
    queue.send('1,2');
    expect(insert).toHaveBeenLastCalledWith('1,2', 250, 100);
    await vi.runAllTimersAsync();
    expect(queue.sent).toBe('12');
    expect(sender.events.filter(([tone]) => tone === '2')[0]![1]).toBe(350 + PAUSE_MS);
    queue.setTiming({ durationMs: 10 });
    queue.send('3');
    expect(insert).toHaveBeenLastCalledWith('3', 40, 100);
  });

  it('refuses invalid digits without touching the sender', () => {
    const sender = new SpecSender();
    const queue = new DtmfQueue({ kind: 'rfc4733', sender });
    expect(queue.send('1x')).toMatchObject({ ok: false, code: 'invalidDigit' });
    expect(sender.inserts).toEqual([]);
  });

  it('says so when the sender cannot send DTMF (no telephone-event, or on hold)', () => {
    const sender = new SpecSender();
    sender.canInsertDTMF = false;
    const queue = new DtmfQueue({ kind: 'rfc4733', sender });
    expect(queue.send('1')).toMatchObject({ ok: false, code: 'cannotSend' });
  });

  it('stop() drops the digits not yet played; the one playing finishes', async () => {
    const sender = new SpecSender();
    const queue = new DtmfQueue({ kind: 'rfc4733', sender });
    queue.send('12345');
    await vi.advanceTimersByTimeAsync(200);
    expect(queue.sent).toBe('12');
    queue.stop();
    expect(queue.pending).toBe('');
    await vi.runAllTimersAsync();
    expect(queue.sent).toBe('12');
  });

  it('dispose() stops listening to the sender', async () => {
    const sender = new SpecSender();
    const queue = new DtmfQueue({ kind: 'rfc4733', sender });
    const heard = vi.fn();
    queue.onSent(heard);
    queue.dispose();
    sender.insertDTMF('9');
    await vi.runAllTimersAsync();
    expect(heard).not.toHaveBeenCalled();
    expect(queue.send('1')).toMatchObject({ ok: false, code: 'cannotSend' });
  });
});

describe('DtmfQueue over SIP INFO', () => {
  it('sends one digit at a time, paced by duration + gap, in order', async () => {
    const infos: Array<[string, number, number]> = [];
    const queue = new DtmfQueue({ kind: 'info', sendInfo: (digit, duration) => void infos.push([digit, duration, Date.now()]) }, { durationMs: 120, gapMs: 80 });
    const heard: string[] = [];
    queue.onSent((_digit, sent) => heard.push(sent));
    queue.send('12');
    await vi.advanceTimersByTimeAsync(10);
    queue.send('3');
    queue.send('#');
    expect(queue.sent).toBe('1');
    expect(queue.pending).toBe('23#');
    await vi.runAllTimersAsync();
    expect(infos).toEqual([
      ['1', 120, 0],
      ['2', 120, 200],
      ['3', 120, 400],
      ['#', 120, 600],
    ]);
    expect(heard).toEqual(['1', '12', '123', '123#']);
  });

  it('waits 2 s for a pause and resumes right away when idle', async () => {
    const sendInfo = vi.fn();
    const queue = new DtmfQueue({ kind: 'info', sendInfo });
    queue.send('1,2');
    await vi.advanceTimersByTimeAsync(170 + PAUSE_MS - 1);
    expect(sendInfo.mock.calls.map(([digit]) => digit)).toEqual(['1']);
    await vi.advanceTimersByTimeAsync(1);
    expect(sendInfo.mock.calls.map(([digit]) => digit)).toEqual(['1', '2']);
    await vi.advanceTimersByTimeAsync(1000);
    queue.send('3');
    expect(sendInfo).toHaveBeenLastCalledWith('3', 100);
  });

  it('reports a failed request and does not count a digit that could not be sent', async () => {
    const queue = new DtmfQueue({
      kind: 'info',
      sendInfo: (digit) => {
        if (digit === '2') throw new Error('session gone');
      },
    });
    const errors: string[] = [];
    queue.onError((error, digit) => errors.push(`${digit}: ${(error as Error).message}`));
    queue.send('123');
    await vi.runAllTimersAsync();
    expect(queue.sent).toBe('13');
    expect(errors).toEqual(['2: session gone']);
  });

  it('reports a request whose promise rejects', async () => {
    const queue = new DtmfQueue({ kind: 'info', sendInfo: () => Promise.reject(new Error('488')) });
    const errors = vi.fn();
    queue.onError(errors);
    queue.send('5');
    await vi.runAllTimersAsync();
    expect(errors).toHaveBeenCalledWith(expect.objectContaining({ message: '488' }), '5');
  });

  it('stop() drops the pending digits', async () => {
    const sendInfo = vi.fn();
    const queue = new DtmfQueue({ kind: 'info', sendInfo });
    queue.send('1234');
    queue.stop();
    await vi.runAllTimersAsync();
    expect(sendInfo.mock.calls.map(([digit]) => digit)).toEqual(['1']);
    expect(queue.sent).toBe('1');
  });
});

describe('local key tones', () => {
  it('uses the DTMF row and column frequencies', () => {
    expect(dtmfFrequencies('1')).toEqual([697, 1209]);
    expect(dtmfFrequencies('5')).toEqual([770, 1336]);
    expect(dtmfFrequencies('9')).toEqual([852, 1477]);
    expect(dtmfFrequencies('*')).toEqual([941, 1209]);
    expect(dtmfFrequencies('0')).toEqual([941, 1336]);
    expect(dtmfFrequencies('#')).toEqual([941, 1477]);
    expect(dtmfFrequencies('a')).toEqual([697, 1633]);
    expect(dtmfFrequencies('D')).toEqual([941, 1633]);
    expect(dtmfFrequencies('+')).toEqual([941, 1336]);
    expect(dtmfFrequencies('E')).toBeNull();
    expect(dtmfFrequencies('12')).toBeNull();
  });

  /** Just enough of an AudioContext to see what the player builds and schedules. */
  function fakeContext() {
    const oscillators: Array<{ frequency: { value: number }; started: number; stopped: number | null }> = [];
    const ramps: Array<[string, number, number]> = [];
    const param = () => ({
      setValueAtTime: (value: number, at: number) => void ramps.push(['set', value, at]),
      linearRampToValueAtTime: (value: number, at: number) => void ramps.push(['ramp', value, at]),
    });
    const context = {
      state: 'running',
      currentTime: 0,
      destination: {},
      createGain: () => ({ gain: param(), connect: vi.fn(), disconnect: vi.fn() }),
      createOscillator: () => {
        const oscillator = {
          type: '',
          frequency: { value: 0 },
          started: -1,
          stopped: null as number | null,
          connect: vi.fn(),
          start(at: number) {
            this.started = at;
          },
          stop(at: number) {
            this.stopped = at;
          },
          onended: null,
        };
        oscillators.push(oscillator);
        return oscillator;
      },
      resume: vi.fn(async () => undefined),
      close: vi.fn(async () => undefined),
    };
    return { context, oscillators, ramps };
  }

  it('plays two sine tones for at least 120 ms, or while the key is held', () => {
    const { context, oscillators } = fakeContext();
    const create = vi.fn(() => context as unknown as AudioContext);
    const player = new DtmfTonePlayer({ createContext: create });
    expect(create).not.toHaveBeenCalled();
    expect(player.play('5')).toBe(true);
    expect(create).toHaveBeenCalledTimes(1);
    expect(oscillators.map((o) => o.frequency.value)).toEqual([770, 1336]);
    expect(oscillators[0]!.stopped).toBeCloseTo(0.135, 3);

    context.currentTime = 1;
    player.start('#');
    context.currentTime = 3;
    player.stop();
    expect(oscillators.slice(2).map((o) => o.frequency.value)).toEqual([941, 1477]);
    expect(oscillators[2]!.stopped).toBeCloseTo(3.015, 3);
    expect(create).toHaveBeenCalledTimes(1);
  });

  it('never holds a tone forever', () => {
    const { context, oscillators } = fakeContext();
    const player = new DtmfTonePlayer({ createContext: () => context as unknown as AudioContext, maxMs: 3000 });
    player.start('1');
    context.currentTime = 3;
    vi.advanceTimersByTime(3000);
    expect(oscillators[0]!.stopped).toBeCloseTo(3.015, 3);
  });

  it('stays silent without WebAudio, and for keys without a tone', () => {
    const player = new DtmfTonePlayer({ createContext: () => null });
    expect(player.play('1')).toBe(false);
    expect(() => player.stop()).not.toThrow();
    const throwing = new DtmfTonePlayer({
      createContext: () => {
        throw new Error('no audio device');
      },
    });
    expect(throwing.start('1')).toBe(false);
    const { context } = fakeContext();
    expect(new DtmfTonePlayer({ createContext: () => context as unknown as AudioContext }).start('x')).toBe(false);
    // In Node there is no AudioContext at all.
    expect(new DtmfTonePlayer().play('1')).toBe(false);
  });
});
