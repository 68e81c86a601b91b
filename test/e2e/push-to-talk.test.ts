/** Push to talk: in a muted call, holding Space sends the microphone; releasing it mutes again. */
import { afterEach, describe, expect, it } from 'vitest';
import { callState, countPeerConnections, dial, growth, lan, meet, rises } from '../support/calls.js';
import { closeAll, launchInstance } from '../support/instances.js';

afterEach(closeAll);

describe('push to talk', () => {
  it('holding Space in a muted call lets the other side hear; releasing it mutes again', async () => {
    const alice = await launchInstance({ name: 'Alice', extraArgs: lan, beforeLoad: countPeerConnections });
    const bob = await launchInstance({ name: 'Bob', extraArgs: lan, beforeLoad: countPeerConnections });
    await meet(alice, bob);
    await dial(alice, bob, 'Bob', false);
    await bob.page.getByRole('alertdialog', { name: 'Incoming call from Alice' }).getByRole('button', { name: 'Accept' }).click();
    await callState(bob, 'Alice').filter({ hasText: 'In call with Alice' }).waitFor({ timeout: 20_000 });
    await rises(bob, 'Alice', 'audioEnergy');

    // Focus stays on the Unmute button: a held Space must not press it.
    await alice.page.getByRole('button', { name: 'Mute', exact: true }).click();
    await alice.page.getByRole('button', { name: 'Unmute' }).focus();
    await alice.page.getByText('Muted. Hold Space to talk.').waitFor();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const muted = await growth(bob, 'Alice', 'audioEnergy', 2_000);

    await alice.page.keyboard.down('Space');
    await alice.page.getByRole('status').filter({ hasText: 'Talking (push to talk)' }).waitFor();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const talking = await growth(bob, 'Alice', 'audioEnergy', 2_000);
    expect(talking).toBeGreaterThan(Math.max(muted * 20, 0.001));

    await alice.page.keyboard.up('Space');
    await alice.page.getByText('Muted. Hold Space to talk.').waitFor();
    await alice.page.getByRole('button', { name: 'Unmute' }).waitFor();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await growth(bob, 'Alice', 'audioEnergy', 2_000)).toBeLessThan(talking / 20);
    expect(alice.app.errors).toEqual([]);
  });
});
