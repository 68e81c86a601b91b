/**
 * The renderer's one LanlineApi (renderer/src/bridge/api.ts) over a transport: every request is
 * `invoke(name, payload)` answered by an envelope, every event `on(name, listener)`, every failure a
 * LanlineError. The transport here is a deep-frozen object, as contextBridge hands the preload's to
 * the page (the Electron case; test/unit/electron-stand-in.test.ts runs the built preload itself).
 */
import { describe, expect, it } from 'vitest';
import { createApi, type Transport } from '../../renderer/src/bridge/api.js';
import { LanlineError } from '../../renderer/src/bridge/error.js';
import type { Envelope } from '../../electron/contract.js';

function frozenTransport(answer: (name: string, payload: unknown) => Envelope<unknown> | Error) {
  const calls: Array<{ name: string; payload: unknown }> = [];
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const transport: Transport = Object.freeze({
    invoke: async (name: string, payload?: unknown) => {
      calls.push({ name, payload });
      const reply = answer(name, payload);
      if (reply instanceof Error) throw reply;
      return reply;
    },
    on: (name: string, listener: (payload: unknown) => void) => {
      const set = listeners.get(name) ?? new Set();
      listeners.set(name, set.add(listener));
      return () => void set.delete(listener);
    },
  });
  const emit = (name: string, payload: unknown) => listeners.get(name)?.forEach((listener) => listener(payload));
  return { transport, calls, emit };
}

describe('the renderer API over a transport', () => {
  it('sends each request by name with its payload and resolves with the envelope value', async () => {
    const { transport, calls } = frozenTransport((name) => ({ ok: true, value: { asked: name } }));
    const api = createApi(transport);
    await expect(api.getSettings()).resolves.toEqual({ asked: 'getSettings' });
    await expect(api.setSettings({ displayName: 'Ann' })).resolves.toEqual({ asked: 'setSettings' });
    expect(calls).toEqual([
      { name: 'getSettings', payload: undefined },
      { name: 'setSettings', payload: { displayName: 'Ann' } },
    ]);
    expect(api.getSettings).toBe(api.getSettings);
    // `await api` must not take the API for a promise.
    expect(await Promise.resolve(api)).toBe(api);
  });

  it('rejects with a LanlineError for an error envelope and for a transport that throws', async () => {
    const { transport } = frozenTransport((name) =>
      name === 'getSettings' ? { ok: false, error: { code: 'forbidden', message: 'This frame may not talk to Lanline.' } } : new Error('Lanline has no request named "rmRf".'),
    );
    const api = createApi(transport);
    const refused = await api.getSettings().catch((reason: unknown) => reason);
    expect(refused).toBeInstanceOf(LanlineError);
    expect(refused).toMatchObject({ code: 'forbidden', message: 'This frame may not talk to Lanline.' });
    const thrown = await (api as unknown as Record<string, () => Promise<unknown>>).rmRf!().catch((reason: unknown) => reason);
    expect(thrown).toBeInstanceOf(LanlineError);
    expect(thrown).toMatchObject({ code: 'internal', message: 'Lanline has no request named "rmRf".' });
  });

  it('subscribes to an event by name and unsubscribes', () => {
    const { transport, emit } = frozenTransport(() => ({ ok: true, value: null }));
    const api = createApi(transport);
    const seen: unknown[] = [];
    const off = api.on.settingsChanged((settings) => seen.push(settings));
    emit('settingsChanged', { displayName: 'A' });
    off();
    emit('settingsChanged', { displayName: 'B' });
    expect(seen).toEqual([{ displayName: 'A' }]);
  });
});
