import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { tempDir } from '../support/host.js';
import { closeAll, launchInstance, type Instance } from '../support/instances.js';
import { newDevice, randomFingerprint } from '../support/lan.js';
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
  it('meet by address: the one who added knows the other, who sees it Nearby; same safety code; either can verify', async () => {
    const alice = await launchInstance({ name: 'Alice', extraArgs: lan });
    const bob = await launchInstance({ name: 'Bob', extraArgs: lan });
    await addByAddress(alice, bob);

    await (await peerItem(alice, bob, 'Bob')).getByText('Known').waitFor();
    // No pin on first contact: Alice is Nearby at Bob until Bob acts.
    await (await peerItem(bob, alice, 'Alice')).getByText('Nearby').waitFor();
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

  it('refuses an impostor holding only public data (id, WebRTC fingerprint); the real peer stays connected', async () => {
    const alice = await launchInstance({ name: 'Alice', extraArgs: lan });
    const bob = await launchInstance({ name: 'Bob', extraArgs: lan });
    await addByAddress(alice, bob);
    await (await peerItem(alice, bob, 'Bob')).getByText('Known').waitFor();
    const bobId = await myPeerId(bob);
    const port = await lanPort(alice);

    // The impostor speaks the LAN protocol over TLS with a certificate of its own, claiming Bob's id.
    const own = newDevice();
    const impostor = new WebSocket(`wss://127.0.0.1:${port}/lanline`, { key: own.key, cert: own.cert, rejectUnauthorized: false });
    await new Promise((resolve, reject) => impostor.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => impostor.once('close', (code) => resolve(code)));
    impostor.send(JSON.stringify({ type: 'hello', v: '2.0', id: bobId, name: 'Bob', fingerprint: randomFingerprint(), port: 1 }));
    expect(await closed).toBe(1008);

    // Bob's real connection was never displaced, and nothing was shown as if Bob had changed.
    const row = await peerItem(alice, bob, 'Bob');
    await row.getByText('Known').waitFor();
    await expect(row.getByText('Online').isVisible()).resolves.toBe(true);
    await expect(alice.page.getByRole('alert').count()).resolves.toBe(0);
  });
});

describe('certificate renewal', () => {
  it('renews a WebRTC certificate due for rotation: the peer id stays, a trusted peer keeps it verified without a warning', async () => {
    const dataDir = tempDir('renew-data');
    const userDataDir = tempDir('renew-chromium');
    const alice = await launchInstance({ name: 'Alice', dataDir, userDataDir, extraArgs: lan });
    const bob = await launchInstance({ name: 'Bob', extraArgs: lan });
    await addByAddress(alice, bob);
    await (await peerItem(bob, alice, 'Alice')).getByText('Nearby').waitFor();
    await (await peerRow(bob, alice)).getByRole('button', { name: 'Mark Alice verified' }).click();
    await (await peerItem(bob, alice, 'Alice')).getByText('Verified').waitFor();
    const oldId = await myPeerId(alice);
    const port = Number(new URL(alice.host.origin).port);
    await alice.stop();

    // 340 days on, the certificate (365 days) is inside its renewal window (30 days before expiry).
    const later = Date.now() + 340 * 24 * 60 * 60 * 1000;
    const renewed = await launchInstance({ name: 'Alice', dataDir, userDataDir, port, extraArgs: lan, beforeLoad: (page) => page.clock.setSystemTime(later) });
    await renewed.page.getByRole('status').filter({ hasText: 'Told over the old certificate: Bob.' }).waitFor({ timeout: 20_000 });
    // The peer id belongs to the device certificate, which does not rotate.
    expect(await myPeerId(renewed)).toBe(oldId);
    await bob.page.locator(`li[data-peer-id="${oldId}"]`).getByText('Verified').waitFor();
    await expect(bob.page.getByRole('alert').count()).resolves.toBe(0);
    expect(renewed.app.errors).toEqual([]);
    expect(bob.app.errors).toEqual([]);
  });
});
