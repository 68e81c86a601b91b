/**
 * The peers list over real LAN signaling between two cores on 127.0.0.1 (discovery off: that runs
 * over real multicast in test/lan). Identities are registered as the renderer would register them.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Peer, TrustWarning } from '../../electron/contract.js';
import { EventHub } from '../../electron/core/events.js';
import { Identity } from '../../electron/core/identity/identity.js';
import { peerIdFromFingerprint } from '../../electron/core/identity/peer-id.js';
import { MAX_NEARBY, Peers } from '../../electron/core/lan/peers.js';
import { memoryLog } from '../../electron/core/log.js';
import { defaultSettings, Settings } from '../../electron/core/settings/settings.js';
import { JsonFileStore } from '../../electron/core/storage.js';
import { TrustStore } from '../../electron/core/trust/trust-store.js';
import { newDevice, randomFingerprint, sdpWith } from '../support/lan.js';

const DAY = 24 * 60 * 60 * 1000;
const running: Peers[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((peers) => peers.stop()));
});

function node(name: string, dir = mkdtempSync(join(tmpdir(), 'lanline-peers-')), device = newDevice(), maxNearby?: number) {
  const log = memoryLog();
  const events = new EventHub();
  const store = (file: string) => new JsonFileStore(join(dir, `${file}.json`), log);
  const settings = new Settings(store('settings'), defaultSettings({ displayName: name, language: 'en', downloadDir: dir }), log, events);
  const identity = new Identity(store('identity'), () => name, Date.now, log, events, device);
  const trust = new TrustStore(store('trust'), Date.now, log);
  const peers = new Peers({ settings, identity, trust, device, store: store('peers'), events, log, port: 0, host: '127.0.0.1', discovery: false, ...(maxNearby && { maxNearby }) });
  running.push(peers);
  const warnings: TrustWarning[] = [];
  events.on('trustWarning', (warning) => warnings.push(warning));
  const register = async (fingerprint = randomFingerprint()) => {
    identity.register({ fingerprint, createdAt: Date.now(), expiresAt: Date.now() + 365 * DAY });
    await peers.start();
    return { fingerprint, id: device.peerId };
  };
  const until = (check: (list: Peer[]) => boolean) =>
    new Promise<Peer[]>((resolve) => {
      if (check(peers.list())) return resolve(peers.list());
      const off = events.on('peersChanged', (list) => {
        if (!check(list)) return;
        off();
        resolve(list);
      });
    });
  const fingerprint = () => identity.current()!.fingerprint;
  return { peers, trust, warnings, register, until, dir, events, device, fingerprint };
}

describe('Peers', () => {
  it('meets a peer by address: the one who added pins it, the other lists it as Nearby until it acts', async () => {
    const ana = node('Ana');
    const ben = node('Ben');
    const anaId = (await ana.register()).id;
    const benId = (await ben.register()).id;
    const added = await ana.peers.addByAddress(`127.0.0.1:${ben.peers.status().port}`);
    expect(added).toMatchObject({ id: benId, name: 'Ben', trust: 'pinned', online: true, via: 'manual', fingerprint: ben.device.fingerprint });
    const seen = await ben.until((list) => list.some((peer) => peer.id === anaId && peer.connected));
    expect(seen.find((peer) => peer.id === anaId)).toMatchObject({ name: 'Ana', trust: 'new', via: 'incoming', fingerprint: ana.device.fingerprint });
    expect(ben.trust.all()).toEqual([]);
    expect(ana.peers.safetyCode(benId)).toBe(ben.peers.safetyCode(anaId));
    // Ben acts (he verifies Ana after comparing codes): now she is pinned, to the certificate she proved.
    expect(ben.peers.setTrust(anaId, 'verify')).toMatchObject({ trust: 'verified', fingerprint: ana.device.fingerprint });
  });

  it('adopts a Nearby peer when the user starts a session with it, not when it starts one', async () => {
    const ana = node('Ana');
    const ben = node('Ben');
    const anaId = (await ana.register()).id;
    const benId = (await ben.register()).id;
    await ana.peers.addByAddress(`127.0.0.1:${ben.peers.status().port}`);
    await ben.until((list) => list.some((peer) => peer.id === anaId && peer.connected));
    const signals: string[] = [];
    ben.events.on('signal', ({ message }) => signals.push(message.type));
    const ring = { type: 'offer', session: 'call-session-1', sdp: sdpWith(ana.fingerprint()), purpose: 'call' } as const;
    await ana.peers.send(benId, ring);
    await vi.waitFor(() => expect(signals).toEqual(['offer']));
    expect(ben.trust.all()).toEqual([]);
    // Ben answers the call: that is his act.
    await ben.peers.send(anaId, { type: 'answer', session: ring.session, sdp: sdpWith(ben.fingerprint()) });
    expect(ben.peers.list().find((peer) => peer.id === anaId)?.trust).toBe('pinned');
  });

  it('stores no Nearby peer, and lists at most maxNearby of them', async () => {
    expect(MAX_NEARBY).toBe(64);
    const ana = node('Ana', undefined, undefined, 3);
    await ana.register();
    // Four: as many strangers as may connect from one address (LAN_LIMITS.unknownPerAddress).
    const strangers = Array.from({ length: 4 }, () => node('B'));
    for (const stranger of strangers) {
      await stranger.register();
      await stranger.peers.addByAddress(`127.0.0.1:${ana.peers.status().port}`);
    }
    await vi.waitFor(() => expect(ana.peers.list()).toHaveLength(3));
    expect(ana.trust.all()).toEqual([]);
    await ana.peers.stop();
    ana.trust.flush();
    expect(JSON.parse(readFileSync(join(ana.dir, 'peers.json'), 'utf8')).known).toEqual({});
  });

  it('answers a met peer\'s calls automatically only when asked to, and not a peer never met', async () => {
    const ana = node('Ana');
    const ben = node('Ben');
    await ana.register();
    const benId = (await ben.register()).id;
    expect(() => ana.peers.setTrust(benId, 'auto-answer-calls')).toThrow();
    await ana.peers.addByAddress(`127.0.0.1:${ben.peers.status().port}`);
    expect(ana.peers.list().find((peer) => peer.id === benId)?.autoAnswerCalls).toBe(false);
    expect(ana.peers.setTrust(benId, 'auto-answer-calls')).toMatchObject({ id: benId, trust: 'pinned', autoAnswerCalls: true });
    expect(ana.peers.setTrust(benId, 'ask-before-calls').autoAnswerCalls).toBe(false);
    ana.peers.setTrust(benId, 'auto-answer-calls');
    expect(ana.peers.setTrust(benId, 'block')).toMatchObject({ trust: 'blocked', autoAnswerCalls: false });
    expect(() => ana.peers.setTrust(benId, 'auto-answer-calls')).toThrow(/trusted peer/);
  });

  it('refuses an address that is not one, with a sentence', async () => {
    const ana = node('Ana');
    await ana.register();
    await expect(ana.peers.addByAddress('not an address!')).rejects.toThrow(/is not an address/);
  });

  it('keeps the peer id and its trust when a peer renews its WebRTC certificate', async () => {
    const ana = node('Ana');
    const ben = node('Ben');
    await ana.register();
    const old = await ben.register();
    await ana.peers.addByAddress(`127.0.0.1:${ben.peers.status().port}`);
    ana.peers.setTrust(old.id, 'verify');
    const renewed = await ben.register();
    expect(renewed.id).toBe(old.id);
    expect(ana.peers.acceptRotation(old.id, renewed.fingerprint as never)).toMatchObject({ id: old.id, name: 'Ben', trust: 'verified', fingerprint: ben.device.fingerprint, connected: true });
    expect(ana.warnings).toEqual([]);
  });

  it('shows a peer pinned under protocol 1 once as "identity changed", and re-pins nothing', async () => {
    const ana = node('Ana');
    const ben = node('Ben');
    const benRtc = randomFingerprint();
    const legacyId = peerIdFromFingerprint(benRtc);
    writeFileSync(join(ana.dir, 'trust.json'), JSON.stringify({ version: 1, peers: { [legacyId]: { fingerprint: benRtc, name: 'Benjamin', firstSeen: 1, verified: true, blocked: false } } }));
    const again = node('Ana', ana.dir);
    await again.register();
    const benId = (await ben.register(benRtc)).id;
    await again.peers.addByAddress(`127.0.0.1:${ben.peers.status().port}`);
    expect(again.warnings).toEqual([expect.objectContaining({ reason: 'identity-changed', peerId: benId, previousId: legacyId, name: 'Benjamin', received: ben.device.fingerprint })]);
    expect(again.peers.list().find((peer) => peer.id === benId)?.trust).not.toBe('verified');
    expect(again.peers.list().map((peer) => peer.id)).not.toContain(legacyId);
    // Shown once: meeting Ben again says nothing more.
    await ben.peers.stop();
    const benAgain = node('Ben', ben.dir, ben.device);
    await benAgain.register(benRtc);
    await again.peers.addByAddress(`127.0.0.1:${benAgain.peers.status().port}`);
    expect(again.warnings).toHaveLength(1);
  });

  it('keeps peers it met listed, offline, after a restart', async () => {
    const ana = node('Ana');
    const ben = node('Ben');
    await ana.register();
    const benId = (await ben.register()).id;
    await ana.peers.addByAddress(`127.0.0.1:${ben.peers.status().port}`);
    await ana.peers.stop();
    ana.trust.flush();
    const again = node('Ana', ana.dir, ana.device);
    const list = again.peers.list();
    expect(list).toContainEqual(expect.objectContaining({ id: benId, name: 'Ben', online: false, trust: 'pinned' }));
  });
});
