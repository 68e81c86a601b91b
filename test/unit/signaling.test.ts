/**
 * LanSignaling over real TLS sockets on 127.0.0.1: two (or three) instances with their own device
 * certificates and trust stores, and raw `ws` clients (with a device certificate of their own, or
 * none) playing misbehaving peers. Tests wait for events, never for fixed delays.
 */
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket, WebSocketServer, type ClientOptions } from 'ws';
import { PROTOCOL_VERSION, type Fingerprint, type PeerId, type SignalMessage, type TrustWarning } from '../../electron/contract.js';
import type { Hello, LanMessage } from '../../electron/core/lan/messages.js';
import { LanSignaling, SIGNALING_PATH, type Direction, type LanSelf, type LanSignalingOptions } from '../../electron/core/lan/signaling.js';
import { memoryLog } from '../../electron/core/log.js';
import { JsonFileStore } from '../../electron/core/storage.js';
import { TrustStore } from '../../electron/core/trust/trust-store.js';
import type { DeviceCredentials } from '../../electron/core/identity/device.js';
import { Inbox, newDevice, randomFingerprint, sdpWith } from '../support/lan.js';

const HOST = '127.0.0.1';
const running: LanSignaling[] = [];
const sockets: Array<WebSocket | WebSocketServer> = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket instanceof WebSocket ? socket.terminate() : socket.close();
  await Promise.all(running.splice(0).map((signaling) => signaling.stop()));
});

type Extra = Partial<Pick<LanSignalingOptions, 'clock' | 'pingIntervalMs' | 'helloTimeoutMs' | 'port' | 'limits'>> & { self?: LanSelf; device?: DeviceCredentials };

async function startPeer(name: string, extra: Extra = {}) {
  const log = memoryLog();
  const trust = new TrustStore(new JsonFileStore(join(mkdtempSync(join(tmpdir(), 'lanline-signaling-')), 'trust.json'), log), Date.now, log);
  const device = extra.device ?? newDevice();
  const self: LanSelf = extra.self ?? { id: device.peerId, name, fingerprint: randomFingerprint() };
  const warnings = new Inbox<TrustWarning>();
  const peers = new Inbox<{ peerId: PeerId; hello: Hello; address: string; direction: Direction; device: Fingerprint }>();
  const gone = new Inbox<PeerId>();
  const signals = new Inbox<{ peerId: PeerId; message: SignalMessage }>();
  const signaling = new LanSignaling({ host: HOST, ...extra, port: extra.port ?? 0, self: () => self, device, trust, log, onWarning: warnings.push });
  signaling.on('peer', (peerId, hello, address, direction, device) => peers.push({ peerId, hello, address, direction, device }));
  signaling.on('peer-gone', gone.push);
  signaling.on('signal', (peerId, message) => signals.push({ peerId, message }));
  running.push(signaling);
  const port = await signaling.start();
  return { name, signaling, trust, self, device, log, warnings, peers, gone, signals, port };
}
type TestPeer = Awaited<ReturnType<typeof startPeer>>;

/** `a` connects to `b`; resolves once both sides reported the other. */
async function connect(a: TestPeer, b: TestPeer): Promise<void> {
  expect(await a.signaling.connect(HOST, b.port)).toBe(b.self.id);
  expect((await a.peers.next()).peerId).toBe(b.self.id);
  expect((await b.peers.next()).peerId).toBe(a.self.id);
}

let sessions = 0;
const session = () => `session-${String((sessions += 1)).padStart(4, '0')}`;
const offerFrom = (peer: TestPeer, fingerprint = peer.self.fingerprint): SignalMessage => ({ type: 'offer', session: session(), sdp: sdpWith(fingerprint), purpose: 'call' });

/** The well-behaved peer `a` still reaches `b`. */
async function stillServes(a: TestPeer, b: TestPeer): Promise<void> {
  const offer = offerFrom(a);
  a.signaling.send(b.self.id, offer);
  expect(await b.signals.next()).toEqual({ peerId: a.self.id, message: offer });
}

/**
 * A raw `ws` client over TLS on a peer's signaling port, holding its own device certificate: sees
 * every message and the close code. `hello(name)` is a correct hello for that certificate.
 */
async function rawClient(port: number, options: ClientOptions = {}, device: DeviceCredentials = newDevice()) {
  const ws = new WebSocket(`wss://${HOST}:${port}${SIGNALING_PATH}`, { key: device.key, cert: device.cert, rejectUnauthorized: false, ...options });
  sockets.push(ws);
  const messages = new Inbox<LanMessage>();
  ws.on('message', (data) => messages.push(JSON.parse(data.toString()) as LanMessage));
  ws.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await once(ws, 'open');
  const hello = (name: string, rtc = randomFingerprint()) => helloOf(name, rtc, device.peerId);
  return { ws, device, hello, messages, closed, send: (message: unknown) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)) };
}

function helloOf(name: string, fingerprint: Fingerprint, id: PeerId): Hello {
  return { type: 'hello', v: PROTOCOL_VERSION, id, name, fingerprint, port: 0 };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('LanSignaling', { timeout: 30_000 }, () => {
  it('exchanges hello both ways and pins nothing on first contact', async () => {
    const alice = await startPeer('Alice');
    const bob = await startPeer('Bob');
    expect(await alice.signaling.connect(HOST, bob.port)).toBe(bob.self.id);
    const atAlice = await alice.peers.next();
    const atBob = await bob.peers.next();
    expect(atAlice).toMatchObject({ peerId: bob.self.id, direction: 'outgoing', address: HOST, hello: { name: 'Bob', fingerprint: bob.self.fingerprint, port: bob.port, v: PROTOCOL_VERSION } });
    expect(atBob).toMatchObject({ peerId: alice.self.id, direction: 'incoming', address: HOST, hello: { name: 'Alice', fingerprint: alice.self.fingerprint, port: alice.port } });
    expect(atAlice.device).toBe(bob.device.fingerprint);
    expect(atBob.device).toBe(alice.device.fingerprint);
    expect(alice.trust.all()).toEqual([]);
    expect(bob.trust.all()).toEqual([]);
    expect(alice.trust.state(bob.self.id)).toBe('new');
    expect(alice.signaling.isConnected(bob.self.id)).toBe(true);
    expect(bob.signaling.isConnected(alice.self.id)).toBe(true);
    expect(alice.log.lines.join('\n')).not.toMatch(/a=fingerprint|v=0/);
  });

  it('delivers an offer whose SDP carries the pinned fingerprint, and the answer back', async () => {
    const alice = await startPeer('Alice');
    const bob = await startPeer('Bob');
    await connect(alice, bob);
    // Chromium writes the hex in upper case, but case must not matter.
    const [, hex] = alice.self.fingerprint.split(' ');
    const offer: SignalMessage = { type: 'offer', session: session(), sdp: sdpWith(`sha-256 ${hex!.toLowerCase()}`), purpose: 'data' };
    alice.signaling.send(bob.self.id, offer);
    expect(await bob.signals.next()).toEqual({ peerId: alice.self.id, message: offer });
    const answer: SignalMessage = { type: 'answer', session: offer.session, sdp: sdpWith(bob.self.fingerprint) };
    bob.signaling.send(alice.self.id, answer);
    const candidate: SignalMessage = { type: 'candidate', session: offer.session, candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0' } };
    bob.signaling.send(alice.self.id, candidate);
    expect(await alice.signals.next()).toEqual({ peerId: bob.self.id, message: answer });
    expect(await alice.signals.next()).toEqual({ peerId: bob.self.id, message: candidate });
    expect(bob.warnings.all).toEqual([]);
  });

  it('drops an offer whose SDP carries another certificate, with a fingerprint-mismatch warning', async () => {
    const alice = await startPeer('Alice');
    const bob = await startPeer('Bob');
    await connect(alice, bob);
    const other = randomFingerprint();
    alice.signaling.send(bob.self.id, offerFrom(alice, other));
    expect(await bob.warnings.next()).toMatchObject({ peerId: alice.self.id, name: 'Alice', reason: 'fingerprint-mismatch', expected: alice.self.fingerprint, received: other });
    // One right and one wrong fingerprint is still wrong.
    const ask = offerFrom(bob);
    bob.signaling.send(alice.self.id, ask);
    await alice.signals.next();
    alice.signaling.send(bob.self.id, { type: 'answer', session: ask.session, sdp: sdpWith(alice.self.fingerprint, other) });
    expect(await bob.warnings.next()).toMatchObject({ reason: 'fingerprint-mismatch', received: other });
    // No fingerprint at all cannot be checked: dropped too.
    alice.signaling.send(bob.self.id, { type: 'offer', session: session(), sdp: 'v=0\r\n' });
    const good = offerFrom(alice);
    alice.signaling.send(bob.self.id, good);
    // Messages arrive in order, so the good offer coming first proves the three before it were dropped.
    expect(await bob.signals.next()).toEqual({ peerId: alice.self.id, message: good });
    await vi.waitFor(() => expect(alice.log.lines.filter((line) => /reports identity: the (offer|answer)'s a=fingerprint/.test(line))).toHaveLength(2));
    expect(bob.signaling.isConnected(alice.self.id)).toBe(true);
  });

  it('refuses an impostor holding only public data (a pinned id and its WebRTC fingerprint), and the real connection stays', async () => {
    const alice = await startPeer('Alice');
    const bob = await startPeer('Bob');
    bob.trust.pin(alice.self.id, alice.device.fingerprint, 'Alice');
    await connect(alice, bob);
    const impostor = await rawClient(bob.port);
    impostor.send(helloOf('Alice', alice.self.fingerprint, alice.self.id));
    expect(await impostor.messages.next()).toMatchObject({ type: 'error', code: 'identity', message: expect.stringMatching(/not the one of the certificate you hold/) });
    expect((await impostor.closed).code).toBe(1008);
    // Nothing it said reached Bob as Alice, and Alice's connection was never displaced.
    impostor.send({ type: 'bye', session: 'session-9999' });
    expect(bob.signals.all).toEqual([]);
    expect(bob.trust.get(alice.self.id)?.fingerprint).toBe(alice.device.fingerprint);
    expect(bob.gone.all).toEqual([]);
    expect(bob.peers.all).toHaveLength(1);
    await stillServes(alice, bob);
  });

  it('takes a session\'s answer, candidate and bye only on the connection that carried its offer', async () => {
    const alice = await startPeer('Alice');
    const bob = await startPeer('Bob');
    const carol = await startPeer('Carol');
    await connect(alice, bob);
    await connect(carol, bob);
    const offer = offerFrom(alice);
    alice.signaling.send(bob.self.id, offer);
    expect(await bob.signals.next()).toEqual({ peerId: alice.self.id, message: offer });
    // Carol knows the session id (say she guessed it): nothing she sends for it reaches Bob's renderer.
    for (const message of [
      { type: 'answer', session: offer.session, sdp: sdpWith(carol.self.fingerprint) },
      { type: 'candidate', session: offer.session, candidate: null },
      { type: 'bye', session: offer.session },
      { type: 'decline', session: offer.session },
      { type: 'busy', session: offer.session },
    ] as SignalMessage[]) carol.signaling.send(bob.self.id, message);
    // Neither does a message for a session nobody offered, even from Alice.
    alice.signaling.send(bob.self.id, { type: 'bye', session: session() });
    const bye: SignalMessage = { type: 'bye', session: offer.session };
    alice.signaling.send(bob.self.id, bye);
    expect(await bob.signals.next()).toEqual({ peerId: alice.self.id, message: bye });
    expect(bob.signals.all.filter((signal) => signal.peerId === carol.self.id)).toEqual([]);
    await vi.waitFor(() => expect(carol.log.lines.filter((line) => /no offer of session/.test(line))).toHaveLength(5));
    // Bob's answer to Alice's offer goes back on the connection the offer came on, and is taken there.
    const next = offerFrom(bob);
    bob.signaling.send(alice.self.id, next);
    expect(await alice.signals.next()).toEqual({ peerId: bob.self.id, message: next });
    const answer: SignalMessage = { type: 'answer', session: next.session, sdp: sdpWith(alice.self.fingerprint) };
    alice.signaling.send(bob.self.id, answer);
    expect(await bob.signals.next()).toEqual({ peerId: alice.self.id, message: answer });
  });

  it('refuses a LanSignaling that claims a known id without its key, both ways', async () => {
    const alice = await startPeer('Alice');
    const bob = await startPeer('Bob');
    await connect(alice, bob);
    const mallory = await startPeer('Mallory', { self: { id: alice.self.id, name: 'Alice', fingerprint: alice.self.fingerprint } });
    await expect(mallory.signaling.connect(HOST, bob.port)).rejects.toMatchObject({ code: 'forbidden', message: expect.stringMatching(/refused the connection: Your peer id is not the one of the certificate/) });
    // Bob dialling the impostor's port (as a forged mDNS record would make it) does not take it for Alice either.
    await expect(bob.signaling.connect(HOST, mallory.port)).rejects.toMatchObject({ code: 'forbidden', message: expect.stringMatching(/does not belong to the certificate it holds/) });
    expect(bob.warnings.all).toEqual([]);
    expect(bob.gone.all).toEqual([]);
    await stillServes(alice, bob);
  });

  it('refuses a client without a certificate (401)', async () => {
    const bob = await startPeer('Bob');
    const bare = new WebSocket(`wss://${HOST}:${bob.port}${SIGNALING_PATH}`, { rejectUnauthorized: false });
    sockets.push(bare);
    bare.on('error', () => {});
    const [, response] = (await once(bare, 'unexpected-response')) as [unknown, { statusCode: number }];
    expect(response.statusCode).toBe(401);
    expect(bob.peers.all).toEqual([]);
  });

  it('takes a new WebRTC certificate only when announced on the authenticated connection', async () => {
    const alice = await startPeer('Alice');
    const bob = await startPeer('Bob');
    await connect(alice, bob);
    const old = alice.self.fingerprint;
    alice.self.fingerprint = randomFingerprint();
    // Before the announcement Bob still expects the old one.
    alice.signaling.send(bob.self.id, offerFrom(alice));
    expect(await bob.warnings.next()).toMatchObject({ reason: 'fingerprint-mismatch', expected: old, received: alice.self.fingerprint });
    alice.signaling.announceCertificate();
    await stillServes(alice, bob);
    alice.signaling.send(bob.self.id, offerFrom(alice, old));
    expect(await bob.warnings.next()).toMatchObject({ reason: 'fingerprint-mismatch', expected: alice.self.fingerprint, received: old });
  });

  it('keeps room for pinned peers: strangers fill only their own slots, and a pinned peer still connects', async () => {
    const bob = await startPeer('Bob', { limits: { unknownTotal: 3, unknownPerAddress: 3 } } as Extra);
    const alice = await startPeer('Alice');
    bob.trust.pin(alice.self.id, alice.device.fingerprint, 'Alice');
    const strangers = await Promise.all(Array.from({ length: 3 }, () => rawClient(bob.port)));
    for (const stranger of strangers) stranger.send(stranger.hello('B'));
    for (const stranger of strangers) expect(await stranger.messages.next()).toMatchObject({ type: 'hello' });
    const late = await rawClient(bob.port);
    late.send(late.hello('B'));
    expect(await late.messages.next()).toMatchObject({ type: 'error', code: 'rate-limited', message: expect.stringMatching(/slots for peers not yet known are taken/) });
    expect((await late.closed).code).toBe(1013);
    expect(await alice.signaling.connect(HOST, bob.port)).toBe(bob.self.id);
    await bob.peers.find((peer) => peer.peerId === alice.self.id);
    await stillServes(alice, bob);
    expect(bob.trust.all().map((entry) => entry.peerId)).toEqual([alice.self.id]);
  });

  it('refuses connections past the per-address rate before TLS', async () => {
    const bob = await startPeer('Bob', { limits: { perMinute: 5 } } as Extra);
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => rawClient(bob.port)));
    const opened = results.filter((result) => result.status === 'fulfilled').length;
    console.log(`8 connections at once with a limit of 5 a minute: ${opened} opened`);
    expect(opened).toBe(5);
  });

  it('refuses a blocked peer without raising a warning', async () => {
    const alice = await startPeer('Alice');
    const bob = await startPeer('Bob');
    bob.trust.apply(alice.self.id, 'block');
    await expect(alice.signaling.connect(HOST, bob.port)).rejects.toMatchObject({ code: 'forbidden', message: expect.stringMatching(/does not accept connections from you/) });
    expect(bob.warnings.all).toEqual([]);
    expect(bob.peers.all).toEqual([]);
    expect(alice.peers.all).toEqual([]);
    await vi.waitFor(() => expect(bob.signaling.connections()).toEqual([]));
  });

  it('accepts nothing but hello before hello', async () => {
    const bob = await startPeer('Bob');
    const client = await rawClient(bob.port);
    client.send({ type: 'bye', session: session() });
    expect(await client.messages.next()).toMatchObject({ type: 'error', code: 'invalid', message: 'a bye message before hello; say hello first' });
    const hello = client.hello('Carol');
    client.send(hello);
    expect(await client.messages.next()).toMatchObject({ type: 'hello', id: bob.self.id, fingerprint: bob.self.fingerprint, name: 'Bob', port: bob.port });
    expect((await bob.peers.next()).peerId).toBe(hello.id);
    client.send(hello);
    expect(await client.messages.next()).toMatchObject({ type: 'error', code: 'invalid', message: /already received/ });
  });

  it('answers garbage with an error naming the problem, closes after 10 in a row, and keeps serving others', async () => {
    const alice = await startPeer('Alice');
    const bob = await startPeer('Bob');
    await connect(alice, bob);
    const vandal = await rawClient(bob.port);
    vandal.send('this is not json');
    expect(await vandal.messages.next()).toEqual({ type: 'error', code: 'invalid', message: 'the message is not JSON' });
    vandal.send('[]');
    expect(await vandal.messages.next()).toMatchObject({ message: 'the message must be a JSON object, not an array' });
    vandal.send({ type: 'hello', v: PROTOCOL_VERSION, id: 'nope' });
    expect(await vandal.messages.next()).toMatchObject({ message: expect.stringMatching(/^invalid hello message: id: must be a Lanline peer id/) });
    vandal.ws.send(Buffer.from([1, 2, 3]));
    expect(await vandal.messages.next()).toMatchObject({ message: 'binary messages are not part of the Lanline protocol' });
    for (let i = 0; i < 6; i += 1) vandal.send('{');
    expect((await vandal.closed).code).toBe(1002);
    // One answer per bad message, then the reason for closing.
    const errors = vandal.messages.all.filter((message) => message.type === 'error' && message.code === 'invalid');
    expect(errors).toHaveLength(11);
    expect(errors.at(-1)).toMatchObject({ message: '10 invalid messages in a row; closing.' });
    await stillServes(alice, bob);
  });

  it('closes a connection that sends a 300 KiB message (1009) and keeps serving others', async () => {
    const alice = await startPeer('Alice');
    const bob = await startPeer('Bob');
    await connect(alice, bob);
    const vandal = await rawClient(bob.port);
    vandal.send(JSON.stringify({ type: 'bye', session: session(), padding: 'x'.repeat(300 * 1024) }));
    expect((await vandal.closed).code).toBe(1009);
    await stillServes(alice, bob);
    expect(bob.gone.all).toEqual([]);
  });

  it('drops a flood beyond the rate limit with one rate-limited error and keeps serving others', async () => {
    // A clock that stands still: no tokens come back until the test moves it.
    const now = { value: Date.UTC(2026, 0, 1) };
    const alice = await startPeer('Alice');
    const bob = await startPeer('Bob', { clock: () => now.value });
    await connect(alice, bob);
    const flooder = await rawClient(bob.port);
    const hello = flooder.hello('Flood');
    flooder.send(hello);
    expect(await flooder.messages.next()).toMatchObject({ type: 'hello' });
    flooder.send({ type: 'offer', session: 'flood-0000', sdp: sdpWith(hello.fingerprint) });
    for (let i = 0; i < 1000; i += 1) flooder.send({ type: 'candidate', session: 'flood-0000', candidate: null });
    expect(await flooder.messages.next()).toMatchObject({ type: 'error', code: 'rate-limited' });
    // A ping is answered only after every message before it was handled: the flood is over.
    flooder.ws.ping();
    await once(flooder.ws, 'pong');
    now.value += 1000;
    flooder.send({ type: 'bye', session: 'flood-0000' });
    const last = await bob.signals.find((signal) => signal.peerId === hello.id && signal.message.type === 'bye');
    expect(last.message.session).toBe('flood-0000');
    // 200 tokens at once: one went to hello, one to the offer, 198 to the flood, the rest was dropped.
    expect(bob.signals.all.filter((signal) => signal.message.type === 'candidate')).toHaveLength(198);
    expect(flooder.messages.all.filter((message) => message.type === 'error')).toHaveLength(1);
    await stillServes(alice, bob);
  });

  it('answers a hello of protocol 3.0 with a version error and closes', async () => {
    const alice = await startPeer('Alice');
    const bob = await startPeer('Bob');
    await connect(alice, bob);
    const future = await rawClient(bob.port);
    future.send({ ...future.hello('Future'), v: '3.0' });
    expect(await future.messages.next()).toEqual({
      type: 'error',
      code: 'version',
      message: 'This peer speaks Lanline protocol 3.0, we speak 2.x; update Lanline on the older side to connect.',
    });
    expect((await future.closed).code).toBe(1002);
    await stillServes(alice, bob);
  });

  it('keeps exactly one connection when both sides connect at once', async () => {
    for (let round = 0; round < 3; round += 1) {
      const alice = await startPeer('Alice');
      const bob = await startPeer('Bob');
      const [toBob, toAlice] = await Promise.all([alice.signaling.connect(HOST, bob.port), bob.signaling.connect(HOST, alice.port)]);
      expect([toBob, toAlice]).toEqual([bob.self.id, alice.self.id]);
      await vi.waitFor(() => {
        expect(alice.signaling.connections()).toHaveLength(1);
        expect(bob.signaling.connections()).toHaveLength(1);
      });
      // Both kept the connection the lower id opened.
      const aliceOpened = alice.self.id < bob.self.id;
      expect(alice.signaling.connections()[0]).toMatchObject({ peerId: bob.self.id, ready: true, direction: aliceOpened ? 'outgoing' : 'incoming' });
      expect(bob.signaling.connections()[0]).toMatchObject({ peerId: alice.self.id, ready: true, direction: aliceOpened ? 'incoming' : 'outgoing' });
      await vi.waitFor(() => expect(alice.signaling.isConnected(bob.self.id) && bob.signaling.isConnected(alice.self.id)).toBe(true));
      await stillServes(alice, bob);
      await stillServes(bob, alice);
      expect(alice.peers.all).toHaveLength(1);
      expect(bob.peers.all).toHaveLength(1);
      expect(alice.gone.all).toEqual([]);
      expect(bob.gone.all).toEqual([]);
      await Promise.all(running.splice(0).map((signaling) => signaling.stop()));
    }
  });

  it('reports the peer gone when the other side stops', async () => {
    const alice = await startPeer('Alice');
    const bob = await startPeer('Bob');
    await connect(alice, bob);
    await bob.signaling.stop();
    expect(await alice.gone.next()).toBe(bob.self.id);
    expect(await bob.gone.next()).toBe(alice.self.id);
    expect(alice.signaling.isConnected(bob.self.id)).toBe(false);
    expect(() => alice.signaling.send(bob.self.id, offerFrom(alice))).toThrow(expect.objectContaining({ code: 'unavailable' }));
    expect(alice.log.lines.some((line) => /peer .* disconnected \(1001\)/.test(line))).toBe(true);
  });

  it('terminates a connection that misses a pong, and keeps one that answers', async () => {
    const alice = await startPeer('Alice');
    const bob = await startPeer('Bob', { pingIntervalMs: 100 });
    await connect(alice, bob);
    const mute = await rawClient(bob.port, { autoPong: false });
    const hello = mute.hello('Mute');
    mute.send(hello);
    expect((await bob.peers.next()).peerId).toBe(hello.id);
    expect((await mute.closed).code).toBe(1006);
    expect(await bob.gone.next()).toBe(hello.id);
    expect(bob.signaling.isConnected(alice.self.id)).toBe(true);
    await stillServes(alice, bob);
  });

  it('listens on a free port when the chosen one is taken, and says so', async () => {
    const alice = await startPeer('Alice');
    const bob = await startPeer('Bob', { port: alice.port });
    expect(bob.port).not.toBe(alice.port);
    expect(bob.log.lines.some((line) => line.includes(`WARN LAN port ${alice.port} is in use; listening on port ${bob.port} instead`))).toBe(true);
    await connect(bob, alice);
  });

  it('refuses a browser page, and explains connections that cannot be made', async () => {
    const alice = await startPeer('Alice', { helloTimeoutMs: 500 });
    const page = new WebSocket(`wss://${HOST}:${alice.port}${SIGNALING_PATH}`, { origin: 'http://example.com', rejectUnauthorized: false });
    sockets.push(page);
    page.on('error', () => {});
    const [, response] = (await once(page, 'unexpected-response')) as [unknown, { statusCode: number }];
    expect(response.statusCode).toBe(403);

    await expect(alice.signaling.connect(HOST, await freePort())).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/^Nothing answers at 127\.0\.0\.1:\d+; is Lanline running there\?$/) });

    const device = newDevice();
    const tlsServer = createHttpsServer({ key: device.key, cert: device.cert });
    const silent = new WebSocketServer({ server: tlsServer });
    sockets.push(silent);
    await new Promise<void>((resolve) => tlsServer.listen(0, HOST, resolve));
    const silentPort = (tlsServer.address() as { port: number }).port;
    await expect(alice.signaling.connect(HOST, silentPort)).rejects.toMatchObject({ code: 'unavailable', message: `127.0.0.1:${silentPort} did not answer as a Lanline peer within 0.5 seconds.` });
    tlsServer.close();

    // A Lanline of protocol 1 (plain ws://) cannot answer a TLS handshake.
    const plain = new WebSocketServer({ port: 0, host: HOST });
    sockets.push(plain);
    await once(plain, 'listening');
    const plainPort = (plain.address() as { port: number }).port;
    await expect(alice.signaling.connect(HOST, plainPort)).rejects.toMatchObject({ code: 'unavailable', message: `127.0.0.1:${plainPort} answered, but not as a Lanline peer of protocol 2 (no TLS).` });

    await expect(alice.signaling.connect(HOST, alice.port)).rejects.toMatchObject({ code: 'forbidden', message: /connected to yourself/ });
    await expect(alice.signaling.connect(HOST, 0)).rejects.toMatchObject({ code: 'invalid' });
    await vi.waitFor(() => expect(alice.signaling.connections()).toEqual([]));
  });
});
