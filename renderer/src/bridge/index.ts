/**
 * The only place that knows how the renderer reaches the main side: `window.lanline` inside the
 * Electron app, the host's WebSocket in a plain browser. Everything else imports `bridge` from here.
 */
import type { LanlineApi } from '../../../electron/contract';
import { createApi } from './api';
import { LanlineError } from './error';
import { connectWebSocketTransport } from './websocket';

export { LanlineError };

let api: LanlineApi | null = null;
const closeListeners = new Set<() => void>();

export async function connectBridge(): Promise<LanlineApi> {
  if (api) return api;
  // Electron's preload is a transport as it stands; the host's WebSocket is opened here.
  const transport = window.lanline ?? (await connectWebSocketTransport(window.location, () => closeListeners.forEach((listener) => listener())));
  api = createApi(transport);
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
  const preload = window.lanline;
  if (!preload) return null;
  return files.map((file) => preload.pathForFile(file)).filter(Boolean);
}

/** Called when the main side goes away (the host stopped); Electron's preload never closes. */
export function onBridgeClosed(listener: () => void): () => void {
  closeListeners.add(listener);
  return () => closeListeners.delete(listener);
}
