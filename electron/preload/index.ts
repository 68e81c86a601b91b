/**
 * Exposes `window.lanline`, generated from the contract: one method per request, `on.<event>` per
 * event. Requests resolve with the reply or reject with `{code, message}`. Nothing else crosses.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { eventNames, ipcDroppedFileChannel, ipcEventChannel, ipcRequestChannel, requestNames, type Envelope } from '../contract.js';

const api: Record<string, unknown> = {};
for (const name of requestNames) {
  api[name] = async (payload?: unknown) => {
    const envelope = (await ipcRenderer.invoke(ipcRequestChannel(name), payload)) as Envelope<unknown>;
    if (envelope.ok) return envelope.value;
    throw { code: envelope.error.code, message: envelope.error.message };
  };
}
const on: Record<string, unknown> = {};
for (const name of eventNames) {
  on[name] = (listener: (payload: unknown) => void) => {
    const handler = (_event: unknown, payload: unknown) => listener(payload);
    ipcRenderer.on(ipcEventChannel(name), handler);
    return () => void ipcRenderer.removeListener(ipcEventChannel(name), handler);
  };
}
api.on = on;
// A dropped file's handle: its path goes to main on a channel of the preload's own (no contract
// request names it), and only the handle main made comes back; '' for anything that is not a File
// from the OS (a page cannot make a File with a path).
api.pathForFile = (file: unknown) => {
  let path = '';
  try {
    path = webUtils.getPathForFile(file as File);
  } catch {
    return '';
  }
  return path ? String(ipcRenderer.sendSync(ipcDroppedFileChannel, path) ?? '') : '';
};

contextBridge.exposeInMainWorld('lanline', api);
