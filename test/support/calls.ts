/**
 * Shared set-up for call tests and benchmarks: two instances that met, and the figures a user sees in
 * the call screen's statistics panel.
 */
import type { Page } from 'playwright-core';
import type { Instance } from './instances.js';
import { peerRow, showScreen } from './peers.js';

export { lan, meet, peerId, peerRow, showScreen } from './peers.js';


/**
 * Counts the page's RTCPeerConnections (and the camera tracks it opened) that carry media and are not closed, by wrapping the
 * constructor before the app loads (pass as `beforeLoad`). The app is unchanged; this only observes.
 */
export async function countPeerConnections(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const all: RTCPeerConnection[] = [];
    const captured: MediaStreamTrack[] = [];
    const connected: number[] = [];
    (window as unknown as { __connectedAt: number[] }).__connectedAt = connected;
    const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      const stream = await getUserMedia(constraints);
      captured.push(...stream.getTracks());
      return stream;
    };
    (window as unknown as { __liveCameras: () => number }).__liveCameras = () => captured.filter((track) => track.kind === 'video' && track.readyState === 'live').length;
    (window as unknown as { __mediaPcs: () => number }).__mediaPcs = () => all.filter((pc) => pc.connectionState !== 'closed' && pc.getTransceivers().length > 0).length;
    window.RTCPeerConnection = class extends Native {
      constructor(configuration?: RTCConfiguration) {
        super(configuration);
        all.push(this);
        // When media connections reach 'connected', for benchmarks (page clock, ms since epoch).
        this.addEventListener('connectionstatechange', () => {
          if (this.connectionState === 'connected' && this.getTransceivers().length > 0) connected.push(Date.now());
        });
      }
    } as typeof RTCPeerConnection;
  });
}

/** Camera tracks the page opened and has not stopped (the camera light is on while there is one). */
export const liveCameras = (instance: Instance): Promise<number> => instance.page.evaluate(() => (window as unknown as { __liveCameras: () => number }).__liveCameras());

export const openMediaPcs = (instance: Instance): Promise<number> => instance.page.evaluate(() => (window as unknown as { __mediaPcs: () => number }).__mediaPcs());

/** Clicks 'Call <name>' or 'Video call <name>' in the caller's row for the callee. */
export async function dial(from: Instance, to: Instance, toName: string, video: boolean): Promise<void> {
  await showScreen(from, 'Peers');
  await (await peerRow(from, to)).getByRole('button', { name: `${video ? 'Video call' : 'Call'} ${toName}`, exact: true }).click();
}


/** One figure of the statistics panel for a participant, as shown. */
export async function stat(instance: Instance, name: string, key: string): Promise<string> {
  return (await instance.page.getByRole('region', { name: `Statistics for ${name}` }).locator(`[data-stat="${key}"]`).textContent({ timeout: 20_000 })) ?? '';
}

export async function statNumber(instance: Instance, name: string, key: string): Promise<number> {
  return Number.parseFloat(await stat(instance, name, key));
}

/** Resolves once the figure grew past what it shows now (the panel refreshes at 1 Hz). */
export async function rises(instance: Instance, name: string, key: string, timeoutMs = 15_000): Promise<number> {
  const first = await statNumber(instance, name, key);
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = await statNumber(instance, name, key);
    if (now > first) return now - first;
  }
  throw new Error(`${key} for ${name} stayed at ${first} for ${timeoutMs} ms`);
}

/** How much the figure grew over `ms`. */
export async function growth(instance: Instance, name: string, key: string, ms: number): Promise<number> {
  const first = await statNumber(instance, name, key);
  await new Promise((resolve) => setTimeout(resolve, ms));
  return (await statNumber(instance, name, key)) - first;
}

export const callState = (instance: Instance, name: string) =>
  instance.page.getByRole('list', { name: 'Participants' }).getByRole('listitem', { name }).getByRole('status');
