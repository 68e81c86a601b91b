/**
 * Lanline's dial pad against a real gateway and a real far-end phone (test/support/sip-lab.ts):
 * kamailio (SIP over WebSocket, registrar, digest auth) + rtpengine (DTLS-SRTP/ICE to plain RTP) +
 * baresip, which auto-answers, plays a tone and reports the DTMF digits it receives. The app is a host
 * and its page in the lab's namespace, driven through its UI only: Settings to register, the dial pad
 * to call, the call screen's keypad to send digits, its buttons to hang up. Then early media (the
 * gateway's ringback heard while the far end rings), the gateway going away and coming back (offline,
 * registered again by JsSIP's back-off), and, last since it ends the instance, unregistering on close.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callState, growth, rises } from '../support/calls.js';
import { tempDir } from '../support/host.js';
import { closeAll, launchInstance, type Instance } from '../support/instances.js';
import { showScreen } from '../support/peers.js';
import { sipLabAvailable, startSipLab, type SipLab } from '../support/sip-lab.js';

let lab: SipLab;
let app: Instance;
const USER = 'alice';

const keyName = (key: string) => (key === '*' ? 'Star' : key === '#' ? 'Pound' : `Digit ${key}`);

async function register(instance: Instance): Promise<void> {
  const account = lab.account(USER);
  await showScreen(instance, 'Settings');
  const form = instance.page.getByRole('form', { name: 'Phone calls (SIP account)' });
  await form.getByLabel('Use this SIP account').check();
  await form.getByLabel('SIP address').fill(account.uri);
  await form.getByLabel('Authentication user (if different)').fill(account.authUser === USER ? '' : account.authUser);
  await form.getByLabel('Password', { exact: true }).fill(account.password);
  await form.getByLabel('WebSocket server').fill(account.wsUrl);
  // The lab's gateway is ws:// on loopback: Settings asks to confirm the connection is unencrypted.
  if (account.wsUrl.startsWith('ws://')) await form.getByLabel('Use this unencrypted connection anyway').check();
  await form.getByLabel('Caller name shown on phone calls').fill('Alice Lanline');
  // A new SIP server: the page reloads once, so that its Content-Security-Policy lets it connect there.
  const reloaded = instance.page.waitForEvent('load', { timeout: 15_000 });
  await form.getByRole('button', { name: 'Save SIP account' }).click();
  await reloaded;
  await showScreen(instance, 'Settings');
  await instance.page.getByRole('form', { name: 'Phone calls (SIP account)' }).getByText(`Registered as ${account.uri}.`).waitFor({ timeout: 20_000 });
}

/** Dials on the dial pad by clicking its keys, then Call. */
async function dialByKeys(instance: Instance, number: string): Promise<void> {
  await showScreen(instance, 'Dial pad');
  const pad = instance.page.getByRole('region', { name: 'Dial pad' });
  const clear = pad.getByRole('button', { name: 'Clear number' });
  if (await clear.isEnabled()) await clear.click();
  for (const key of number) await pad.getByRole('group', { name: 'Dial pad keys' }).getByRole('button', { name: keyName(key), exact: true }).click();
  await expect.poll(() => pad.getByRole('textbox', { name: 'Number' }).inputValue()).toBe(number);
  await pad.getByRole('button', { name: 'Call', exact: true }).click();
}

/** Saves the SIP form and waits for the new registration (the status says "Connecting" until then). */
async function saveAndRegister(form: ReturnType<Instance['page']['getByRole']>): Promise<void> {
  await form.getByRole('button', { name: 'Save SIP account' }).click();
  await form.getByText('SIP account saved.').waitFor();
  await form.getByText(`Registered as ${lab.account(USER).uri}.`).waitFor({ timeout: 20_000 });
}

/** Calls the phone from the dial pad and waits until both sides say the call is up. */
async function callPhone(): Promise<{ since: number; name: string }> {
  const since = lab.phone.mark();
  await dialByKeys(app, lab.phone.number);
  const name = lab.phone.number;
  await callState(app, name).filter({ hasText: `In call with ${name}` }).waitFor({ timeout: 20_000 });
  await lab.phone.waitFor((event) => event.type === 'CALL_ESTABLISHED', { since, timeoutMs: 10_000 });
  return { since, name };
}

const participants = (instance: Instance) => instance.page.getByRole('list', { name: 'Participants' });

describe('phone calls through a SIP gateway (kamailio + rtpengine) to a real phone (baresip)', () => {
  beforeAll(async () => {
    const missing = sipLabAvailable();
    if (missing) throw new Error(missing);
    lab = await startSipLab();
    app = await launchInstance({ name: 'Alice', dataDir: tempDir('phone-alice'), netns: lab.netns ?? undefined, extraArgs: ['--lan-port', '0'] });
    app.page.on('console', (message) => message.type() === 'error' && console.log(`page: ${message.text()}`));
  }, 120_000);

  afterAll(async () => {
    await closeAll();
    await lab?.stop();
  });

  it('registers the account from Settings and says so on the dial pad', async () => {
    await register(app);
    await showScreen(app, 'Dial pad');
    await app.page.getByRole('status').filter({ hasText: `Registered as Alice Lanline <${lab.account(USER).uri}>` }).waitFor();
  });

  it('calls the phone from the dial pad: audio flows both ways, the keypad digits reach the phone in order, hang-up from Lanline', async () => {
    const { since, name } = await callPhone();

    // Phone -> Lanline: the phone's tone arrives and is heard (audio energy rises on a playing element).
    expect(await rises(app, name, 'bytesReceived')).toBeGreaterThan(0);
    expect(await rises(app, name, 'audioEnergy')).toBeGreaterThan(0);
    // Lanline -> phone: the phone counts RTP packets from the browser leg.
    const before = (await lab.phone.rtpStats())?.packetsReceived ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const after = (await lab.phone.rtpStats())?.packetsReceived ?? 0;
    expect(after).toBeGreaterThan(before);

    // The in-call keypad: RFC 4733 telephone-events through RTCDTMFSender.
    const item = participants(app).getByRole('listitem', { name });
    const keypad = item.getByRole('region', { name: 'Keypad' });
    await keypad.getByRole('button', { name: 'Show keypad' }).click();
    for (const key of '159#') await keypad.getByRole('button', { name: keyName(key), exact: true }).click();
    await expect.poll(() => keypad.getByRole('status', { name: 'Digits sent' }).textContent(), { timeout: 10_000 }).toBe('159#');
    await expect.poll(() => lab.phone.dtmfDigits(since), { timeout: 10_000 }).toBe('159#');

    // Hold (a re-INVITE through the gateway): the phone stops sending; Resume brings its audio back.
    await app.page.getByRole('button', { name: 'Hold', exact: true }).click();
    await app.page.getByText('You put the call on hold').waitFor();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await growth(app, name, 'bytesReceived', 2_500)).toBe(0);
    await app.page.getByRole('button', { name: 'Resume', exact: true }).click();
    expect(await rises(app, name, 'bytesReceived')).toBeGreaterThan(0);

    await app.page.getByRole('button', { name: 'Hang up' }).click();
    await lab.phone.waitFor((event) => event.type === 'CALL_CLOSED', { since, timeoutMs: 10_000 });
    await participants(app).waitFor({ state: 'detached' });
    const log = app.page.getByRole('list', { name: 'Recent calls' });
    await log.getByRole('listitem').filter({ hasText: name }).filter({ hasText: 'Answered' }).first().waitFor();
  });

  it('redials; the phone hangs up and the call screen ends the call', async () => {
    const since = lab.phone.mark();
    await showScreen(app, 'Dial pad');
    await app.page.getByRole('button', { name: 'Redial' }).click();
    const name = lab.phone.number;
    await callState(app, name).filter({ hasText: `In call with ${name}` }).waitFor({ timeout: 20_000 });
    await lab.phone.waitFor((event) => event.type === 'CALL_ESTABLISHED', { since, timeoutMs: 10_000 });
    await lab.phone.hangup();
    await participants(app).waitFor({ state: 'detached', timeout: 10_000 });
    await app.page.getByText('No call in progress.').waitFor();
    // Ended by the far end's BYE: nothing to explain, and the log holds both answered calls.
    await expect(app.page.getByRole('status').filter({ hasText: `Call to ${name}:` }).count()).resolves.toBe(0);
    await expect
      .poll(() => app.page.getByRole('list', { name: 'Recent calls' }).getByRole('listitem').filter({ hasText: name }).filter({ hasText: 'Answered' }).count())
      .toBe(2);
  });

  it('a busy line says so in words (486 from the far end)', async () => {
    const since = lab.busy.mark();
    await dialByKeys(app, lab.busyNumber);
    await app.page.getByRole('status').filter({ hasText: `Call to ${lab.busyNumber}: The line is busy.` }).waitFor({ timeout: 20_000 });
    await lab.busy.waitFor((event) => event.type === 'CALL_CLOSED' || event.type === 'CALL_INCOMING', { since, timeoutMs: 5_000 });
    await app.page.getByRole('list', { name: 'Recent calls' }).getByRole('listitem').filter({ hasText: lab.busyNumber }).filter({ hasText: 'Busy' }).first().waitFor();
  });

  it('a number nobody has says so in words (404)', async () => {
    await dialByKeys(app, lab.unknownNumber);
    await app.page.getByRole('status').filter({ hasText: `Call to ${lab.unknownNumber}: This number or address does not exist.` }).waitFor({ timeout: 20_000 });
  });

  it('sends the keypad digits as SIP INFO when the account says so (gateways without telephone-events)', async () => {
    await showScreen(app, 'Settings');
    const form = app.page.getByRole('form', { name: 'Phone calls (SIP account)' });
    await form.getByLabel('Send keypad digits as').selectOption({ label: 'SIP INFO (for gateways without telephone events)' });
    await saveAndRegister(form);

    const since = lab.phone.mark();
    await dialByKeys(app, lab.phone.number);
    const name = lab.phone.number;
    await callState(app, name).filter({ hasText: `In call with ${name}` }).waitFor({ timeout: 20_000 });
    const keypad = participants(app).getByRole('listitem', { name }).getByRole('region', { name: 'Keypad' });
    await keypad.getByRole('button', { name: 'Show keypad' }).click();
    for (const key of '42*') await keypad.getByRole('button', { name: keyName(key), exact: true }).click();
    await expect.poll(() => keypad.getByRole('status', { name: 'Digits sent' }).textContent(), { timeout: 10_000 }).toBe('42*');
    await expect.poll(() => lab.phone.dtmfDigits(since), { timeout: 10_000 }).toBe('42*');
    // They went as three SIP INFO requests through the gateway (not as telephone-events in the media).
    expect(lab.logs().match(/in-dialog INFO from \S*alice\S* \(Content-Type: application\/dtmf-relay\)/g)?.length).toBe(3);
    await app.page.getByRole('button', { name: 'Hang up' }).click();
    await participants(app).waitFor({ state: 'detached' });

    await showScreen(app, 'Settings');
    await form.getByLabel('Send keypad digits as').selectOption({ label: 'Telephone events (RFC 4733)' });
    await saveAndRegister(form);
  });

  it('the phone calls Lanline: it rings, the user accepts, they talk, Lanline hangs up', async () => {
    const since = lab.phone.mark();
    await lab.phone.dial(lab.account(USER).uri);
    const prompt = app.page.getByRole('alertdialog');
    await prompt.filter({ hasText: 'is calling (phone)' }).waitFor({ timeout: 15_000 });
    await prompt.getByRole('button', { name: 'Accept' }).click();
    const item = participants(app).getByRole('listitem');
    await item.getByRole('status').filter({ hasText: /In call with/ }).first().waitFor({ timeout: 20_000 });
    await lab.phone.waitFor((event) => event.type === 'CALL_ESTABLISHED', { since, timeoutMs: 10_000 });
    const name = (await item.first().getAttribute('aria-label')) ?? '';
    expect(await rises(app, name, 'bytesReceived')).toBeGreaterThan(0);
    await app.page.getByRole('button', { name: 'Hang up' }).click();
    await lab.phone.waitFor((event) => event.type === 'CALL_CLOSED', { since, timeoutMs: 10_000 });
    await participants(app).waitFor({ state: 'detached' });
  });

  it('early media: while the far end rings, the gateway\'s ringback is heard (183 with SDP), then the phone answers', async () => {
    const since = lab.early.mark();
    const gatewaySince = lab.gateway.mark();
    await dialByKeys(app, lab.early.number);
    const name = lab.early.number;
    const state = callState(app, name);
    await state.filter({ hasText: `${name} is ringing…` }).waitFor({ timeout: 10_000 });
    const item = participants(app).getByRole('listitem', { name });
    const earlyLine = item.getByText('You hear the phone network (ringback or an announcement).');
    await earlyLine.waitFor({ timeout: 5_000 });
    await lab.gateway.waitFor(/early media: 183 to \S*alice\S* .*caller over WebSocket/, { since: gatewaySince, timeoutMs: 1_000 });
    // The ringback arrives and is played (energy on the playing <audio>) before anybody answered.
    const [bytes, energy] = await Promise.all([rises(app, name, 'bytesReceived', 4_000), rises(app, name, 'audioEnergy', 4_000)]);
    expect(bytes).toBeGreaterThan(0);
    expect(energy).toBeGreaterThan(0);
    expect(lab.early.events.slice(since).filter((event) => event.type === 'CALL_ESTABLISHED'), 'the phone answered too early for this test').toEqual([]);
    expect(await state.first().textContent()).toContain(`${name} is ringing…`);

    // The phone answers (earlyAnswerMs after its 183): the call is on, the early-media line goes.
    await state.filter({ hasText: `In call with ${name}` }).waitFor({ timeout: lab.earlyAnswerMs + 10_000 });
    await lab.early.waitFor((event) => event.type === 'CALL_ESTABLISHED', { since, timeoutMs: 5_000 });
    await earlyLine.waitFor({ state: 'detached' });
    expect(await rises(app, name, 'bytesReceived')).toBeGreaterThan(0);
    await app.page.getByRole('button', { name: 'Hang up' }).click();
    await lab.early.waitFor((event) => event.type === 'CALL_CLOSED', { since, timeoutMs: 10_000 });
    await participants(app).waitFor({ state: 'detached' });
  });

  it('the gateway goes away and comes back: the dial pad says offline, registers again by itself, and calls work', async () => {
    await showScreen(app, 'Dial pad');
    const status = app.page.locator('#dialpad-status');
    await status.filter({ hasText: `Registered as Alice Lanline <${lab.account(USER).uri}>` }).waitFor();
    // kamailio dies (the WebSocket drops, its in-memory registrations are gone) and stays down 4 s.
    const restarted = lab.restartGateway({ downMs: 4_000 });
    restarted.catch(() => undefined);
    await expect.poll(() => status.textContent(), { timeout: 4_000, interval: 100 }).toMatch(/^\s*Offline/);
    await restarted;
    // JsSIP reconnects with its back-off (2 s, growing) and registers again, unasked.
    const back = Date.now();
    await expect.poll(() => status.textContent(), { timeout: 35_000, interval: 250 }).toMatch(new RegExp(`^\\s*Registered as Alice Lanline <${lab.account(USER).uri}>`));
    console.log(`registered again ${Date.now() - back} ms after the gateway was back`);

    const { since, name } = await callPhone();
    expect(await rises(app, name, 'bytesReceived')).toBeGreaterThan(0);
    await app.page.getByRole('button', { name: 'Hang up' }).click();
    await lab.phone.waitFor((event) => event.type === 'CALL_CLOSED', { since, timeoutMs: 10_000 });
    await participants(app).waitFor({ state: 'detached' });
  });

  // Last: it ends the instance.
  //
  // Quitting (the host's SIGTERM, as the Electron app's quit) first asks the page to leave its calls
  // and unregister, and waits for that (electron/core/window-policy.ts onQuit), before anything closes.
  it('quitting Lanline unregisters the account: a call to it then finds no registration (404)', async () => {
    const uri = lab.account(USER).uri;
    const escaped = uri.replace(/[.]/g, '\\.');
    const mark = lab.gateway.mark();
    await app.host.stop();
    await app.stop();
    // The REGISTER with expires=0 was taken (digest-authenticated) by the registrar.
    await lab.gateway.waitFor(new RegExp(`REGISTER of ${escaped} saved .*expires=0\\)`), { since: mark, timeoutMs: 3_000 });
    const since = lab.phone.mark();
    await lab.phone.dial(uri);
    const closed = await lab.phone.waitFor((event) => event.type === 'CALL_CLOSED', { since, timeoutMs: 10_000 });
    expect(closed.param).toMatch(/^404\b/);
    await lab.gateway.waitFor(new RegExp(`no registration for ${escaped}`), { since: mark, timeoutMs: 1_000 });
  });
});
