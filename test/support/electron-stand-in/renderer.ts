/**
 * STAND-IN, NOT ELECTRON. The renderer half of a stand-in `electron` module (contextBridge,
 * ipcRenderer, webUtils) for running the built preload (out/preload/index.cjs) where no Electron
 * binary exists. Its rules are read from Electron's own source and spec tests, and each names the
 * case it mirrors; passing against it shows that our code keeps those rules, not that Electron works.
 * It runs in Node (unit tests) and, bundled, inside a Chromium page (the harness e2e), so it imports
 * nothing from Node.
 *
 * Sources: shell/renderer/api/electron_api_context_bridge.cc (PassValueToOtherContext,
 * ProxyFunctionWrapper, ExposeAPIInMainWorld), spec/api-context-bridge-spec.ts,
 * docs/api/context-bridge.md, lib/renderer/api/ipc-renderer.ts, spec/api-ipc-spec.ts,
 * docs/api/ipc-renderer.md.
 *
 * Limits: one JavaScript realm plays both worlds, so prototypes are shared (Electron's "should not
 * leak prototypes" cannot be mirrored); everything else that crosses is copied or proxied as below.
 */

/** The exception Electron throws past 1000 levels (spec: "should throw an error when recursion depth is exceeded"). */
const MAX_DEPTH = 1000;

/** Proxy function -> the function it wraps, so a function crossing back is itself again. */
const originals = new WeakMap<object, Function>();

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Not plain data for the bridge (PassValueToOtherContext's IsPlainObject): these go through the
 * structured-clone serializer instead (docs/api/context-bridge.md: "Cloneable Types").
 */
function isPlainObject(value: object): boolean {
  return !(
    ArrayBuffer.isView(value) ||
    value instanceof ArrayBuffer ||
    value instanceof Date ||
    value instanceof RegExp ||
    value instanceof Map ||
    value instanceof Set ||
    value instanceof Boolean ||
    value instanceof Number ||
    value instanceof String ||
    Object.prototype.toString.call(value) === '[object Symbol]' ||
    (typeof Blob !== 'undefined' && value instanceof Blob)
  );
}

/**
 * A value passed from one world to the other: what contextBridge does to every argument, return
 * value, resolution and rejection (PassValueToOtherContext). One cache per crossing, so the same object
 * twice in one call arrives as one object (spec: "should proxy function arguments only once") and a
 * cycle is kept (spec: "should handle recursive objects").
 */
export function crossWorlds(value: unknown, cache = new Map<unknown, unknown>(), depth = 0): unknown {
  if (depth >= MAX_DEPTH) throw new TypeError('Electron contextBridge recursion depth exceeded.  Nested objects deeper than 1000 are not supported.');
  // Primitives pass as they are (the ECMA-262 primitive list in PassValueToOtherContext).
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return value;
  if (cache.has(value)) return cache.get(value);
  if (typeof value === 'function') {
    // spec: "should not double-proxy functions when they are returned to their origin side of the bridge"
    const original = originals.get(value);
    if (original) return original;
    const proxy = proxyFunction(value);
    cache.set(value, proxy);
    return proxy;
  }
  if (value instanceof Promise) {
    // spec: "should proxy promises and resolve/reject with the correct value"; a value that cannot
    // cross rejects (spec: "should copy thrown errors into the other context", resolveNotClonable).
    const crossed = new Promise((resolve, reject) => {
      value.then(
        (result) => {
          try {
            resolve(crossWorlds(result));
          } catch (error) {
            reject(new Error(messageOf(error)));
          }
        },
        (reason) => reject(crossWorlds(reason)),
      );
    });
    cache.set(value, crossed);
    return crossed;
  }
  if (value instanceof Error) {
    // "Errors aren't serializable currently, we need to pull the message out and re-construct in the
    // destination context": a plain Error with the message, no class, no other fields.
    return new Error(messageOf(value));
  }
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    cache.set(value, copy);
    value.forEach((item, index) => (copy[index] = crossWorlds(item, cache, depth + 1)));
    return copy;
  }
  if (isPlainObject(value)) {
    // CreateProxyForAPI: a new object with the own enumerable keys, each value crossed (getters are
    // read once, here: spec "should copy thrown errors into the other context", throwDynamic).
    const copy: Record<string, unknown> = {};
    cache.set(value, copy);
    for (const key of Object.keys(value)) copy[key] = crossWorlds((value as Record<string, unknown>)[key], cache, depth + 1);
    return copy;
  }
  // "Serializable objects": the V8 serializer, which throws on what it cannot clone.
  const cloned = structuredClone(value);
  cache.set(value, cloned);
  return cloned;
}

/**
 * ProxyFunctionWrapper: a new function in the other world. Arguments cross back, the original is
 * called with no `this` of the caller's (spec: "should proxy methods"), a throw arrives as a plain
 * Error with the message (spec: "should properly handle errors thrown in proxied functions"), the
 * result crosses over.
 */
function proxyFunction(original: Function): Function {
  const proxy = function (...args: unknown[]) {
    const cache = new Map<unknown, unknown>();
    const crossedArgs = args.map((arg) => crossWorlds(arg, cache));
    let result: unknown;
    try {
      result = Reflect.apply(original, original, crossedArgs);
    } catch (error) {
      throw new Error(messageOf(error));
    }
    return crossWorlds(result, cache);
  };
  originals.set(proxy, original);
  return proxy;
}

/** DeepFreeze in electron_api_context_bridge.cc: every object reachable from the exposed value. */
function deepFreeze(value: unknown, seen = new Set<unknown>()): void {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value)) return;
  seen.add(value);
  if (ArrayBuffer.isView(value)) return;
  Object.freeze(value);
  for (const key of Object.keys(value as object)) deepFreeze((value as Record<string, unknown>)[key], seen);
}

/** contextBridge bound to one main world (the page's `window`, or any object a unit test gives). */
export function createContextBridge(mainWorld: object) {
  return {
    exposeInMainWorld(key: string, api: unknown): void {
      // spec: "it should not let you overwrite existing exposed things"
      if (key in mainWorld) throw new Error('Cannot bind an API on top of an existing property on the window object');
      const copy = crossWorlds(api);
      // spec: "should make properties unwriteable", "should make arrays immutable"
      if (copy !== null && typeof copy === 'object' && !ArrayBuffer.isView(copy)) deepFreeze(copy);
      // global.SetReadOnlyNonConfigurable (spec: "should make global properties read-only")
      Object.defineProperty(mainWorld, key, { value: copy, writable: false, configurable: false, enumerable: true });
    },
  };
}

/**
 * IPC arguments and results are structured clones (docs/api/ipc-renderer.md: "Sending Functions,
 * Promises, Symbols, WeakMaps, or WeakSets will throw an exception"; spec/api-ipc-spec.ts "receives
 * an error when the handler result cannot be cloned"). An Error keeps its message and loses its
 * class's own fields.
 */
export const ipcClone = <T>(value: T): T => structuredClone(value);

/** What a renderer's IPC travels on: to main and back, and main's `webContents.send`. */
export interface RendererWire {
  invoke(channel: string, args: unknown[]): Promise<{ result: unknown } | { error: string }>;
  onSend(listener: (channel: string, args: unknown[]) => void): void;
}

type IpcListener = (event: unknown, ...args: unknown[]) => void;

/** ipcRenderer over a wire (lib/renderer/api/ipc-renderer.ts). */
export function createIpcRenderer(wire: RendererWire) {
  const listeners = new Map<string, IpcListener[]>();
  const ipcRenderer = {
    async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
      // Cloned before anything is sent: a function in the payload rejects here.
      const reply = await wire.invoke(channel, ipcClone(args));
      // spec/api-ipc-spec.ts "receives an error from a synchronous handler": only the message crosses.
      if ('error' in reply) throw new Error(`Error invoking remote method '${channel}': ${reply.error}`);
      return reply.result;
    },
    on(channel: string, listener: IpcListener) {
      listeners.set(channel, [...(listeners.get(channel) ?? []), listener]);
      return ipcRenderer;
    },
    removeListener(channel: string, listener: IpcListener) {
      const list = listeners.get(channel) ?? [];
      const at = list.indexOf(listener);
      if (at >= 0) listeners.set(channel, [...list.slice(0, at), ...list.slice(at + 1)]);
      return ipcRenderer;
    },
    listenerCount: (channel: string) => listeners.get(channel)?.length ?? 0,
  };
  wire.onSend((channel, args) => {
    const event = { sender: ipcRenderer, senderId: 0, ports: [] };
    for (const listener of listeners.get(channel) ?? []) listener(event, ...args);
  });
  return ipcRenderer;
}

/**
 * The renderer's `electron` module for the preload. webUtils.getPathForFile answers the `path` a test
 * attached to a File (a real File from the OS has one only in Electron) and throws otherwise, as
 * Electron's does for an object that is not a File.
 */
export function rendererElectron(mainWorld: object, wire: RendererWire) {
  return {
    contextBridge: createContextBridge(mainWorld),
    ipcRenderer: createIpcRenderer(wire),
    webUtils: {
      getPathForFile(file: unknown): string {
        if (typeof File === 'undefined' || !(file instanceof File)) throw new TypeError('Error processing argument at index 0, conversion failure from ');
        return (file as File & { standInPath?: string }).standInPath ?? '';
      },
    },
  };
}

/**
 * Runs a CommonJS bundle (the built preload) with `require('electron')` answering `electron`. A
 * sandboxed preload may require only 'electron' and a few built-ins; anything else is an error here.
 */
export function runPreload(source: string, electron: unknown): void {
  const require = (name: string) => {
    if (name === 'electron') return electron;
    throw new Error(`A sandboxed preload cannot require "${name}"`);
  };
  const module = { exports: {} };
  new Function('require', 'module', 'exports', source)(require, module, module.exports);
}
