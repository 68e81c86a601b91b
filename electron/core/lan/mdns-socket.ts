/**
 * The mDNS socket Discovery talks through: one UDP socket on port 5353, in the group 224.0.0.251 on
 * every interface (or on one), sending to the group or to a legacy querier. Every datagram is
 * checked and decoded by `decodeMdns` (dns-sd.ts) before anything reads it; one that fails becomes a
 * 'warning' carrying that error and goes no further.
 *
 * Events: 'ready' (bound), 'error' (binding failed: the port is taken or not allowed), 'warning'
 * (a socket error after binding, or a malformed packet), 'query' and 'response' (packet, rinfo).
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { networkInterfaces } from 'node:os';
import dnsPacket from 'dns-packet';
import type { DecodedPacket, Packet, Question } from 'dns-packet';
import { decodeMdns } from './dns-sd.js';

export const MDNS_GROUP = '224.0.0.251';
export const MDNS_PORT = 5353;

type Done = (error: Error | null) => void;
type Destination = { address: string; port: number };

interface MdnsSocketEvents {
  ready: [];
  error: [error: Error];
  warning: [error: Error];
  query: [packet: DecodedPacket, rinfo: RemoteInfo];
  response: [packet: DecodedPacket, rinfo: RemoteInfo];
}

/** What Discovery needs of the socket; unit tests pass a stand-in with the same shape. */
export interface MdnsTransport {
  on<E extends keyof MdnsSocketEvents>(event: E, listener: (...args: MdnsSocketEvents[E]) => void): unknown;
  once<E extends keyof MdnsSocketEvents>(event: E, listener: (...args: MdnsSocketEvents[E]) => void): unknown;
  off<E extends keyof MdnsSocketEvents>(event: E, listener: (...args: MdnsSocketEvents[E]) => void): unknown;
  /** Asks by multicast. */
  query(questions: Question[], done?: Done): void;
  /** Answers by multicast, or by unicast to a legacy querier. */
  respond(packet: Packet, to?: Destination | Done, done?: Done): void;
  destroy(done?: () => void): void;
  /** Joins the group on interfaces that appeared since. */
  update?(): void;
}

export interface MdnsSocketOptions {
  /** The IPv4 address of the one interface to use; every interface's when absent. */
  interface?: string;
  /** 5353 unless a test runs a private mDNS on another port. */
  port?: number;
}

/** Hands one datagram to `target` as the socket does: a decoded 'query' or 'response', or a 'warning'. Returns which. */
export function receiveDatagram(target: EventEmitter<MdnsSocketEvents>, bytes: Buffer, rinfo: RemoteInfo): 'query' | 'response' | 'warning' {
  let packet: DecodedPacket;
  try {
    packet = decodeMdns(bytes);
  } catch (error) {
    target.emit('warning', error as Error);
    return 'warning';
  }
  // The QR bit decides, so the type is always one of the two.
  const type = packet.type === 'query' ? 'query' : 'response';
  target.emit(type, packet, rinfo);
  return type;
}

/** The first IPv4 address of each interface: one group membership per interface. */
function everyInterface(): string[] {
  const found: string[] = [];
  for (const entries of Object.values(networkInterfaces())) {
    const v4 = entries?.find((entry) => entry.family === 'IPv4');
    if (v4) found.push(v4.address);
  }
  return found;
}

const hasLan = () => Object.values(networkInterfaces()).some((entries) => entries?.some((entry) => entry.family === 'IPv4' && !entry.internal));

export class MdnsSocket extends EventEmitter<MdnsSocketEvents> implements MdnsTransport {
  private readonly socket: Socket;
  private readonly port: number;
  private readonly joined = new Set<string>();
  private bound = false;
  private destroyed = false;

  constructor(private readonly options: MdnsSocketOptions = {}) {
    super();
    this.port = options.port ?? MDNS_PORT;
    this.socket = createSocket({ type: 'udp4', reuseAddr: true });
    this.socket.on('message', (bytes, rinfo) => receiveDatagram(this, bytes, rinfo));
    this.socket.on('error', (error) => this.emit(this.bound ? 'warning' : 'error', error));
    // The wildcard address: a socket bound to one interface's address receives no multicast.
    this.socket.bind(this.port, '0.0.0.0', () => {
      if (this.destroyed) return;
      this.bound = true;
      this.socket.setMulticastTTL(255);
      this.socket.setMulticastLoopback(true);
      this.update();
      this.emit('ready');
    });
  }

  update(): void {
    if (!this.bound || this.destroyed) return;
    const wanted = this.options.interface ? [this.options.interface] : everyInterface();
    let changed = false;
    for (const address of wanted) {
      if (this.joined.has(address)) continue;
      try {
        this.socket.addMembership(MDNS_GROUP, address);
        this.joined.add(address);
        changed = true;
      } catch (error) {
        this.emit('warning', error as Error);
      }
    }
    if (!changed) return;
    try {
      // Without a choice, the kernel's route for the group decides; a machine with only loopback has none.
      this.socket.setMulticastInterface(this.options.interface ?? (hasLan() ? '0.0.0.0' : '127.0.0.1'));
    } catch (error) {
      this.emit('warning', error as Error);
    }
  }

  query(questions: Question[], done?: Done): void {
    this.send({ type: 'query', questions }, { address: MDNS_GROUP, port: this.port }, done);
  }

  respond(packet: Packet, to?: Destination | Done, done?: Done): void {
    const destination = typeof to === 'object' ? to : { address: MDNS_GROUP, port: this.port };
    const callback = typeof to === 'function' ? to : done;
    this.send({ ...packet, type: 'response', flags: (packet.flags ?? 0) | dnsPacket.AUTHORITATIVE_ANSWER }, destination, callback);
  }

  destroy(done?: () => void): void {
    if (this.destroyed) return void process.nextTick(() => done?.());
    this.destroyed = true;
    for (const address of this.joined) {
      try {
        this.socket.dropMembership(MDNS_GROUP, address);
      } catch {
        // the interface went away; closing drops it anyway
      }
    }
    this.joined.clear();
    try {
      this.socket.close(() => done?.());
    } catch {
      // never bound (the port was refused): nothing to close
      process.nextTick(() => done?.());
    }
  }

  private send(packet: Packet, to: Destination, done?: Done): void {
    if (this.destroyed || !this.bound) return void done?.(null);
    let bytes: Buffer;
    try {
      bytes = dnsPacket.encode(packet);
    } catch (error) {
      return void done?.(error as Error);
    }
    this.socket.send(bytes, to.port, to.address, (error) => done?.(error ?? null));
  }
}
