/**
 * Packets an attacker on the LAN would craft, built byte by byte where dns-packet cannot: it never
 * compresses names, so it cannot fit a hundred PTRs into one datagram of mDNS's 9000 bytes.
 */
import { SERVICE_TYPE } from '../../electron/core/lan/dns-sd.js';

function encodeName(name: string): Buffer {
  return Buffer.concat([...name.split('.').map((label) => Buffer.concat([Buffer.from([Buffer.byteLength(label)]), Buffer.from(label)])), Buffer.from([0])]);
}

/**
 * One mDNS response holding a PTR `_lanline._tcp.local -> <label>._lanline._tcp.local` for every
 * label, names compressed (each PTR costs 71 bytes for a 56-character label), and nothing else: no
 * SRV or TXT, so a browser that wants to know more has to ask.
 */
export function ptrFlood(labels: string[], ttl = 120): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(0x8400, 2); // response, authoritative
  header.writeUInt16BE(labels.length, 6);
  const serviceAt = 12;
  const parts: Buffer[] = [header];
  let offset = 12;
  for (const [index, label] of labels.entries()) {
    const name = index === 0 ? encodeName(SERVICE_TYPE) : Buffer.from([0xc0 | (serviceAt >> 8), serviceAt & 0xff]);
    const data = Buffer.concat([Buffer.from([Buffer.byteLength(label)]), Buffer.from(label), Buffer.from([0xc0 | (serviceAt >> 8), serviceAt & 0xff])]);
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(12, 0); // PTR
    fixed.writeUInt16BE(1, 2); // IN
    fixed.writeUInt32BE(ttl, 4);
    fixed.writeUInt16BE(data.length, 8);
    parts.push(name, fixed, data);
    offset += name.length + fixed.length + data.length;
  }
  const packet = Buffer.concat(parts);
  if (offset !== packet.length) throw new Error('ptrFlood miscounted its bytes');
  return packet;
}
