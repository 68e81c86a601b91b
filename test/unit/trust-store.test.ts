import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { peerIdFromFingerprint } from '../../electron/core/identity/peer-id.js';
import { memoryLog } from '../../electron/core/log.js';
import { JsonFileStore } from '../../electron/core/storage.js';
import { TrustStore } from '../../electron/core/trust/trust-store.js';
import { randomFingerprint } from '../support/lan.js';

const NOW = Date.UTC(2026, 2, 1);

function open(dir: string, flushDelayMs?: number) {
  const log = memoryLog();
  return { trust: new TrustStore(new JsonFileStore(join(dir, 'trust.json'), log), () => NOW, log, flushDelayMs === undefined ? {} : { flushDelayMs }), log };
}

const freshDir = () => mkdtempSync(join(tmpdir(), 'lanline-trust-'));

function somePeer() {
  const fingerprint = randomFingerprint();
  return { id: peerIdFromFingerprint(fingerprint), fingerprint };
}

describe('TrustStore', () => {
  it('knows nothing of a peer never met', () => {
    const { trust } = open(freshDir());
    const bob = somePeer();
    expect(trust.decide(bob.id, bob.fingerprint)).toBe('new');
    expect(trust.state(bob.id)).toBe('new');
    expect(trust.get(bob.id)).toBeNull();
    expect(trust.all()).toEqual([]);
  });

  it('pins on first contact and then matches that certificate only', () => {
    const { trust } = open(freshDir());
    const bob = somePeer();
    expect(trust.pin(bob.id, bob.fingerprint, 'Bob')).toEqual({ fingerprint: bob.fingerprint, name: 'Bob', firstSeen: NOW, verified: false, blocked: false, autoAnswerCalls: false });
    expect(trust.decide(bob.id, bob.fingerprint)).toBe('match');
    expect(trust.decide(bob.id, randomFingerprint())).toBe('mismatch');
    expect(trust.state(bob.id)).toBe('pinned');
    expect(trust.state(bob.id, bob.fingerprint)).toBe('pinned');
    expect(trust.state(bob.id, randomFingerprint())).toBe('mismatch');
    expect(trust.pin(bob.id, bob.fingerprint, 'Bob again').name).toBe('Bob');
    expect(() => trust.pin(bob.id, randomFingerprint(), 'Mallory')).toThrow(/repin/);
  });

  it('answers a peer\'s calls automatically only by choice, for a peer it has pinned, until blocked or repinned', () => {
    const { trust } = open(freshDir());
    const bob = somePeer();
    expect(() => trust.apply(bob.id, 'auto-answer-calls')).toThrow(/not met/);
    trust.pin(bob.id, bob.fingerprint, 'Bob');
    expect(trust.get(bob.id)?.autoAnswerCalls).toBe(false);
    expect(trust.apply(bob.id, 'auto-answer-calls').autoAnswerCalls).toBe(true);
    expect(trust.apply(bob.id, 'ask-before-calls').autoAnswerCalls).toBe(false);
    trust.apply(bob.id, 'auto-answer-calls');
    // A new certificate is a new decision.
    expect(trust.apply(bob.id, 'repin', randomFingerprint()).autoAnswerCalls).toBe(false);
    trust.apply(bob.id, 'auto-answer-calls');
    expect(trust.apply(bob.id, 'block').autoAnswerCalls).toBe(false);
    expect(() => trust.apply(bob.id, 'auto-answer-calls')).toThrow(/blocked/);
    expect(trust.apply(bob.id, 'unblock').autoAnswerCalls).toBe(false);
  });

  it('marks a peer verified and back', () => {
    const { trust } = open(freshDir());
    const bob = somePeer();
    trust.pin(bob.id, bob.fingerprint, 'Bob');
    expect(trust.apply(bob.id, 'verify').verified).toBe(true);
    expect(trust.state(bob.id)).toBe('verified');
    expect(trust.apply(bob.id, 'unverify').verified).toBe(false);
    expect(trust.state(bob.id)).toBe('pinned');
  });

  it('blocks whatever certificate a blocked peer presents, until unblocked', () => {
    const { trust } = open(freshDir());
    const bob = somePeer();
    trust.pin(bob.id, bob.fingerprint, 'Bob');
    trust.apply(bob.id, 'verify');
    trust.apply(bob.id, 'block');
    expect(trust.decide(bob.id, bob.fingerprint)).toBe('blocked');
    expect(trust.decide(bob.id, randomFingerprint())).toBe('blocked');
    expect(trust.state(bob.id)).toBe('blocked');
    trust.apply(bob.id, 'unblock');
    expect(trust.decide(bob.id, bob.fingerprint)).toBe('match');
    expect(trust.state(bob.id)).toBe('verified');
  });

  it('can block a peer never met, pinning the certificate its id stands for', () => {
    const { trust } = open(freshDir());
    const eve = somePeer();
    expect(trust.apply(eve.id, 'block')).toMatchObject({ fingerprint: eve.fingerprint, blocked: true, verified: false });
    expect(trust.decide(eve.id, eve.fingerprint)).toBe('blocked');
  });

  it('refuses other decisions about a peer never met', () => {
    const { trust } = open(freshDir());
    const eve = somePeer();
    for (const action of ['verify', 'unverify', 'unblock'] as const) {
      expect(() => trust.apply(eve.id, action)).toThrow(expect.objectContaining({ code: 'not-found' }));
    }
    expect(() => trust.apply(eve.id, 'repin', eve.fingerprint)).toThrow(expect.objectContaining({ code: 'not-found' }));
  });

  it('repins to a certificate the user accepted, which clears verified', () => {
    const { trust } = open(freshDir());
    const bob = somePeer();
    trust.pin(bob.id, bob.fingerprint, 'Bob');
    trust.apply(bob.id, 'verify');
    const renewed = randomFingerprint();
    expect(trust.decide(bob.id, renewed)).toBe('mismatch');
    expect(() => trust.apply(bob.id, 'repin')).toThrow(/needs the fingerprint/);
    expect(trust.apply(bob.id, 'repin', renewed)).toMatchObject({ fingerprint: renewed, verified: false, firstSeen: NOW });
    expect(trust.decide(bob.id, renewed)).toBe('match');
    expect(trust.decide(bob.id, bob.fingerprint)).toBe('mismatch');
  });

  it('renames, keeping names free of control characters and short', () => {
    const { trust } = open(freshDir());
    const bob = somePeer();
    trust.pin(bob.id, bob.fingerprint, ' Bob\n');
    expect(trust.get(bob.id)?.name).toBe('Bob');
    expect(trust.rename(bob.id, 'Robert\u0007 '.padEnd(100, 'x')).name).toHaveLength(64);
    expect(() => trust.rename(somePeer().id, 'Nobody')).toThrow(expect.objectContaining({ code: 'not-found' }));
  });

  it('keeps every entry across a restart', () => {
    const dir = freshDir();
    const { trust } = open(dir);
    const bob = somePeer();
    const carol = somePeer();
    trust.pin(bob.id, bob.fingerprint, 'Bob');
    trust.pin(carol.id, carol.fingerprint, 'Carol');
    trust.apply(bob.id, 'verify');
    trust.apply(carol.id, 'block');
    trust.flush();
    const reopened = open(dir).trust;
    expect(reopened.all()).toEqual(trust.all());
    expect(reopened.state(bob.id)).toBe('verified');
    expect(reopened.state(carol.id)).toBe('blocked');
  });

  it('drops a damaged entry with a log line and keeps the others', () => {
    const dir = freshDir();
    const bob = somePeer();
    const carol = somePeer();
    const good = { fingerprint: bob.fingerprint, name: 'Bob', firstSeen: 5, verified: true, blocked: false };
    writeFileSync(
      join(dir, 'trust.json'),
      JSON.stringify({
        version: 2,
        peers: {
          [bob.id]: good,
          [carol.id]: { fingerprint: 'sha-1 AB', name: 'Carol', firstSeen: 5, verified: false, blocked: false },
          'not-an-id': good,
        },
      }),
    );
    const { trust, log } = open(dir);
    // An entry from before autoAnswerCalls existed reads as false.
    expect(trust.all()).toEqual([{ peerId: bob.id, ...good, autoAnswerCalls: false }]);
    expect(log.lines.filter((line) => / WARN trust store entries dropped as invalid: .*fingerprint.*not-an-id/.test(line))).toHaveLength(1);
    expect(readdirSync(dir).some((name) => name.includes('.invalid-'))).toBe(true);
    expect(Object.keys(JSON.parse(readFileSync(join(dir, 'trust.json'), 'utf8')).peers)).toEqual([bob.id]);
  });

  it('starts empty from a file that is not JSON, keeping a copy', () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'trust.json'), '{ broken');
    const { trust } = open(dir);
    expect(trust.all()).toEqual([]);
    expect(readdirSync(dir).some((name) => name.includes('.corrupt-'))).toBe(true);
  });

  it('batches writes: a flood of pins is one write, off the caller\'s stack', async () => {
    const dir = freshDir();
    const { trust } = open(dir, 50);
    const started = performance.now();
    for (let i = 0; i < 1000; i += 1) {
      const peer = somePeer();
      trust.pin(peer.id, peer.fingerprint, 'B');
    }
    const elapsed = performance.now() - started;
    expect(trust.writes).toBe(0);
    await vi.waitFor(() => expect(trust.writes).toBe(1));
    console.log(`1000 pins took ${elapsed.toFixed(1)} ms in the caller and ${trust.writes} write`);
    expect(Object.keys(JSON.parse(readFileSync(join(dir, 'trust.json'), 'utf8')).peers)).toHaveLength(1000);
  });

  it('keeps protocol 1 pins apart as legacy, never as pins, until they were shown once', () => {
    const dir = freshDir();
    const bob = somePeer();
    const carol = somePeer();
    const entry = (fingerprint: string, blocked = false) => ({ fingerprint, name: 'Bob', firstSeen: 5, verified: true, blocked, autoAnswerCalls: true });
    writeFileSync(join(dir, 'trust.json'), JSON.stringify({ version: 1, peers: { [bob.id]: entry(bob.fingerprint), [carol.id]: entry(carol.fingerprint, true) } }));
    const { trust, log } = open(dir);
    expect(trust.all()).toEqual([]);
    expect(trust.state(bob.id)).toBe('new');
    expect(trust.legacyFor(bob.fingerprint)).toEqual({ peerId: bob.id, fingerprint: bob.fingerprint, name: 'Bob', blocked: false });
    expect(trust.legacyFor(carol.fingerprint)?.blocked).toBe(true);
    expect(readdirSync(dir).some((name) => name.includes('.protocol-1-'))).toBe(true);
    expect(log.lines.some((line) => /2 peer\(s\) pinned under protocol 1 must be verified again/.test(line))).toBe(true);
    // Read back the same way after a restart, and gone once shown.
    const reopened = open(dir).trust;
    expect(reopened.legacyFor(bob.fingerprint)?.peerId).toBe(bob.id);
    reopened.dropLegacy(bob.id);
    reopened.flush();
    expect(open(dir).trust.legacyFor(bob.fingerprint)).toBeNull();
    expect(open(dir).trust.legacyFor(carol.fingerprint)?.peerId).toBe(carol.id);
  });
});
