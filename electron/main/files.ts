import { dialog, ipcMain, shell, type BrowserWindow } from 'electron';
import { ipcDroppedFileChannel } from '../contract.js';
import type { Core } from '../core/index.js';
import { LanlineError } from '../core/errors.js';
import { fromAppFrame } from './ipc.js';

/** The OS dialog for choosing what to send; an empty list when the user cancels. */
export async function pickFiles(window: BrowserWindow | null, folders: boolean): Promise<string[]> {
  const options: Electron.OpenDialogOptions = { properties: [folders ? 'openDirectory' : 'openFile', 'multiSelections'] };
  const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
  return result.canceled ? [] : result.filePaths;
}

/** The OS folder dialog for the download folder; null when the user cancels. */
export async function pickFolder(window: BrowserWindow | null): Promise<string | null> {
  const options: Electron.OpenDialogOptions = { properties: ['openDirectory', 'createDirectory'] };
  const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

/**
 * The preload's channel for a file dropped on the window: it sends the path webUtils gave for the
 * File (sendSync) and gets the handle core made for it. Only our app frame may register one.
 */
export function bindDroppedFiles(core: Core): void {
  ipcMain.on(ipcDroppedFileChannel, (event, path: unknown) => {
    if (!fromAppFrame(event) || typeof path !== 'string' || !path) {
      core.log.warn(`refused a dropped file from ${event.senderFrame?.url ?? 'a destroyed frame'}`);
      event.returnValue = '';
      return;
    }
    try {
      event.returnValue = core.chooseDropped(path);
    } catch {
      event.returnValue = '';
    }
  });
}

/** Opens a received file with its application, or shows it in its folder. */
export async function openPath(path: string, reveal: boolean): Promise<void> {
  if (reveal) return shell.showItemInFolder(path);
  const failure = await shell.openPath(path);
  if (failure) throw new LanlineError('io', `The file could not be opened: ${failure}`);
}
