/**
 * The Electron stand-in's rules (test/support/electron-stand-in/: a stand-in, not Electron), each
 * against the Electron spec case it mirrors, and the built preload (out/preload/index.cjs, `npm run
 * build` first) run against them with the renderer's own createApi on top. The Proxy case shows the
 * stand-in catches the defect of issue 13 §1: the old renderer wrapped the exposed object in a Proxy,
 * which a deep-frozen contextBridge copy turns into a TypeError on the first call.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApi } from '../../renderer/src/bridge/api.js';
import { LanlineError } from '../../renderer/src/bridge/error.js';
import { eventNames, ipcEventChannel, ipcRequestChannel, requestNames, type LanlinePreload } from '../../electron/contract.js';
import { createMainElectron } from '../support/electron-stand-in/main.js';
import { createContextBridge, crossWorlds, ipcClone, rendererElectron, runPreload } from '../support/electron-stand-in/renderer.js';
import { repoRoot } from '../support/host.js';

describe('the stand-in contextBridge', () => {
  it('puts a deep-frozen copy on a read-only, non-configurable global, once', () => {
    const world: Record<string, unknown> = {};
    const api = { nested: { list: [1, 2] }, call: () => 1 };
    createContextBridge(world).exposeInMainWorld('api', api);
    const exposed = world.api as typeof api;
    expect(exposed).not.toBe(api);
    expect(Object.getOwnPropertyDescriptor(world, 'api')).toMatchObject({ writable: false, configurable: false });
    // spec "should make global properties read-only", "should make properties unwriteable", "should make nested arrays immutable"
    expect(() => (world.api = 1)).toThrow(TypeError);
    expect(() => ((exposed as { call: unknown }).call = () => 2)).toThrow(TypeError);
    expect(() => exposed.nested.list.push(3)).toThrow(TypeError);
    expect(Object.isFrozen(exposed.call)).toBe(true);
    // spec "it should not let you overwrite existing exposed things"
    expect(() => createContextBridge(world).exposeInMainWorld('api', {})).toThrow(/existing property/);
  });

  it('hands over functions as new functions that call the original without its object as `this`', () => {
    const world: Record<string, unknown> = {};
    const seen: unknown[] = [];
    const api = {
      value: 41,
      plain: (n: number) => n + 1,
      method(this: { value?: number } | undefined) {
        return this?.value;
      },
      echo: (fn: unknown) => fn,
      callBack: (fn: (n: number) => number) => fn(1),
      keep: (a: unknown, b: unknown) => seen.push(a === b),
    };
    createContextBridge(world).exposeInMainWorld('api', api);
    const exposed = world.api as typeof api;
    expect(exposed.plain).not.toBe(api.plain);
    expect(exposed.plain(1)).toBe(2);
    expect(exposed.method()).toBeUndefined();
    // spec "should not double-proxy functions when they are returned to their origin side of the bridge"
    const mine = () => 0;
    expect(exposed.echo(mine)).toBe(mine);
    // spec "should proxy methods in the reverse direction"
    expect(exposed.callBack((n) => n + 1)).toBe(2);
    // spec "should proxy function arguments only once"
    const object = { a: 1 };
    exposed.keep(object, object);
    expect(seen).toEqual([true]);
  });

  it('copies an Error as a plain Error with its message: no class, no fields; thrown ones too', async () => {
    class CodedError extends Error {
      code = 'io';
    }
    const crossed = crossWorlds(new CodedError('disk full')) as Error & { code?: string };
    expect(crossed).not.toBeInstanceOf(CodedError);
    expect(crossed.message).toBe('disk full');
    expect(crossed.code).toBeUndefined();
    const world: Record<string, unknown> = {};
    createContextBridge(world).exposeInMainWorld('api', {
      throws: () => {
        throw new CodedError('no');
      },
      rejects: () => Promise.reject(new CodedError('later')),
    });
    const exposed = world.api as { throws: () => void; rejects: () => Promise<void> };
    // spec "should properly handle errors thrown in proxied functions", "should copy thrown errors into the other context"
    const thrown = (() => {
      try {
        exposed.throws();
      } catch (error) {
        return error as Error & { code?: string };
      }
    })();
    expect(thrown).not.toBeInstanceOf(CodedError);
    expect(thrown).toMatchObject({ message: 'no' });
    expect(thrown?.code).toBeUndefined();
    const reason = await exposed.rejects().catch((error: unknown) => error);
    expect(reason).not.toBeInstanceOf(CodedError);
    expect(reason).toMatchObject({ message: 'later' });
    expect((reason as { code?: string }).code).toBeUndefined();
  });

  it('refuses what the structured clone cannot carry over IPC: a function inside a payload throws', () => {
    expect(() => ipcClone([{ listener: () => 0 }])).toThrow(/could not be cloned/);
    class CodedError extends Error {
      code = 'io';
    }
    const cloned = ipcClone(new CodedError('disk full')) as Error & { code?: string };
    expect(cloned).not.toBeInstanceOf(CodedError);
    expect(cloned.code).toBeUndefined();
    expect([...(ipcClone(new Uint8Array([1, 2, 3])) as Uint8Array)]).toEqual([1, 2, 3]);
  });

  it('catches the old bridge: a Proxy over the exposed object that returns a new function throws TypeError', async () => {
    const world: Record<string, unknown> = {};
    createContextBridge(world).exposeInMainWorld('lanline', { getSettings: async () => ({}) });
    // The shape of the renderer's former wrapErrors.
    const wrapped = new Proxy(world.lanline as Record<string, () => Promise<unknown>>, {
      get: (target, name: string) => {
        const member = target[name];
        return typeof member === 'function' ? (...args: unknown[]) => (member as (...a: unknown[]) => Promise<unknown>)(...args) : member;
      },
    });
    expect(() => wrapped.getSettings!()).toThrow(TypeError);
  });
});

describe('the built preload under the stand-in', () => {
  function load() {
    const main = createMainElectron({ userData: '/nonexistent', appPath: repoRoot });
    main.control.becomeReady();
    const window = new main.electron.BrowserWindow({ show: false });
    void window.loadURL('app://lanline/index.html');
    const world: { lanline?: LanlinePreload } = {};
    runPreload(readFileSync(join(repoRoot, 'out', 'preload', 'index.cjs'), 'utf8'), rendererElectron(world, main.control.rendererWire(window)));
    return { main, window, world, preload: world.lanline! };
  }

  it('exposes exactly invoke, on and pathForFile, frozen', () => {
    const { world, preload } = load();
    expect(Object.keys(world)).toEqual(['lanline']);
    expect(Object.keys(preload).sort()).toEqual(['invoke', 'on', 'pathForFile']);
    expect(Object.isFrozen(preload)).toBe(true);
    expect(preload.pathForFile({})).toBe('');
  });

  it('carries requests, error envelopes and events to and from main, and the renderer API works over it', async () => {
    const { main, window, preload } = load();
    main.electron.ipcMain.handle(ipcRequestChannel('getSettings'), (_event, payload) => ({ ok: true, value: { asked: payload ?? null } }));
    main.electron.ipcMain.handle(ipcRequestChannel('setSettings'), () => ({ ok: false, error: { code: 'invalid', message: 'lanPort: too high' } }));
    const api = createApi(preload);
    await expect(api.getSettings()).resolves.toEqual({ asked: null });
    const refused = await api.setSettings({ lanPort: 99999 }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(LanlineError);
    expect(refused).toMatchObject({ code: 'invalid', message: 'lanPort: too high' });

    const seen: unknown[] = [];
    const off = api.on.settingsChanged((settings) => seen.push(settings));
    window.webContents.send(ipcEventChannel('settingsChanged'), { displayName: 'A' });
    await new Promise((resolve) => setImmediate(resolve));
    off();
    window.webContents.send(ipcEventChannel('settingsChanged'), { displayName: 'B' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([{ displayName: 'A' }]);
  });

  it('refuses names outside the contract with a clear error, and payloads that cannot be cloned', async () => {
    const { preload } = load();
    expect(requestNames).not.toContain('rmRf');
    expect(eventNames).not.toContain('rmRf');
    await expect(preload.invoke('rmRf', {})).rejects.toThrow('Lanline has no request named "rmRf".');
    expect(() => preload.on('rmRf', () => undefined)).toThrow('Lanline has no event named "rmRf".');
    await expect(createApi(preload).getSettings()).rejects.toMatchObject({ message: expect.stringMatching(/No handler registered/) });
    await expect(preload.invoke('setSettings', { displayName: () => 'x' })).rejects.toThrow(/could not be cloned/);
  });
});
