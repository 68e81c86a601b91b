/**
 * Which certificate each peer is known by (trust on first use). The first hello from a peer pins its
 * fingerprint; from then on a hello or an SDP `a=fingerprint` with another certificate for that peer
 * is a mismatch, and LanSignaling refuses it. The user can compare the safety code and mark the peer
 * verified, block it, or deliberately accept a new certificate (repin).
 *
 * Stored document: {version: 1, peers: {<peer id>: {fingerprint, name, firstSeen, verified, blocked,
 * autoAnswerCalls}}} (autoAnswerCalls absent in older files: false).
 * autoAnswerCalls: the user chose to answer this peer's calls without ringing; it belongs to the pinned
 * certificate, so a repin or a block clears it.
 * Each entry is validated on its own at load: a broken one is dropped with a log line (the file is
 * backed up first), the others are kept.
 */
import { z } from 'zod';
import { Fingerprint, PeerId, type Fingerprint as FingerprintValue, type PeerId as PeerIdValue, type PeerTrustAction, type TrustState } from '../../contract.js';
import { LanlineError } from '../errors.js';
import { fingerprintFromPeerId } from '../identity/peer-id.js';
import { cleanName } from '../lan/messages.js';
import type { Log } from '../log.js';
import { describeIssues } from '../rpc.js';
import type { DocumentStore } from '../storage.js';

export const TRUST_VERSION = 1;

const TrustEntry = z.object({
  fingerprint: Fingerprint,
  name: z.string().max(64),
  firstSeen: z.number().int().nonnegative(),
  verified: z.boolean(),
  blocked: z.boolean(),
  autoAnswerCalls: z.boolean().default(false),
});
export type TrustEntry = z.infer<typeof TrustEntry>;
export type TrustDecision = 'new' | 'match' | 'mismatch' | 'blocked';
export type PeerTrustActionValue = z.infer<typeof PeerTrustAction>;

export class TrustStore {
  private peers = new Map<PeerIdValue, TrustEntry>();

  constructor(
    private readonly store: DocumentStore,
    private readonly clock: () => number,
    private readonly log: Log,
  ) {
    this.load();
  }

  /** What to do with a hello from `peerId` presenting `fingerprint`. A block wins over everything. */
  decide(peerId: PeerIdValue, fingerprint: FingerprintValue): TrustDecision {
    const entry = this.peers.get(peerId);
    if (!entry) return 'new';
    if (entry.blocked) return 'blocked';
    return entry.fingerprint === fingerprint ? 'match' : 'mismatch';
  }

  /** First contact. Pinning a peer again with the same certificate only returns the entry. */
  pin(peerId: PeerIdValue, fingerprint: FingerprintValue, name: string): TrustEntry {
    const known = this.peers.get(peerId);
    if (known) {
      if (known.fingerprint !== fingerprint) {
        throw new LanlineError('invalid', 'This peer is already pinned to another certificate; accept the new one explicitly (repin) instead.');
      }
      return { ...known };
    }
    const entry: TrustEntry = { fingerprint, name: cleanName(name), firstSeen: this.clock(), verified: false, blocked: false, autoAnswerCalls: false };
    this.update(peerId, entry);
    this.log.info(`pinned peer ${peerId} on first contact`);
    return { ...entry };
  }

  /**
   * The user's decision about a peer. 'repin' accepts `fingerprint` as the peer's certificate from
   * now on and clears 'verified' (the safety code changed with it). 'block' also works for a peer
   * never met (seen only in discovery): the certificate its id stands for is pinned, blocked.
   */
  apply(peerId: PeerIdValue, action: PeerTrustActionValue, fingerprint?: FingerprintValue): TrustEntry {
    let entry = this.peers.get(peerId);
    if (!entry && action === 'block') {
      entry = { fingerprint: fingerprintFromPeerId(peerId), name: '', firstSeen: this.clock(), verified: false, blocked: false, autoAnswerCalls: false };
    }
    if (!entry) throw new LanlineError('not-found', 'Lanline has not met this peer yet, so there is no certificate to verify or change.');
    let next: TrustEntry;
    switch (action) {
      case 'verify':
        next = { ...entry, verified: true };
        break;
      case 'unverify':
        next = { ...entry, verified: false };
        break;
      case 'block':
        next = { ...entry, blocked: true, autoAnswerCalls: false };
        break;
      case 'unblock':
        next = { ...entry, blocked: false };
        break;
      case 'repin':
        if (!fingerprint || !Fingerprint.safeParse(fingerprint).success) {
          throw new LanlineError('invalid', 'Accepting a new certificate needs the fingerprint the peer presented.');
        }
        next = { ...entry, fingerprint, verified: false, autoAnswerCalls: false };
        break;
      case 'auto-answer-calls':
        if (entry.blocked) throw new LanlineError('forbidden', 'A blocked peer cannot have its calls answered automatically.');
        next = { ...entry, autoAnswerCalls: true };
        break;
      case 'ask-before-calls':
        next = { ...entry, autoAnswerCalls: false };
        break;
    }
    this.update(peerId, next);
    this.log.info(`peer ${peerId}: ${action}`);
    return { ...next };
  }

  rename(peerId: PeerIdValue, name: string): TrustEntry {
    const entry = this.peers.get(peerId);
    if (!entry) throw new LanlineError('not-found', 'Lanline has not met this peer yet.');
    const next = { ...entry, name: cleanName(name) };
    if (next.name !== entry.name) this.update(peerId, next);
    return { ...next };
  }

  get(peerId: PeerIdValue): TrustEntry | null {
    const entry = this.peers.get(peerId);
    return entry ? { ...entry } : null;
  }

  all(): Array<TrustEntry & { peerId: PeerIdValue }> {
    return [...this.peers].map(([peerId, entry]) => ({ peerId, ...entry }));
  }

  /** The contract's TrustState; 'mismatch' when the fingerprint last seen from the peer is not the pinned one. */
  state(peerId: PeerIdValue, lastSeenFingerprint?: FingerprintValue): TrustState {
    const entry = this.peers.get(peerId);
    if (!entry) return 'new';
    if (entry.blocked) return 'blocked';
    if (lastSeenFingerprint !== undefined && lastSeenFingerprint !== entry.fingerprint) return 'mismatch';
    return entry.verified ? 'verified' : 'pinned';
  }

  /**
   * A peer renewed its certificate and proved it with the old one: the trust of `oldId` (name,
   * verified) moves to the new id, pinned to the new fingerprint, and the old entry is gone.
   */
  transfer(oldId: PeerIdValue, newId: PeerIdValue, fingerprint: FingerprintValue): TrustEntry {
    const old = this.peers.get(oldId);
    if (!old) throw new LanlineError('not-found', 'Lanline has not met this peer yet.');
    if (old.blocked) throw new LanlineError('forbidden', 'This peer is blocked.');
    const entry: TrustEntry = { ...old, fingerprint, firstSeen: this.clock() };
    const next = new Map(this.peers);
    next.delete(oldId);
    next.set(newId, entry);
    this.persist(next);
    this.peers = next;
    return { ...entry };
  }

  private update(peerId: PeerIdValue, entry: TrustEntry): void {
    const next = new Map(this.peers).set(peerId, entry);
    this.persist(next);
    this.peers = next;
  }

  private load(): void {
    const stored = this.store.read();
    const raw = stored.peers;
    const broken: string[] = [];
    if (raw !== undefined && (raw === null || typeof raw !== 'object' || Array.isArray(raw))) {
      broken.push('peers (not an object)');
    } else if (raw) {
      for (const [key, value] of Object.entries(raw)) {
        const id = PeerId.safeParse(key);
        const entry = TrustEntry.safeParse(value);
        if (id.success && entry.success) this.peers.set(id.data, entry.data);
        else broken.push(`${JSON.stringify(key.slice(0, 80))} (${id.success ? describeIssues(entry.error!) : 'not a peer id'})`);
      }
    }
    if (broken.length) {
      const copy = this.store.backup('invalid');
      this.log.warn(`trust store entries dropped as invalid: ${broken.join('; ')}; the old file is kept at ${copy}`);
      try {
        this.persist(this.peers);
      } catch {
        // Logged by persist; the entries read stay usable for this run.
      }
    }
  }

  private persist(peers: Map<PeerIdValue, TrustEntry>): void {
    try {
      this.store.write({ version: TRUST_VERSION, peers: Object.fromEntries(peers) });
    } catch (error) {
      this.log.error('writing the trust store failed', error);
      throw new LanlineError('io', `Lanline could not save which peers it trusts: ${(error as Error).message}`);
    }
  }
}
