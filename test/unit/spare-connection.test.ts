import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fixedFieldsMatch, iceFieldsDiffer, SpareConnections } from '../../renderer/src/rtc/spare-connection.js';

/** Stands in for RTCPeerConnection at the edge: records what was asked of it. */
class FakeConnection {
  signalingState: RTCSignalingState = 'stable';
  localDescription: RTCSessionDescription | null = null;
  closed = false;
  configurations: RTCConfiguration[] = [];
  constructor(readonly made: RTCConfiguration) {}
  setConfiguration(configuration: RTCConfiguration): void {
    if (configuration.bundlePolicy !== this.made.bundlePolicy) throw new Error('InvalidModificationError');
    this.configurations.push(configuration);
  }
  close(): void {
    this.closed = true;
  }
}

const certificate = {} as RTCCertificate;
const other = {} as RTCCertificate;
const base = (extra: Partial<RTCConfiguration> = {}): RTCConfiguration => ({ certificates: [certificate], iceServers: [], iceTransportPolicy: 'all', bundlePolicy: 'max-bundle', ...extra });

describe('spare RTCPeerConnection', () => {
  let made: FakeConnection[];
  let spares: SpareConnections;
  beforeEach(() => {
    vi.useFakeTimers();
    made = [];
    spares = new SpareConnections((configuration) => {
      const pc = new FakeConnection(configuration);
      made.push(pc);
      return pc as unknown as RTCPeerConnection;
    }, 3000);
  });
  afterEach(() => {
    spares.dispose();
    vi.useRealTimers();
  });

  it('makes one ahead of need, hands it out, and makes the next only after the set-up', () => {
    spares.prepare(base());
    expect(made).toHaveLength(0);
    vi.advanceTimersByTime(3000);
    expect(made).toHaveLength(1);
    const first = spares.take(base());
    expect(first).toBe(made[0]);
    expect(made[0]!.configurations).toHaveLength(0); // same ICE settings: not touched
    expect(spares.held).toBe(false);
    vi.advanceTimersByTime(2999);
    expect(made).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(spares.held).toBe(true);
    expect(made).toHaveLength(2);
  });

  it('makes a new connection when none is held, and never more than one spare', () => {
    const pc = spares.take(base());
    expect(made).toHaveLength(1);
    expect(pc).toBe(made[0]);
    spares.prepare(base());
    spares.prepare(base());
    vi.advanceTimersByTime(10_000);
    expect(made).toHaveLength(2);
  });

  it('updates changed ICE servers and policy on the spare', () => {
    spares.prepare(base());
    vi.advanceTimersByTime(3000);
    const turn = base({ iceServers: [{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'c' }], iceTransportPolicy: 'relay' });
    expect(spares.take(turn)).toBe(made[0]);
    expect(made[0]!.configurations).toEqual([turn]);
  });

  it('closes a spare made with another certificate (rotated) or other fixed settings, and makes a fitting one', () => {
    spares.prepare(base());
    vi.advanceTimersByTime(3000);
    const rotated = base({ certificates: [other] });
    const pc = spares.take(rotated);
    expect(made[0]!.closed).toBe(true);
    expect(pc).toBe(made[1]);
    expect(made[1]!.made.certificates).toEqual([other]);

    vi.advanceTimersByTime(3000);
    const insertable = { ...rotated, encodedInsertableStreams: true } as RTCConfiguration;
    expect(spares.take(insertable)).toBe(made[3]);
    expect(made[2]!.closed).toBe(true);
  });

  it('does not hand out a spare that was used meanwhile', () => {
    spares.prepare(base());
    vi.advanceTimersByTime(3000);
    made[0]!.signalingState = 'have-local-offer';
    expect(spares.take(base())).toBe(made[1]);
    expect(made[0]!.closed).toBe(true);
  });

  it('dispose closes the spare and cancels a pending one', () => {
    spares.prepare(base());
    vi.advanceTimersByTime(3000);
    spares.take(base());
    spares.dispose();
    vi.advanceTimersByTime(10_000);
    expect(made).toHaveLength(1);
    spares.prepare(base());
    vi.advanceTimersByTime(3000);
    spares.dispose();
    expect(made[1]!.closed).toBe(true);
  });

  it('compares the fixed fields by value and certificates by identity', () => {
    expect(fixedFieldsMatch(base(), base({ iceServers: [{ urls: 'stun:x' }] }))).toBe(true);
    expect(fixedFieldsMatch(base(), base({ certificates: [other] }))).toBe(false);
    expect(fixedFieldsMatch(base(), base({ bundlePolicy: 'balanced' }))).toBe(false);
    expect(iceFieldsDiffer(base(), base())).toBe(false);
    expect(iceFieldsDiffer(base(), base({ iceTransportPolicy: 'relay' }))).toBe(true);
  });
});
