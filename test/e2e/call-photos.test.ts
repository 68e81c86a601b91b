import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { callState, dial, lan, meet, rises, showScreen } from '../support/calls.js';
import { tempDir } from '../support/host.js';
import { closeAll, launchInstance } from '../support/instances.js';

afterEach(closeAll);

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

describe('still photos in a call', () => {
  it("a photo of the remote video is shown in the gallery and saved as a PNG of the video's size", async () => {
    const downloads = tempDir('downloads');
    const alice = await launchInstance({ name: 'Alice', extraArgs: lan });
    const bob = await launchInstance({ name: 'Bob', extraArgs: lan });
    await showScreen(alice, 'Settings');
    await alice.page.getByLabel('Download folder').fill(downloads);
    await alice.page.getByRole('button', { name: 'Save', exact: true }).click();
    await alice.page.getByRole('status').filter({ hasText: /^Settings saved\.$/ }).waitFor();
    await meet(alice, bob);

    await dial(alice, bob, 'Bob', true);
    await bob.page.getByRole('alertdialog', { name: 'Incoming video call from Alice' }).getByRole('button', { name: 'Accept' }).click();
    await callState(alice, 'Bob').filter({ hasText: 'In call with Bob' }).waitFor({ timeout: 20_000 });
    await rises(alice, 'Bob', 'framesDecoded');

    const remote = alice.page.getByRole('list', { name: 'Participants' }).getByRole('listitem', { name: 'Bob' });
    const size = () => remote.getByLabel('Video from Bob').evaluate((video: HTMLVideoElement) => `${video.videoWidth}x${video.videoHeight}`);
    const before = await size();
    await remote.getByRole('button', { name: 'Take photo of Bob' }).click();
    const after = await size();

    const gallery = alice.page.getByRole('list', { name: 'Photos' });
    const photo = gallery.getByRole('listitem').filter({ has: alice.page.getByRole('img', { name: /^Photo of Bob, / }) });
    await photo.waitFor();
    await photo.getByRole('button', { name: /^Save photo of Bob, / }).click();
    await photo.getByRole('status').filter({ hasText: /^Saved to / }).waitFor();

    const files = readdirSync(downloads);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^Bob \d{4}-\d{2}-\d{2} \d{2}\.\d{2}\.\d{2}\.png$/);
    const png = readFileSync(join(downloads, files[0]!));
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(png.toString('ascii', 12, 16)).toBe('IHDR');
    const saved = `${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`;
    expect(saved).not.toBe('0x0');
    expect([before, after]).toContain(saved);
    // The file is the picture the gallery shows.
    expect(await photo.getByRole('img').evaluate((img: HTMLImageElement) => `${img.naturalWidth}x${img.naturalHeight}`)).toBe(saved);
    expect(alice.app.errors).toEqual([]);
  });
});
