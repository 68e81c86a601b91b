/**
 * Lanline's Electron main process: lifecycle, the one window, and the adapters that bind the core
 * services (electron/core) to Electron. Logic lives in core; this file only wires.
 */
import { join } from 'node:path';
import { app, BrowserWindow, session, shell } from 'electron';
import { createCore, type Core } from '../core/index.js';
import { createLog, fileSink } from '../core/log.js';
import { handleDisplayMedia } from './capture.js';
import { bindContract } from './ipc.js';
import { handleLinks } from './links.js';
import { registerShortcuts } from './shortcuts.js';
import { checkForUpdates } from './updates.js';
import { applyPermissionPolicy } from './permissions.js';
import { registerAppScheme, serveRenderer } from './protocol.js';
import { openPath, pickFiles } from './files.js';
import { notificationsSupported, systemNotifier } from './notifications.js';
import { safeStorageCodec } from './secrets.js';
import { createTray } from './tray.js';
import { ElectronDocumentStore } from './storage.js';
import { createMainWindow, focus } from './window.js';

registerAppScheme();

let mainWindow: BrowserWindow | null = null;
let core: Core | null = null;

function start(): void {
  const log = createLog([fileSink(join(app.getPath('logs'), 'main.log'))]);
  core = createCore({
    openStore: (name) => new ElectronDocumentStore(app.getPath('userData'), name, log),
    settingsDefaults: {
      displayName: process.env.USER ?? process.env.USERNAME ?? 'Lanline user',
      language: app.getLocale().startsWith('ko') ? 'ko' : 'en',
      downloadDir: app.getPath('downloads'),
    },
    info: { version: app.getVersion(), runtime: 'electron', platform: process.platform },
    log,
    snippetDir: join(app.getPath('userData'), 'snippets'),
    chatDir: join(app.getPath('userData'), 'chat'),
    openExternal: (url) => shell.openExternal(url),
    secretCodec: safeStorageCodec,
    ...(notificationsSupported() && { notifier: systemNotifier(() => mainWindow, () => core?.settings.get().language ?? 'en') }),
    files: {
      pickFiles: (folders) => pickFiles(mainWindow, folders),
      openPath: (path, reveal) => openPath(path, reveal),
    },
  });
  serveRenderer();
  applyPermissionPolicy(session.defaultSession);
  handleDisplayMedia(session.defaultSession, core.capture);
  registerShortcuts(core);
  checkForUpdates(log);
  bindContract(core);
  mainWindow = createMainWindow();
  mainWindow.on('closed', () => (mainWindow = null));
  createTray({ core, window: () => mainWindow, quit: () => app.quit() });
  void core.start();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // A second instance (a link opened from another application) hands its argv over and quits.
  handleLinks(() => core, () => mainWindow, () => focus(mainWindow));
  app.on('window-all-closed', () => app.quit());
  app.on('activate', () => {
    if (!mainWindow && app.isReady()) mainWindow = createMainWindow();
  });
  // Quitting says goodbye on the LAN (mDNS, signaling) and flushes transfers before the process ends.
  let closed = false;
  app.on('will-quit', (event) => {
    if (closed || !core) return;
    event.preventDefault();
    void core.close().finally(() => {
      closed = true;
      app.quit();
    });
  });
  void app.whenReady().then(start);
}
