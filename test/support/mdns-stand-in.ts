/**
 * A stand-in for the mDNS socket (electron/core/lan/mdns-socket.ts), at the edge of the discovery
 * unit tests: what Discovery sends is recorded (encoded and decoded again, as a receiver would see
 * it); what it receives goes through the socket's own `receiveDatagram`: bytes that do not pass
 * `decodeMdns` become a 'warning', the rest a 'query' or 'response' with the sender's address. Real
 * sockets are used by test/lan (network namespaces).
 */
import { EventEmitter } from 'node:events';
import dnsPacket from 'dns-packet';
import type { Packet } from 'dns-packet';
import { receiveDatagram, type MdnsTransport } from '../../electron/core/lan/mdns-socket.js';

export class MdnsStandIn extends EventEmitter {
  sent: Array<{ kind: 'query' | 'response'; packet: Packet; to?: { address?: string; port: number } }> = [];
  destroyed = false;

  /** This object as the transport Discovery takes. */
  get transport(): MdnsTransport {
    return this as unknown as MdnsTransport;
  }

  query(packet: unknown, ...rest: unknown[]) {
    this.record('query', Array.isArray(packet) ? { questions: packet } : (packet as Packet), rest);
  }

  respond(packet: unknown, ...rest: unknown[]) {
    this.record('response', Array.isArray(packet) ? { answers: packet } : (packet as Packet), rest);
  }

  destroy(done?: () => void) {
    this.destroyed = true;
    done?.();
  }

  private record(kind: 'query' | 'response', packet: Packet, rest: unknown[]) {
    const to = rest.find((arg) => typeof arg === 'object' && arg !== null) as { address?: string; port: number } | undefined;
    // Encoding proves the packet is valid DNS; what is kept is what a receiver would decode.
    this.sent.push({ kind, packet: dnsPacket.decode(dnsPacket.encode({ ...packet, type: kind })), ...(to && { to }) });
    (rest.find((arg) => typeof arg === 'function') as ((error: Error | null) => void) | undefined)?.(null);
  }

  /** Delivers a packet as if it came off the wire from `address:port`. */
  deliver(kind: 'query' | 'response', packet: Packet, address: string, port = 5353) {
    this.datagram(dnsPacket.encode({ ...packet, type: kind }), address, port);
  }

  /** Delivers raw bytes as the socket does; says which event they became. */
  datagram(bytes: Buffer, address: string, port = 5353): 'query' | 'response' | 'warning' {
    return receiveDatagram(this as never, bytes, { address, port, family: 'IPv4', size: bytes.length });
  }

  take() {
    return this.sent.splice(0);
  }
}
