/**
 * The SIP lab's self-test (test/support/sip-lab.ts): a plain JsSIP user agent in Debian's Chromium, in
 * the lab's network namespace, against kamailio + rtpengine + baresip. It registers with digest auth,
 * calls the phone (audio both ways, RFC 4733 DTMF digits seen by the phone, hang-up from either side),
 * meets a busy phone (486) and an unknown number (404), and takes a call from the phone.
 *
 * The page is served over http from inside the namespace (a secure context on 127.0.0.1, from which
 * Chromium lets it open ws://127.0.0.1), and JsSIP, CommonJS only, is bundled by esbuild into an IIFE.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import type { UA } from 'jssip';
import type { EndEvent, PeerConnectionEvent, RTCSession } from 'jssip/lib/RTCSession.js';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type AppPage } from '../support/browser.js';
import { repoRoot } from '../support/host.js';
import { sipLabAvailable, startSipLab, type SipAccount, type SipLab } from '../support/sip-lab.js';

declare global {
  interface Window {
    JsSIP: typeof import('jssip');
    harness: {
      ua: UA;
      current: RTCSession | null;
      incoming: RTCSession[];
      ended: { originator: string; cause: string }[];
    };
  }
}

/** A page that is nothing but a secure origin on the namespace's 127.0.0.1. */
const PAGE_SERVER = `
const server = require('http').createServer((request, response) => {
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  response.end('<!doctype html><meta charset="utf-8"><title>SIP lab</title><body></body>');
});
server.listen(0, '127.0.0.1', () => console.log('page server on ' + server.address().port));
`;

let lab: SipLab;
let browser: AppPage;
let page: Page;
let alice: SipAccount;

async function jssipBundle(): Promise<string> {
  const result = await build({
    stdin: { contents: "window.JsSIP = require('jssip');", resolveDir: repoRoot, loader: 'js' },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

interface CallResult {
  ok: boolean;
  status: number | null;
  cause: string | null;
}

/** Calls `target` (a number at the lab's domain) and resolves once confirmed or failed. */
function call(target: string): Promise<CallResult> {
  return page.evaluate(
    ({ target, domain }) =>
      new Promise<CallResult>((resolve) => {
        const session = window.harness.ua.call(`sip:${target}@${domain}`, {
          mediaConstraints: { audio: true, video: false },
          pcConfig: { iceServers: [] },
        });
        window.harness.current = session;
        session.on('confirmed', () => resolve({ ok: true, status: null, cause: null }));
        session.on('failed', (event: EndEvent) => {
          const message = event.message as { status_code?: number } | undefined;
          resolve({ ok: false, status: message?.status_code ?? null, cause: event.cause ?? null });
        });
      }),
    { target, domain: lab.domain },
  );
}

interface AudioStats {
  packetsReceived: number;
  audioLevel: number;
  totalAudioEnergy: number;
  bytesSent: number;
}

function audioStats(): Promise<AudioStats> {
  return page.evaluate(async () => {
    const connection = window.harness.current!.connection;
    const result = { packetsReceived: 0, audioLevel: 0, totalAudioEnergy: 0, bytesSent: 0 };
    (await connection.getStats()).forEach((stat: Record<string, unknown>) => {
      if (stat.type === 'inbound-rtp' && stat.kind === 'audio') {
        result.packetsReceived += Number(stat.packetsReceived ?? 0);
        result.audioLevel = Math.max(result.audioLevel, Number(stat.audioLevel ?? 0));
        result.totalAudioEnergy += Number(stat.totalAudioEnergy ?? 0);
      }
      if (stat.type === 'outbound-rtp' && stat.kind === 'audio') result.bytesSent += Number(stat.bytesSent ?? 0);
    });
    return result;
  });
}

async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms\n${lab.logs()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Waits until the page's current session has ended; returns who ended it. */
function pageSessionEnded(): Promise<{ originator: string; cause: string }> {
  return page.evaluate(
    () =>
      new Promise<{ originator: string; cause: string }>((resolve) => {
        const session = window.harness.current!;
        if (session.isEnded()) {
          resolve(window.harness.ended.at(-1) ?? { originator: 'unknown', cause: 'unknown' });
          return;
        }
        session.on('ended', (event: EndEvent) => resolve({ originator: event.originator, cause: event.cause ?? '' }));
      }),
  );
}

beforeAll(async () => {
  const missing = sipLabAvailable();
  if (missing) throw new Error(missing);
  const bundle = jssipBundle();
  lab = await startSipLab();
  alice = lab.account('alice');

  const server = lab.spawn(process.execPath, ['-e', PAGE_SERVER]);
  const lines = createInterface({ input: server.stdout! });
  const [line] = (await Promise.race([once(lines, 'line'), new Promise((_, reject) => setTimeout(() => reject(new Error('page server did not start')), 10_000))])) as [string];
  const pageUrl = `http://127.0.0.1:${/on (\d+)/.exec(line)![1]}/`;

  browser = await launchBrowser({ netns: lab.netns ?? undefined });
  page = browser.page;
  await page.goto(pageUrl);
  await page.addScriptTag({ content: await bundle });
}, 120_000);

afterAll(async () => {
  await page?.evaluate(() => window.harness?.ua.stop()).catch(() => undefined);
  await browser?.close().catch(() => undefined);
  if (browser) rmSync(browser.userDataDir, { recursive: true, force: true });
  const netns = lab?.netns;
  await lab?.stop();
  // Nothing is left behind: the namespace (and with it every process in it) is gone.
  if (netns) expect((await promisify(execFile)('ip', ['netns', 'list'])).stdout).not.toContain(netns);
});

describe('SIP lab: JsSIP in Chromium against kamailio + rtpengine + baresip', () => {
  it('registers with digest authentication over WebSocket', async () => {
    if (process.env.LANLINE_SIP_LAB_NETNS !== '0') expect(lab.netns, 'the lab runs in a network namespace here (root on Linux)').toMatch(/^lanline-\d+-[0-9a-f]+-sip$/);
    const registered = await page.evaluate(
      (account) =>
        new Promise<string>((resolve) => {
          const { JsSIP } = window;
          const ua = new JsSIP.UA({
            sockets: [new JsSIP.WebSocketInterface(account.wsUrl)],
            uri: account.uri,
            authorization_user: account.authUser,
            password: account.password,
            register: true,
            session_timers: false,
          });
          window.harness = { ua, current: null, incoming: [], ended: [] };
          ua.on('newRTCSession', ({ session, originator }: { session: RTCSession; originator: string }) => {
            if (originator === 'remote') window.harness.incoming.push(session);
            session.on('ended', (event: EndEvent) => window.harness.ended.push({ originator: event.originator, cause: event.cause ?? '' }));
            // The remote track plays in an <audio> element: without a sink, audioLevel stays 0.
            const attach = (connection: RTCPeerConnection) =>
              connection.addEventListener('track', (event) => {
                const audio = document.createElement('audio');
                audio.autoplay = true;
                audio.srcObject = event.streams[0] ?? new MediaStream([event.track]);
                document.body.append(audio);
                void audio.play().catch(() => undefined);
              });
            if (session.connection) attach(session.connection);
            else session.on('peerconnection', ({ peerconnection }: PeerConnectionEvent) => attach(peerconnection));
          });
          ua.on('registered', () => resolve('registered'));
          ua.on('registrationFailed', (event) => resolve(`failed: ${event.cause}`));
          ua.start();
        }),
      alice,
    );
    expect(registered, lab.logs()).toBe('registered');
  });

  it('calls the phone: audio both ways, DTMF digits reach the phone in order, the browser hangs up', async () => {
    const since = lab.phone.mark();
    const result = await call(lab.phone.number);
    expect(result, lab.logs()).toEqual({ ok: true, status: null, cause: null });
    await lab.phone.waitFor((event) => event.type === 'CALL_ESTABLISHED', { since });

    // The phone's 440 Hz tone arrives and is heard; the browser's fake microphone goes out.
    const first = await until('audio from the phone', audioStats, (stats) => stats.packetsReceived > 20 && stats.audioLevel > 0.01);
    const later = await until('audio to the phone', audioStats, (stats) => stats.bytesSent > first.bytesSent + 1_000);
    expect(later.totalAudioEnergy).toBeGreaterThan(0);
    const phoneStats = await until('the phone counting RTP', () => lab.phone.rtpStats(), (stats) => (stats?.packetsReceived ?? 0) > 20 && (stats?.packetsSent ?? 0) > 20);
    expect(phoneStats!.packetsReceived, phoneStats!.raw).toBeGreaterThan(20);

    // RFC 4733 telephone-events through the audio sender's RTCDTMFSender.
    await page.evaluate(() => window.harness.current!.sendDTMF('159#', { transportType: window.JsSIP.C.DTMF_TRANSPORT.RFC2833, duration: 120, interToneGap: 80 }));
    await lab.phone.waitFor((event) => event.type === 'CALL_DTMF_START' && event.param === '#', { since });
    expect(lab.phone.dtmfDigits(since)).toBe('159#');

    await page.evaluate(() => window.harness.current!.terminate());
    const closed = await lab.phone.waitFor((event) => event.type === 'CALL_CLOSED', { since });
    expect(closed.param).toMatch(/Connection reset by peer|BYE/i);
    expect(await lab.phone.rtpStats()).toBeNull();
  });

  it('a second call is held and resumed (re-INVITEs through rtpengine), then the phone hangs up', async () => {
    const since = lab.phone.mark();
    expect(await call(lab.phone.number), lab.logs()).toMatchObject({ ok: true });
    await lab.phone.waitFor((event) => event.type === 'CALL_ESTABLISHED', { since });
    await until('audio from the phone', audioStats, (stats) => stats.packetsReceived > 10);

    const reinvite = (action: 'hold' | 'unhold') =>
      page.evaluate(
        (action) =>
          new Promise<string>((resolve) => {
            const session = window.harness.current!;
            setTimeout(() => resolve(`no answer to ${action}`), 10_000);
            if (!session[action]({}, () => resolve('done'))) resolve(`${action} refused`);
          }),
        action,
      );
    expect(await reinvite('hold'), lab.logs()).toBe('done');
    expect(await page.evaluate(() => window.harness.current!.isOnHold().local)).toBe(true);
    expect(await reinvite('unhold'), lab.logs()).toBe('done');
    const resumed = (await audioStats()).packetsReceived;
    await until('audio after resuming', audioStats, (stats) => stats.packetsReceived > resumed + 20 && stats.audioLevel > 0.01);
    const ended = pageSessionEnded();
    await lab.phone.hangup();
    expect(await ended).toMatchObject({ originator: 'remote' });
    await lab.phone.waitFor((event) => event.type === 'CALL_CLOSED', { since });
  });

  it('a busy phone answers 486 and an unknown number 404', async () => {
    const since = lab.busy.mark();
    expect(await call(lab.busyNumber)).toMatchObject({ ok: false, status: 486, cause: 'Busy' });
    await lab.busy.waitFor((event) => event.type === 'CALL_INCOMING', { since });
    expect(await call(lab.unknownNumber)).toMatchObject({ ok: false, status: 404 });
  });

  it('a call from the phone rings in the browser, is answered, and carries audio', async () => {
    const since = lab.phone.mark();
    await lab.phone.dial(alice.uri);
    await until('the incoming call', () => page.evaluate(() => window.harness.incoming.length), (count) => count === 1);
    await lab.phone.waitFor((event) => event.type === 'CALL_RINGING', { since });
    const from = await page.evaluate(() => {
      const session = window.harness.incoming[0]!;
      window.harness.current = session;
      return { user: session.remote_identity.uri.user, ringing: session.isInProgress() };
    });
    expect(from).toEqual({ user: 'phone', ringing: true });

    const confirmed = page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const session = window.harness.current!;
          session.on('confirmed', () => resolve('confirmed'));
          session.on('failed', (event: EndEvent) => resolve(`failed: ${event.cause}`));
          session.answer({ mediaConstraints: { audio: true, video: false }, pcConfig: { iceServers: [] } });
        }),
    );
    expect(await confirmed, lab.logs()).toBe('confirmed');
    await lab.phone.waitFor((event) => event.type === 'CALL_ESTABLISHED', { since });
    await until('audio from the phone', audioStats, (stats) => stats.packetsReceived > 20 && stats.audioLevel > 0.01);
    await until('the phone hearing the browser', () => lab.phone.rtpStats(), (stats) => (stats?.packetsReceived ?? 0) > 20);

    await page.evaluate(() => window.harness.current!.terminate());
    await lab.phone.waitFor((event) => event.type === 'CALL_CLOSED', { since });
  });

  it('a call the phone gives up on before it is answered stops ringing in the browser (CANCEL)', async () => {
    const since = lab.phone.mark();
    const before = await page.evaluate(() => window.harness.incoming.length);
    await lab.phone.dial(alice.uri);
    await until('the incoming call', () => page.evaluate(() => window.harness.incoming.length), (count) => count === before + 1);
    await lab.phone.waitFor((event) => event.type === 'CALL_RINGING', { since });
    // Listen before the phone hangs up, and read the outcome by polling (no promise to miss it).
    await page.evaluate(() => {
      const session = window.harness.incoming.at(-1)!;
      session.on('failed', (event: EndEvent) => window.harness.ended.push({ originator: event.originator, cause: `failed: ${event.cause ?? ''}` }));
    });
    const endedBefore = await page.evaluate(() => window.harness.ended.length);
    await lab.phone.hangup();
    const ended = await until('the browser to stop ringing', () => page.evaluate(() => window.harness.ended), (list) => list.length > endedBefore);
    expect(ended.at(-1)).toEqual({ originator: 'remote', cause: 'failed: Canceled' });
    await lab.phone.waitFor((event) => event.type === 'CALL_CLOSED', { since });
  });
});
