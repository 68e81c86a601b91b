import { describe, expect, it } from 'vitest';
import { requestNames, type Settings } from '../../electron/contract.js';
import { memoryLog } from '../../electron/core/log.js';
import { LanlineError } from '../../electron/core/errors.js';
import { createDispatch, type Handlers } from '../../electron/core/rpc.js';

const settings: Settings = {
  displayName: 'Alice',
  language: 'en',
  theme: 'system',
  downloadDir: '/tmp',
  lanPort: 47990,
  notifications: true,
  doNotDisturb: false,
  devices: { audioInput: null, videoInput: null, audioOutput: null },
  shortcuts: { mute: 'CommandOrControl+Shift+M', pushToTalk: 'Space' },
  ice: { servers: [], relayOnly: false },
  window: null,
  openAtLogin: false,
  closeToTrayHintShown: false,
  phoneLinks: false,
  sip: { enabled: false, uri: '', authUser: '', wsUrl: '', unencrypted: false, displayName: '', outboundProxy: '', dtmf: { mode: 'rfc4733', durationMs: 100, gapMs: 70 }, useIceServers: true },
};

function dispatcher(overrides: Partial<Handlers> = {}) {
  const log = memoryLog();
  // Every request of the contract fails the test unless the test gives it a body.
  const unexpected = Object.fromEntries(requestNames.map((name) => [name, () => expect.fail(`${name} was not expected`)]));
  const handlers = {
    ...unexpected,
    getAppInfo: () => ({ name: 'Lanline', version: '0', runtime: 'host', platform: 'linux', protocolVersion: '1.0' }),
    getSettings: () => settings,
    setSettings: (patch: Partial<Settings>) => ({ ...settings, ...patch }),
    getIdentity: () => ({ displayName: 'Alice', peerId: null, fingerprint: null, createdAt: null, expiresAt: null, rotateAt: null }),
    ...overrides,
  } as Handlers;
  return { dispatch: createDispatch(handlers, log), log };
}

describe('contract dispatch', () => {
  it('passes a good payload to the handler and answers with its value', async () => {
    const { dispatch } = dispatcher();
    await expect(dispatch('setSettings', { displayName: 'Bob' })).resolves.toEqual({ ok: true, value: { ...settings, displayName: 'Bob' } });
    await expect(dispatch('getSettings', undefined)).resolves.toMatchObject({ ok: true });
  });

  it('rejects a bad payload with code invalid and a message naming the field', async () => {
    const { dispatch, log } = dispatcher({ setSettings: () => expect.fail('handler must not run') });
    const reply = await dispatch('setSettings', { lanPort: 'x', displayName: '' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid' } });
    if (reply.ok) return;
    expect(reply.error.message).toContain('lanPort');
    expect(reply.error.message).toContain('displayName');
    expect(log.lines.some((line) => line.includes('WARN') && line.includes('lanPort'))).toBe(true);
  });

  it('rejects keys the contract does not know, and payloads on requests that take none', async () => {
    const { dispatch } = dispatcher();
    await expect(dispatch('setSettings', { admin: true })).resolves.toMatchObject({ ok: false, error: { code: 'invalid' } });
    await expect(dispatch('getSettings', { sneaky: 1 })).resolves.toMatchObject({ ok: false, error: { code: 'invalid' } });
    await expect(dispatch('setSettings', null)).resolves.toMatchObject({ ok: false, error: { code: 'invalid' } });
  });

  it('answers unknown-request for names outside the contract, including prototype names', async () => {
    const { dispatch } = dispatcher();
    for (const name of ['deleteEverything', '__proto__', 'constructor', 42, null]) {
      await expect(dispatch(name, undefined)).resolves.toMatchObject({ ok: false, error: { code: 'unknown-request' } });
    }
  });

  it('passes a LanlineError through and hides other errors behind internal', async () => {
    const { dispatch, log } = dispatcher({
      getSettings: () => {
        throw new LanlineError('io', 'The disk is full.');
      },
      getIdentity: () => {
        throw new Error('secret stack detail');
      },
    });
    await expect(dispatch('getSettings', undefined)).resolves.toEqual({ ok: false, error: { code: 'io', message: 'The disk is full.' } });
    const internal = await dispatch('getIdentity', undefined);
    expect(internal).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(internal)).not.toContain('secret stack detail');
    expect(log.lines.join('\n')).toContain('secret stack detail');
  });
});
