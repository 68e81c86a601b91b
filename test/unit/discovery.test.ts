/**
 * Discovery without a network: the records and answers (dns-sd.ts), TXT validation against hostile
 * values, address selection, the expiry bookkeeping, and the Discovery class against a stand-in
 * socket (test/support/mdns-stand-in.ts) that round-trips every packet through dns-packet as the wire
 * would. Real multicast between namespaces is in test/lan.
 */
import type { NetworkInterfaceInfo } from 'node:os';
import type { Packet } from 'dns-packet';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Discovery, PeerTable, type MdnsTransport } from '../../electron/core/lan/discovery.js';
import {
  RECORD_TTL,
  SERVICE_TYPE,
  announcement,
  answersFor,
  buildRecords,
  hostName,
  instanceLabel,
  instanceName,
  parseTxt,
  publishableName,
  selectAddresses,
  type Answer,
  type SelfDescription,
} from '../../electron/core/lan/dns-sd.js';
import { memoryLog } from '../../electron/core/log.js';
import { ptrFlood } from '../support/mdns-craft.js';
import { MdnsStandIn } from '../support/mdns-stand-in.js';

const ADA_ID = 'ADAADAA-BBBBBBB-CCCCCCC-DDDDDDD-EEEEEEE-FFFFFFF-GGGGGGG-HHHHHHH';
const BO_ID = 'BOBOBOB-BBBBBBB-CCCCCCC-DDDDDDD-EEEEEEE-FFFFFFF-GGGGGGG-HHHHHHH';
const ada: SelfDescription = { id: ADA_ID, name: 'Ada', port: 47990, version: '1.0' };
const bo: SelfDescription = { id: BO_ID, name: 'Bo', port: 50000, version: '1.0' };

function nic(address: string, cidr: string, internal = false): NetworkInterfaceInfo {
  const family = address.includes(':') ? 'IPv6' : 'IPv4';
  return { address, cidr, family, internal, mac: '00:00:00:00:00:00', netmask: '', ...(family === 'IPv6' && { scopeid: 2 }) } as NetworkInterfaceInfo;
}

const interfaces = {
  lo: [nic('127.0.0.1', '127.0.0.1/8', true), nic('::1', '::1/128', true)],
  eth0: [nic('192.168.1.10', '192.168.1.10/24'), nic('fe80::10', 'fe80::10/64')],
};

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** The i-th made-up peer id: `F` and i in base 32, padded, grouped as a peer id. */
function fakeId(i: number): string {
  let digits = '';
  for (let n = i; digits.length < 8; n = Math.floor(n / 32)) digits = BASE32[n % 32] + digits;
  return `FFFFFFF-${digits.slice(0, 7)}-${digits.slice(7)}AAAAAA-DDDDDDD-EEEEEEE-FFFFFFF-GGGGGGG-HHHHHHH`;
}

const txtOf = (...entries: Array<string | Buffer>) => entries.map((entry) => (typeof entry === 'string' ? Buffer.from(entry) : entry));
const goodTxt = ['id=' + BO_ID, 'name=Bo', 'v=1.0', 'port=50000'];

describe('records', () => {
  it('derives a unique instance name and host name from the peer id, never the machine name', () => {
    expect(instanceName(ADA_ID)).toBe('adaadaabbbbbbbcccccccdddddddeeeeeeefffffffggggggghhhhhhh._lanline._tcp.local');
    expect(instanceName(ADA_ID).split('.')[0]!.length).toBeLessThanOrEqual(63);
    expect(hostName(ADA_ID)).toBe('lanline-adaadaabbbbb.local');
  });

  it('publishes PTR, SRV, TXT and A/AAAA, the unique ones with the cache-flush bit', () => {
    const records = buildRecords(ada, ['192.168.1.10', 'fd00::10']);
    expect(records.ptr).toEqual({ name: SERVICE_TYPE, type: 'PTR', ttl: RECORD_TTL, data: instanceName(ADA_ID) });
    expect(records.srv).toMatchObject({ name: instanceName(ADA_ID), type: 'SRV', flush: true, data: { port: 47990, target: hostName(ADA_ID) } });
    expect(records.addresses).toMatchObject([
      { name: hostName(ADA_ID), type: 'A', flush: true, data: '192.168.1.10' },
      { name: hostName(ADA_ID), type: 'AAAA', flush: true, data: 'fd00::10' },
    ]);
    const txt = (records.txt.data as Buffer[]).map(String);
    expect(txt).toEqual([`id=${ADA_ID}`, 'name=Ada', 'v=1.0', 'port=47990']);
    expect(announcement(records, 0).every((record) => record.ttl === 0)).toBe(true);
  });

  it('publishes a name every receiver accepts', () => {
    expect(publishableName('  Ada\u0000\u202E Lovelace\n ')).toBe('Ada Lovelace');
    expect(publishableName('\u0007')).toBe('Lanline');
    expect(publishableName('x'.repeat(100))).toHaveLength(64);
    const longest = buildRecords({ ...ada, name: '\u{1F600}'.repeat(32) }, []);
    expect(parseTxt(longest.txt.data as Buffer[])).toMatchObject({ ok: true, value: { name: '\u{1F600}'.repeat(32) } });
  });
});

describe('answers to queries', () => {
  const records = buildRecords(ada, ['192.168.1.10']);

  it('answers a browse with PTR and puts SRV, TXT and A in the additionals', () => {
    const { answers, additionals } = answersFor([{ name: '_LANLINE._tcp.local', type: 'PTR' }], records);
    expect(answers).toEqual([records.ptr]);
    expect(additionals).toEqual([records.srv, records.txt, ...records.addresses]);
  });

  it('answers SRV, TXT, A and ANY for its own names, with the unicast-response bit too', () => {
    expect(answersFor([{ name: records.instance, type: 'TXT' }], records).answers).toEqual([records.txt]);
    expect(answersFor([{ name: records.instance, type: 'SRV' }], records)).toEqual({ answers: [records.srv], additionals: records.addresses });
    expect(answersFor([{ name: records.instance, type: 'ANY' as never }], records).answers).toEqual([records.srv, records.txt]);
    expect(answersFor([{ name: records.host, type: 'A', class: 'UNKNOWN_32769' as never }], records).answers).toEqual(records.addresses);
    expect(answersFor([{ name: '_services._dns-sd._udp.local', type: 'PTR' }], records).answers).toEqual([records.enumeration]);
  });

  it('stays silent for other names, other classes and AAAA it does not have', () => {
    expect(answersFor([{ name: '_http._tcp.local', type: 'PTR' }], records).answers).toEqual([]);
    expect(answersFor([{ name: SERVICE_TYPE, type: 'PTR', class: 'CH' }], records).answers).toEqual([]);
    expect(answersFor([{ name: records.host, type: 'AAAA' }], records).answers).toEqual([]);
  });

  it('leaves out what the querier already knows with at least half the TTL left', () => {
    expect(answersFor([{ name: SERVICE_TYPE, type: 'PTR' }], records, [{ ...records.ptr, ttl: 100 }]).answers).toEqual([]);
    expect(answersFor([{ name: SERVICE_TYPE, type: 'PTR' }], records, [{ ...records.ptr, ttl: 30 }]).answers).toEqual([records.ptr]);
  });
});

describe('TXT from the network', () => {
  it('reads id, name, v and port; keys case-insensitive, the first of a key wins, unknown keys ignored', () => {
    expect(parseTxt(txtOf(...goodTxt))).toEqual({ ok: true, value: { id: BO_ID, name: 'Bo', version: '1.0', port: 50000 } });
    expect(parseTxt(txtOf('ID=' + BO_ID, 'Name=Bo', 'name=Mallory', 'v=1.0', 'port=50000', 'future=1', 'flag'))).toMatchObject({ ok: true, value: { name: 'Bo' } });
    expect(parseTxt(txtOf('id=' + BO_ID, 'name=민수 😀', 'v=2.1', 'port=1'))).toMatchObject({ ok: true, value: { name: '민수 😀', version: '2.1', port: 1 } });
    expect(parseTxt(goodTxt.map(String))).toMatchObject({ ok: true });
  });

  it.each([
    ['a missing key', txtOf('id=' + BO_ID, 'name=Bo', 'v=1.0'), /lacks port/],
    ['an empty record', [], /lacks id, name, v, port/],
    ['an id that is no peer id', txtOf('id=../../etc', 'name=Bo', 'v=1.0', 'port=1'), /id/],
    ['a lower-case id', txtOf('id=' + BO_ID.toLowerCase(), 'name=Bo', 'v=1.0', 'port=1'), /id/],
    ['an empty name', txtOf('id=' + BO_ID, 'name=  ', 'v=1.0', 'port=1'), /name/],
    ['a name of 65 characters', txtOf('id=' + BO_ID, 'name=' + 'x'.repeat(65), 'v=1.0', 'port=1'), /name/],
    ['a name with a line break', txtOf('id=' + BO_ID, 'name=Bo\nERROR forged', 'v=1.0', 'port=1'), /control/],
    ['a name with a NUL', txtOf('id=' + BO_ID, 'name=Bo\u0000', 'v=1.0', 'port=1'), /control/],
    ['a name with a right-to-left override', txtOf('id=' + BO_ID, 'name=Bo\u202Egpj.exe', 'v=1.0', 'port=1'), /direction/],
    ['a name that is not UTF-8', txtOf('id=' + BO_ID, Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3d, 0xff, 0xfe]), 'v=1.0', 'port=1'), /UTF-8/],
    ['port 0', txtOf('id=' + BO_ID, 'name=Bo', 'v=1.0', 'port=0'), /port/],
    ['port 65536', txtOf('id=' + BO_ID, 'name=Bo', 'v=1.0', 'port=65536'), /port/],
    ['a port with letters', txtOf('id=' + BO_ID, 'name=Bo', 'v=1.0', 'port=80a'), /port/],
    ['a negative port', txtOf('id=' + BO_ID, 'name=Bo', 'v=1.0', 'port=-1'), /port/],
    ['a version that is no number', txtOf('id=' + BO_ID, 'name=Bo', 'v=latest', 'port=1'), /v is not/],
    ['a huge version', txtOf('id=' + BO_ID, 'name=Bo', 'v=' + '9'.repeat(200), 'port=1'), /v is not/],
  ])('refuses %s', (_what, data, reason) => {
    const result = parseTxt(data);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });
});

describe('addresses offered for a peer', () => {
  it('puts the address the packet came from first, then A, then AAAA records', () => {
    expect(selectAddresses('192.168.1.20', ['fd00::20', '10.0.0.20', '192.168.1.20'], interfaces)).toEqual(['192.168.1.20', '10.0.0.20', 'fd00::20']);
  });

  it('drops loopback, unspecified, multicast and junk', () => {
    expect(selectAddresses('192.168.1.20', ['127.0.0.1', '::1', '0.0.0.0', '::', '224.0.0.251', 'ff02::fb', 'not-an-ip', '255.255.255.255'], interfaces)).toEqual(['192.168.1.20']);
  });

  it('drops link-local IPv6 when a routable address exists', () => {
    expect(selectAddresses('192.168.1.20', ['fe80::20', 'FE80::21'], interfaces)).toEqual(['192.168.1.20']);
  });

  it('offers link-local IPv6 only with the scope of the link it arrived on', () => {
    // Only link-local to go on: the packet came in on eth0 (fe80::/64 there), so that is the scope.
    expect(selectAddresses('fe80::20%eth0', ['fe80::20'], interfaces)).toEqual(['fe80::20%eth0']);
    expect(selectAddresses('fe80::20', ['fe80::21'], interfaces)).toEqual(['fe80::20%eth0', 'fe80::21%eth0']);
    // A link we cannot name: nothing usable rather than an address that works on no link.
    expect(selectAddresses('fe80::20', ['fe80::21'], { lo: interfaces.lo })).toEqual([]);
  });
});

describe('PeerTable', () => {
  const peer = { id: BO_ID, name: 'Bo', version: '1.0', port: 50000, addresses: ['192.168.1.20'] };
  const sighting = (changes = {}) => ({ peer: { ...peer, ...changes }, host: null, hostAddresses: [], source: '192.168.1.20', verified: false });

  it('tells new peers and changes from plain refreshes', () => {
    const table = new PeerTable(15_000);
    expect(table.see('bo', sighting(), 0)).toBe('new');
    expect(table.see('bo', sighting(), 1_000)).toBe('same');
    expect(table.see('bo', sighting({ addresses: ['192.168.1.20'] }), 1_000)).toBe('same');
    expect(table.see('bo', sighting({ name: 'Bo B.' }), 2_000)).toBe('changed');
    expect(table.see('bo', sighting({ name: 'Bo B.', port: 50001 }), 2_000)).toBe('changed');
    expect(table.see('bo', sighting({ name: 'Bo B.', port: 50001, addresses: ['192.168.1.20', 'fd00::20'] }), 2_000)).toBe('changed');
  });

  it('expires a peer once not refreshed for expireAfterMs, not before', () => {
    const table = new PeerTable(15_000);
    table.see('bo', sighting(), 0);
    table.see('cy', sighting({ id: 'C' }), 4_000);
    expect(table.nextExpiry()).toBe(15_000);
    expect(table.expire(14_999)).toEqual([]);
    table.see('bo', sighting(), 10_000);
    expect(table.expire(15_000)).toEqual([]);
    expect(table.nextExpiry()).toBe(19_000);
    expect(table.expire(19_000).map((entry) => entry.peer.id)).toEqual(['C']);
    expect(table.expire(25_000).map((entry) => entry.peer.id)).toEqual([BO_ID]);
    expect(table.nextExpiry()).toBeNull();
  });
});

describe('Discovery', () => {
  let transport: MdnsStandIn;
  let log: ReturnType<typeof memoryLog>;
  let nics: NodeJS.Dict<NetworkInterfaceInfo[]>;
  let discovery: Discovery;
  let ups: unknown[];
  let downs: unknown[];

  async function started(options: { queryIntervalMs?: number } = {}) {
    discovery = new Discovery({ self: ada, log, transport: transport as unknown as MdnsTransport, networkInterfaces: () => nics, clock: Date.now, ...options });
    discovery.on('up', (peer) => ups.push(peer));
    discovery.on('down', (id, reason) => downs.push({ id, reason }));
    const starting = discovery.start();
    transport.emit('ready');
    await starting;
  }

  const boAnswers = (self = bo, ttl?: number) => ({ answers: announcement(buildRecords(self, ['192.168.1.20']), ttl) as Packet['answers'] });
  const browse: Packet = { questions: [{ name: SERVICE_TYPE, type: 'PTR' }] };

  beforeEach(() => {
    vi.useFakeTimers();
    transport = new MdnsStandIn();
    log = memoryLog();
    nics = interfaces;
    ups = [];
    downs = [];
  });

  afterEach(async () => {
    await discovery?.stop();
    vi.useRealTimers();
  });

  it('announces itself twice, a second apart, and asks who is there', async () => {
    await started();
    const first = transport.take();
    expect(first.map((sent) => sent.kind)).toEqual(['response', 'query']);
    expect(first[0]!.packet.answers!.map((record) => `${record.type} ${record.name}`)).toEqual([
      `PTR ${SERVICE_TYPE}`,
      `SRV ${instanceName(ADA_ID)}`,
      `TXT ${instanceName(ADA_ID)}`,
      `A ${hostName(ADA_ID)}`,
    ]);
    expect(first[1]!.packet.questions).toMatchObject([{ name: SERVICE_TYPE, type: 'PTR' }]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(transport.take().map((sent) => sent.kind)).toEqual(['response']);
  });

  it('answers a browse by multicast and a legacy resolver by unicast with its id and a short TTL', async () => {
    await started();
    transport.take();
    transport.deliver('query', browse, '192.168.1.30');
    const [multicast] = transport.take();
    expect(multicast!.to).toBeUndefined();
    expect(multicast!.packet.answers).toMatchObject([{ type: 'PTR', data: instanceName(ADA_ID), ttl: RECORD_TTL }]);
    expect(multicast!.packet.additionals!.map((record) => record.type)).toEqual(['SRV', 'TXT', 'A']);

    transport.deliver('query', { id: 4242, questions: [{ name: instanceName(ADA_ID), type: 'TXT' }] }, '192.168.1.30', 40000);
    const [unicast] = transport.take();
    expect(unicast!.to).toEqual({ address: '192.168.1.30', port: 40000 });
    expect(unicast!.packet).toMatchObject({ id: 4242, questions: [{ name: instanceName(ADA_ID), type: 'TXT' }], answers: [{ type: 'TXT', ttl: 10 }] });

    transport.deliver('query', { questions: [{ name: '_http._tcp.local', type: 'PTR' }] }, '192.168.1.30');
    expect(transport.take()).toEqual([]);
  });

  it('reports a peer once with the address its packet came from, and again when its name changes', async () => {
    await started();
    transport.deliver('response', boAnswers(), '192.168.1.20');
    transport.deliver('response', boAnswers(), '192.168.1.20');
    expect(ups).toEqual([{ id: BO_ID, name: 'Bo', version: '1.0', port: 50000, addresses: ['192.168.1.20'] }]);
    transport.deliver('response', boAnswers({ ...bo, name: 'Bo B.' }), '192.168.1.20');
    expect(ups).toHaveLength(2);
    expect(ups[1]).toMatchObject({ name: 'Bo B.' });
    expect(discovery.peers()).toEqual([ups[1]]);
  });

  it('ignores its own records and answers from ports other than 5353', async () => {
    await started();
    transport.deliver('response', { answers: announcement(buildRecords(ada, ['192.168.1.10'])) as Packet['answers'] }, '192.168.1.10');
    transport.deliver('response', boAnswers(), '192.168.1.20', 40000);
    expect(ups).toEqual([]);
  });

  it('ignores a malformed or borrowed TXT with one log line, without throwing', async () => {
    await started();
    const records = buildRecords(bo, ['192.168.1.20']);
    const hostile = { ...records.txt, data: txtOf('id=' + BO_ID, 'name=\u202Eevil', 'v=1.0', 'port=50000') } as Answer;
    for (let i = 0; i < 50; i += 1) transport.deliver('response', { answers: [records.ptr, records.srv, hostile] as Packet['answers'] }, '192.168.1.20');
    // Bo's instance name with Ada's id in its TXT: someone claiming to be another peer.
    const borrowed = { ...records.txt, data: txtOf('id=' + ADA_ID, 'name=Ada', 'v=1.0', 'port=1') } as Answer;
    transport.deliver('response', { answers: [records.ptr, borrowed] as Packet['answers'] }, '192.168.1.20');
    // An instance name that no peer id produces.
    transport.deliver('response', { answers: [{ ...records.ptr, data: 'printer._lanline._tcp.local' }] as Packet['answers'] }, '192.168.1.20');
    expect(ups).toEqual([]);
    const warnings = log.lines.filter((line) => line.includes('WARN'));
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/direction-override/);
    expect(warnings[1]).toMatch(/belongs to another instance/);
    expect(warnings[2]).toMatch(/"printer"/);
  });

  it('asks an instance it only saw a PTR for for its SRV and TXT', async () => {
    await started();
    transport.take();
    const records = buildRecords(bo, ['192.168.1.20']);
    transport.deliver('response', { answers: [records.ptr] as Packet['answers'] }, '192.168.1.20');
    transport.deliver('response', { answers: [records.ptr] as Packet['answers'] }, '192.168.1.20');
    const asked = transport.take();
    expect(asked).toHaveLength(1);
    expect(asked[0]!.packet.questions).toMatchObject([
      { name: instanceName(BO_ID), type: 'SRV' },
      { name: instanceName(BO_ID), type: 'TXT' },
    ]);
    transport.deliver('response', { answers: [records.srv, records.txt] as Packet['answers'], additionals: records.addresses as Packet['answers'] }, '192.168.1.20');
    expect(ups).toHaveLength(1);
  });

  it('lets a peer go at once on its goodbye', async () => {
    await started();
    transport.deliver('response', boAnswers(), '192.168.1.20');
    transport.deliver('response', boAnswers(bo, 0), '192.168.1.20');
    expect(downs).toEqual([{ id: BO_ID, reason: 'goodbye' }]);
    expect(discovery.peers()).toEqual([]);
  });

  it('honours a goodbye only from the address that announced the peer, and only that address keeps it alive', async () => {
    await started();
    transport.deliver('response', boAnswers(), '192.168.1.20');
    transport.deliver('response', boAnswers(bo, 0), '192.168.1.66');
    expect(downs).toEqual([]);
    expect(discovery.peers().map((peer) => peer.addresses)).toEqual([['192.168.1.20']]);
    expect(log.lines.filter((line) => line.includes('WARN')).join('\n')).toMatch(/ignored a goodbye for BOBOBOB.* from 192\.168\.1\.66: it announced itself from 192\.168\.1\.20/);
    // Someone else repeating Bo's records does not keep Bo listed after Bo went silent.
    for (let second = 1; second <= 15; second += 1) {
      await vi.advanceTimersByTimeAsync(1_000);
      transport.deliver('response', boAnswers(), '192.168.1.66');
    }
    expect(downs).toEqual([{ id: BO_ID, reason: 'expired' }]);
  });

  it('reports records for a known peer from another address as a candidate, and moves it only on confirm() for that address', async () => {
    await started();
    const candidates: unknown[] = [];
    discovery.on('candidate', (peer) => candidates.push(peer));
    transport.deliver('response', boAnswers(), '192.168.1.20');
    const impostor = { answers: announcement(buildRecords({ ...bo, port: 6666 }, ['192.168.1.66'])) as Packet['answers'] };
    for (let i = 0; i < 10; i += 1) transport.deliver('response', impostor, '192.168.1.66');
    expect(discovery.peers()).toEqual([{ id: BO_ID, name: 'Bo', version: '1.0', port: 50000, addresses: ['192.168.1.20'] }]);
    expect(ups).toHaveLength(1);
    expect(candidates).toEqual([{ id: BO_ID, name: 'Bo', version: '1.0', port: 6666, addresses: ['192.168.1.66'] }]);
    // A handshake that succeeded elsewhere, or at the old address, moves nothing.
    discovery.confirm(BO_ID, '192.168.1.99');
    discovery.confirm(BO_ID, '::ffff:192.168.1.20');
    expect(discovery.peers()[0]!.addresses).toEqual(['192.168.1.20']);
    // Bo really moved and proved it there: the entry follows, and only the new address speaks for it.
    discovery.confirm(BO_ID, '::ffff:192.168.1.66');
    expect(discovery.peers()).toEqual([{ id: BO_ID, name: 'Bo', version: '1.0', port: 6666, addresses: ['192.168.1.66'] }]);
    expect(ups.at(-1)).toEqual(discovery.peers()[0]);
    transport.deliver('response', boAnswers(bo, 0), '192.168.1.20');
    expect(downs).toEqual([]);
  });

  it('asks about at most 4 instances in one query for a packet of 110 PTRs, and within a budget for many packets', async () => {
    await started();
    transport.take();
    const flood = ptrFlood(Array.from({ length: 110 }, (_, i) => instanceLabel(fakeId(i))));
    expect(transport.datagram(flood, '192.168.1.66')).toBe('response');
    const first = transport.take();
    expect(first).toHaveLength(1);
    expect(first[0]!.packet.questions).toHaveLength(8);
    for (let i = 0; i < 100; i += 1) transport.datagram(flood, '192.168.1.66');
    const more = transport.take();
    const asked = more.reduce((sum, sent) => sum + (sent.packet.questions?.length ?? 0) / 2, 0);
    console.log(`PTR flood: 101 packets of 110 PTRs (${flood.length} bytes each) made ${1 + more.length} queries about ${4 + asked} instances`);
    expect(asked).toBeLessThanOrEqual(16);
    expect(discovery.sizes().asked).toBeLessThanOrEqual(20);
  });

  it('makes room in a full table by dropping the unconfirmed peer heard from longest ago, never a confirmed one', async () => {
    await started();
    transport.deliver('response', boAnswers(), '192.168.1.20');
    discovery.confirm(BO_ID, '192.168.1.20');
    // 1000 made-up instances from 40 addresses, a few milliseconds apart.
    for (let i = 0; i < 1000; i += 1) {
      await vi.advanceTimersByTimeAsync(2);
      transport.deliver('response', boAnswers({ ...bo, id: fakeId(i) }), `192.168.2.${i % 40}`);
    }
    expect(discovery.sizes().peers).toBe(256);
    const cy = { ...bo, id: 'CYCYCYC-BBBBBBB-CCCCCCC-DDDDDDD-EEEEEEE-FFFFFFF-GGGGGGG-HHHHHHH', name: 'Cy' };
    transport.deliver('response', boAnswers(cy), '192.168.1.21');
    const names = discovery.peers().map((peer) => peer.name);
    expect(names).toContain('Cy');
    expect(names).toContain('Bo');
    expect(discovery.sizes().peers).toBe(256);
    // The ones dropped were the fakes heard from longest ago.
    const evicted = (downs as Array<{ id: string; reason: string }>).filter((down) => down.reason === 'evicted').map((down) => down.id);
    expect(evicted).toHaveLength(1000 - 255 + 1);
    expect(evicted.slice(0, 3)).toEqual([fakeId(0), fakeId(1), fakeId(2)]);
  });

  it('keeps at most 32 instances from one address, its own oldest making room for its newest', async () => {
    await started();
    transport.deliver('response', boAnswers(), '192.168.1.20');
    for (let i = 0; i < 100; i += 1) transport.deliver('response', boAnswers({ ...bo, id: fakeId(i) }), '192.168.1.66');
    expect(discovery.sizes().peers).toBe(1 + 32);
    expect(discovery.peers().map((peer) => peer.id)).toContain(BO_ID);
  });

  it('confined to one interface, announces only its addresses and ignores packets from outside its subnets', async () => {
    nics = { ...interfaces, eth1: [nic('10.0.0.5', '10.0.0.5/24')] };
    discovery = new Discovery({ self: ada, log, transport: transport as unknown as MdnsTransport, networkInterfaces: () => nics, interface: 'eth1' });
    discovery.on('up', (peer) => ups.push(peer));
    const starting = discovery.start();
    transport.emit('ready');
    await starting;
    const [announced] = transport.take();
    expect(announced!.packet.answers!.filter((record) => record.type === 'A').map((record) => ('data' in record ? record.data : null))).toEqual(['10.0.0.5']);
    transport.deliver('response', boAnswers(), '192.168.1.20');
    transport.deliver('query', browse, '192.168.1.30');
    expect(ups).toEqual([]);
    expect(transport.take()).toEqual([]);
    transport.deliver('response', boAnswers(), '10.0.0.7');
    expect(ups).toHaveLength(1);
  });

  it('refuses to confine itself to an interface that does not exist', async () => {
    discovery = new Discovery({ self: ada, log, transport: transport as unknown as MdnsTransport, networkInterfaces: () => nics, interface: 'wlan9' });
    await expect(discovery.start()).rejects.toMatchObject({ code: 'invalid', message: /"wlan9" does not exist or has no IPv4 address/ });
  });

  it('lets a silent peer go after 15 s, and keeps one that answers the queries', async () => {
    await started();
    const cy = { ...bo, id: 'CYCYCYC-BBBBBBB-CCCCCCC-DDDDDDD-EEEEEEE-FFFFFFF-GGGGGGG-HHHHHHH', name: 'Cy' };
    transport.deliver('response', boAnswers(), '192.168.1.20');
    transport.deliver('response', boAnswers(cy), '192.168.1.21');
    for (let second = 1; second <= 14; second += 1) {
      await vi.advanceTimersByTimeAsync(1_000);
      if (second % 5 === 0) transport.deliver('response', boAnswers(cy), '192.168.1.21');
    }
    expect(downs).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(downs).toEqual([{ id: BO_ID, reason: 'expired' }]);
    expect(discovery.peers().map((peer) => peer.name)).toEqual(['Cy']);
  });

  it('asks every interval, but not right after someone else asked the same', async () => {
    await started({ queryIntervalMs: 5_000 });
    transport.take();
    await vi.advanceTimersByTimeAsync(5_600);
    expect(transport.take().filter((sent) => sent.kind === 'query')).toHaveLength(1);
    // Another instance asks; its answers refresh everyone, so the next tick stays quiet.
    await vi.advanceTimersByTimeAsync(3_000);
    transport.deliver('query', browse, '192.168.1.30');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(transport.take().filter((sent) => sent.kind === 'query')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(6_000);
    expect(transport.take().filter((sent) => sent.kind === 'query')).toHaveLength(1);
  });

  it('runs no timer faster than once a second while idle', async () => {
    await started({ queryIntervalMs: 10 });
    transport.take();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(transport.take().filter((sent) => sent.kind === 'query').length).toBeLessThanOrEqual(10);
  });

  it('announces again when the machine\u2019s addresses change, after a goodbye for the old one', async () => {
    await started();
    await vi.advanceTimersByTimeAsync(1_000);
    transport.take();
    nics = { ...interfaces, eth0: [nic('192.168.1.11', '192.168.1.11/24')] };
    await vi.advanceTimersByTimeAsync(5_600);
    const [goodbye, announced] = transport.take();
    expect(goodbye!.packet.answers).toMatchObject([{ type: 'A', data: '192.168.1.10', ttl: 0 }]);
    expect(announced!.packet.answers).toContainEqual(expect.objectContaining({ type: 'A', data: '192.168.1.11' }));
  });

  it('re-announces a new name, and says goodbye with TTL 0 when it stops', async () => {
    await started();
    transport.take();
    discovery.update({ name: 'Ada L.' });
    const [renamed] = transport.take();
    expect(String((renamed!.packet.answers!.find((record) => record.type === 'TXT')!.data as Buffer[])[1])).toBe('name=Ada L.');
    await discovery.stop();
    const last = transport.take().at(-1)!;
    expect(last.packet.answers!.length).toBeGreaterThan(0);
    expect(last.packet.answers!.every((record) => 'ttl' in record && record.ttl === 0)).toBe(true);
    expect(transport.destroyed).toBe(true);
    transport.deliver('response', boAnswers(), '192.168.1.20');
    expect(ups).toEqual([]);
  });

  it('says so in plain words when port 5353 cannot be used', async () => {
    discovery = new Discovery({ self: ada, log, transport: transport as unknown as MdnsTransport, networkInterfaces: () => nics });
    const starting = discovery.start();
    transport.emit('error', Object.assign(new Error('bind EADDRINUSE 0.0.0.0:5353'), { code: 'EADDRINUSE' }));
    await expect(starting).rejects.toMatchObject({ code: 'io', message: /mDNS port 5353 is not usable.*Add peers by address/ });
    expect(transport.destroyed).toBe(true);
  });

  it('can be stopped while its socket is still opening, and then sends nothing', async () => {
    discovery = new Discovery({ self: ada, log, transport: transport as unknown as MdnsTransport, networkInterfaces: () => nics });
    const starting = discovery.start();
    await discovery.stop();
    await expect(starting).resolves.toBeUndefined();
    transport.emit('ready');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(transport.sent).toEqual([]);
    expect(transport.destroyed).toBe(true);
  });

  it('refuses to start without a valid peer id or port', () => {
    expect(() => new Discovery({ self: { ...ada, id: 'nope' }, log })).toThrow(/peer id/);
    expect(() => new Discovery({ self: { ...ada, port: 0 }, log })).toThrow(/port/);
  });
});
