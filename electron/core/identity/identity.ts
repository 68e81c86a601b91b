/**
 * Who this install is on the LAN. The peer id is the device certificate's (./device.ts), which main
 * keeps; the renderer owns the WebRTC certificate (an RTCCertificate kept in IndexedDB) and reports
 * its fingerprint, creation and expiry here. LAN signaling announces that fingerprint inside the
 * authenticated TLS channel, which binds it to the device (docs/protocol.md#handshake).
 *
 * Chromium caps a certificate at 365 days, so rotation is routine: from `rotateAt` (30 days before
 * expiry) the renderer generates a new certificate and registers it; the peer id stays the same, and
 * connected peers are told the new fingerprint over signaling. The one it replaces is kept as `previous`.
 *
 * Stored document: {version: 1, current?: {fingerprint, createdAt, expiresAt},
 *                   previous?: {fingerprint, createdAt, expiresAt, replacedAt}}
 */
import { z } from 'zod';
import { CertificateRecord, type CertificateRecord as CertificateValue, type Fingerprint, type IdentitySummary, type PeerId } from '../../contract.js';
import { LanlineError } from '../errors.js';
import type { EventHub } from '../events.js';
import type { Log } from '../log.js';
import { describeIssues } from '../rpc.js';
import type { DocumentStore } from '../storage.js';

export const IDENTITY_VERSION = 1;
const DAY = 24 * 60 * 60 * 1000;
/** How long before expiry a certificate is replaced: a month of margin for installs left closed. */
export const ROTATE_BEFORE_EXPIRY = 30 * DAY;

const Previous = CertificateRecord.extend({ replacedAt: z.number().int().nonnegative() });
type Previous = z.infer<typeof Previous>;

export interface PeerIdentity {
  peerId: PeerId;
  fingerprint: Fingerprint;
}

export function rotateAt(record: CertificateValue): number {
  return Math.max(record.createdAt, record.expiresAt - ROTATE_BEFORE_EXPIRY);
}

export class Identity {
  private record: CertificateValue | null = null;
  private replaced: Previous | null = null;

  constructor(
    private readonly store: DocumentStore,
    private readonly displayName: () => string,
    private readonly clock: () => number,
    private readonly log: Log,
    private readonly events: EventHub,
    private readonly device: { peerId: PeerId; fingerprint: Fingerprint },
  ) {
    this.load();
  }

  /**
   * Takes the renderer's certificate. The same fingerprint again (every start) only refreshes the
   * dates; a new one becomes current and the old one `previous`.
   */
  register(input: CertificateValue): IdentitySummary {
    const parsed = CertificateRecord.safeParse(input);
    if (!parsed.success) throw new LanlineError('invalid', `Invalid certificate record: ${describeIssues(parsed.error)}`);
    const record = parsed.data;
    if (record.expiresAt <= record.createdAt) {
      throw new LanlineError('invalid', 'The certificate expires before it was created; generate a new one.');
    }
    if (record.expiresAt <= this.clock()) {
      throw new LanlineError('invalid', 'The certificate has already expired; generate a new one.');
    }
    const current = this.record;
    if (current?.fingerprint === record.fingerprint) {
      if (current.createdAt === record.createdAt && current.expiresAt === record.expiresAt) return this.summary();
      this.persist(record, this.replaced);
      this.record = record;
    } else {
      const previous = current ? { ...current, replacedAt: this.clock() } : this.replaced;
      this.persist(record, previous);
      this.record = record;
      this.replaced = previous;
      this.log.info(current ? `WebRTC certificate renewed: ${record.fingerprint.slice(0, 20)}…` : `identity registered: ${this.device.peerId}`);
    }
    const summary = this.summary();
    this.events.emit('identityChanged', summary);
    return summary;
  }

  summary(): IdentitySummary {
    const record = this.record;
    return {
      displayName: this.displayName(),
      peerId: record && this.device.peerId,
      fingerprint: record?.fingerprint ?? null,
      createdAt: record?.createdAt ?? null,
      expiresAt: record?.expiresAt ?? null,
      rotateAt: record && rotateAt(record),
    };
  }

  /** The peer id and the WebRTC certificate's fingerprint, once the renderer registered one. */
  current(): PeerIdentity | null {
    return this.record && { peerId: this.device.peerId, fingerprint: this.record.fingerprint };
  }

  /** The device certificate's fingerprint: what peers pin, and what the safety code covers. */
  deviceFingerprint(): Fingerprint {
    return this.device.fingerprint;
  }

  /** The WebRTC certificate the current one replaced, or null before the first rotation. */
  previous(): { fingerprint: Fingerprint; replacedAt: number } | null {
    const replaced = this.replaced;
    return replaced && { fingerprint: replaced.fingerprint, replacedAt: replaced.replacedAt };
  }

  /** True from rotateAt on (and when there is no certificate yet): the renderer should make a new one. */
  rotationDue(): boolean {
    return this.record === null || this.clock() >= rotateAt(this.record);
  }

  private load(): void {
    const stored = this.store.read();
    const broken: string[] = [];
    const read = <T>(key: string, schema: z.ZodType<T>): T | null => {
      if (stored[key] === undefined || stored[key] === null) return null;
      const parsed = schema.safeParse(stored[key]);
      if (parsed.success) return parsed.data;
      broken.push(`${key} (${describeIssues(parsed.error)})`);
      return null;
    };
    this.record = read('current', CertificateRecord);
    this.replaced = read('previous', Previous);
    if (broken.length) {
      const copy = this.store.backup('invalid');
      this.log.warn(`identity entries dropped as invalid: ${broken.join('; ')}; the old file is kept at ${copy}`);
      try {
        this.persist(this.record, this.replaced);
      } catch {
        // Logged by persist; what was read stays usable for this run.
      }
    }
  }

  private persist(record: CertificateValue | null, previous: Previous | null): void {
    try {
      this.store.write({ version: IDENTITY_VERSION, ...(record && { current: record }), ...(previous && { previous }) });
    } catch (error) {
      this.log.error('writing the identity failed', error);
      throw new LanlineError('io', `Lanline could not save its identity: ${(error as Error).message}`);
    }
  }
}
