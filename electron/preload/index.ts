/**
 * Exposes `window.lanline` (LanlinePreload in the contract): `invoke`, `on` and `pathForFile`, and
 * nothing else. The names are checked here against the contract's lists, so the page can reach no
 * other IPC channel. contextBridge gives the page a deep-frozen copy of this object in which every
 * function is a new proxy of the one below: the renderer builds its typed API on top
 * (renderer/src/bridge/api.ts) and never wraps or changes what crosses. VS Code's sandboxed preload,
 * a few validated functions, is the model.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { eventNames, ipcDroppedFileChannel, ipcEventChannel, ipcRequestChannel, requestNames, type Envelope, type EventName, type LanlinePreload, type RequestName } from '../contract.js';

const requests = new Set<string>(requestNames);
const events = new Set<string>(eventNames);

const preload: LanlinePreload = {
  invoke(name, payload) {
    if (!requests.has(name)) return Promise.reject(new Error(`Lanline has no request named "${String(name)}".`));
    return ipcRenderer.invoke(ipcRequestChannel(name as RequestName), payload) as Promise<Envelope<unknown>>;
  },
  on(name, listener) {
    if (!events.has(name)) throw new Error(`Lanline has no event named "${String(name)}".`);
    if (typeof listener !== 'function') throw new Error(`The listener for "${name}" must be a function.`);
    const channel = ipcEventChannel(name as EventName);
    // Our own handler, so the page never sees the IPC event object and the unsubscribe finds it again
    // (the page's listener arrives as a new proxy each time it crosses).
    const handler = (_event: unknown, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, handler);
    return () => void ipcRenderer.removeListener(channel, handler);
  },
  // A dropped file's handle: its path goes to main on a channel of the preload's own (no contract
  // request names it), and only the handle main made comes back; '' for anything that is not a File
  // from the OS (a page cannot make a File with a path).
  pathForFile(file) {
    let path = '';
    try {
      path = webUtils.getPathForFile(file as File);
    } catch {
      return '';
    }
    return path ? String(ipcRenderer.sendSync(ipcDroppedFileChannel, path) ?? '') : '';
  },
};

contextBridge.exposeInMainWorld('lanline', preload);
