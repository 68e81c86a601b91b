import { describe, expect, it } from 'vitest';
import { safetyCode } from '../../electron/core/identity/safety-code.js';
import { randomFingerprint } from '../support/lan.js';

const repeated = (byte: string) => `sha-256 ${Array(32).fill(byte).join(':')}`;

describe('safety code', () => {
  it('is four groups of five digits', () => {
    for (let i = 0; i < 200; i += 1) expect(safetyCode(randomFingerprint(), randomFingerprint())).toMatch(/^\d{5} \d{5} \d{5} \d{5}$/);
  });

  it('is the same on both sides, whichever asks', () => {
    for (let i = 0; i < 20; i += 1) {
      const alice = randomFingerprint();
      const bob = randomFingerprint();
      expect(safetyCode(alice, bob)).toBe(safetyCode(bob, alice));
    }
  });

  it('changes when either certificate changes', () => {
    const alice = randomFingerprint();
    const bob = randomFingerprint();
    const code = safetyCode(alice, bob);
    expect(safetyCode(randomFingerprint(), bob)).not.toBe(code);
    expect(safetyCode(alice, randomFingerprint())).not.toBe(code);
    // One flipped bit in one byte is enough.
    const flipped = alice.slice(0, -1) + (alice.endsWith('0') ? '1' : '0');
    expect(safetyCode(flipped, bob)).not.toBe(code);
  });

  it('is stable across versions (value computed by an independent implementation of the documented steps)', () => {
    expect(safetyCode(repeated('AA'), repeated('01'))).toBe('58310 09775 09862 63907');
  });

  it('refuses something that is not a fingerprint', () => {
    expect(() => safetyCode('sha-256 AB', randomFingerprint())).toThrow(/fingerprints/);
  });
});
