/**
 * The peers list over real LAN signaling between two cores on 127.0.0.1 (discovery off: that runs
 * over real multicast in test/lan). Identities are registered as the renderer would register them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Peer, TrustWarning } from '../../electron/contract.js';
import { EventHub } from '../../electron/core/events.js';
import { Identity } from '../../electron/core/identity/identity.js';
import { peerIdFromFingerprint } from '../../electron/core/identity/peer-id.js';
import { Peers } from '../../electron/core/lan/peers.js';
import { memoryLog } from '../../electron/core/log.js';
import { defaultSettings, Settings } from '../../electron/core/settings/settings.js';
import { JsonFileStore } from '../../electron/core/storage.js';
import { TrustStore } from '../../electron/core/trust/trust-store.js';
import { randomFingerprint } from '../support/lan.js';

const DAY = 24 * 60 * 60 * 1000;
const running: Peers[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((peers) => peers.stop()));
});

function node(name: string, dir = mkdtempSync(join(tmpdir(), 'lanline-peers-'))) {
  const log = memoryLog();
  const events = new EventHub();
  const store = (file: string) => new JsonFileStore(join(dir, `${file}.json`), log);
  const settings = new Settings(store('settings'), defaultSettings({ displayName: name, language: 'en', downloadDir: dir }), log, events);
  const identity = new Identity(store('identity'), () => name, Date.now, log, events);
  const trust = new TrustStore(store('trust'), Date.now, log);
  const peers = new Peers({ settings, identity, trust, store: store('peers'), events, log, port: 0, host: '127.0.0.1', discovery: false });
  running.push(peers);
  const warnings: TrustWarning[] = [];
  events.on('trustWarning', (warning) => warnings.push(warning));
  const register = async (fingerprint = randomFingerprint()) => {
    identity.register({ fingerprint, createdAt: Date.now(), expiresAt: Date.now() + 365 * DAY });
    await peers.start();
    return { fingerprint, id: peerIdFromFingerprint(fingerprint) };
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
  return { peers, warnings, register, until, dir, events };
}

describe('Peers', () => {
  it('meets a peer by address: both list each other as pinned and online', async () => {
    const ana = node('Ana');
    const ben = node('Ben');
    const anaId = (await ana.register()).id;
    const benId = (await ben.register()).id;
    const added = await ana.peers.addByAddress(`127.0.0.1:${ben.peers.status().port}`);
    expect(added).toMatchObject({ id: benId, name: 'Ben', trust: 'pinned', online: true, via: 'manual' });
    const seen = await ben.until((list) => list.some((peer) => peer.id === anaId && peer.connected));
    expect(seen.find((peer) => peer.id === anaId)).toMatchObject({ name: 'Ana', trust: 'pinned', via: 'incoming' });
    expect(ana.peers.safetyCode(benId)).toBe(ben.peers.safetyCode(anaId));
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

  it('moves trust to the new id when a peer proves its renewed certificate', async () => {
    const ana = node('Ana');
    const ben = node('Ben');
    await ana.register();
    const old = await ben.register();
    await ana.peers.addByAddress(`127.0.0.1:${ben.peers.status().port}`);
    ana.peers.setTrust(old.id, 'verify');
    const renewed = randomFingerprint();
    const moved = ana.peers.acceptRotation(old.id, renewed as never);
    expect(moved).toMatchObject({ id: peerIdFromFingerprint(renewed), name: 'Ben', trust: 'verified', fingerprint: renewed });
    expect(ana.peers.list().map((peer) => peer.id)).not.toContain(old.id);
  });

  it('warns when a new id claims to replace a known peer that never confirmed it', async () => {
    const ana = node('Ana');
    const ben = node('Ben');
    await ana.register();
    const old = await ben.register();
    await ana.peers.addByAddress(`127.0.0.1:${ben.peers.status().port}`);
    // Ben renews while Ana is not told (no data link): his hello now names his previous id.
    const renewed = await ben.register();
    await ana.until((list) => list.some((peer) => peer.id === renewed.id && peer.connected));
    expect(ana.warnings).toContainEqual(expect.objectContaining({ reason: 'rotated-unconfirmed', peerId: renewed.id, previousId: old.id, name: 'Ben' }));
    // The new id is pinned as any new peer; marking it verified is the user's decision.
    expect(ana.peers.list().find((peer) => peer.id === renewed.id)?.trust).toBe('pinned');
  });

  it('keeps peers it met listed, offline, after a restart', async () => {
    const ana = node('Ana');
    const ben = node('Ben');
    await ana.register();
    const benId = (await ben.register()).id;
    await ana.peers.addByAddress(`127.0.0.1:${ben.peers.status().port}`);
    await ana.peers.stop();
    const again = node('Ana', ana.dir);
    const list = again.peers.list();
    expect(list).toContainEqual(expect.objectContaining({ id: benId, name: 'Ben', online: false, trust: 'pinned' }));
  });
});
