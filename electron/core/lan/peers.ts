/**
 * The peers list and everything the contract asks of the LAN: it runs signaling and discovery once
 * this install has an identity, merges what they report with the trust store, and turns it into the
 * contract's `Peer` records (event `peersChanged`).
 *
 * - Discovery finds peers; the side whose id sorts lower opens the signaling connection, so two
 *   instances that see each other meet once.
 * - Known and Nearby: a peer the user never acted towards is *Nearby* (trust 'new'): listed while
 *   it is around, stored nowhere, at most MAX_NEARBY of them (the longest unseen go first), and
 *   dropped NEARBY_EXPIRY_MS after it was last seen. The user's first act towards it (a chat message,
 *   a call or a chat/file link it starts, answering its call, accepting its files, adding it by
 *   address, verifying it) pins its device certificate (`adopt`): from then on it is *Known*.
 * - "Add by address" connects directly and is remembered, for networks that block multicast.
 * - A peer is online while discovery sees it or a signaling connection is open.
 * - Known peers stay listed (offline) across restarts, from the trust store and the peers file.
 * - Known peers are called back: at start (this side restarted) and every 15 s while one that we
 *   trust is away (the network dropped), so transfers resume when the peers meet again.
 */
import { z } from 'zod';
import { Fingerprint, PeerId, PROTOCOL_VERSION, type Peer, type PeerTrustAction, type SignalMessage, type TrustWarning } from '../../contract.js';
import { LanlineError } from '../errors.js';
import type { EventHub } from '../events.js';
import type { Identity } from '../identity/identity.js';
import { fingerprintFromPeerId } from '../identity/peer-id.js';
import { safetyCode } from '../identity/safety-code.js';
import type { Log } from '../log.js';
import type { Settings } from '../settings/settings.js';
import type { DocumentStore } from '../storage.js';
import type { TrustStore } from '../trust/trust-store.js';
import { lanAddresses, parseAddress } from './addresses.js';
import { Discovery, type DiscoveredPeer, type DiscoveryOptions } from './discovery.js';
import { LanSignaling } from './signaling.js';

const Known = z.object({
  name: z.string().max(64),
  addresses: z.array(z.string().max(100)).max(16),
  port: z.number().int().min(0).max(65535),
  via: z.enum(['mdns', 'manual', 'incoming']),
  lastSeen: z.number().int().nonnegative(),
});
type Known = z.infer<typeof Known>;
const Manual = z.object({ host: z.string().max(253), port: z.number().int().min(1).max(65535) });
type Manual = z.infer<typeof Manual>;

interface Live extends Known {
  seenByMdns: boolean;
  connected: boolean;
  /** The device certificate it proved in a TLS handshake this run (what adopting it pins). */
  device?: Fingerprint;
}

export interface PeersOptions {
  settings: Settings;
  identity: Identity;
  trust: TrustStore;
  store: DocumentStore;
  events: EventHub;
  log: Log;
  clock?: () => number;
  /** The device key and certificate LAN signaling authenticates with (identity/device.ts). */
  device: { key: string; cert: string };
  /** LAN signaling port for this run; the setting's value when absent. */
  port?: number;
  /** Bind address of the signaling socket (tests: '127.0.0.1'). */
  host?: string;
  /** Nearby peers listed at most; MAX_NEARBY by default. */
  maxNearby?: number;
  /** false turns mDNS off (networks where multicast is not wanted); options go to Discovery. */
  discovery?: false | Partial<Omit<DiscoveryOptions, 'self' | 'log'>>;
}

/** Nearby (never adopted) peers listed at most, and how long one stays listed after it was last seen. */
export const MAX_NEARBY = 64;
export const NEARBY_EXPIRY_MS = 10 * 60 * 1000;

export class Peers {
  private readonly signaling: LanSignaling;
  private discovery: Discovery | null = null;
  private discoveryId: string | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readonly calling = new Set<string>();
  /** Sessions of calls offered by Nearby peers, newest last: answering one adopts the caller. */
  private readonly callsOffered = new Set<string>();
  /** The WebRTC certificate peers were last told about. */
  private announced: string | null = null;
  private readonly live = new Map<string, Live>();
  private manual: Manual[] = [];
  /** The fingerprint a peer presented when it did not match its pin: what "repin" accepts. */
  private readonly presented = new Map<string, string>();
  private readonly clock: () => number;
  private started = false;
  private stopping = false;
  private readonly offs: Array<() => void> = [];

  constructor(private readonly options: PeersOptions) {
    this.clock = options.clock ?? Date.now;
    this.load();
    this.signaling = new LanSignaling({
      port: options.port ?? options.settings.get().lanPort,
      ...(options.host && { host: options.host }),
      self: () => {
        const me = options.identity.current();
        return me && { id: me.peerId, fingerprint: me.fingerprint, name: options.settings.get().displayName };
      },
      device: options.device,
      trust: options.trust,
      log: options.log,
      clock: this.clock,
      onWarning: (warning) => this.warn(warning),
    });
    this.offs.push(
      this.signaling.on('peer', (id, hello, remoteAddress, direction, device) => {
        const current = this.live.get(id);
        const addresses = unique([remoteAddress, ...(current?.addresses ?? [])]);
        this.upsert(id, { name: hello.name, port: hello.port, addresses, connected: true, device, via: current?.via ?? (direction === 'incoming' ? 'incoming' : 'manual') });
        // Discovery's hook: this id's device key was proven here over mutually authenticated TLS, so
        // this address may replace the one discovery dials.
        this.discovery?.confirm(id, remoteAddress);
        this.presented.delete(id);
        if (this.options.trust.get(id as PeerId)) this.options.trust.rename(id as PeerId, hello.name);
        this.legacyMet(id as PeerId, hello.name, hello.fingerprint, device);
      }),
      // A dropped socket is the fastest sign that a peer crashed or lost the network; mDNS would
      // vouch for it until its records expire (15 s), so it is forgotten there until it answers again.
      this.signaling.on('peer-gone', (id) => {
        this.discovery?.forget(id);
        if (this.live.has(id)) this.upsert(id, { connected: false, seenByMdns: false });
      }),
      this.signaling.on('signal', (peerId, message) => {
        // Answering a call is acting towards its caller (send); remember which sessions are calls.
        if (message.type === 'offer' && message.purpose === 'call' && !this.options.trust.get(peerId)) {
          this.callsOffered.add(message.session);
          if (this.callsOffered.size > 64) this.callsOffered.delete(this.callsOffered.values().next().value!);
        }
        options.events.emit('signal', { peerId, message });
      }),
      options.events.on('settingsChanged', (settings) => this.discovery?.update({ name: settings.displayName })),
    );
  }

  /**
   * Starts signaling and discovery once there is an identity; called again after a certificate was
   * registered, it restarts discovery when the id changed (rotation) and does nothing otherwise.
   */
  async start(): Promise<void> {
    const me = this.options.identity.current();
    if (!me || this.stopping) return;
    if (!this.started) {
      this.started = true;
      this.announced = me.fingerprint;
      await this.signaling.start();
      for (const { host, port } of this.manual) void this.connect(host, port).catch(() => undefined);
      this.callBack();
      this.reconnectTimer = setInterval(() => this.callBack(), RECONNECT_MS);
      this.reconnectTimer.unref?.();
    } else if (this.announced !== me.fingerprint) {
      // A renewed WebRTC certificate: the peer id stays, connected peers are told over the authenticated channel.
      this.announced = me.fingerprint;
      this.signaling.announceCertificate();
    }
    if (this.options.discovery === false || this.discoveryId === me.peerId) return;
    this.discoveryId = me.peerId;
    const self = { id: me.peerId, name: this.options.settings.get().displayName, port: this.signaling.port!, version: PROTOCOL_VERSION };
    await this.discovery?.stop();
    const discovery = new Discovery({ ...this.options.discovery, self, log: this.options.log, clock: this.clock });
    discovery.on('up', (peer) => this.discovered(peer));
    discovery.on('down', (id) => this.live.has(id) && this.upsert(id, { seenByMdns: false }));
    // Records for a known peer from another address: only a handshake there (then confirm()) moves it.
    discovery.on('candidate', (peer) => this.candidate(peer));
    this.discovery = discovery;
    try {
      await discovery.start();
    } catch (error) {
      this.options.log.warn(`mDNS discovery is off: ${(error as Error).message}; peers can still be added by address`);
      this.discovery = null;
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.reconnectTimer) clearInterval(this.reconnectTimer);
    this.offs.forEach((off) => off());
    await this.discovery?.stop();
    await this.signaling.stop();
  }

  status(): { port: number | null; addresses: string[] } {
    return { port: this.signaling.port, addresses: lanAddresses() };
  }

  list(): Peer[] {
    this.expireNearby();
    const ids = new Set([...this.live.keys(), ...this.options.trust.all().map((entry) => entry.peerId)]);
    const me = this.options.identity.current()?.peerId;
    return [...ids].filter((id) => id !== me).map((id) => this.toPeer(id));
  }

  /**
   * The user acted towards this peer: pin its device certificate (the peer id says which) unless it
   * is pinned already. Returns true when it was Nearby until now.
   */
  adopt(peerId: PeerId): boolean {
    if (peerId === this.options.identity.current()?.peerId || this.options.trust.get(peerId)) return false;
    const live = this.live.get(peerId);
    this.options.trust.pin(peerId, fingerprintFromPeerId(peerId), live?.name ?? '');
    this.changed();
    return true;
  }

  async addByAddress(text: string): Promise<Peer> {
    const address = parseAddress(text);
    if (!address) throw new LanlineError('invalid', `"${text.slice(0, 80)}" is not an address; write it as host:port, for example 192.168.1.20:47990.`);
    const id = await this.connect(address.host, address.port);
    this.adopt(id as PeerId);
    if (!this.manual.some((entry) => entry.host === address.host && entry.port === address.port)) {
      this.manual = [...this.manual, address].slice(-64);
    }
    this.upsert(id, { via: 'manual' });
    return this.toPeer(id);
  }

  setTrust(peerId: PeerId, action: z.infer<typeof PeerTrustAction>): Peer {
    if (action === 'repin') {
      const presented = this.presented.get(peerId);
      if (!presented) throw new LanlineError('invalid', 'This peer has not presented a new certificate; there is nothing to accept.');
      this.options.trust.apply(peerId, 'repin', presented as Fingerprint);
      this.presented.delete(peerId);
    } else {
      // Verifying a Nearby peer is acting towards it.
      if (action === 'verify') this.adopt(peerId);
      if (action === 'auto-answer-calls') {
        // Only a peer whose certificate is pinned (or verified) and not contested right now.
        const state = this.options.trust.state(peerId, this.presented.get(peerId) as Fingerprint | undefined);
        if (state !== 'pinned' && state !== 'verified') throw new LanlineError('forbidden', 'Only a trusted peer (pinned or verified, not blocked) can have its calls answered automatically.');
      }
      this.options.trust.apply(peerId, action);
      if (action === 'block') this.signaling.disconnect(peerId);
    }
    this.changed();
    return this.toPeer(peerId);
  }

  /**
   * See the contract's acceptRotation. Since protocol 2.0 the peer id belongs to the device
   * certificate, which does not rotate; the new WebRTC certificate reaches main over the peer's
   * authenticated signaling connection ('certificate'), so nothing changes here.
   */
  acceptRotation(peerId: PeerId, _fingerprint: Fingerprint): Peer {
    if (!this.options.trust.get(peerId)) throw new LanlineError('not-found', 'Lanline has not met this peer yet.');
    return this.toPeer(peerId);
  }

  /** From the two device certificates: what an attacker in the middle would have to forge. */
  safetyCode(peerId: PeerId): string {
    if (!this.options.identity.current()) throw new LanlineError('not-found', 'A safety code needs both certificates; wait until Lanline has its identity.');
    // A Nearby peer's device certificate is the one its id names (and its TLS handshake proved).
    return safetyCode(this.options.identity.deviceFingerprint(), this.options.trust.get(peerId)?.fingerprint ?? fingerprintFromPeerId(peerId));
  }

  /**
   * Sends a signal, connecting first when the peer is known but not connected. Starting a session
   * (a call, a chat or file link) and answering a call are the user acting: the peer is adopted.
   */
  async send(peerId: PeerId, message: SignalMessage): Promise<void> {
    if (!this.signaling.isConnected(peerId)) {
      const known = this.live.get(peerId);
      if (!known?.addresses.length || !known.port) throw new LanlineError('unavailable', 'This peer is not reachable now.');
      await this.connectAny(known.addresses, known.port);
    }
    const acts = (message.type === 'offer' && !this.signaling.hasSession(peerId, message.session)) || (message.type === 'answer' && this.callsOffered.has(message.session));
    this.signaling.send(peerId, message);
    if (acts) this.adopt(peerId);
  }

  /** Connects to every trusted, known, unconnected peer that is not blocked; one attempt at a time each. */
  private callBack(): void {
    for (const [id, live] of this.live) {
      const trust = this.options.trust.get(id as PeerId);
      if (live.connected || !live.port || !live.addresses.length || !trust || trust.blocked || this.calling.has(id)) continue;
      this.calling.add(id);
      void this.connectAny(live.addresses, live.port)
        .catch(() => undefined)
        .finally(() => this.calling.delete(id));
    }
  }

  private async connect(host: string, port: number): Promise<string> {
    return this.signaling.connect(host, port);
  }

  private async connectAny(addresses: string[], port: number): Promise<string> {
    let last: unknown;
    for (const address of addresses) {
      try {
        return await this.connect(address, port);
      } catch (error) {
        last = error;
      }
    }
    throw last instanceof LanlineError ? last : new LanlineError('unavailable', 'This peer is not reachable now.');
  }

  private discovered(peer: DiscoveredPeer): void {
    const parsed = PeerId.safeParse(peer.id);
    if (!parsed.success) return;
    const id = parsed.data;
    this.upsert(id, { name: peer.name, port: peer.port, addresses: peer.addresses, seenByMdns: true, via: this.live.get(id)?.via ?? 'mdns' });
    const me = this.options.identity.current();
    // One side opens the connection: the lower id. Blocked peers are left alone.
    if (me && me.peerId < id && !this.signaling.isConnected(id) && this.options.trust.decide(id, this.options.trust.get(id)?.fingerprint ?? ('' as Fingerprint)) !== 'blocked') {
      void this.connectAny(peer.addresses, peer.port).catch((error: unknown) => this.options.log.info(`could not reach discovered peer ${id}: ${(error as Error).message}`));
    }
  }

  /** Tries a handshake at a candidate's address when the peer is not connected; nothing is stored. */
  private candidate(peer: DiscoveredPeer): void {
    const id = peer.id as PeerId;
    if (this.signaling.isConnected(id) || this.calling.has(id) || this.options.trust.get(id)?.blocked) return;
    this.calling.add(id);
    void this.connectAny(peer.addresses, peer.port)
      .catch((error: unknown) => this.options.log.info(`no handshake with ${id} at its candidate address: ${(error as Error).message}`))
      .finally(() => this.calling.delete(id));
  }

  /**
   * A peer pinned under protocol 1 (by its WebRTC certificate) met again with a device identity: the
   * user is told once ("identity changed — verify again") and nothing is pinned for it. A block
   * carries over: it can only keep out whoever announces that certificate.
   */
  private legacyMet(id: PeerId, name: string, rtc: Fingerprint, device: Fingerprint): void {
    const old = this.options.trust.legacyFor(rtc);
    if (!old || old.peerId === id) return;
    this.options.trust.dropLegacy(old.peerId);
    if (old.blocked) {
      this.options.trust.apply(id, 'block');
      this.signaling.disconnect(id);
      this.changed();
      return;
    }
    this.warn({ peerId: id, name: old.name || name, reason: 'identity-changed', previousId: old.peerId, expected: null, received: device, at: this.clock() });
  }

  private warn(warning: TrustWarning): void {
    if (warning.reason === 'fingerprint-mismatch') this.presented.set(warning.peerId, warning.received);
    this.options.events.emit('trustWarning', warning);
    this.changed();
  }

  /** Nearby peers not seen for NEARBY_EXPIRY_MS go; beyond MAX_NEARBY, the longest unseen go first. */
  private expireNearby(): void {
    const now = this.clock();
    const nearby = [...this.live].filter(([id]) => !this.options.trust.get(id as PeerId));
    for (const [id, live] of nearby) if (!live.connected && !live.seenByMdns && now - live.lastSeen > NEARBY_EXPIRY_MS) this.live.delete(id);
    const left = nearby.filter(([id]) => this.live.has(id));
    const max = this.options.maxNearby ?? MAX_NEARBY;
    if (left.length <= max) return;
    left.sort(([, a], [, b]) => Number(b.connected || b.seenByMdns) - Number(a.connected || a.seenByMdns) || b.lastSeen - a.lastSeen);
    for (const [id] of left.slice(max)) this.live.delete(id);
  }

  private upsert(id: string, patch: Partial<Live>): void {
    const current: Live = this.live.get(id) ?? { name: this.options.trust.get(id as PeerId)?.name ?? id, addresses: [], port: 0, via: 'mdns', lastSeen: 0, seenByMdns: false, connected: false };
    const next = { ...current, ...patch };
    if (next.connected || next.seenByMdns) next.lastSeen = this.clock();
    this.live.set(id, next);
    this.changed();
  }

  private toPeer(id: string): Peer {
    const live = this.live.get(id);
    const trusted = this.options.trust.get(id as PeerId);
    const presented = this.presented.get(id);
    return {
      id,
      name: live?.name ?? trusted?.name ?? id,
      online: Boolean(live && (live.connected || live.seenByMdns)),
      lastSeen: live?.lastSeen ?? 0,
      addresses: live?.addresses ?? [],
      port: live?.port ?? 0,
      via: live?.via ?? 'manual',
      connected: Boolean(live?.connected),
      trust: this.options.trust.state(id as PeerId, presented as Fingerprint | undefined),
      fingerprint: trusted?.fingerprint ?? live?.device ?? null,
      firstSeen: trusted?.firstSeen ?? null,
      autoAnswerCalls: Boolean(trusted?.autoAnswerCalls && !trusted.blocked),
    };
  }

  private changed(): void {
    this.persist();
    this.options.events.emit('peersChanged', this.list());
  }

  private load(): void {
    const data = this.options.store.read();
    const manual = z.array(Manual).safeParse(data.manual);
    this.manual = manual.success ? manual.data : [];
    const known = z.record(z.string(), z.unknown()).safeParse(data.known);
    for (const [id, value] of Object.entries(known.success ? known.data : {})) {
      const entry = Known.safeParse(value);
      if (PeerId.safeParse(id).success && entry.success) {
        // Only Known peers were ever stored; an entry of a peer no longer pinned (a file from before) is left out.
        if (this.options.trust.get(id as PeerId)) this.live.set(id, { ...entry.data, seenByMdns: false, connected: false });
      }
      else this.options.log.warn(`peers file: dropped a damaged entry for ${id.slice(0, 60)}`);
    }
  }

  private persist(): void {
    const known: Record<string, Known> = {};
    for (const [id, { name, addresses, port, via, lastSeen }] of this.live) {
      // Nearby peers are stored nowhere.
      if (this.options.trust.get(id as PeerId)) known[id] = { name, addresses: addresses.slice(0, 16), port, via, lastSeen };
    }
    try {
      this.options.store.write({ version: 1, manual: this.manual, known });
    } catch (error) {
      this.options.log.error('writing the peers file failed', error);
    }
  }
}

const unique = (items: string[]) => [...new Set(items)];
const RECONNECT_MS = 15_000;
