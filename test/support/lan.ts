/** Shared pieces of the LAN identity and signaling tests: real-looking fingerprints, device certificates, event queues. */
import { randomBytes } from 'node:crypto';
import type { Fingerprint } from '../../electron/contract.js';
import { createDeviceCertificate, credentialsFrom, type DeviceCredentials } from '../../electron/core/identity/device.js';

/** A fresh device key and certificate, as a Lanline install makes on first start. */
export function newDevice(): DeviceCredentials {
  const { key, cert } = createDeviceCertificate();
  return credentialsFrom(key, cert);
}

/** A fingerprint in the exact form Chromium puts in SDP, from 32 random bytes. */
export function randomFingerprint(): Fingerprint {
  return `sha-256 ${Array.from(randomBytes(32), (byte) => byte.toString(16).toUpperCase().padStart(2, '0')).join(':')}`;
}

/** The smallest SDP Lanline checks: one media section carrying the DTLS fingerprint line(s). */
export function sdpWith(...fingerprints: string[]): string {
  return [
    'v=0',
    'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
    'c=IN IP4 0.0.0.0',
    ...fingerprints.map((fingerprint) => `a=fingerprint:${fingerprint}`),
    'a=setup:actpass',
    'a=sctp-port:5000',
    '',
  ].join('\r\n');
}

/**
 * Collects values as they happen and hands them out in order: `await inbox.next()` waits for the
 * next one (or fails after `timeoutMs`), so tests wait for events rather than sleep.
 */
export class Inbox<T> {
  private readonly items: T[] = [];
  private readonly waiters: Array<(item: T) => void> = [];
  readonly all: T[] = [];

  push = (item: T): void => {
    this.all.push(item);
    const waiter = this.waiters.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  };

  next(timeoutMs = 10_000): Promise<T> {
    const ready = this.items.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(settle), 1);
        reject(new Error(`nothing arrived within ${timeoutMs} ms`));
      }, timeoutMs);
      const settle = (item: T) => {
        clearTimeout(timer);
        resolve(item);
      };
      this.waiters.push(settle);
    });
  }

  /** Waits for the first value (taken in order) that matches, dropping the ones before it. */
  async find(match: (item: T) => boolean, timeoutMs = 10_000): Promise<T> {
    for (;;) {
      const item = await this.next(timeoutMs);
      if (match(item)) return item;
    }
  }
}
