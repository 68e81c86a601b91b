/**
 * mDNS parsing against 20 000 damaged packets: real packets (our announcement, goodbye, browse and
 * legacy queries, a third-party responder's answer with NSEC, a list of PTRs) mutated by a seeded
 * generator (bit flips, bytes set, truncation, junk appended, slices copied, compression pointers
 * planted, record counts raised), then handled as the mDNS socket handles a datagram
 * (`receiveDatagram`): `decodeMdns` checks and decodes it, Discovery takes what decodes. The parser
 * throws nothing but its own LanlineError `invalid` (logged, rate-limited, as "Ignored a malformed
 * mDNS packet: …"), nothing throws out of Discovery's handlers, every packet is handled (a hang
 * fails the test by its timeout; times are printed, not asserted) and the state Discovery keeps stays
 * bounded. The seed is printed; LANLINE_FUZZ_SEED replays a run.
 */
import dnsPacket from 'dns-packet';
import type { Packet } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { Discovery } from '../../electron/core/lan/discovery.js';
import { SERVICE_TYPE, announcement, buildRecords, decodeMdns, instanceName, type SelfDescription } from '../../electron/core/lan/dns-sd.js';
import { LanlineError } from '../../electron/core/errors.js';
import { memoryLog } from '../../electron/core/log.js';
import { MdnsStandIn } from '../support/mdns-stand-in.js';

const MUTATIONS = 20_000;
const ada: SelfDescription = { id: 'ADAADAA-BBBBBBB-CCCCCCC-DDDDDDD-EEEEEEE-FFFFFFF-GGGGGGG-HHHHHHH', name: 'Ada', port: 47990, version: '1.0' };
const bo: SelfDescription = { id: 'BOBOBOB-BBBBBBB-CCCCCCC-DDDDDDD-EEEEEEE-FFFFFFF-GGGGGGG-HHHHHHH', name: 'Bo 보', port: 50000, version: '1.0' };
const cy: SelfDescription = { id: 'CYCYCYC-BBBBBBB-CCCCCCC-DDDDDDD-EEEEEEE-FFFFFFF-GGGGGGG-HHHHHHH', name: 'Cy', port: 50001, version: '1.0' };

/** mulberry32: small, seeded, good enough to pick mutations. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function realPackets(): Buffer[] {
  const records = buildRecords(bo, ['192.168.1.20', 'fd00::20']);
  const encode = (packet: Packet) => dnsPacket.encode(packet);
  return [
    encode({ type: 'response', flags: dnsPacket.AUTHORITATIVE_ANSWER, answers: announcement(records) as Packet['answers'] }),
    encode({ type: 'response', flags: dnsPacket.AUTHORITATIVE_ANSWER, answers: announcement(records, 0) as Packet['answers'] }),
    encode({ type: 'query', questions: [{ name: SERVICE_TYPE, type: 'PTR' }] }),
    encode({ type: 'query', questions: [{ name: SERVICE_TYPE, type: 'PTR' }], answers: [records.ptr] as Packet['answers'] }),
    encode({ type: 'query', id: 4242, questions: [{ name: instanceName(ada.id), type: 'TXT' }, { name: instanceName(ada.id), type: 'SRV' }] }),
    // What a third-party responder (Avahi) sends: answers, additionals and NSEC for what it lacks.
    encode({
      type: 'response',
      flags: dnsPacket.AUTHORITATIVE_ANSWER,
      answers: [records.ptr] as Packet['answers'],
      additionals: [records.srv, records.txt, ...records.addresses, { name: records.host, type: 'NSEC', ttl: 120, data: { nextDomain: records.host, rrtypes: ['A', 'AAAA'] } }] as Packet['additionals'],
    }),
    encode({ type: 'response', answers: Array.from({ length: 12 }, (_, i) => ({ ...buildRecords({ ...bo, id: bo.id.replace('BOBOBOB', `BOBOB${'ABCDEFGHIJKL'[i]}B`) }, []).ptr })) as Packet['answers'] }),
  ];
}

function mutate(original: Buffer, random: () => number): Buffer {
  let bytes = Buffer.from(original);
  const at = (length = bytes.length) => Math.floor(random() * Math.max(1, length));
  const operations = 1 + Math.floor(random() * 3);
  for (let i = 0; i < operations; i += 1) {
    switch (Math.floor(random() * 8)) {
      case 0: // flip one to four bits
        for (let n = 1 + at(4); n > 0; n -= 1) bytes[at()] = (bytes[at()] ?? 0) ^ (1 << at(8));
        break;
      case 1: // set a byte to a telling value
        bytes[at()] = [0x00, 0xff, 0x3f, 0x40, 0xc0, at(256)][at(6)]!;
        break;
      case 2: // truncate
        bytes = bytes.subarray(0, at());
        break;
      case 3: // append junk
        bytes = Buffer.concat([bytes, Buffer.from(Array.from({ length: 1 + at(64) }, () => at(256)))]);
        break;
      case 4: {
        // copy a slice over another place
        const from = at();
        const slice = Buffer.from(bytes.subarray(from, from + 1 + at(32)));
        slice.copy(bytes, at());
        break;
      }
      case 5: {
        // plant a compression pointer, often to itself or forward
        const where = at();
        if (where + 1 < bytes.length) {
          const target = random() < 0.5 ? where : at(0x3fff);
          bytes[where] = 0xc0 | ((target >> 8) & 0x3f);
          bytes[where + 1] = target & 0xff;
        }
        break;
      }
      case 6: // raise one of the four record counts in the header
        if (bytes.length >= 12) bytes.writeUInt16BE([1, 2, 255, 0xffff][at(4)]!, 4 + 2 * at(4));
        break;
      default: // a label length pointing past the end
        bytes[at()] = 0x3f;
    }
  }
  return bytes;
}

describe('mDNS parsing under 20 000 damaged packets', () => {
  it('never throws past the decoder\u2019s Error, handles every packet, and keeps its state bounded', { timeout: 120_000 }, async () => {
    const seed = Number(process.env.LANLINE_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 32));
    const random = generator(seed);
    const log = memoryLog();
    const socket = new MdnsStandIn();
    const discovery = new Discovery({ self: ada, log, transport: socket.transport, networkInterfaces: () => ({}) });
    const starting = discovery.start();
    socket.emit('ready');
    await starting;

    const sources = ['192.168.1.20', '192.168.1.21', '192.168.1.66', '10.0.0.9'];
    const packets = realPackets();
    const outcome = { query: 0, response: 0, warning: 0 };
    const foreign: string[] = [];
    let slowest = 0;
    let total = 0;
    for (let i = 0; i < MUTATIONS; i += 1) {
      const bytes = mutate(packets[i % packets.length]!, random);
      try {
        decodeMdns(bytes);
      } catch (error) {
        if (!(error instanceof LanlineError && error.code === 'invalid' && /^Ignored a malformed mDNS packet: /.test(error.message))) foreign.push(`mutation ${i}: threw ${String(error)}`);
      }
      const started = performance.now();
      outcome[socket.datagram(bytes, sources[i % sources.length]!)] += 1;
      const took = performance.now() - started;
      slowest = Math.max(slowest, took);
      total += took;
      socket.take();
    }
    const sizes = discovery.sizes();
    console.log(
      `mDNS fuzz, seed ${seed}: ${MUTATIONS} packets, ${outcome.warning} refused as malformed, ${outcome.response} responses and ${outcome.query} queries handled; ` +
        `${((1000 * total) / MUTATIONS).toFixed(1)} µs a packet on average, slowest ${slowest.toFixed(2)} ms; state after: ${JSON.stringify(sizes)}; ${log.lines.length} log lines`,
    );

    expect(foreign).toEqual([]);
    // Nothing reached the guard that catches what handling throws.
    expect(log.lines.filter((line) => line.includes('handling an mDNS packet failed'))).toEqual([]);
    expect(sizes.peers).toBeLessThanOrEqual(256);
    expect(sizes.candidates).toBeLessThanOrEqual(64);
    expect(sizes.asked).toBeLessThanOrEqual(4 * 256);
    expect(sizes.warned).toBeLessThanOrEqual(256);
    // The log is rate-limited too: at most 20 warnings a minute, whatever came in.
    expect(log.lines.filter((line) => line.includes('WARN')).length).toBeLessThanOrEqual(20);

    // And it still works: a real peer that announces now is found.
    const found = new Promise((resolve) => discovery.on('up', (peer) => peer.id === cy.id && resolve(peer)));
    socket.deliver('response', { answers: announcement(buildRecords(cy, ['192.168.1.30'])) as Packet['answers'] }, '192.168.1.30');
    await expect(found).resolves.toMatchObject({ id: cy.id, name: 'Cy', addresses: ['192.168.1.30'] });
    await discovery.stop();
  });

  it('refuses, before decoding, a packet whose header counts more records than its bytes hold', () => {
    // 371 bytes claiming 65 535 additionals: dns-packet alone decodes 65 535 records from it in 200-300 ms.
    const packet = Buffer.alloc(371);
    packet.writeUInt16BE(0x8400, 2);
    packet.writeUInt16BE(0xffff, 10);
    expect(() => decodeMdns(packet)).toThrow(/header counts 0 questions and 65535 records, more than its 371 bytes can hold/);
    expect(() => decodeMdns(Buffer.alloc(9_001))).toThrow(/9001 bytes is more than mDNS allows/);
    expect(() => decodeMdns(Buffer.alloc(11))).toThrow(/shorter than a DNS header/);
    const update = Buffer.alloc(12);
    update.writeUInt16BE(5 << 11, 2);
    expect(() => decodeMdns(update)).toThrow(/opcode is not QUERY/);
  });
});
