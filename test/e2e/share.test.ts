/**
 * Screen sharing in a call between two instances. Chromium's fake UI and fake devices make
 * getDisplayMedia answer a synthetic screen at once, standing in for the user picking one.
 */
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { callState, countPeerConnections, dial, lan, meet, rises } from '../support/calls.js';
import { closeAll, launchInstance, type Instance } from '../support/instances.js';

afterEach(closeAll);

/** Makes getDisplayMedia refuse as it does when the user cancels the picker. */
async function cancelThePicker(page: Page): Promise<void> {
  await countPeerConnections(page);
  await page.addInitScript(() => {
    navigator.mediaDevices.getDisplayMedia = () => Promise.reject(new DOMException('Permission denied by user', 'NotAllowedError'));
  });
}

/** Keeps the screen tracks getDisplayMedia answers, so a test can end one as the browser's own control would. */
async function watchScreens(page: Page): Promise<void> {
  await countPeerConnections(page);
  await page.addInitScript(() => {
    const screens: MediaStreamTrack[] = [];
    (window as unknown as { __screens: MediaStreamTrack[] }).__screens = screens;
    const getDisplayMedia = navigator.mediaDevices.getDisplayMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getDisplayMedia = async (options) => {
      const stream = await getDisplayMedia(options);
      screens.push(...stream.getVideoTracks());
      return stream;
    };
  });
}

const launch = (name: string, beforeLoad = watchScreens) => launchInstance({ name, extraArgs: lan, beforeLoad });

async function videoCall(alice: Instance, bob: Instance): Promise<void> {
  await meet(alice, bob);
  await dial(alice, bob, 'Bob', true);
  await bob.page.getByRole('alertdialog', { name: 'Incoming video call from Alice' }).getByRole('button', { name: 'Accept' }).click();
  await callState(alice, 'Bob').filter({ hasText: 'In call with Bob' }).waitFor({ timeout: 20_000 });
  await callState(bob, 'Alice').filter({ hasText: 'In call with Alice' }).waitFor({ timeout: 20_000 });
  await rises(bob, 'Alice', 'framesDecoded');
}

const participant = (instance: Instance, name: string) => instance.page.getByRole('list', { name: 'Participants' }).getByRole('listitem', { name });

/** Frames the named <video> has shown so far (what the user sees move). */
const framesShown = (instance: Instance, label: string) =>
  instance.page.getByLabel(label, { exact: true }).evaluate((video) => (video as HTMLVideoElement).getVideoPlaybackQuality().totalVideoFrames);

async function framesRise(instance: Instance, label: string, timeoutMs = 15_000): Promise<void> {
  const first = await framesShown(instance, label);
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    if ((await framesShown(instance, label)) > first) return;
  }
  throw new Error(`${label} showed no new frame in ${timeoutMs} ms`);
}

describe('screen sharing in a call', () => {
  it('the other side sees the shared screen large and the camera small; stop sharing restores the camera layout', async () => {
    const alice = await launch('Alice');
    const bob = await launch('Bob');
    await videoCall(alice, bob);

    await alice.page.getByRole('button', { name: 'Share screen' }).click();
    const bar = alice.page.getByRole('region', { name: 'Screen sharing' });
    await bar.getByText('You are sharing your screen').waitFor();

    await participant(bob, 'Alice').and(bob.page.locator('[data-layout="share"]')).waitFor({ timeout: 20_000 });
    await framesRise(bob, 'Screen shared by Alice');
    await framesRise(bob, 'Video from Alice');
    // The screen is the synthetic one (not the camera's picture): its own size, and the bigger element.
    const [share, camera] = await Promise.all(
      ['Screen shared by Alice', 'Video from Alice'].map((label) => bob.page.getByLabel(label, { exact: true }).evaluate((video) => video.getBoundingClientRect().width)),
    );
    expect(share!).toBeGreaterThan(camera!);
    await expect(alice.page.getByRole('button', { name: 'Share screen' }).count()).resolves.toBe(0);

    await bar.getByRole('button', { name: 'Stop sharing' }).click();
    await bar.waitFor({ state: 'detached' });
    await participant(bob, 'Alice').and(bob.page.locator('[data-layout="camera"]')).waitFor({ timeout: 20_000 });
    await expect(bob.page.getByLabel('Screen shared by Alice', { exact: true }).count()).resolves.toBe(0);
    await framesRise(bob, 'Video from Alice');
    await callState(bob, 'Alice').filter({ hasText: 'In call with Alice' }).waitFor();

    // Sharing again reuses the same transceivers, and the screen ending by itself stops sharing.
    await alice.page.getByRole('button', { name: 'Share screen' }).click();
    await participant(bob, 'Alice').and(bob.page.locator('[data-layout="share"]')).waitFor({ timeout: 20_000 });
    await framesRise(bob, 'Screen shared by Alice');
    // The browser's own "Stop sharing" ends the track (stop() alone fires no event, so the test fires it as Chromium does).
    await alice.page.evaluate(() => {
      for (const track of (window as unknown as { __screens: MediaStreamTrack[] }).__screens) {
        track.stop();
        track.dispatchEvent(new Event('ended'));
      }
    });
    await alice.page.getByRole('region', { name: 'Screen sharing' }).waitFor({ state: 'detached' });
    await participant(bob, 'Alice').and(bob.page.locator('[data-layout="camera"]')).waitFor({ timeout: 20_000 });
    expect(alice.app.errors).toEqual([]);
    expect(bob.app.errors).toEqual([]);
  });

  it('cancelling the picker leaves the call connected and unchanged, with no error shown', async () => {
    const alice = await launch('Alice', cancelThePicker);
    const bob = await launch('Bob');
    await videoCall(alice, bob);

    await alice.page.getByRole('button', { name: 'Share screen' }).click();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await expect(alice.page.getByRole('region', { name: 'Screen sharing' }).count()).resolves.toBe(0);
    await expect(alice.page.getByRole('alert').count()).resolves.toBe(0);
    await alice.page.getByRole('button', { name: 'Share screen' }).waitFor();
    await callState(alice, 'Bob').filter({ hasText: 'In call with Bob' }).waitFor();
    await expect(participant(bob, 'Alice').getAttribute('data-layout')).resolves.toBe('camera');
    await rises(bob, 'Alice', 'framesDecoded');
    expect(alice.app.errors).toEqual([]);
  });
});
