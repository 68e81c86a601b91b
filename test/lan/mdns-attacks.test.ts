/**
 * Hostile mDNS on a private LAN (network namespaces, real multicast): an observer and a real peer
 * run Discovery (fixtures/announce.ts); an attacker in a third namespace (fixtures/spoof.ts) sends
 * crafted packets from its own addresses. Each test asserts what the observer keeps: the real peer
 * listed at its own address, newcomers still found. To know the observer has handled an attack, the
 * attacker then announces a fresh "marker" instance from the same socket and the test waits until
 * the observer lists it: packets from one socket arrive in order. Figures are printed.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import type { Packet } from 'dns-packet';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { announcement, buildRecords, instanceLabel, type SelfDescription } from '../../electron/core/lan/dns-sd.js';
import { repoRoot } from '../support/host.js';
import { jsonLines, type JsonLines } from '../support/json-lines.js';
import { ptrFlood } from '../support/mdns-craft.js';
import { createLan, namespacesAvailable, type Lan, type LanHost } from '../support/netns.js';

const available = await namespacesAvailable();
if (!available.ok) console.warn(`lan tests skipped: ${available.reason}`);

type Peer = { id: string; name: string; version: string; port: number; addresses: string[] };
type Line =
  | { event: 'ready'; instance?: string }
  | { event: 'up' | 'candidate'; peer: Peer }
  | { event: 'down'; id: string; reason: string }
  | { event: 'sizes'; sizes: { peers: number; candidates: number; asked: number; warned: number } }
  | { event: 'sent'; tag: number }
  | { event: 'count'; queries: number; instances: number }
  | { event: 'stopped' };

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function randomPeerId(): string {
  const chars = Array.from(randomBytes(56), (byte) => ALPHABET[byte % 32]).join('');
  return chars.match(/.{7}/g)!.join('-');
}
const describeSelf = (name: string, port: number): SelfDescription => ({ id: randomPeerId(), name, port, version: '1.0' });
const encode = (answers: unknown[]) => dnsPacket.encode({ type: 'response', flags: dnsPacket.AUTHORITATIVE_ANSWER, answers: answers as Packet['answers'] });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Addresses the attacker adds to its interface, beside its own. */
const EXTRA = Array.from({ length: 8 }, (_, i) => `10.231.0.${101 + i}`);

const title = 'hostile mDNS between network namespaces';
describe.skipIf(!available.ok)(available.ok ? title : `${title} (skipped: ${available.reason})`, () => {
  let lan: Lan;
  let bundleDir: string;
  const fixtures = { announce: '', spoof: '' };
  const running: Array<JsonLines<Line>> = [];
  let tags = 0;

  beforeAll(async () => {
    bundleDir = mkdtempSync(join(tmpdir(), 'lanline-lan-'));
    for (const name of ['announce', 'spoof'] as const) {
      fixtures[name] = join(bundleDir, `${name}.cjs`);
      await build({ entryPoints: [join(repoRoot, `test/lan/fixtures/${name}.ts`)], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: fixtures[name], logLevel: 'warning' });
    }
    // Observer, real peer, attacker, newcomer.
    lan = await createLan(4);
    for (const address of EXTRA) {
      const added = await lan.hosts[2]!.run('ip', ['addr', 'add', `${address}/24`, 'dev', 'lan0']);
      if (added.code !== 0) throw new Error(`adding ${address}: ${added.stderr}`);
    }
  });

  afterEach(() => {
    for (const child of running.splice(0)) {
      if (child.process.exitCode !== null || child.process.signalCode !== null) continue;
      try {
        process.kill(-child.process.pid!, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
  });

  afterAll(async () => {
    await lan?.destroy();
    if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  });

  function spawn(host: LanHost, fixture: string, argument: object, label: string): JsonLines<Line> {
    const child = host.spawn(process.execPath, [fixture, JSON.stringify(argument)], { stdio: ['pipe', 'pipe', 'pipe'] });
    const lines = jsonLines<Line>(child, label);
    running.push(lines);
    return lines;
  }

  const announcer = (host: LanHost, self: SelfDescription) => spawn(host, fixtures.announce, self, `${self.name} at ${host.address}`);
  async function attacker(): Promise<JsonLines<Line>> {
    const lines = spawn(lan.hosts[2]!, fixtures.spoof, { address: lan.hosts[2]!.address }, 'attacker');
    await lines.waitFor((line) => line.event === 'ready', 10_000, 'ready');
    return lines;
  }
  const sees = (id: string) => (line: Line) => line.event === 'up' && line.peer.id === id;

  async function send(from: JsonLines<Line>, packets: Array<{ data: Buffer; from?: string }>): Promise<void> {
    const tag = ++tags;
    from.tell({ packets: packets.map((packet) => ({ data: packet.data.toString('base64'), ...(packet.from && { from: packet.from }) })), tag });
    await from.waitFor((line) => line.event === 'sent' && line.tag === tag, 60_000, `sent ${tag}`);
  }

  /**
   * Sends the packets (from the attacker's own address unless told), then a marker, and waits until
   * the observer lists the marker. A burst can overflow the observer's socket buffer and the marker
   * with it, so the marker goes again every 2 s (the packets before it were handled or lost by then).
   */
  async function attack(from: JsonLines<Line>, observer: JsonLines<Line>, packets: Array<{ data: Buffer; from?: string }>): Promise<void> {
    const marker = describeSelf('Marker', 1);
    const markerPacket = { data: encode(announcement(buildRecords(marker, []))) };
    await send(from, [...packets, markerPacket]);
    for (let tries = 1; ; tries += 1) {
      try {
        await observer.waitFor(sees(marker.id), 2_000, 'the marker');
        return;
      } catch (error) {
        if (tries === 5) throw error;
        await send(from, [markerPacket]);
      }
    }
  }

  async function pair(): Promise<{ observer: JsonLines<Line>; peer: JsonLines<Line>; bo: SelfDescription }> {
    const ada = describeSelf('Ada', 47990);
    const bo = describeSelf('Bo', 47991);
    const observer = announcer(lan.hosts[0]!, ada);
    const peer = announcer(lan.hosts[1]!, bo);
    await observer.waitFor(sees(bo.id), 10_000, 'up for Bo');
    return { observer, peer, bo };
  }

  it('a goodbye for a peer sent from another address leaves the peer listed; its own goodbye still works', async () => {
    const { observer, peer, bo } = await pair();
    const spoof = await attacker();
    await attack(spoof, observer, [{ data: encode(announcement(buildRecords(bo, []), 0)) }]);
    const downs = observer.lines.filter((entry) => entry.line.event === 'down');
    console.log(`spoofed goodbye from ${lan.hosts[2]!.address}: the observer's down events: ${JSON.stringify(downs.map((entry) => entry.line))}`);
    expect(downs).toEqual([]);
    process.kill(peer.process.pid!, 'SIGTERM');
    await expect(observer.waitFor((line) => line.event === 'down' && line.id === bo.id, 5_000, 'Bo\u2019s own goodbye')).resolves.toEqual({ event: 'down', id: bo.id, reason: 'goodbye' });
  });

  it('records for a known peer from another address are only a candidate: the dial address and port stay', async () => {
    const { observer, bo } = await pair();
    const spoof = await attacker();
    const impostor = { ...bo, port: 6666 };
    await attack(spoof, observer, [{ data: encode(announcement(buildRecords(impostor, [lan.hosts[2]!.address]))) }]);
    const candidate = await observer.waitFor((line) => line.event === 'candidate' && line.peer.id === bo.id, 5_000, 'a candidate');
    const ups = observer.lines.filter((entry) => sees(bo.id)(entry.line)).map((entry) => (entry.line as { peer: Peer }).peer);
    console.log(`spoofed record: candidate ${JSON.stringify(candidate)}; Bo as the observer lists him: ${JSON.stringify(ups)}`);
    expect(candidate).toMatchObject({ peer: { port: 6666, addresses: [lan.hosts[2]!.address] } });
    expect(ups).toEqual([{ id: bo.id, name: 'Bo', version: '1.0', port: bo.port, addresses: [lan.hosts[1]!.address] }]);
  });

  it('110 PTRs in one packet cost one query about a few instances, and ten such packets stay within the budget', async () => {
    const { observer } = await pair();
    const spoof = await attacker();
    const observerAddress = lan.hosts[0]!.address;
    spoof.tell({ count: observerAddress });
    await spoof.waitFor((line) => line.event === 'count', 5_000, 'count');
    const floods = Array.from({ length: 10 }, () => ({ data: ptrFlood(Array.from({ length: 110 }, () => instanceLabel(randomPeerId()))) }));
    await attack(spoof, observer, floods);
    await sleep(500); // the observer's queries are multicast; let the last reach the attacker
    const counted = spoof.lines.length;
    spoof.tell({ count: observerAddress });
    const heard = (await spoof.waitFor((line) => line.event === 'count' && spoof.lines.length > counted, 5_000, 'count')) as { queries: number; instances: number };
    console.log(`PTR flood: 10 packets of 110 PTRs (${floods[0]!.data.length} bytes each) made the observer send ${heard.queries} queries about ${heard.instances} instances (before: one query per PTR, 1100)`);
    expect(heard.queries).toBeLessThanOrEqual(10);
    expect(heard.instances).toBeLessThanOrEqual(24);
  });

  it('after 1000 made-up instances from nine addresses, a real newcomer is listed and a confirmed peer kept', async () => {
    const { observer, bo } = await pair();
    observer.tell({ confirm: { id: bo.id, address: lan.hosts[1]!.address } });
    const spoof = await attacker();
    const sources = [lan.hosts[2]!.address, ...EXTRA];
    const fakes = Array.from({ length: 1000 }, (_, i) => ({ data: encode(announcement(buildRecords(describeSelf(`Fake ${i}`, 40000 + i), []))), from: sources[i % sources.length]! }));
    await attack(spoof, observer, fakes);
    observer.tell({ sizes: true });
    const { sizes } = (await observer.waitFor((line) => line.event === 'sizes', 5_000, 'sizes')) as { sizes: { peers: number } };
    const cy = describeSelf('Cy', 47993);
    const startedAt = performance.now();
    announcer(lan.hosts[3]!, cy);
    await observer.waitFor(sees(cy.id), 10_000, 'up for the newcomer Cy');
    const evicted = observer.lines.filter((entry) => entry.line.event === 'down' && entry.line.reason === 'evicted').length;
    const listed = observer.lines.filter((entry) => entry.line.event === 'up' && entry.line.peer.name.startsWith('Fake ')).length;
    console.log(`1000 fakes: ${listed} reached the observer (any others were lost in its socket buffer), its table holds ${sizes.peers} (cap 256), ${evicted} unconfirmed entries evicted; newcomer listed ${((performance.now() - startedAt) / 1000).toFixed(2)} s after it was spawned`);
    expect(sizes.peers).toBeLessThanOrEqual(256);
    expect(evicted).toBeGreaterThan(0);
    expect(observer.lines.some((entry) => entry.line.event === 'down' && entry.line.id === bo.id)).toBe(false);
  });
});
