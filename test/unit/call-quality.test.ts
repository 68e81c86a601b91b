import { describe, expect, it } from 'vitest';
import { deviceToUse, matchDevice } from '../../renderer/src/rtc/call/devices.js';
import { callQuality } from '../../renderer/src/rtc/call/quality.js';
import { summarizeStats } from '../../renderer/src/rtc/call/stats.js';

describe('call quality indicator', () => {
  it('is unknown before anything was measured', () => {
    expect(callQuality({ rttMs: null, jitterMs: null, lossPercent: null })).toBe('unknown');
  });
  it('is good on a LAN, fair past 200 ms or 2 % loss, poor past 400 ms, 60 ms jitter or 8 % loss', () => {
    expect(callQuality({ rttMs: 3, jitterMs: 2, lossPercent: 0 })).toBe('good');
    expect(callQuality({ rttMs: 250, jitterMs: 2, lossPercent: 0 })).toBe('fair');
    expect(callQuality({ rttMs: 20, jitterMs: 2, lossPercent: 3 })).toBe('fair');
    expect(callQuality({ rttMs: 450, jitterMs: 2, lossPercent: 0 })).toBe('poor');
    expect(callQuality({ rttMs: 20, jitterMs: 70, lossPercent: 0 })).toBe('poor');
    expect(callQuality({ rttMs: null, jitterMs: null, lossPercent: 10 })).toBe('poor');
  });
});

describe('device preference', () => {
  const devices = [
    { deviceId: 'default', kind: 'audioinput', label: 'Default' },
    { deviceId: 'a1', kind: 'audioinput', label: 'USB headset' },
    { deviceId: 'v1', kind: 'videoinput', label: 'USB headset' },
  ];
  it('matches by id first, then by label of the same kind, else the default (null)', () => {
    expect(matchDevice(devices, 'audioinput', { id: 'a1', label: 'renamed' })?.deviceId).toBe('a1');
    expect(matchDevice(devices, 'audioinput', { id: 'gone', label: 'USB headset' })?.deviceId).toBe('a1');
    expect(matchDevice(devices, 'videoinput', { id: 'a1', label: 'nothing' })).toBeNull();
    expect(matchDevice(devices, 'audioinput', null)).toBeNull();
  });
  it('falls back to the default when the device in use left, and returns to the preferred one', () => {
    const without = devices.filter((device) => device.deviceId !== 'a1');
    expect(deviceToUse(without, 'audioinput', { id: 'a1', label: 'USB headset' }, 'a1')).toEqual({ switchTo: null, reason: 'fallback' });
    expect(deviceToUse(without, 'audioinput', { id: 'a1', label: 'USB headset' }, 'default')).toBeNull();
    expect(deviceToUse(devices, 'audioinput', { id: 'a1', label: 'USB headset' }, 'default')).toEqual({ switchTo: 'a1', reason: 'preferred' });
    expect(deviceToUse(devices, 'audioinput', { id: 'a1', label: 'USB headset' }, 'a1')).toBeNull();
  });
});

describe('stats summary', () => {
  const report = (t: number, bytes: number, frames: number, lost: number, received: number) => [
    { id: 'T', type: 'transport', timestamp: t, selectedCandidatePairId: 'P' },
    { id: 'P', type: 'candidate-pair', timestamp: t, localCandidateId: 'L', remoteCandidateId: 'R', currentRoundTripTime: 0.012 },
    { id: 'L', type: 'local-candidate', timestamp: t, candidateType: 'relay' },
    { id: 'R', type: 'remote-candidate', timestamp: t, candidateType: 'host' },
    { id: 'C', type: 'codec', timestamp: t, mimeType: 'video/VP8' },
    { id: 'V', type: 'inbound-rtp', kind: 'video', timestamp: t, codecId: 'C', bytesReceived: bytes, framesDecoded: frames, frameWidth: 640, frameHeight: 480, framesPerSecond: 20, packetsLost: lost, packetsReceived: received, jitter: 0.004 },
    { id: 'A', type: 'inbound-rtp', kind: 'audio', timestamp: t, bytesReceived: 0, totalAudioEnergy: 0.5, packetsLost: 0, packetsReceived: 0, jitter: 0.002 },
    { id: 'O', type: 'outbound-rtp', kind: 'video', timestamp: t, bytesSent: bytes * 2 },
  ];
  it('turns two reports a second apart into rates, route, codec and counters', () => {
    const stats = summarizeStats(report(2_000, 250_000, 40, 2, 198), report(1_000, 125_000, 20, 0, 98));
    expect(stats).toMatchObject({
      rttMs: 12, jitterMs: 2, lossPercent: 2, bitrateInKbps: 1_000, bitrateOutKbps: 2_000, width: 640, height: 480, fps: 20,
      codecs: 'VP8', localCandidate: 'relay', remoteCandidate: 'host', framesDecoded: 40, audioEnergy: 0.5, bytesReceived: 250_000,
    });
  });
  it('has no rates on the first sample', () => {
    expect(summarizeStats(report(1_000, 1, 1, 0, 1), null)).toMatchObject({ bitrateInKbps: null, lossPercent: null });
  });
});
