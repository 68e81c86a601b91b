import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { tempDir } from '../support/host.js';
import { closeAll, launchInstance, type Instance } from '../support/instances.js';
import { randomFingerprint } from '../support/lan.js';
import { addByAddress, lan, lanPort, peerId, peerRow } from '../support/peers.js';

afterEach(closeAll);


const myPeerId = peerId;

/** A peer's row, by id; the name is checked too (mDNS may list other instances named alike). */
async function peerItem(instance: Instance, of: Instance, name: string) {
  const row = await peerRow(instance, of);
  await row.getByText(name, { exact: true }).waitFor();
  return row;
}

describe('identity', () => {
  it('keeps the certificate and peer id across a restart, and a fresh profile gets a new one', async () => {
    const dataDir = tempDir('id-data');
    const userDataDir = tempDir('id-chromium');
    const first = await launchInstance({ dataDir, userDataDir, extraArgs: lan });
    const id = await myPeerId(first);
    expect(id).toMatch(/^[A-Z2-7]{7}(-[A-Z2-7]{7}){7}$/);
    await first.stop();

    // IndexedDB belongs to the page's origin, so the restarted host serves on the same port (as the
    // Electron app always serves app://lanline).
    const port = Number(new URL(first.host.origin).port);
    const again = await launchInstance({ dataDir, userDataDir, port, extraArgs: lan });
    expect(await myPeerId(again)).toBe(id);
    await again.stop();

    const fresh = await launchInstance({ extraArgs: lan });
    expect(await myPeerId(fresh)).not.toBe(id);
    expect(fresh.app.errors).toEqual([]);
  });
});

describe('two instances on loopback', () => {
  it('meet by address, pin each other, show the same safety code and can mark each other verified', async () => {
    const alice = await launchInstance({ name: 'Alice', extraArgs: lan });
    const bob = await launchInstance({ name: 'Bob', extraArgs: lan });
    await addByAddress(alice, bob);

    await (await peerItem(alice, bob, 'Bob')).getByText('Known').waitFor();
    await (await peerItem(bob, alice, 'Alice')).getByText('Known').waitFor();
    await expect((await peerItem(alice, bob, 'Bob')).getByText('Online').isVisible()).resolves.toBe(true);
    expect(await (await peerItem(alice, bob, 'Bob')).locator('.peer-id').textContent()).toBe(await myPeerId(bob));

    await (await peerRow(alice, bob)).getByRole('button', { name: 'Show safety code for Bob' }).click();
    await (await peerRow(bob, alice)).getByRole('button', { name: 'Show safety code for Alice' }).click();
    const aliceCode = await (await peerRow(alice, bob)).getByLabel('Safety code for Bob', { exact: true }).textContent();
    const bobCode = await (await peerRow(bob, alice)).getByLabel('Safety code for Alice', { exact: true }).textContent();
    expect(aliceCode).toMatch(/^\d{5} \d{5} \d{5} \d{5}$/);
    expect(bobCode).toBe(aliceCode);

    await (await peerRow(alice, bob)).getByRole('button', { name: 'Mark Bob verified' }).click();
    await (await peerItem(alice, bob, 'Bob')).getByText('Verified').waitFor();
    expect(alice.app.errors).toEqual([]);
    expect(bob.app.errors).toEqual([]);
  });

  it('blocks an impostor that reuses a known id with another certificate, and says so', async () => {
    const alice = await launchInstance({ name: 'Alice', extraArgs: lan });
    const bob = await launchInstance({ name: 'Bob', extraArgs: lan });
    await addByAddress(alice, bob);
    await (await peerItem(alice, bob, 'Bob')).getByText('Known').waitFor();
    const bobId = await myPeerId(bob);
    const port = await lanPort(alice);
    await bob.stop();

    // The impostor speaks the LAN protocol directly: Bob's id and name, its own certificate.
    const impostor = new WebSocket(`ws://127.0.0.1:${port}/lanline`);
    await new Promise((resolve, reject) => impostor.once('open', resolve).once('error', reject));
    const closed = new Promise((resolve) => impostor.once('close', resolve));
    impostor.send(JSON.stringify({ type: 'hello', v: '1.0', id: bobId, name: 'Bob', fingerprint: randomFingerprint(), port: 1 }));
    await closed;

    const alert = alice.page.getByRole('alert').filter({ hasText: 'Bob' });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/Bob is using a different certificate from the one Lanline pinned/);
    // The pin is unchanged: the list says the certificate changed, and accepting it is a deliberate act.
    await (await peerItem(alice, bob, 'Bob')).getByText('Certificate changed').waitFor();
    await expect(alice.page.getByRole('button', { name: 'Accept the new certificate of Bob' }).isVisible()).resolves.toBe(true);
  });
});

describe('certificate renewal', () => {
  it('renews a certificate due for rotation and a trusted peer re-pins it without a warning', async () => {
    const dataDir = tempDir('renew-data');
    const userDataDir = tempDir('renew-chromium');
    const alice = await launchInstance({ name: 'Alice', dataDir, userDataDir, extraArgs: lan });
    const bob = await launchInstance({ name: 'Bob', extraArgs: lan });
    await addByAddress(alice, bob);
    await (await peerItem(bob, alice, 'Alice')).getByText('Known').waitFor();
    await (await peerRow(bob, alice)).getByRole('button', { name: 'Mark Alice verified' }).click();
    await (await peerItem(bob, alice, 'Alice')).getByText('Verified').waitFor();
    const oldId = await myPeerId(alice);
    const port = Number(new URL(alice.host.origin).port);
    await alice.stop();

    // 340 days on, the certificate (365 days) is inside its renewal window (30 days before expiry).
    const later = Date.now() + 340 * 24 * 60 * 60 * 1000;
    const renewed = await launchInstance({ name: 'Alice', dataDir, userDataDir, port, extraArgs: lan, beforeLoad: (page) => page.clock.setSystemTime(later) });
    await renewed.page.getByRole('status').filter({ hasText: 'Told over the old certificate: Bob.' }).waitFor({ timeout: 20_000 });
    const newId = await myPeerId(renewed);
    expect(newId).not.toBe(oldId);

    // Bob now knows Alice by her new id, still verified, and saw no warning.
    await bob.page.locator(`li[data-peer-id="${newId}"]`).getByText('Verified').waitFor();
    await expect(bob.page.locator(`li[data-peer-id="${oldId}"]`).count()).resolves.toBe(0);
    await expect(bob.page.getByRole('alert').count()).resolves.toBe(0);
    expect(renewed.app.errors).toEqual([]);
    expect(bob.app.errors).toEqual([]);
  });
});
