/**
 * Which device certificate each peer is known by. A peer is pinned when the user acts towards it
 * (chat, call, accepting a transfer, adding it, verifying it: see Peers.adopt), never merely because
 * it connected. Since protocol 2.0 the peer id is the device certificate's fingerprint, so a pinned id
 * can only be presented by the holder of that certificate's key (the TLS handshake proves it). The
 * user can compare the safety code and mark the peer verified, or block it.
 *
 * Stored document: {version: 2, peers: {<peer id>: {fingerprint, name, firstSeen, verified, blocked,
 * autoAnswerCalls}}, legacy?: {<old id>: {fingerprint, name, blocked}}} (autoAnswerCalls absent: false).
 * `legacy` holds the pins of a version 1 file, made under the old scheme (id and pin = the peer's
 * WebRTC certificate). They are never re-pinned silently: when a peer announces that WebRTC
 * certificate again, Peers shows "identity changed — verify again" once and drops the old entry.
 *
 * Writes are batched: changes land in memory at once and reach the disk in one write per
 * `flushDelayMs` (default 1 s), off the caller's stack, so a flood of changes costs one write.
 * flush() writes now (close() calls it).
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

export const TRUST_VERSION = 2;

const TrustEntry = z.object({
  fingerprint: Fingerprint,
  name: z.string().max(64),
  firstSeen: z.number().int().nonnegative(),
  verified: z.boolean(),
  blocked: z.boolean(),
  autoAnswerCalls: z.boolean().default(false),
});
export type TrustEntry = z.infer<typeof TrustEntry>;
const LegacyEntry = z.object({ fingerprint: Fingerprint, name: z.string().max(64), blocked: z.boolean() });
export type LegacyEntry = z.infer<typeof LegacyEntry>;
export type TrustDecision = 'new' | 'match' | 'mismatch' | 'blocked';
export type PeerTrustActionValue = z.infer<typeof PeerTrustAction>;

export class TrustStore {
  private peers = new Map<PeerIdValue, TrustEntry>();
  private legacy = new Map<PeerIdValue, LegacyEntry>();
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly flushDelayMs: number;
  /** How many times the file was written; for tests and diagnostics. */
  writes = 0;

  constructor(
    private readonly store: DocumentStore,
    private readonly clock: () => number,
    private readonly log: Log,
    options: { flushDelayMs?: number } = {},
  ) {
    this.flushDelayMs = options.flushDelayMs ?? 1000;
    this.load();
  }

  /** A pin made under the old scheme for the peer whose WebRTC certificate is `rtcFingerprint`. */
  legacyFor(rtcFingerprint: FingerprintValue): (LegacyEntry & { peerId: PeerIdValue }) | null {
    for (const [peerId, entry] of this.legacy) if (entry.fingerprint === rtcFingerprint) return { peerId, ...entry };
    return null;
  }

  /** The old-scheme pin was shown to the user once; it goes. */
  dropLegacy(peerId: PeerIdValue): void {
    if (this.legacy.delete(peerId)) this.schedule();
  }

  /** Writes pending changes now. */
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.persist(this.peers);
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
    this.peers.delete(oldId);
    this.peers.set(newId, entry);
    this.schedule();
    return { ...entry };
  }

  private update(peerId: PeerIdValue, entry: TrustEntry): void {
    this.peers.set(peerId, entry);
    this.schedule();
  }

  /** One write for every change within flushDelayMs. A failed write is logged and retried with the next change. */
  private schedule(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      try {
        this.persist(this.peers);
      } catch {
        // Logged by persist; what changed stays in memory and is written with the next change.
      }
    }, this.flushDelayMs);
    this.flushTimer.unref?.();
  }

  private load(): void {
    const stored = this.store.read();
    const raw = stored.peers;
    const broken: string[] = [];
    // A version 1 file pinned WebRTC certificates: its entries become legacy, shown once, never re-pinned.
    const old = stored.version === 1 && raw && typeof raw === 'object' && !Array.isArray(raw) && Object.keys(raw).length > 0;
    if (old) {
      const copy = this.store.backup('protocol-1');
      for (const [key, value] of Object.entries(raw)) {
        const id = PeerId.safeParse(key);
        const entry = TrustEntry.safeParse(value);
        if (id.success && entry.success) this.legacy.set(id.data, { fingerprint: entry.data.fingerprint, name: entry.data.name, blocked: entry.data.blocked });
      }
      this.log.warn(`trust store: ${this.legacy.size} peer(s) pinned under protocol 1 must be verified again; the old file is kept at ${copy}`);
      try {
        this.persist(this.peers);
      } catch {
        // Logged by persist; the legacy entries stay usable for this run.
      }
      return;
    }
    const legacy = z.record(z.string(), LegacyEntry).safeParse(stored.legacy ?? {});
    if (legacy.success) for (const [key, value] of Object.entries(legacy.data)) if (PeerId.safeParse(key).success) this.legacy.set(key, value);
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
      this.store.write({ version: TRUST_VERSION, peers: Object.fromEntries(peers), ...(this.legacy.size && { legacy: Object.fromEntries(this.legacy) }) });
      this.writes += 1;
    } catch (error) {
      this.log.error('writing the trust store failed', error);
      throw new LanlineError('io', `Lanline could not save which peers it trusts: ${(error as Error).message}`);
    }
  }
}
