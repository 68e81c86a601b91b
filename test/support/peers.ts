/**
 * Meeting peers as a user does, for tests of every feature: read an instance's own id and LAN port
 * from its Peers screen, add another by address, find a peer's row by its id (names are not unique:
 * a test may start two instances under one name). Hosts outside a network namespace run without mDNS
 * (host.ts), so meeting by address is the only way they find each other.
 */
import type { Instance } from './instances.js';

export const lan = ['--lan-port', '0'];

export type Screen = 'Peers' | 'Call' | 'Files' | 'Dial pad' | 'Settings';

export async function showScreen(instance: Instance, name: Screen): Promise<void> {
  await instance.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name, exact: true }).click();
}

const ids = new WeakMap<Instance, string>();

/** The instance's own peer id, as its Peers screen shows it (read once per instance). */
export async function peerId(instance: Instance): Promise<string> {
  let id = ids.get(instance);
  if (!id) {
    await showScreen(instance, 'Peers');
    id = (await instance.page.getByTestId('my-peer-id').textContent()) ?? '';
    ids.set(instance, id);
  }
  return id;
}

/** The LAN signaling port its Peers screen shows ("Others can add you at"). */
export async function lanPort(instance: Instance): Promise<string> {
  await showScreen(instance, 'Peers');
  return (await instance.page.getByTestId('my-lan-port').textContent()) ?? '';
}

/** A peer's row in an instance's Peers list, found by the peer's id. */
export async function peerRow(instance: Instance, of: Instance) {
  return instance.page.getByRole('list', { name: 'Peers on the network' }).locator(`li[data-peer-id="${await peerId(of)}"]`);
}

/** `from` types `to`'s address into "Add by address". */
export async function addByAddress(from: Instance, to: Instance): Promise<void> {
  const port = await lanPort(to);
  await showScreen(from, 'Peers');
  await from.page.getByLabel('Add by address').fill(`127.0.0.1:${port}`);
  await from.page.getByRole('button', { name: 'Add', exact: true }).click();
}

/** `from` adds `to` by address; resolves once both list each other as online. */
export async function meet(from: Instance, to: Instance): Promise<void> {
  await addByAddress(from, to);
  await (await peerRow(from, to)).getByText('Online', { exact: true }).waitFor();
  await (await peerRow(to, from)).getByText('Online', { exact: true }).waitFor();
}
