/**
 * Links that start the app (issue 13 §2): the host is given one with --link, as the OS gives the
 * desktop app its link in argv, and core holds it until the page says rendererReady. Before that
 * request existed, a link sent while the renderer was still starting was lost.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, launchInstance } from '../support/instances.js';
import { tempDir } from '../support/host.js';
import { lan, meet, peerId } from '../support/peers.js';

afterEach(closeAll);

describe('links that start the app', () => {
  it('a tel: link opens the dial pad with its number', async () => {
    const { page, app } = await launchInstance({ name: 'Alice', extraArgs: ['--link', 'tel:+1-555-0100'] });
    await page.getByRole('heading', { name: 'Dial pad', exact: true }).waitFor();
    await expect(page.getByLabel('Number', { exact: true }).inputValue()).resolves.toBe('+15550100');
    expect(app.errors).toEqual([]);
  });

  it('a lanline://peer link opens the conversation with that peer once the app is up', async () => {
    const alice = await launchInstance({ name: 'Alice', extraArgs: lan });
    const dataDir = tempDir('bob');
    const userDataDir = tempDir('bob-chromium');
    const bob = await launchInstance({ name: 'Bob', dataDir, userDataDir, extraArgs: lan });
    await meet(bob, alice);
    const aliceId = await peerId(alice);
    await bob.stop();

    const again = await launchInstance({ name: 'Bob', dataDir, userDataDir, extraArgs: [...lan, '--link', `lanline://peer/${aliceId.toLowerCase()}`] });
    await again.page.getByRole('heading', { name: 'Chat with Alice' }).waitFor();
    await again.page.getByRole('log', { name: 'Conversation with Alice' }).waitFor();
    expect(again.app.errors).toEqual([]);
  });

  it('a link to a peer not on the network yet says it is looked for', async () => {
    const alice = await launchInstance({ name: 'Alice', extraArgs: lan });
    const aliceId = await peerId(alice);
    await alice.stop();
    const bob = await launchInstance({ name: 'Bob', extraArgs: [...lan, '--link', `lanline://peer/${aliceId}`] });
    await bob.page.getByRole('status').filter({ hasText: `A link asked for ${aliceId}` }).waitFor();
    expect(bob.app.errors).toEqual([]);
  });
});
