/**
 * The renderer's one LanlineApi, built over a transport: Electron's preload (`window.lanline`) or the
 * host's WebSocket. A transport moves envelopes and events and knows nothing of their types; this
 * file gives every request its method and every event its `on.<name>`, and turns every failure into
 * a LanlineError. It is the only code that makes the API, so no renderer code besides each
 * transport's own few lines differs between the two bridges.
 *
 * The object it returns is the renderer's own (a Proxy over an empty object, never over what
 * contextBridge exposed: that copy is deep-frozen, and a Proxy whose `get` answers a frozen property
 * with another value breaks a Proxy invariant and throws TypeError). Methods are made on first access
 * because the renderer knows the request names only as types (it imports no values from the contract).
 */
import type { LanlineApi, LanlinePreload } from '../../../electron/contract.js';
import { LanlineError } from './error.js';

/** What a bridge must carry: a request and its envelope, and event subscriptions. */
export type Transport = Pick<LanlinePreload, 'invoke' | 'on'>;

export function createApi(transport: Transport): LanlineApi {
  const request = async (name: string, payload?: unknown): Promise<unknown> => {
    let envelope;
    try {
      envelope = await transport.invoke(name, payload);
    } catch (reason) {
      throw LanlineError.from(reason);
    }
    if (!envelope.ok) throw LanlineError.from(envelope.error);
    return envelope.value;
  };
  const subscribe = (name: string) => (listener: (payload: unknown) => void) => transport.on(name, listener);

  const on = new Proxy({} as Record<string, ReturnType<typeof subscribe>>, {
    get: (made, name) => {
      if (typeof name !== 'string') return undefined;
      return (made[name] ??= subscribe(name));
    },
  });
  const methods: Record<string, (payload?: unknown) => Promise<unknown>> = {};
  // 'then' stays undefined, or `await api` would take the API for a promise.
  return new Proxy({} as LanlineApi, {
    get: (_target, name) => {
      if (typeof name !== 'string' || name === 'then') return undefined;
      if (name === 'on') return on;
      return (methods[name] ??= (payload?: unknown) => request(name, payload));
    },
  });
}
