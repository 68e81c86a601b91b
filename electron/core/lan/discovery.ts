/**
 * Discovery: finds the other Lanline instances on the LAN with DNS-SD over mDNS and lets them find
 * this one. We answer and browse ourselves, on our own socket (mdns-socket.ts), so that liveness,
 * names and what a packet may cost stay under our control; the pure record work (and decodeMdns,
 * which checks every datagram before dns-packet reads it) is in dns-sd.ts.
 *
 * On the wire: UDP 224.0.0.251:5353, IPv4 (RFC 6762, RFC 6763).
 *
 *   PTR  _lanline._tcp.local              -> <instance>._lanline._tcp.local
 *   SRV  <instance>._lanline._tcp.local   -> priority 0, weight 0, <port>, lanline-<instance 1-12>.local
 *   TXT  <instance>._lanline._tcp.local   -> "id=<peer id>" "name=<display name>" "v=<protocol version>" "port=<port>"
 *   A, AAAA  lanline-<instance 1-12>.local -> this machine's addresses, no loopback, no IPv6 link-local
 *   PTR  _services._dns-sd._udp.local     -> _lanline._tcp.local  (only in answers, for generic browsers)
 *
 * <instance> is the peer id without dashes in lower case (56 characters): unique per install, so no
 * two instances ever claim one name and no renaming is needed (we do not probe, RFC 6762 §8.1). The
 * host name is ours too, never the machine's (namespaces and cloned VMs share that). The display
 * name travels only in TXT. Every record has TTL 120 s; SRV, TXT, A and AAAA carry the cache-flush bit.
 *
 * - start: announce (all records, unsolicited, twice 1 s apart) and ask (PTR _lanline._tcp.local).
 * - every queryIntervalMs (5 s): ask again, with no known answers, so that every live instance answers
 *   by multicast and so refreshes itself in everyone's list. When someone else asked the same within
 *   the last half interval, their answers refreshed us too and we stay quiet (RFC 6762 §7.3). The same
 *   timer compares the machine's addresses and announces again when they changed, after a goodbye
 *   (TTL 0) for the addresses that went away.
 * - queries we answer: PTR for the type (SRV, TXT, A, AAAA follow as additionals), SRV and TXT for our
 *   instance, A and AAAA for our host, the type enumeration; ANY for each. Answers the querier already
 *   knows are left out (RFC 6762 §7.1). A query from a port other than 5353 (a legacy resolver) gets a
 *   unicast answer with its id and question, TTL at most 10 s (RFC 6762 §6.7).
 * - stop: goodbye (the announcement with TTL 0), then the socket closes.
 * - browsing: a response with a PTR, SRV or TXT for another instance refreshes it; its TXT is
 *   validated (dns-sd.ts) and a malformed one is ignored with a log line. A PTR without the TXT we
 *   need makes us ask for SRV and TXT. A PTR with TTL 0 is a goodbye: the peer leaves at once; a peer
 *   not refreshed for expireAfterMs (15 s) leaves as expired.
 *
 * Anyone on the LAN can send any record, so what a packet can change is limited:
 * - An instance belongs to the address its first announcement came from (its source). Only packets
 *   from that address refresh it or say its goodbye; a goodbye from elsewhere is ignored.
 * - Records for a known instance from another address do not move it: they are reported as a
 *   'candidate' (at most once per CANDIDATE_GAP_MS per instance). The instance moves there only when
 *   the signaling layer calls confirm(id, address) after an authenticated handshake with that id at
 *   that address succeeded. A peer that really moved without that is found anew once its old entry
 *   expires (15 s).
 * - PTRs we must resolve are asked for in one query per packet, at most ASK_PER_PACKET instances,
 *   and at most ASK_BURST (refilling ASK_PER_SECOND a second) in all: 110 PTRs in one packet cost one
 *   query of 4 instances, not 110 queries.
 * - The table holds MAX_PEERS instances, at most MAX_PER_SOURCE from one address. When a newcomer
 *   finds it full, the unconfirmed instance heard from longest ago (from the newcomer's address when
 *   that address is at its limit) makes room ('down', reason 'evicted'); confirmed ones are kept.
 * - With `interface`, the mDNS group is joined and sent to only on that interface, only its addresses
 *   are announced, and packets from outside its subnets are dropped.
 */
import { EventEmitter } from 'node:events';
import { BlockList, isIP, isIPv4 } from 'node:net';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import type { Packet, SrvData, TxtData } from 'dns-packet';
import { PeerId } from '../../contract.js';
import { LanlineError } from '../errors.js';
import type { Log } from '../log.js';
import { lanAddresses } from './addresses.js';
import { MDNS_PORT, MdnsSocket, type MdnsSocketOptions, type MdnsTransport } from './mdns-socket.js';
import { TokenBucket } from './rate-limit.js';
import {
  LEGACY_TTL,
  RECORD_TTL,
  SERVICE_TYPE,
  announcement,
  answersFor,
  asksUnicast,
  buildRecords,
  instanceLabel,
  instanceOf,
  parseTxt,
  selectAddresses,
  type Answer,
  type DiscoveredPeer,
  type RecordSet,
  type SelfDescription,
} from './dns-sd.js';

export type { DiscoveredPeer, SelfDescription } from './dns-sd.js';
export type { MdnsTransport } from './mdns-socket.js';
const ANNOUNCE_GAP_MS = 1_000;
const GOODBYE_TIMEOUT_MS = 1_000;
/** At most this many peers are tracked; a flood of made-up instances cannot grow memory further. */
export const MAX_PEERS = 256;
/** At most this many instances from one address (a machine runs one Lanline, a few in tests). */
export const MAX_PER_SOURCE = 32;
/** Bare PTRs: instances asked about per packet, and the budget in all (burst, then per second). */
export const ASK_PER_PACKET = 4;
const ASK_BURST = 16;
const ASK_PER_SECOND = 4;
/** A known instance heard from another address is reported as a candidate at most this often. */
export const CANDIDATE_GAP_MS = 5_000;
const MAX_CANDIDATES = 64;
const INSTANCE_LABEL = /^[a-z2-7]{56}$/;

type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;
/** 'evicted': a full table made room for a newcomer (see the top of this file). */
export type DownReason = 'goodbye' | 'expired' | 'evicted';


export interface DiscoveryOptions {
  self: SelfDescription;
  log: Log;
  clock?: () => number;
  /** The mDNS port (5353; tests may run a private mDNS on another). */
  mdns?: Pick<MdnsSocketOptions, 'port'>;
  /** How often to ask who is there; at least 1000. Default 5000. */
  queryIntervalMs?: number;
  /** A peer not heard from for this long has left. Default 15000. */
  expireAfterMs?: number;
  /** Replaces the mDNS socket (unit tests). */
  transport?: MdnsTransport;
  /** Replaces os.networkInterfaces (unit tests). */
  networkInterfaces?: () => Interfaces;
  /**
   * Confines mDNS to this network interface (a name os.networkInterfaces() lists, e.g. `eth0`,
   * `lo`): see the top of this file. Every interface when absent.
   */
  interface?: string;
}

interface DiscoveryEvents {
  /** A peer seen for the first time, or whose name, version, port or addresses changed. */
  up: [peer: DiscoveredPeer];
  down: [id: string, reason: DownReason];
  /**
   * Records for a known peer came from another address than the one it announced from. Nothing
   * changed: dial `peer.addresses` only to try an authenticated handshake, and call confirm() when
   * it succeeds.
   */
  candidate: [peer: DiscoveredPeer];
}

interface Entry {
  peer: DiscoveredPeer;
  /** Its SRV target and the A/AAAA records last seen for it. */
  host: string | null;
  hostAddresses: string[];
  /** The address its announcements come from: only it may refresh the entry or say goodbye. */
  source: string;
  /** An authenticated handshake succeeded at its address (confirm()): a full table keeps it. */
  verified: boolean;
  lastSeen: number;
}

interface Candidate {
  peer: DiscoveredPeer;
  host: string | null;
  hostAddresses: string[];
  source: string;
  at: number;
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((item) => b.includes(item));

/** Who is on the LAN, keyed by instance label, with the time each was last heard from. */
export class PeerTable {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly expireAfterMs: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(instance: string): Entry | undefined {
    return this.entries.get(instance);
  }

  /**
   * Makes room for a new instance from `source`, if there is any to make: when the table or that
   * source's share is full, the unverified entry heard from longest ago (among that source's when
   * its share is the limit) is removed and returned. `full` when only verified entries are left.
   */
  admit(source: string, max: number, perSource: number): { evicted?: [string, Entry] } | 'full' {
    let pool: Array<[string, Entry]>;
    const fromSource = [...this.entries].filter(([, entry]) => entry.source === source);
    if (fromSource.length >= perSource) pool = fromSource;
    else if (this.entries.size >= max) pool = [...this.entries];
    else return {};
    let victim: [string, Entry] | null = null;
    for (const item of pool) if (!item[1].verified && (!victim || item[1].lastSeen < victim[1].lastSeen)) victim = item;
    if (!victim) return 'full';
    this.entries.delete(victim[0]);
    return { evicted: victim };
  }

  /** Records a sighting and says whether it is news: a new peer, or a changed one. */
  see(instance: string, sighting: Omit<Entry, 'lastSeen'>, now: number): 'new' | 'changed' | 'same' {
    const before = this.entries.get(instance);
    this.entries.set(instance, { ...sighting, lastSeen: now });
    if (!before) return 'new';
    const [a, b] = [before.peer, sighting.peer];
    const same = a.id === b.id && a.name === b.name && a.version === b.version && a.port === b.port && sameSet(a.addresses, b.addresses);
    return same ? 'same' : 'changed';
  }

  remove(instance: string): Entry | undefined {
    const entry = this.entries.get(instance);
    this.entries.delete(instance);
    return entry;
  }

  /** Removes and returns the peers not heard from for expireAfterMs. */
  expire(now: number): Entry[] {
    const gone: Entry[] = [];
    for (const [instance, entry] of this.entries) {
      if (now - entry.lastSeen >= this.expireAfterMs) {
        this.entries.delete(instance);
        gone.push(entry);
      }
    }
    return gone;
  }

  /** When the next peer expires unless it is heard from; null when nobody is known. */
  nextExpiry(): number | null {
    let next: number | null = null;
    for (const entry of this.entries.values()) {
      const at = entry.lastSeen + this.expireAfterMs;
      if (next === null || at < next) next = at;
    }
    return next;
  }

  peers(): DiscoveredPeer[] {
    return [...this.entries.values()].map((entry) => ({ ...entry.peer, addresses: [...entry.peer.addresses] }));
  }

  clear(): void {
    this.entries.clear();
  }
}

/** An address as a socket reports it, without an IPv4-mapped prefix or an IPv6 scope. */
function plainAddress(address: string): string {
  const bare = address.split('%')[0]!.toLowerCase();
  return bare.startsWith('::ffff:') && isIPv4(bare.slice(7)) ? bare.slice(7) : bare;
}

function inSubnets(address: string, entries: NetworkInterfaceInfo[]): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  const list = new BlockList();
  for (const entry of entries) {
    if (!entry.cidr || isIP(entry.address) !== family) continue;
    const [network, prefix] = entry.cidr.split('/');
    list.addSubnet(network!, Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
  }
  return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** For log lines: a name from the network, quoted and cut so it cannot forge lines. */
const shown = (text: string) => JSON.stringify(text.slice(0, 64));

export class Discovery extends EventEmitter<DiscoveryEvents> {
  private self: SelfDescription;
  private readonly log: Log;
  private readonly clock: () => number;
  private readonly queryIntervalMs: number;
  private readonly readInterfaces: () => Interfaces;
  private readonly table: PeerTable;
  private state: 'idle' | 'starting' | 'running' | 'stopped' = 'idle';
  private transport: MdnsTransport | null = null;
  private interfaces: Interfaces = {};
  private addresses: string[] = [];
  private records: RecordSet;
  private lastQuerySeen = Number.NEGATIVE_INFINITY;
  private tickTimer: NodeJS.Timeout | null = null;
  private announceTimer: NodeJS.Timeout | null = null;
  private expiryTimer: NodeJS.Timeout | null = null;
  /** When we last asked an instance for its SRV and TXT, so a stream of bare PTRs asks once a second. */
  private readonly asked = new Map<string, number>();
  private readonly askBudget: TokenBucket;
  /** Known instances heard from another address, waiting for confirm(); keyed by instance label. */
  private readonly candidates = new Map<string, Candidate>();
  /** The port mDNS runs on (5353; another in loopback tests): responses from other ports are not mDNS. */
  private readonly mdnsPort: number;
  private readonly warned = new Map<string, number>();
  private warnings = { since: Number.NEGATIVE_INFINITY, count: 0 };
  private notes = { since: Number.NEGATIVE_INFINITY, count: 0 };
  /** Ends start()'s wait for the socket when stop() comes first. */
  private cancelStart: (() => void) | null = null;

  constructor(private readonly options: DiscoveryOptions) {
    super();
    const { self } = options;
    if (!PeerId.safeParse(self.id).success) throw new LanlineError('invalid', 'Discovery needs the peer id of this instance (8 groups of 7 characters).');
    if (!Number.isInteger(self.port) || self.port < 1 || self.port > 65535) throw new LanlineError('invalid', 'Discovery needs the port the LAN signaling socket listens on (1-65535).');
    this.self = { ...self };
    this.log = options.log;
    this.clock = options.clock ?? Date.now;
    this.queryIntervalMs = Math.max(1_000, options.queryIntervalMs ?? 5_000);
    this.table = new PeerTable(options.expireAfterMs ?? 15_000);
    const read = options.networkInterfaces ?? networkInterfaces;
    const only = options.interface;
    this.readInterfaces = only === undefined ? read : () => ({ [only]: read()[only] ?? [] });
    this.askBudget = new TokenBucket({ capacity: ASK_BURST, refillPerSecond: ASK_PER_SECOND, clock: this.clock });
    this.mdnsPort = options.mdns?.port ?? MDNS_PORT;
    this.records = buildRecords(this.self, []);
  }

  /** Our DNS-SD instance name, `<peer id without dashes>._lanline._tcp.local`. */
  get instance(): string {
    return this.records.instance;
  }

  /** The peers seen and not yet gone. */
  peers(): DiscoveredPeer[] {
    return this.table.peers();
  }

  /**
   * Forgets a peer without a 'down' event, so that the next answer from it is news again ('up').
   * For when another path says it is gone (its signaling socket dropped): if it is in fact still
   * there, the next periodic query brings it back within queryIntervalMs.
   */
  forget(id: string): void {
    this.table.remove(instanceLabel(id));
  }

  /**
   * The hook for the signaling layer: call it when an authenticated handshake with `id` succeeded at
   * `address` (the connection's remote address). The peer's entry is marked verified (a full table
   * keeps it) and, when `address` is a candidate's (records for it came from there, 'candidate'),
   * the entry moves there: its addresses and port become the candidate's ('up'). Anything else is
   * ignored, so calling it for every authenticated connection is safe.
   */
  confirm(id: string, address: string): void {
    const label = instanceLabel(id);
    const entry = this.table.get(label);
    if (!entry || this.state !== 'running') return;
    const at = plainAddress(address);
    const candidate = this.candidates.get(label);
    if (candidate && (candidate.source === at || candidate.peer.addresses.some((other) => plainAddress(other) === at))) {
      this.candidates.delete(label);
      const { peer, host, hostAddresses, source } = candidate;
      this.table.see(label, { peer, host, hostAddresses, source, verified: true }, this.clock());
      this.log.info(`discovery: ${peer.id} confirmed at ${at}; now at ${peer.addresses.join(', ')} port ${peer.port}`);
      this.emit('up', { ...peer, addresses: [...peer.addresses] });
      return;
    }
    if (entry.source === at || entry.peer.addresses.some((other) => plainAddress(other) === at)) entry.verified = true;
  }

  /** How much the discovery state holds now: it must stay bounded whatever the network sends. */
  sizes(): { peers: number; candidates: number; asked: number; warned: number } {
    return { peers: this.table.size, candidates: this.candidates.size, asked: this.asked.size, warned: this.warned.size };
  }

  /** Opens the mDNS socket, announces this instance and starts browsing. Rejects with `io` when port 5353 cannot be used. */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new LanlineError('internal', 'Discovery starts once.');
    this.state = 'starting';
    this.interfaces = this.readInterfaces();
    this.addresses = this.ownAddresses();
    this.records = buildRecords(this.self, this.addresses);
    let confined: MdnsSocketOptions = {};
    if (this.options.interface !== undefined) {
      const v4 = this.interfaces[this.options.interface]?.find((entry) => entry.family === 'IPv4');
      if (!v4) {
        this.state = 'idle';
        throw new LanlineError('invalid', `The network interface ${JSON.stringify(this.options.interface)} does not exist or has no IPv4 address; mDNS cannot be confined to it.`);
      }
      confined = { interface: v4.address };
    }
    const transport = this.options.transport ?? new MdnsSocket({ ...confined, ...this.options.mdns });
    this.transport = transport;
    transport.on('query', (packet, rinfo) => this.guard(() => this.onQuery(packet, rinfo)));
    transport.on('response', (packet, rinfo) => this.guard(() => this.onResponse(packet, rinfo)));
    transport.on('warning', (error) => this.onWarning(error));
    try {
      await new Promise<void>((resolve, reject) => {
        const settle = (error?: Error) => {
          transport.off('ready', settle);
          transport.off('error', settle);
          this.cancelStart = null;
          if (error) reject(error);
          else resolve();
        };
        transport.once('ready', settle);
        transport.once('error', settle);
        this.cancelStart = settle;
      });
    } catch (error) {
      await this.stop();
      throw new LanlineError('io', `Lanline cannot look for others on this network: mDNS port ${this.options.mdns?.port ?? MDNS_PORT} is not usable (${(error as Error).message}). Add peers by address instead.`);
    }
    if (this.state !== 'starting') return; // stopped while the socket was opening
    this.state = 'running';
    transport.on('error', (error) => this.log.error('discovery: mDNS socket', error));
    this.log.info(`discovery: announcing ${this.records.instance} at ${this.addresses.join(', ') || 'no LAN address yet'}`);
    this.announce();
    this.query();
    this.scheduleTick();
  }

  /** A new display name: announced at once (twice, like the first announcement). */
  update({ name }: { name: string }): void {
    this.self = { ...this.self, name };
    this.records = buildRecords(this.self, this.addresses);
    if (this.state === 'running') this.announce();
  }

  /** Says goodbye (the records with TTL 0) and closes the socket. No events follow. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    const said = this.state === 'running';
    this.state = 'stopped';
    this.cancelStart?.();
    for (const timer of [this.tickTimer, this.announceTimer, this.expiryTimer]) if (timer) clearTimeout(timer);
    this.tickTimer = this.announceTimer = this.expiryTimer = null;
    this.table.clear();
    this.candidates.clear();
    const transport = this.transport;
    this.transport = null;
    if (!transport) return;
    await new Promise<void>((resolve) => {
      let closing = false;
      const close = () => {
        if (closing) return;
        closing = true;
        transport.destroy(() => resolve());
      };
      if (!said) return close();
      setTimeout(close, GOODBYE_TIMEOUT_MS).unref();
      transport.respond({ answers: announcement(this.records, 0) }, close);
    });
    if (said) this.log.info('discovery: said goodbye');
  }

  private onQuery(packet: Packet, rinfo: { address: string; port: number }): void {
    if (this.state !== 'running' || !this.onOurLink(rinfo.address)) return;
    const questions = packet.questions ?? [];
    const knownAnswers = (packet.answers ?? []).filter((record): record is Answer => record.type !== 'OPT');
    const legacy = rinfo.port !== this.mdnsPort;
    const browses = questions.some((q) => q.name.toLowerCase() === SERVICE_TYPE && ['PTR', 'ANY'].includes(q.type) && !asksUnicast(q));
    // Only a query every instance answers by multicast refreshes everyone (see the top of this file).
    if (browses && !legacy && knownAnswers.length === 0) this.lastQuerySeen = this.clock();
    const { answers, additionals } = answersFor(questions, this.records, knownAnswers);
    if (answers.length === 0) return;
    if (!legacy) return this.send({ answers, additionals });
    const cap = (record: Answer): Answer => ({ ...record, ttl: Math.min(record.ttl ?? RECORD_TTL, LEGACY_TTL), flush: false });
    this.transport?.respond(
      {
        id: packet.id,
        questions: questions.map((q) => ({ name: q.name, type: q.type, class: 'IN' })),
        answers: answers.map(cap),
        additionals: additionals.map(cap),
      },
      { address: rinfo.address, port: rinfo.port },
    );
  }

  private onResponse(packet: Packet, rinfo: { address: string; port: number }): void {
    // RFC 6762 §6: mDNS responses come from port 5353; anything else is a unicast DNS reply or forged.
    if (this.state !== 'running' || rinfo.port !== this.mdnsPort || !this.onOurLink(rinfo.address)) return;
    const now = this.clock();
    const seen = new Set<string>();
    const goodbyes = new Set<string>();
    const txts = new Map<string, TxtData>();
    const srvs = new Map<string, SrvData>();
    const hosts = new Map<string, string[]>();
    for (const record of [...(packet.answers ?? []), ...(packet.additionals ?? [])]) {
      if (record.type === 'PTR' && record.name.toLowerCase() === SERVICE_TYPE) {
        const label = instanceOf(String(record.data));
        if (label !== null) (record.ttl === 0 ? goodbyes : seen).add(label);
      } else if ((record.type === 'TXT' || record.type === 'SRV') && record.ttl !== 0) {
        const label = instanceOf(record.name);
        if (label === null) continue;
        seen.add(label);
        if (record.type === 'TXT' && !txts.has(label)) txts.set(label, record.data);
        if (record.type === 'SRV' && !srvs.has(label)) srvs.set(label, record.data);
      } else if ((record.type === 'A' || record.type === 'AAAA') && record.ttl !== 0) {
        const host = record.name.toLowerCase();
        hosts.set(host, [...(hosts.get(host) ?? []), String(record.data)]);
      }
    }
    const own = instanceLabel(this.self.id);
    const source = plainAddress(rinfo.address);
    for (const label of goodbyes) {
      if (label === own) continue;
      seen.delete(label);
      const entry = this.table.get(label);
      if (!entry) continue;
      if (entry.source !== source) {
        this.warnOnce(`${label} goodbye`, `ignored a goodbye for ${entry.peer.id} from ${source}: it announced itself from ${entry.source}`);
        continue;
      }
      this.leave(label, entry, 'goodbye');
      this.log.info(`discovery: ${entry.peer.id} said goodbye`);
    }
    const unresolved: string[] = [];
    for (const label of seen) {
      if (label === own) continue;
      if (!INSTANCE_LABEL.test(label)) {
        this.warnOnce(label, `ignored the instance ${shown(label)}: its name is not derived from a peer id`);
        continue;
      }
      if (!this.sighted(label, txts.get(label), srvs.get(label), hosts, source, now)) unresolved.push(label);
    }
    this.resolve(unresolved, now);
    this.scheduleExpiry();
  }

  /** Takes one instance's records from a packet; false when we know too little of it and must ask. */
  private sighted(label: string, txt: TxtData | undefined, srv: SrvData | undefined, hosts: Map<string, string[]>, source: string, now: number): boolean {
    const known = this.table.get(label);
    const elsewhere = known !== undefined && known.source !== source;
    let about = known && { id: known.peer.id, name: known.peer.name, version: known.peer.version, port: known.peer.port };
    if (txt !== undefined) {
      const parsed = parseTxt(txt);
      if (!parsed.ok) {
        this.warnOnce(`${label} ${parsed.reason}`, `ignored the instance ${shown(label)} at ${source}: ${parsed.reason}`);
        return true;
      }
      if (instanceLabel(parsed.value.id) !== label) {
        this.warnOnce(`${label} id`, `ignored the instance ${shown(label)} at ${source}: its TXT id belongs to another instance`);
        return true;
      }
      about = parsed.value;
    }
    if (!about || (elsewhere && (txt === undefined || srv === undefined))) return elsewhere; // a candidate must bring its own TXT and SRV
    const host = srv ? srv.target.toLowerCase() : (known?.host ?? null);
    const hostAddresses = (host !== null && hosts.get(host)) || (elsewhere ? [] : known?.hostAddresses) || [];
    const peer: DiscoveredPeer = { ...about, addresses: selectAddresses(source, hostAddresses, this.interfaces, { loopback: this.confinedToLoopback() }) };
    if (elsewhere) {
      this.candidate(label, { peer, host, hostAddresses, source, at: now });
      return true;
    }
    if (!known) {
      const room = this.table.admit(source, MAX_PEERS, MAX_PER_SOURCE);
      if (room === 'full') {
        this.warnOnce('full', `ignored new instances: already tracking ${MAX_PEERS}, all confirmed`);
        return true;
      }
      if (room.evicted) {
        const [evictedLabel, evicted] = room.evicted;
        this.warnOnce('evicted', `made room for new instances by dropping unconfirmed ones not heard from for longest (table of ${MAX_PEERS}, ${MAX_PER_SOURCE} per address)`);
        this.leave(evictedLabel, evicted, 'evicted');
      }
    }
    const news = this.table.see(label, { peer, host, hostAddresses, source, verified: known?.verified ?? false }, now);
    if (news === 'same') return true;
    this.note(`discovery: ${news === 'new' ? 'found' : 'updated'} ${peer.id} ${shown(peer.name)} at ${peer.addresses.join(', ')} port ${peer.port}`);
    this.emit('up', { ...peer, addresses: [...peer.addresses] });
    return true;
  }

  /** A known instance announced from another address: kept aside until confirm(), reported now and then. */
  private candidate(label: string, candidate: Candidate): void {
    const before = this.candidates.get(label);
    this.candidates.delete(label);
    if (this.candidates.size >= MAX_CANDIDATES) this.candidates.delete(this.candidates.keys().next().value!);
    // The newest is kept; one report per CANDIDATE_GAP_MS, whichever address it came from.
    const quiet = before && candidate.at - before.at < CANDIDATE_GAP_MS;
    this.candidates.set(label, quiet ? { ...candidate, at: before.at } : candidate);
    if (quiet) return;
    this.note(`discovery: ${candidate.peer.id} was announced from ${candidate.source} too; it stays at ${this.table.get(label)?.source} until a handshake there is confirmed`);
    this.emit('candidate', { ...candidate.peer, addresses: [...candidate.peer.addresses] });
  }

  private leave(label: string, entry: Entry, reason: DownReason): void {
    this.table.remove(label);
    this.asked.delete(label);
    this.candidates.delete(label);
    this.emit('down', entry.peer.id, reason);
  }

  /**
   * Asks the instances we only saw a PTR for to tell us their SRV and TXT: one query for the packet,
   * at most ASK_PER_PACKET instances, each at most once a second, within the overall budget.
   */
  private resolve(labels: string[], now: number): void {
    const questions: Array<{ name: string; type: 'SRV' | 'TXT' }> = [];
    for (const label of labels) {
      if (questions.length >= 2 * ASK_PER_PACKET) break;
      const last = this.asked.get(label);
      if (last !== undefined && now - last < 1_000) continue;
      if (!this.askBudget.take()) break;
      if (this.asked.size >= 4 * MAX_PEERS) this.asked.clear();
      this.asked.set(label, now);
      const name = `${label}.${SERVICE_TYPE}`;
      questions.push({ name, type: 'SRV' }, { name, type: 'TXT' });
    }
    if (questions.length > 0) this.transport?.query(questions);
  }

  /** Our addresses to announce: the LAN ones, or with `interface` set to `lo`, its loopback ones. */
  private ownAddresses(): string[] {
    if (!this.confinedToLoopback()) return lanAddresses(this.interfaces);
    return (this.interfaces[this.options.interface!] ?? []).filter((entry) => entry.family === 'IPv4').map((entry) => entry.address);
  }

  private confinedToLoopback(): boolean {
    const only = this.options.interface;
    return only !== undefined && (this.interfaces[only] ?? []).some((entry) => entry.internal);
  }

  /** With `interface`, true only for an address in one of its subnets; always true without. */
  private onOurLink(address: string): boolean {
    const only = this.options.interface;
    if (only === undefined) return true;
    return inSubnets(plainAddress(address), this.interfaces[only] ?? []);
  }

  private tick(): void {
    this.tickTimer = null;
    if (this.state !== 'running') return;
    this.interfaces = this.readInterfaces();
    const addresses = this.ownAddresses();
    if (!sameSet(addresses, this.addresses)) {
      const gone = this.addresses.filter((address) => !addresses.includes(address));
      this.log.info(`discovery: this machine's addresses are now ${addresses.join(', ') || 'none'}; announcing again`);
      if (gone.length > 0) this.send({ answers: buildRecords(this.self, gone).addresses.map((record) => ({ ...record, ttl: 0 })) });
      this.addresses = addresses;
      this.records = buildRecords(this.self, addresses);
      this.transport?.update?.(); // join the mDNS group on new interfaces now rather than within 5 s
      this.announce();
    }
    if (this.clock() - this.lastQuerySeen >= this.queryIntervalMs / 2) this.query();
    this.scheduleTick();
  }

  private scheduleTick(): void {
    // ±10 % so that instances started together do not keep asking in step.
    const delay = Math.max(1_000, this.queryIntervalMs * (0.9 + Math.random() * 0.2));
    this.tickTimer = setTimeout(() => this.guard(() => this.tick()), delay);
    this.tickTimer.unref();
  }

  private query(): void {
    this.lastQuerySeen = this.clock();
    this.transport?.query([{ name: SERVICE_TYPE, type: 'PTR' }], (error) => error && this.warnOnce('send', `sending a query failed: ${error.message}`));
  }

  private announce(): void {
    this.send({ answers: announcement(this.records) });
    if (this.announceTimer) clearTimeout(this.announceTimer);
    this.announceTimer = setTimeout(() => {
      this.announceTimer = null;
      if (this.state === 'running') this.send({ answers: announcement(this.records) });
    }, ANNOUNCE_GAP_MS);
    this.announceTimer.unref();
  }

  private send(packet: Packet & { answers: Answer[] }): void {
    this.transport?.respond(packet, (error) => error && this.warnOnce('send', `sending an answer failed: ${error.message}`));
  }

  private scheduleExpiry(): void {
    if (this.expiryTimer || this.state !== 'running') return;
    const next = this.table.nextExpiry();
    if (next === null) return;
    // Refreshes only move deadlines later, so one timer for the earliest deadline is enough: when it
    // fires for a peer that was heard from since, it just waits for the next deadline.
    this.expiryTimer = setTimeout(
      () =>
        this.guard(() => {
          this.expiryTimer = null;
          for (const entry of this.table.expire(this.clock())) {
            this.asked.delete(instanceLabel(entry.peer.id));
            this.candidates.delete(instanceLabel(entry.peer.id));
            this.log.info(`discovery: ${entry.peer.id} expired (not heard from for ${this.options.expireAfterMs ?? 15_000} ms)`);
            this.emit('down', entry.peer.id, 'expired');
          }
          this.scheduleExpiry();
        }),
      Math.max(0, next - this.clock()),
    );
    this.expiryTimer.unref();
  }

  /** The socket warns of two things: a socket error, and a malformed packet (decodeMdns' error, dropped). */
  private onWarning(error: Error): void {
    if (error instanceof LanlineError) return this.warnOnce('malformed', error.message);
    this.warnOnce(`socket ${error.message}`, `mDNS socket: ${error.message}`);
  }

  /** Packets come from anyone: nothing in their handling may throw into the socket's event loop. */
  private guard(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.log.error('discovery: handling an mDNS packet failed', error);
    }
  }

  /** News (found, updated, candidate) at most 30 lines a minute: made-up instances cannot flood the log. */
  private note(message: string): void {
    const now = this.clock();
    if (now - this.notes.since >= 60_000) this.notes = { since: now, count: 0 };
    this.notes.count += 1;
    if (this.notes.count <= 30) this.log.info(`${message}${this.notes.count === 30 ? ' (no more discovery news this minute)' : ''}`);
  }

  /**
   * A warning per key at most once a minute, and at most 20 a minute in all, so that a flood of bad
   * packets (even each with a new name) cannot flood the log.
   */
  private warnOnce(key: string, message: string): void {
    const now = this.clock();
    const last = this.warned.get(key);
    if (last !== undefined && now - last < 60_000) return;
    if (now - this.warnings.since >= 60_000) this.warnings = { since: now, count: 0 };
    this.warnings.count += 1;
    if (this.warnings.count > 20) return;
    if (this.warned.size >= 256) this.warned.clear();
    this.warned.set(key, now);
    this.log.warn(`discovery: ${message}${this.warnings.count === 20 ? ' (no more discovery warnings this minute)' : ''}`);
  }
}
