/**
 * Chat between two instances (host + Chromium page each) that met by address on loopback. Everything
 * is asserted as a user sees it: the conversation log, delivery states, unread badges, error alerts.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../support/host.js';
import { closeAll, launchInstance, type Instance } from '../support/instances.js';
import { addByAddress, lanPort } from '../support/peers.js';

afterEach(closeAll);

const anyLanPort = ['--lan-port', '0'];

/**
 * Names unique to one run: instances started by other test files on this machine may show up through
 * mDNS, and a second "Bob" would make every name-based locator ambiguous.
 */
const tag = randomBytes(3).toString('hex');
const ALICE = `Alice ${tag}`;
const BOB = `Bob ${tag}`;

function peerItem(instance: Instance, name: string) {
  return instance.page.getByRole('list', { name: 'Peers on the network' }).getByRole('listitem', { name });
}

async function meet(a: Instance, aName: string, b: Instance, bName: string): Promise<void> {
  await addByAddress(a, b);
  await peerItem(a, bName).getByText('Known').waitFor();
  // No pin on first contact: b lists a as Nearby until b acts (writes back, for one).
  await peerItem(b, aName).getByText('Nearby').waitFor();
}

/** Opens the chat with `name` and answers its conversation log. */
async function openChat(instance: Instance, name: string) {
  await instance.page.getByRole('button', { name: `Chat with ${name}` }).click();
  const log = instance.page.getByRole('log', { name: `Conversation with ${name}` });
  await log.waitFor();
  return log;
}

async function send(instance: Instance, text: string): Promise<void> {
  await instance.page.getByRole('textbox', { name: 'Message' }).fill(text);
  await instance.page.getByRole('button', { name: 'Send', exact: true }).click();
}

/** The message in `log` containing `text` (case-sensitive, unlike a plain string filter). */
const message = (log: ReturnType<Instance['page']['getByRole']>, text: string) =>
  log.getByRole('listitem').filter({ hasText: new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) });

/** Restart options that keep the page's origin (its IndexedDB: the certificate, so the peer id) and the LAN port. */
async function sameAgain(instance: Instance, name: string) {
  return { name, dataDir: instance.host.dataDir, userDataDir: instance.app.userDataDir, port: Number(new URL(instance.host.origin).port), extraArgs: ['--lan-port', await lanPort(instance)] };
}

describe('chat', () => {
  it('delivers a message and a reply, with delivery states, times and unread counts', async () => {
    const alice = await launchInstance({ name: ALICE, extraArgs: anyLanPort });
    const bob = await launchInstance({ name: BOB, extraArgs: anyLanPort });
    await meet(alice, ALICE, bob, BOB);

    const aliceLog = await openChat(alice, BOB);
    await send(alice, 'Hello Bob! The notes are at https://example.com/notes.');
    const sent = message(aliceLog, 'Hello Bob!');
    await sent.getByText('Delivered', { exact: true }).waitFor();
    expect(await sent.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
    await expect(alice.page.getByRole('textbox', { name: 'Message' }).inputValue()).resolves.toBe('');

    // Bob has not opened the conversation: his peer entry counts it.
    const unreadFromAlice = bob.page.getByRole('button', { name: `Chat with ${ALICE}, 1 unread` });
    await unreadFromAlice.waitFor();
    const bobLog = await openChat(bob, ALICE);
    await message(bobLog, 'Hello Bob!').waitFor();
    // The link is a button that asks core to open it; it is never followed inside the app.
    await expect(message(bobLog, 'Hello Bob!').getByRole('button', { name: 'https://example.com/notes' }).count()).resolves.toBe(1);
    await bob.page.getByRole('button', { name: `Chat with ${ALICE}`, exact: true }).waitFor();

    // Alice closes her chat; Bob's replies then wait for her as unread.
    await alice.page.getByRole('button', { name: `Close the chat with ${BOB}` }).click();
    await send(bob, 'Hi Alice');
    await send(bob, 'Got them, thanks');
    await message(bobLog, 'Got them, thanks').getByText('Delivered', { exact: true }).waitFor();
    await message(bobLog, 'Hi Alice').getByText('Delivered', { exact: true }).waitFor();
    await alice.page.getByRole('button', { name: `Chat with ${BOB}, 2 unread` }).waitFor();

    const again = await openChat(alice, BOB);
    await expect.poll(() => again.getByRole('listitem').allTextContents(), { timeout: 15_000 }).toEqual([
      expect.stringMatching(/^\s*You.*Hello Bob!.*Delivered\s*$/s),
      expect.stringMatching(/^\s*Bob [0-9a-f]{6}.*Hi Alice/s),
      expect.stringMatching(/^\s*Bob [0-9a-f]{6}.*Got them, thanks/s),
    ]);
    await alice.page.getByRole('button', { name: `Chat with ${BOB}`, exact: true }).waitFor();
    expect(alice.app.errors).toEqual([]);
    expect(bob.app.errors).toEqual([]);
  });

  it('opens a clicked link only after core approved it, in a new tab of the browser host', async () => {
    const alice = await launchInstance({ name: ALICE, extraArgs: anyLanPort });
    const bob = await launchInstance({ name: BOB, extraArgs: anyLanPort });
    await meet(alice, ALICE, bob, BOB);
    const target = `${bob.host.origin}/favicon.svg`;
    await openChat(alice, BOB);
    await send(alice, `Look: ${target}`);
    const bobLog = await openChat(bob, ALICE);
    const popup = bob.app.context.waitForEvent('page');
    await message(bobLog, 'Look:').getByRole('button', { name: target }).click();
    const opened = await popup;
    await opened.waitForURL(target);
    // The app's own page stayed where it was.
    expect(new URL(bob.page.url()).origin).toBe(bob.host.origin);
    await expect(bob.page.evaluate(() => Boolean(window.opener))).resolves.toBe(false);
  });

  it('refuses a message longer than 10 000 characters and says why', async () => {
    const alice = await launchInstance({ name: ALICE, extraArgs: anyLanPort });
    const bob = await launchInstance({ name: BOB, extraArgs: anyLanPort });
    await meet(alice, ALICE, bob, BOB);
    const log = await openChat(alice, BOB);
    await send(alice, 'x'.repeat(10_001));
    const alert = alice.page.getByRole('alert').filter({ hasText: 'characters' });
    await alert.waitFor();
    expect(await alert.textContent()).toBe('This message has 10,001 characters; a message can have at most 10,000. Shorten it, or send it as a file.');
    await expect(log.getByRole('listitem').count()).resolves.toBe(0);
    // The draft is kept for the user to shorten.
    await expect(alice.page.getByRole('textbox', { name: 'Message' }).inputValue()).resolves.toHaveLength(10_001);

    await send(alice, 'y'.repeat(10_000));
    await log.getByRole('listitem').getByText('Delivered', { exact: true }).waitFor();
    await expect(alert.count()).resolves.toBe(0);
  });

  it('says "Not delivered" while the peer is away and delivers once it is back', { timeout: 120_000 }, async () => {
    const alice = await launchInstance({ name: ALICE, extraArgs: anyLanPort });
    const bob = await launchInstance({ name: BOB, dataDir: tempDir('chat-bob'), userDataDir: tempDir('chat-bob-chromium'), extraArgs: anyLanPort });
    await meet(alice, ALICE, bob, BOB);
    const bobAgain = await sameAgain(bob, BOB);
    await bob.stop();
    await peerItem(alice, BOB).getByText('Offline').waitFor();

    const log = await openChat(alice, BOB);
    await send(alice, 'Call me when you are back');
    const waiting = message(log, 'Call me when you are back');
    await waiting.getByText('Not delivered').waitFor();
    await alice.page.getByText(`Messages not delivered are sent again when ${BOB} is back.`).waitFor();

    const back = await launchInstance(bobAgain);
    // The hosts run without mDNS (test/support/host.ts): Alice finds Bob again by his address.
    await addByAddress(alice, back);
    // Bob's host may be reachable before his page listens; the first try then times out (15 s) and
    // the next follows a few seconds later.
    await waiting.getByText('Delivered', { exact: true }).waitFor({ timeout: 45_000 });
    await back.page.getByRole('button', { name: `Chat with ${ALICE}, 1 unread` }).waitFor();
    const bobLog = await openChat(back, ALICE);
    await message(bobLog, 'Call me when you are back').waitFor();
  });

  it('keeps both conversations, their states and unread counts across a restart of host and page on both sides', { timeout: 120_000 }, async () => {
    const alice = await launchInstance({ name: ALICE, dataDir: tempDir('chat-alice'), userDataDir: tempDir('chat-alice-chromium'), extraArgs: anyLanPort });
    const bob = await launchInstance({ name: BOB, dataDir: tempDir('chat-bob'), userDataDir: tempDir('chat-bob-chromium'), extraArgs: anyLanPort });
    await meet(alice, ALICE, bob, BOB);

    const aliceLog = await openChat(alice, BOB);
    await send(alice, 'Before the restart');
    await message(aliceLog, 'Before the restart').getByText('Delivered', { exact: true }).waitFor();
    const bobLog = await openChat(bob, ALICE);
    await send(bob, 'Reply before the restart');
    await message(aliceLog, 'Reply before the restart').waitFor();
    // One more that Bob leaves unread.
    await bob.page.getByRole('button', { name: `Close the chat with ${ALICE}` }).click();
    await send(alice, 'Read this after the restart');
    await message(aliceLog, 'Read this after the restart').getByText('Delivered', { exact: true }).waitFor();
    await bob.page.getByRole('button', { name: `Chat with ${ALICE}, 1 unread` }).waitFor();
    expect(await bobLog.count()).toBe(0);

    const [aliceAgain, bobAgain] = [await sameAgain(alice, ALICE), await sameAgain(bob, BOB)];
    await alice.stop();
    await bob.stop();
    // Bob first, so that Alice's host finds him at the address she added when it starts.
    const bob2 = await launchInstance(bobAgain);
    const alice2 = await launchInstance(aliceAgain);

    await bob2.page.getByRole('button', { name: `Chat with ${ALICE}, 1 unread` }).waitFor();
    const aliceLog2 = await openChat(alice2, BOB);
    await expect.poll(() => aliceLog2.getByRole('listitem').allTextContents(), { timeout: 15_000 }).toEqual([
      expect.stringMatching(/^\s*You.*Before the restart.*Delivered\s*$/s),
      expect.stringMatching(/^\s*Bob [0-9a-f]{6}.*Reply before the restart/s),
      expect.stringMatching(/^\s*You.*Read this after the restart.*Delivered\s*$/s),
    ]);
    const bobLog2 = await openChat(bob2, ALICE);
    await expect.poll(() => bobLog2.getByRole('listitem').allTextContents(), { timeout: 15_000 }).toEqual([
      expect.stringMatching(/^\s*Alice [0-9a-f]{6}.*Before the restart/s),
      expect.stringMatching(/^\s*You.*Reply before the restart.*Delivered\s*$/s),
      expect.stringMatching(/^\s*Alice [0-9a-f]{6}.*Read this after the restart/s),
    ]);

    // And the conversation goes on.
    await peerItem(alice2, BOB).getByText('Online').waitFor();
    await send(alice2, 'After the restart');
    await message(aliceLog2, 'After the restart').getByText('Delivered', { exact: true }).waitFor({ timeout: 20_000 });
    await message(bobLog2, 'After the restart').waitFor();
  });
});
