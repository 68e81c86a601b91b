import { dialog, shell, type BrowserWindow } from 'electron';
import { LanlineError } from '../core/errors.js';

/** The OS dialog for choosing what to send; an empty list when the user cancels. */
export async function pickFiles(window: BrowserWindow | null, folders: boolean): Promise<string[]> {
  const options: Electron.OpenDialogOptions = { properties: [folders ? 'openDirectory' : 'openFile', 'multiSelections'] };
  const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
  return result.canceled ? [] : result.filePaths;
}

/** Opens a received file with its application, or shows it in its folder. */
export async function openPath(path: string, reveal: boolean): Promise<void> {
  if (reveal) return shell.showItemInFolder(path);
  const failure = await shell.openPath(path);
  if (failure) throw new LanlineError('io', `The file could not be opened: ${failure}`);
}
