/** A ws:// SIP gateway needs the user's confirmation that it is unencrypted (issue 14 §7); core decides. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isUnencryptedGateway, sipTransportProblem } from '../../electron/core/calls/sip-transport.js';
import { createCore } from '../../electron/core/index.js';
import { memoryLog } from '../../electron/core/log.js';
import { JsonFileStore } from '../../electron/core/storage.js';

const account = { enabled: true, uri: 'sip:alice@lab.example', authUser: '', wsUrl: 'ws://10.0.0.5:8080', displayName: '', outboundProxy: '', dtmf: { mode: 'rfc4733' as const, durationMs: 100, gapMs: 70 }, useIceServers: true };

function core(dir = mkdtempSync(join(tmpdir(), 'lanline-sip-'))) {
  const log = memoryLog();
  return {
    dir,
    core: createCore({
      openStore: (name) => new JsonFileStore(join(dir, `${name}.json`), log),
      settingsDefaults: { displayName: 'Alice', language: 'en', downloadDir: join(dir, 'downloads') },
      info: { version: '0.0.0', runtime: 'host', platform: process.platform },
      log,
      snippetDir: join(dir, 'snippets'),
      chatDir: join(dir, 'chat'),
    }),
  };
}

describe('the SIP gateway connection', () => {
  it('needs a confirmation only for an enabled ws:// account', () => {
    expect(isUnencryptedGateway(' WS://x')).toBe(true);
    expect(isUnencryptedGateway('wss://x')).toBe(false);
    expect(sipTransportProblem({ ...account, unencrypted: false })).toMatch(/^The gateway ws:\/\/10\.0\.0\.5:8080 is not encrypted/);
    expect(sipTransportProblem({ ...account, unencrypted: true })).toBeNull();
    expect(sipTransportProblem({ ...account, wsUrl: 'wss://sip.example.org', unencrypted: false })).toBeNull();
    expect(sipTransportProblem({ ...account, enabled: false, unencrypted: false })).toBeNull();
  });

  it('core refuses to save an unconfirmed ws:// account, and keeps the password from an account stored before the rule', async () => {
    const { dir, core: first } = core();
    expect(await first.dispatch('setSettings', { sip: account })).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringContaining('not encrypted (ws://)') } });
    expect(await first.dispatch('setSettings', { sip: { ...account, unencrypted: true } })).toMatchObject({ ok: true, value: { sip: { unencrypted: true } } });
    expect(await first.dispatch('setSipPassword', { password: 'secret' })).toMatchObject({ ok: true });
    expect(await first.dispatch('getSipPassword', undefined)).toEqual({ ok: true, value: { password: 'secret' } });
    await first.close();
    // An account stored without the confirmation (an older Lanline): loaded with unencrypted false.
    const store = new JsonFileStore(join(dir, 'settings.json'), memoryLog());
    const stored = store.read() as { sip: Record<string, unknown> };
    delete stored.sip.unencrypted;
    store.write(stored);
    const { core: second } = core(dir);
    expect(await second.dispatch('getSettings', undefined)).toMatchObject({ ok: true, value: { sip: { wsUrl: account.wsUrl, unencrypted: false } } });
    expect(await second.dispatch('getSipPassword', undefined)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // Saving other settings is not blocked by it.
    expect(await second.dispatch('setSettings', { displayName: 'Alice K', sip: (await second.dispatch('getSettings', undefined) as { value: { sip: object } }).value.sip })).toMatchObject({ ok: true });
    await second.close();
  });
});
