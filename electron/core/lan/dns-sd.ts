/**
 * The DNS-SD side of discovery as pure functions: the records Lanline publishes, which of them answer
 * a question, what a peer's TXT record says (validated: it comes from anyone on the LAN), and which
 * of a peer's addresses are worth offering. No sockets or timers here; `discovery.ts` drives them.
 * The wire format is described at the top of `discovery.ts`.
 */
import { BlockList, isIP, isIPv4 } from 'node:net';
import type { NetworkInterfaceInfo } from 'node:os';
import dnsPacket from 'dns-packet';
import type { Answer as AnyAnswer, DecodedPacket, OptAnswer, Question, TxtData } from 'dns-packet';
import { PeerId } from '../../contract.js';
import { LanlineError } from '../errors.js';

export const SERVICE_TYPE = '_lanline._tcp.local';
/** RFC 6763 §9: answering this lets generic browsers (`avahi-browse -a`, mdns-scan) list the type. */
export const SERVICE_ENUMERATION = '_services._dns-sd._udp.local';
/**
 * Every record we publish lives 120 s in other caches. Our own peers decide liveness by querying
 * every few seconds (see discovery.ts), so this only bounds how long a third-party browser keeps
 * showing an instance that crashed; RFC 6762's 75 minutes for PTR/TXT would be far too long.
 */
export const RECORD_TTL = 120;
/** RFC 6762 §6.7: answers to legacy (non-5353) queriers carry at most this TTL. */
export const LEGACY_TTL = 10;
export const NAME_MAX_LENGTH = 64;

/** A resource record (every answer type but the OPT pseudo-record, which mDNS does not use). */
export type Answer = Exclude<AnyAnswer, OptAnswer>;

/** The question's type as a string: ANY (255) arrives as 'ANY', which @types/dns-packet does not list. */
const typeOf = (question: Question): string => question.type;

export interface SelfDescription {
  /** Peer id, `ABCDEFG-HIJKLMN-…` (8 groups of 7). */
  id: string;
  /** Display name, at most 64 characters (as in settings). */
  name: string;
  /** LAN signaling port. */
  port: number;
  /** Protocol version, `major.minor`. */
  version: string;
}

export interface DiscoveredPeer {
  id: string;
  name: string;
  version: string;
  port: number;
  /** The address the announcement came from first, then its A/AAAA records; no foreign link-local. */
  addresses: string[];
}

/** RFC 6762 §17: an mDNS message is at most 9000 bytes. */
export const MAX_PACKET_BYTES = 9_000;
/** The smallest question (the root name, type, class) and record (adds TTL and data length). */
const MIN_QUESTION_BYTES = 5;
const MIN_RECORD_BYTES = 11;

/**
 * Decodes one mDNS datagram, or throws LanlineError `invalid` saying what is wrong with it. Its
 * header's record counts are checked against its length before dns-packet sees it: dns-packet
 * believes them, and a 371-byte packet claiming 65 535 records (one record's decoder leaves its
 * length unset, so the rest decode from offset 0 again) cost 200-300 ms of CPU each.
 */
export function decodeMdns(bytes: Buffer): DecodedPacket {
  const malformed = (reason: string) => new LanlineError('invalid', `Ignored a malformed mDNS packet: ${reason}.`);
  if (bytes.length < 12) throw malformed(`${bytes.length} bytes is shorter than a DNS header`);
  if (bytes.length > MAX_PACKET_BYTES) throw malformed(`${bytes.length} bytes is more than mDNS allows (${MAX_PACKET_BYTES})`);
  if ((bytes.readUInt16BE(2) >> 11) & 0xf) throw malformed('its opcode is not QUERY (RFC 6762 §18.3)');
  const questions = bytes.readUInt16BE(4);
  const records = bytes.readUInt16BE(6) + bytes.readUInt16BE(8) + bytes.readUInt16BE(10);
  if (questions * MIN_QUESTION_BYTES + records * MIN_RECORD_BYTES > bytes.length - 12) {
    throw malformed(`its header counts ${questions} questions and ${records} records, more than its ${bytes.length} bytes can hold`);
  }
  let packet: DecodedPacket;
  try {
    packet = dnsPacket.decode(bytes);
  } catch (error) {
    throw malformed(String((error as Error)?.message ?? error).slice(0, 100));
  }
  const used = dnsPacket.decode.bytes;
  if (!Number.isInteger(used) || used > bytes.length) throw malformed('its records run past its end');
  return packet;
}

/** The DNS-SD instance label: the peer id without dashes, lower-case (56 characters, one label). */
export function instanceLabel(peerId: string): string {
  return peerId.replaceAll('-', '').toLowerCase();
}

export function instanceName(peerId: string): string {
  return `${instanceLabel(peerId)}.${SERVICE_TYPE}`;
}

/**
 * The SRV target. Never the machine's host name: network namespaces (and cloned VMs) share it, and
 * two installs answering for one host name would hand out each other's addresses.
 */
export function hostName(peerId: string): string {
  return `lanline-${instanceLabel(peerId).slice(0, 12)}.local`;
}

/** The instance label of `<label>._lanline._tcp.local`, or null for any other name. */
export function instanceOf(recordName: string): string | null {
  const name = recordName.toLowerCase();
  const suffix = `.${SERVICE_TYPE}`;
  if (!name.endsWith(suffix)) return null;
  return name.slice(0, -suffix.length);
}

// Control characters and the bidirectional overrides/isolates that can make a name display as another.
const UNSAFE_NAME = /[\p{Cc}\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/** What we put in our own TXT `name`: the same rules a receiver applies, so peers never drop us. */
export function publishableName(name: string): string {
  const clean = name.replace(new RegExp(UNSAFE_NAME.source, 'gu'), '').trim().slice(0, NAME_MAX_LENGTH).trim();
  return clean || 'Lanline';
}

export function encodeTxt(self: SelfDescription): Buffer[] {
  // One key per string, `key=value` in UTF-8 (RFC 6763 §6.3). 64 UTF-16 units are at most 192 bytes
  // of UTF-8, under the 255-byte limit of one string.
  return [`id=${self.id}`, `name=${publishableName(self.name)}`, `v=${self.version}`, `port=${self.port}`].map((entry) => Buffer.from(entry, 'utf8'));
}

export type TxtResult = { ok: true; value: Omit<DiscoveredPeer, 'addresses'> } | { ok: false; reason: string };

const VERSION = /^\d{1,4}(?:\.\d{1,4}){0,3}$/;
const PORT = /^[1-9]\d{0,4}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads `id`, `name`, `v` and `port` from a TXT record. Keys are case-insensitive and only the first
 * occurrence of a key counts (RFC 6763 §6.4); unknown keys are ignored so later versions can add some.
 */
export function parseTxt(data: TxtData): TxtResult {
  const strings = (Array.isArray(data) ? data : [data]).map((entry) => (typeof entry === 'string' ? Buffer.from(entry, 'utf8') : entry));
  const values = new Map<string, string>();
  for (const entry of strings) {
    const equals = entry.indexOf(0x3d);
    if (equals <= 0) continue; // a boolean attribute or an empty key: nothing we use
    const key = entry.subarray(0, equals).toString('latin1').toLowerCase();
    if (values.has(key) || !['id', 'name', 'v', 'port'].includes(key)) continue;
    try {
      values.set(key, utf8.decode(entry.subarray(equals + 1)));
    } catch {
      return { ok: false, reason: `TXT ${key} is not UTF-8` };
    }
  }
  const id = values.get('id');
  const name = values.get('name');
  const version = values.get('v');
  const port = values.get('port');
  if (id === undefined || name === undefined || version === undefined || port === undefined) {
    const missing = ['id', 'name', 'v', 'port'].filter((key) => !values.has(key));
    return { ok: false, reason: `TXT lacks ${missing.join(', ')}` };
  }
  if (!PeerId.safeParse(id).success) return { ok: false, reason: 'TXT id is not a peer id' };
  if (name.trim() === '' || name.length > NAME_MAX_LENGTH) return { ok: false, reason: `TXT name must be 1-${NAME_MAX_LENGTH} characters` };
  if (UNSAFE_NAME.test(name)) return { ok: false, reason: 'TXT name holds control or direction-override characters' };
  if (!VERSION.test(version)) return { ok: false, reason: 'TXT v is not a version number' };
  if (!PORT.test(port) || Number(port) > 65535) return { ok: false, reason: 'TXT port is not 1-65535' };
  return { ok: true, value: { id, name, version, port: Number(port) } };
}

/** The records one instance publishes, built once per change of name or addresses. */
export interface RecordSet {
  instance: string;
  host: string;
  ptr: Answer;
  srv: Answer;
  txt: Answer;
  addresses: Answer[];
  enumeration: Answer;
}

export function buildRecords(self: SelfDescription, addresses: string[], ttl = RECORD_TTL): RecordSet {
  const instance = instanceName(self.id);
  const host = hostName(self.id);
  // flush (cache-flush bit) marks the records only this instance owns: a new value replaces the old one.
  return {
    instance,
    host,
    ptr: { name: SERVICE_TYPE, type: 'PTR', ttl, data: instance },
    srv: { name: instance, type: 'SRV', ttl, flush: true, data: { target: host, port: self.port, priority: 0, weight: 0 } },
    txt: { name: instance, type: 'TXT', ttl, flush: true, data: encodeTxt(self) },
    addresses: addresses.map((address) => ({ name: host, type: isIPv4(address) ? 'A' : 'AAAA', ttl, flush: true, data: address }) as Answer),
    enumeration: { name: SERVICE_ENUMERATION, type: 'PTR', ttl, data: SERVICE_TYPE },
  };
}

/** An unsolicited announcement, and (with ttl 0) the goodbye. */
export function announcement(records: RecordSet, ttl?: number): Answer[] {
  const all = [records.ptr, records.srv, records.txt, ...records.addresses];
  return ttl === undefined ? all : all.map((record) => ({ ...record, ttl }));
}

/**
 * The question's class: IN or ANY, with or without the unicast-response bit. dns-packet does not
 * strip that bit from questions, so `IN` with it set arrives as `UNKNOWN_32769`.
 */
function askedInternet(question: Question): boolean {
  const klass = question.class ?? 'IN';
  if (klass === 'IN' || klass === 'ANY') return true;
  const raw = /^UNKNOWN_(\d+)$/.exec(klass);
  return raw !== null && [1, 255].includes(Number(raw[1]) & 0x7fff);
}

/** True when the unicast-response ("QU") bit is set. */
export function asksUnicast(question: Question): boolean {
  const raw = /^UNKNOWN_(\d+)$/.exec(question.class ?? '');
  return raw !== null && (Number(raw[1]) & 0x8000) !== 0;
}

/** Same name, type and data; names compare case-insensitively, TXT strings byte for byte. */
function sameRecord(a: Answer, b: Answer): boolean {
  if (a.type !== b.type || a.name.toLowerCase() !== b.name.toLowerCase()) return false;
  const data = (record: Answer): string => {
    if (record.type === 'TXT') return (Array.isArray(record.data) ? record.data : [record.data]).map((entry) => Buffer.from(entry).toString('hex')).join(' ');
    if (record.type === 'SRV') return `${record.data.port} ${record.data.target.toLowerCase()}`;
    return String(record.data).toLowerCase();
  };
  return data(a) === data(b);
}

/**
 * What to answer to a query: the records its questions ask for, and (RFC 6763 §12) the ones a
 * browser needs next as additionals. Answers the querier already listed with at least half their TTL
 * left are left out (known-answer suppression, RFC 6762 §7.1). Empty answers mean stay silent.
 */
export function answersFor(questions: Question[], records: RecordSet, knownAnswers: Answer[] = []): { answers: Answer[]; additionals: Answer[] } {
  const answers: Answer[] = [];
  const additionals: Answer[] = [];
  const asks = (question: Question, ...types: string[]) => typeOf(question) === 'ANY' || types.includes(question.type);
  for (const question of questions) {
    if (!askedInternet(question)) continue;
    const name = question.name.toLowerCase();
    if (name === SERVICE_ENUMERATION && asks(question, 'PTR')) answers.push(records.enumeration);
    if (name === SERVICE_TYPE && asks(question, 'PTR')) {
      answers.push(records.ptr);
      additionals.push(records.srv, records.txt, ...records.addresses);
    }
    if (name === records.instance) {
      if (asks(question, 'SRV')) {
        answers.push(records.srv);
        additionals.push(...records.addresses);
      }
      if (asks(question, 'TXT')) answers.push(records.txt);
    }
    if (name === records.host) {
      answers.push(...records.addresses.filter((record) => asks(question, record.type)));
    }
  }
  const known = (record: Answer) => knownAnswers.some((other) => sameRecord(record, other) && (other.ttl ?? 0) >= (record.ttl ?? RECORD_TTL) / 2);
  const unique = (list: Answer[]) => list.filter((record, index) => list.indexOf(record) === index);
  const finalAnswers = unique(answers).filter((record) => !known(record));
  if (finalAnswers.length === 0) return { answers: [], additionals: [] };
  return { answers: finalAnswers, additionals: unique(additionals).filter((record) => !answers.includes(record) && !known(record)) };
}

const LINK_LOCAL_V6 = /^fe[89ab][0-9a-f]?:/i;
const unusable = new BlockList();
unusable.addSubnet('0.0.0.0', 8, 'ipv4');
unusable.addSubnet('127.0.0.0', 8, 'ipv4');
unusable.addSubnet('224.0.0.0', 3, 'ipv4'); // multicast and reserved, up to 255.255.255.255
unusable.addAddress('::', 'ipv6');
unusable.addAddress('::1', 'ipv6');
unusable.addSubnet('ff00::', 8, 'ipv6');

type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;

/** The local interface whose subnet holds `address`: the link an mDNS packet from it arrived on. */
export function interfaceFor(address: string, interfaces: Interfaces): string | null {
  const family = isIP(address);
  if (family === 0) return null;
  for (const [name, entries] of Object.entries(interfaces)) {
    for (const entry of entries ?? []) {
      if (entry.internal || !entry.cidr || isIP(entry.address) !== family) continue;
      const [network, prefix] = entry.cidr.split('/');
      const subnet = new BlockList();
      subnet.addSubnet(network!, Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
      if (subnet.check(address, family === 4 ? 'ipv4' : 'ipv6')) return name;
    }
  }
  return null;
}

/**
 * The addresses to offer for a peer, best first: where its packet came from (mDNS never crosses a
 * router, so that address is on our link), then its A, then its AAAA records. Loopback, multicast and
 * unspecified addresses are dropped. An IPv6 link-local address is only usable with the scope of the
 * link it lives on, so it is offered (as `fe80::…%<interface>`) only when no routable address exists
 * and we know the interface the packet arrived on. `loopback` keeps loopback addresses, for discovery
 * confined to `lo` (tests on one machine).
 */
export function selectAddresses(source: string, records: string[], interfaces: Interfaces, options: { loopback?: boolean } = {}): string[] {
  const [sourceAddress, sourceScope] = source.split('%') as [string, string | undefined];
  const link = sourceScope ?? interfaceFor(sourceAddress, interfaces);
  const routable: string[] = [];
  const linkLocal: string[] = [];
  const candidates = [sourceAddress, ...records.filter(isIPv4), ...records.filter((address) => !isIPv4(address))];
  for (const raw of candidates) {
    const address = raw.split('%')[0]!.toLowerCase();
    const family = isIP(address);
    if (family === 0) continue;
    const loopback = address === '::1' || (family === 4 && address.startsWith('127.'));
    if (unusable.check(address, family === 4 ? 'ipv4' : 'ipv6') && !(loopback && options.loopback)) continue;
    (family === 6 && LINK_LOCAL_V6.test(address) ? linkLocal : routable).push(address);
  }
  const unique = (list: string[]) => [...new Set(list)];
  if (routable.length > 0) return unique(routable);
  return link ? unique(linkLocal).map((address) => `${address}%${link}`) : [];
}
