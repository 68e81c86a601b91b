/**
 * The only place that knows how the renderer reaches the main side: `window.lanline` inside the
 * Electron app, the host's WebSocket in a plain browser. Everything else imports `bridge` from here.
 */
import type { LanlineApi } from '../../../electron/contract';
import { LanlineError } from './error';
import { connectWebSocketBridge } from './websocket';

export { LanlineError };

let api: LanlineApi | null = null;
const closeListeners = new Set<() => void>();

export async function connectBridge(): Promise<LanlineApi> {
  if (api) return api;
  const electron = window.lanline;
  api = electron ? wrapErrors(electron) : await connectWebSocketBridge(window.location, () => closeListeners.forEach((listener) => listener()));
  return api;
}

/** The connected bridge; connectBridge() must have resolved first (main.ts does it before mounting). */
export function bridge(): LanlineApi {
  if (!api) throw new LanlineError('unavailable', 'Lanline is still starting.');
  return api;
}

/**
 * Handles main made for files dropped on the window (Electron: the preload registers each File's path
 * with main; the page never sees it), or null in a plain browser, which uploads the bytes instead.
 */
export function handlesOfDroppedFiles(files: readonly File[]): string[] | null {
  const handleFor = window.lanline?.pathForFile;
  if (!handleFor) return null;
  return files.map((file) => handleFor(file)).filter(Boolean);
}

/** Called when the main side goes away (the host stopped); Electron's preload never closes. */
export function onBridgeClosed(listener: () => void): () => void {
  closeListeners.add(listener);
  return () => closeListeners.delete(listener);
}

/** The preload rejects with plain `{code, message}` objects; give callers LanlineError instances. */
function wrapErrors(raw: LanlineApi): LanlineApi {
  return new Proxy(raw, {
    get: (target, name: string) => {
      const member = (target as unknown as Record<string, unknown>)[name];
      if (name === 'on' || typeof member !== 'function') return member;
      return (...args: unknown[]) => (member as (...a: unknown[]) => Promise<unknown>)(...args).catch((reason: unknown) => Promise.reject(LanlineError.from(reason)));
    },
  });
}
