/**
 * STAND-IN, NOT ELECTRON. How the harness carries a page's IPC to the stand-in main process: JSON
 * messages on one WebSocket, with byte arrays and `undefined` tagged so a structured clone survives the
 * trip (the contract's payloads are plain objects, arrays, strings, numbers, booleans, null and
 * Uint8Array). Both ends clone with structuredClone before encoding, so the semantics are the clone's,
 * not JSON's. Runs in Node and in the page.
 *
 *   page -> main  {t:'invoke', id, channel, args}   {t:'loaded'} once the page's load event fired
 *   main -> page  {t:'reply', id, result} | {t:'reply', id, error}   {t:'send', channel, args}
 */
export type WireMessage =
  | { t: 'invoke'; id: number; channel: string; args: unknown[] }
  | { t: 'loaded' }
  | { t: 'reply'; id: number; result?: unknown; error?: string }
  | { t: 'send'; channel: string; args: unknown[] };

const BYTES = '$standInBytes';
const UNDEFINED = '$standInUndefined';

function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (let at = 0; at < bytes.length; at += 0x8000) text += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return btoa(text);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let at = 0; at < binary.length; at++) bytes[at] = binary.charCodeAt(at);
  return bytes;
}

export function encode(message: WireMessage): string {
  return JSON.stringify(message, function (key, value) {
    const raw = (this as Record<string, unknown>)[key];
    if (raw instanceof Uint8Array) return { [BYTES]: toBase64(raw) };
    if (value === undefined) return { [UNDEFINED]: true };
    return value;
  });
}

export function decode(text: string): WireMessage {
  return JSON.parse(text, (_key, value) => {
    if (value && typeof value === 'object' && BYTES in value) return fromBase64(value[BYTES]);
    if (value && typeof value === 'object' && UNDEFINED in value) return undefined;
    return value;
  }) as WireMessage;
}
