/**
 * Auto-update from the GitHub releases named in electron-builder.yml (`publish`): checks once at start
 * and every six hours, downloads in the background and installs when the app quits. Only in a
 * packaged build (an unpacked development run has no update feed).
 */
import { app } from 'electron';
import electronUpdater from 'electron-updater';
import type { Log } from '../core/log.js';

const EVERY_MS = 6 * 60 * 60 * 1000;

export function checkForUpdates(log: Log): void {
  if (!app.isPackaged) return;
  const { autoUpdater } = electronUpdater;
  autoUpdater.autoDownload = true;
  autoUpdater.autoInstallOnAppQuit = true;
  autoUpdater.on('error', (error) => log.warn(`update check failed: ${error.message}`));
  autoUpdater.on('update-downloaded', (info) => log.info(`update ${info.version} downloaded; it installs when Lanline quits`));
  const check = () => void autoUpdater.checkForUpdates().catch((error: unknown) => log.warn(`update check failed: ${(error as Error).message}`));
  check();
  setInterval(check, EVERY_MS).unref();
}
