/**
 * STAND-IN, NOT ELECTRON. Bundled into a Chromium page's init script by test/support/stand-in-app.ts,
 * ahead of the built preload: the renderer `electron` module (renderer.ts) with its IPC carried over a
 * WebSocket to the stand-in main process (run-main.ts). The preload then runs as in Electron's
 * sandbox: `require('electron')` and nothing else. Only the top frame gets it (Lanline has no frames).
 */
import { rendererElectron, type RendererWire } from './renderer.js';
import { decode, encode, type WireMessage } from './wire.js';

function socketWire(): RendererWire {
  const socket = new WebSocket(`ws://${location.host}/ipc`);
  const waiting = new Map<number, (reply: { result: unknown } | { error: string }) => void>();
  const outbox: string[] = [];
  let nextId = 1;
  let onSend: (channel: string, args: unknown[]) => void = () => undefined;
  const post = (message: WireMessage) => {
    const text = encode(message);
    if (socket.readyState === WebSocket.OPEN) socket.send(text);
    else outbox.push(text);
  };
  socket.addEventListener('open', () => outbox.splice(0).forEach((text) => socket.send(text)));
  socket.addEventListener('message', (event) => {
    const message = decode(String(event.data));
    if (message.t === 'send') onSend(message.channel, message.args);
    if (message.t === 'reply') {
      waiting.get(message.id)?.('error' in message && message.error !== undefined ? { error: message.error } : { result: message.result });
      waiting.delete(message.id);
    }
  });
  addEventListener('load', () => post({ t: 'loaded' }));
  return {
    invoke: (channel, args) =>
      new Promise((resolve) => {
        const id = nextId++;
        waiting.set(id, resolve);
        post({ t: 'invoke', id, channel, args });
      }),
    onSend: (listener) => void (onSend = listener),
  };
}

const electron = window.top === window ? rendererElectron(window, socketWire()) : null;

/** The preload's `require`: 'electron' only, as in a sandboxed preload. */
export function require(name: string): unknown {
  if (name === 'electron' && electron) return electron;
  throw new Error(`A sandboxed preload cannot require "${name}"`);
}
