import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../electron/core/lan/rate-limit.js';

function bucket(capacity: number, refillPerSecond: number) {
  const now = { value: 1_000_000 };
  return { bucket: new TokenBucket({ capacity, refillPerSecond, clock: () => now.value }), now };
}

describe('TokenBucket', () => {
  it('allows a full burst, then nothing until time passes', () => {
    const { bucket: limit } = bucket(200, 100);
    let allowed = 0;
    for (let i = 0; i < 1000; i += 1) if (limit.take()) allowed += 1;
    expect(allowed).toBe(200);
    expect(limit.available()).toBe(0);
  });

  it('refills at the given rate, never beyond capacity', () => {
    const { bucket: limit, now } = bucket(10, 4);
    while (limit.take());
    now.value += 500;
    expect(limit.available()).toBe(2);
    expect(limit.take(3)).toBe(false);
    expect(limit.take(2)).toBe(true);
    now.value += 60_000;
    expect(limit.available()).toBe(10);
  });

  it('counts fractions of a token between calls', () => {
    const { bucket: limit, now } = bucket(1, 1);
    expect(limit.take()).toBe(true);
    for (let i = 0; i < 9; i += 1) {
      now.value += 100;
      expect(limit.take()).toBe(false);
    }
    now.value += 100;
    expect(limit.take()).toBe(true);
  });

  it('adds nothing when the clock steps back', () => {
    const { bucket: limit, now } = bucket(5, 5);
    while (limit.take());
    now.value -= 10_000;
    expect(limit.available()).toBe(0);
    now.value += 1000;
    expect(limit.available()).toBe(5);
  });

  it('refuses a bucket that could never hold a token', () => {
    expect(() => bucket(0, 1)).toThrow(RangeError);
    expect(() => bucket(1, -1)).toThrow(RangeError);
  });
});
