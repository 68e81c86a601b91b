/**
 * Call set-up as a user sees it, against a raw RTCPeerConnection between the same two pages in the
 * same run (DESIGN §5: dial to both sides connected at most 1.3 x the raw offer/answer).
 *   app:  Alice clicks 'Video call Bob'; Bob's test clicks Accept as soon as the prompt shows; times
 *         to both media connections 'connected' (taken in the pages) and to Bob's first decoded frame.
 *         "accept → connected" leaves out the ringing, which a raw connection does not have (from the
 *         test's Accept, and from the click as Bob's page sees it).
 *         Dial is timed from the click as the page sees it (a capture listener in Alice's page), and
 *         also from before the test starts clicking (the Peers screen, the row, the button: test
 *         overhead, the figure earlier runs printed).
 *   auto: the same call to Bob after Bob chose "Answer calls from Alice automatically": no prompt.
 *   raw:  getUserMedia(audio + 720p video) in both pages, offer/answer and trickled candidates relayed
 *         by the test, from createOffer to both 'connected' and to the first decoded frame.
 * Prints min / median / max and the ratios of the medians; asserts nothing about speed.
 *   LANLINE_BENCH_ROUNDS=<n>   rounds (default 5)
 */
import { afterAll, describe, it } from 'vitest';
import type { Page } from 'playwright-core';
import { countPeerConnections, dial, lan, meet, peerRow, showScreen } from '../support/calls.js';
import { closeAll, launchInstance } from '../support/instances.js';
import { relayRawSignaling } from '../support/raw-call.js';

const rounds = Number(process.env.LANLINE_BENCH_ROUNDS ?? 5);
const median = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const row = (label: string, samples: number[]) =>
  `${label.padEnd(44)}${[Math.min(...samples), median(samples), Math.max(...samples)].map((ms) => String(Math.round(ms)).padStart(8)).join('')}`;

/** Before each timed call: the previous call's teardown (encoders, transports) is over, for app and raw alike. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 500));
const clickedAt = (page: Page) => page.evaluate(() => (window as unknown as { __clickAt: number }).__clickAt);
const connectedAt = (page: Page) => page.evaluate(() => (window as unknown as { __connectedAt: number[] }).__connectedAt.splice(0));
const firstFrame = (page: Page, selector: string) =>
  page.waitForFunction((css) => {
    const video = document.querySelector<HTMLVideoElement>(css);
    return video && video.getVideoPlaybackQuality().totalVideoFrames > 0 ? Date.now() : null;
  }, selector, { polling: 'raf', timeout: 20_000 }).then((handle) => handle.jsonValue() as Promise<number>);

/** One raw call between the two pages: returns [ms to both connected, ms to B's first frame]. */
async function rawCall(a: Page, b: Page): Promise<[number, number]> {
  const setup = async (page: Page) =>
    page.evaluate(async () => {
      const scope = window as unknown as { raw?: { pc: RTCPeerConnection; connected: Promise<number> } };
      scope.raw?.pc.close();
      document.getElementById('raw-video')?.remove();
      const pc = new RTCPeerConnection();
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: { ideal: 1280 }, height: { ideal: 720 } } });
      stream.getTracks().forEach((track) => pc.addTrack(track, stream));
      const video = Object.assign(document.createElement('video'), { id: 'raw-video', muted: true, autoplay: true, playsInline: true });
      document.body.append(video);
      pc.ontrack = ({ streams }) => (video.srcObject = streams[0] ?? null);
      const connected = new Promise<number>((resolve) => pc.addEventListener('connectionstatechange', () => pc.connectionState === 'connected' && resolve(Date.now())));
      pc.onicecandidate = ({ candidate }) => void (window as unknown as { rawSignal: (message: string) => void }).rawSignal(JSON.stringify({ candidate }));
      scope.raw = { pc, connected };
    });
  await Promise.all([setup(a), setup(b)]);
  const started = await a.evaluate(async () => {
    const { pc } = (window as unknown as { raw: { pc: RTCPeerConnection } }).raw;
    const t0 = Date.now();
    await pc.setLocalDescription();
    void (window as unknown as { rawSignal: (message: string) => void }).rawSignal(JSON.stringify({ description: pc.localDescription }));
    return t0;
  });
  const frame = firstFrame(b, '#raw-video');
  const [ca, cb] = await Promise.all([a, b].map((page) => page.evaluate(() => (window as unknown as { raw: { connected: Promise<number> } }).raw.connected)));
  return [Math.max(ca!, cb!) - started, (await frame) - started];
}

describe('call set-up benchmark', () => {
  afterAll(closeAll);

  it(`times ${rounds} app calls and ${rounds} raw connections between the same two pages`, async () => {
    const alice = await launchInstance({ name: 'Alice', extraArgs: lan, beforeLoad: countPeerConnections });
    const bob = await launchInstance({ name: 'Bob', extraArgs: lan, beforeLoad: countPeerConnections });
    await meet(alice, bob);
    for (const page of [alice.page, bob.page]) await page.evaluate(() => document.addEventListener('click', () => ((window as unknown as { __clickAt: number }).__clickAt = Date.now()), true));
    const bothConnected = async () => {
      let both: number[] = [];
      for (let waited = 0; both.length < 2 && waited < 20_000; waited += 20) {
        both = [...both, ...(await connectedAt(alice.page)), ...(await connectedAt(bob.page))];
        if (both.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return Math.max(...both);
    };
    const hangUp = async () => {
      await alice.page.getByRole('button', { name: 'Hang up' }).click();
      await bob.page.getByText('No call in progress').waitFor();
      await alice.page.getByText('No call in progress').waitFor();
    };
    const autoAnswer = async (on: boolean) => {
      await showScreen(bob, 'Peers');
      const toggle = (await peerRow(bob, alice)).getByRole('button', { name: 'Answer calls from Alice automatically' });
      await toggle.click();
      await toggle.and(bob.page.locator(`[aria-pressed="${on}"]`)).waitFor();
    };
    // Raw signaling: each page hands its messages to the test, which applies them in the other page.
    await relayRawSignaling(alice.page, bob.page);

    const app = { connected: [] as number[], clicked: [] as number[], accepted: [] as number[], acceptClick: [] as number[], frame: [] as number[] };
    const auto = { connected: [] as number[], frame: [] as number[] };
    const raw = { connected: [] as number[], frame: [] as number[] };
    for (let round = 0; round < rounds; round += 1) {
      await connectedAt(alice.page);
      await connectedAt(bob.page);
      await settle();
      const t0 = Date.now();
      await dial(alice, bob, 'Bob', true);
      const prompt = bob.page.getByRole('alertdialog', { name: 'Incoming video call from Alice' });
      await prompt.waitFor();
      const acceptedAt = Date.now();
      await prompt.getByRole('button', { name: 'Accept' }).click();
      const frame = await firstFrame(bob.page, 'video[aria-label="Video from Alice"]');
      const connected = await bothConnected();
      const clicked = await clickedAt(alice.page);
      app.connected.push(connected - clicked);
      app.clicked.push(connected - t0);
      app.accepted.push(connected - acceptedAt);
      app.acceptClick.push(connected - (await clickedAt(bob.page)));
      app.frame.push(frame - clicked);
      await hangUp();

      // The same call, answered without ringing (Bob chose it for Alice).
      await autoAnswer(true);
      await connectedAt(alice.page);
      await connectedAt(bob.page);
      await settle();
      await dial(alice, bob, 'Bob', true);
      const autoFrame = await firstFrame(bob.page, 'video[aria-label="Video from Alice"]');
      const autoConnected = await bothConnected();
      const autoClicked = await clickedAt(alice.page);
      auto.connected.push(autoConnected - autoClicked);
      auto.frame.push(autoFrame - autoClicked);
      await hangUp();
      await autoAnswer(false);

      await settle();
      const [rawConnected, first] = await rawCall(alice.page, bob.page);
      raw.connected.push(rawConnected);
      raw.frame.push(first);
      await Promise.all([alice.page, bob.page].map((page) => page.evaluate(() => (window as unknown as { raw: { pc: RTCPeerConnection } }).raw.pc.close())));
    }

    const ratio = (a: number[], b: number[]) => (median(a) / median(b)).toFixed(2);
    console.log(
      [
        `call set-up, ${rounds} rounds (ms)`.padEnd(44) + ['min', 'median', 'max'].map((cell) => cell.padStart(8)).join(''),
        row('app: dial click → both connected', app.connected),
        row('app: test starts dialing → both connected', app.clicked),
        row('app: accept → both connected', app.accepted),
        row('app: accept click → both connected', app.acceptClick),
        row('app: dial click → first decoded frame', app.frame),
        row('auto-answer: dial click → both connected', auto.connected),
        row('auto-answer: dial click → first frame', auto.frame),
        row('raw: offer → both connected', raw.connected),
        row('raw: offer → first decoded frame', raw.frame),
        `ratio dial → connected / raw: ${ratio(app.connected, raw.connected)} (includes the ringing and the test's Accept, which a raw connection has not)`,
        `ratio dial → connected, from the test's first click / raw: ${ratio(app.clicked, raw.connected)}`,
        `ratio accept → connected / raw: ${ratio(app.accepted, raw.connected)}`,
        `ratio accept click → connected / raw: ${ratio(app.acceptClick, raw.connected)}`,
        `ratio first frame app / raw: ${ratio(app.frame, raw.frame)}`,
        `ratio auto-answer dial → connected / raw: ${ratio(auto.connected, raw.connected)} (goal ≤ 1.3)`,
        `ratio auto-answer first frame / raw: ${ratio(auto.frame, raw.frame)}`,
      ].join('\n'),
    );
  });
});
