import { BrowserWindow, ipcMain, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import { eventNames, ipcEventChannel, ipcRequestChannel, requestNames, type Envelope } from '../contract.js';
import type { Core } from '../core/index.js';
import { isAppUrl } from '../core/permissions.js';
import { APP_ORIGIN } from './paths.js';

/** Only the top frame of one of our windows, showing our own origin, may call the contract. */
export function fromAppFrame(event: IpcMainInvokeEvent | IpcMainEvent): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame === event.sender.mainFrame && isAppUrl(frame.url, APP_ORIGIN);
}

const forbidden: Envelope<never> = { ok: false, error: { code: 'forbidden', message: 'This frame may not talk to Lanline.' } };

/** Binds every contract request to ipcMain.handle and forwards every core event to the windows. */
export function bindContract(core: Core): () => void {
  for (const name of requestNames) {
    ipcMain.handle(ipcRequestChannel(name), (event, payload: unknown) => {
      if (!fromAppFrame(event)) {
        core.log.warn(`refused ${name} from ${event.senderFrame?.url ?? 'a destroyed frame'}`);
        return forbidden;
      }
      return core.dispatch(name, payload);
    });
  }
  const offEvents = core.events.onAny(eventNames, (name, payload) => {
    for (const window of BrowserWindow.getAllWindows()) window.webContents.send(ipcEventChannel(name), payload);
  });
  return () => {
    offEvents();
    for (const name of requestNames) ipcMain.removeHandler(ipcRequestChannel(name));
  };
}
