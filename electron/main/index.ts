/**
 * Lanline's Electron main process: lifecycle, the one window, and the adapters that bind the core
 * services (electron/core) to Electron. Logic lives in core; this file only wires.
 */
import { join } from 'node:path';
import { app, BrowserWindow, session, shell } from 'electron';
import type { SettingsPatch } from '../contract.js';
import { createCore, type Core } from '../core/index.js';
import { createLog, fileSink } from '../core/log.js';
import { enablePortalCapture, handleDisplayMedia } from './capture.js';
import { bindContract } from './ipc.js';
import { handleLinks } from './links.js';
import { registerShortcuts } from './shortcuts.js';
import { checkForUpdates } from './updates.js';
import { applyPermissionPolicy } from './permissions.js';
import { registerAppScheme, serveRenderer } from './protocol.js';
import { sipConnectSources } from '../core/static-files.js';
import { bindDroppedFiles, openPath, pickFiles, pickFolder } from './files.js';
import { notificationsSupported, showNotice, systemNotifier } from './notifications.js';
import { applyOpenAtLogin, startedHidden } from './login-item.js';
import { leftEverything, onAllWindowsClosed, onQuit, onWindowClose, QUIT_GRACE_MS } from '../core/window-policy.js';
import { trayLabels } from '../core/tray/labels.js';
import { safeStorageCodec } from './secrets.js';
import { createTray } from './tray.js';
import { ElectronDocumentStore } from './storage.js';
import { createMainWindow, focus } from './window.js';

registerAppScheme();
enablePortalCapture();

let mainWindow: BrowserWindow | null = null;
let core: Core | null = null;
/** A tray icon exists, so closing the window can hide it there (core/window-policy.ts). */
let trayAvailable = false;
/** The app is quitting: closing the window closes it. */
let quitting = false;
/** leaveCalls was sent during this quit. */
let callsLeft = false;

function openWindow(running: Core, hidden = false): BrowserWindow {
  // Called from window events: a settings file that cannot be written is logged, not thrown at Electron.
  const remember = (patch: SettingsPatch) => {
    try {
      running.settings.set(patch);
    } catch (error) {
      running.log.warn(`could not remember ${Object.keys(patch).join(', ')}: ${(error as Error).message}`);
    }
  };
  const window = createMainWindow({ saved: running.settings.get().window, saveBounds: (bounds) => remember({ window: bounds }), hidden });
  window.on('close', (event) => {
    const decision = onWindowClose({ quitting, trayAvailable, hintShown: running.settings.get().closeToTrayHintShown });
    if (decision.action === 'close') return;
    event.preventDefault();
    window.hide();
    if (!decision.showHint) return;
    const labels = trayLabels[running.settings.get().language];
    showNotice(labels.closeHintTitle, labels.closeHintBody);
    remember({ closeToTrayHintShown: true });
  });
  window.on('closed', () => (mainWindow = null));
  return window;
}

/** Holds the quit until the renderer hung up (its peers got their bye) or the grace period ran out. */
function leaveCallsThenQuit(running: Core): void {
  const done = () => {
    clearTimeout(timer);
    off();
    app.quit();
  };
  const timer = setTimeout(done, QUIT_GRACE_MS);
  const off = running.events.on('mediaStateChanged', (state) => leftEverything(state) && done());
  running.events.emit('leaveCalls', { reason: 'quit' });
}

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
      pickFolder: () => pickFolder(mainWindow),
    },
  });
  serveRenderer(() => sipConnectSources(core?.settings.get().sip.wsUrl ?? ''));
  applyPermissionPolicy(session.defaultSession);
  handleDisplayMedia(session.defaultSession, core.capture);
  registerShortcuts(core);
  checkForUpdates(log);
  bindContract(core);
  bindDroppedFiles(core);
  applyOpenAtLogin(core);
  // While a screen is shared, Lanline's own window (with its "You are sharing" bar and the call) is
  // left out of every capture (Windows: WDA_EXCLUDEFROMCAPTURE, macOS: sharingType none), so the
  // people watching never see it, nor an endless mirror of their own view.
  core.events.on('mediaStateChanged', ({ sharing }) => mainWindow?.setContentProtection(sharing));
  try {
    createTray({ core, window: () => mainWindow, quit: () => app.quit() });
    trayAvailable = true;
  } catch (error) {
    log.warn(`no system tray here, closing the window quits: ${(error as Error).message}`);
  }
  // Started at login: in the tray, when there is one to open it from.
  mainWindow = openWindow(core, trayAvailable && startedHidden());
  void core.start();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // A second instance (a link opened from another application) hands its argv over and quits.
  handleLinks(() => core, () => mainWindow, () => focus(mainWindow));
  // Reached only when closing was not turned into hiding to the tray.
  app.on('window-all-closed', () => onAllWindowsClosed({ trayAvailable, quitting }) === 'quit' && app.quit());
  app.on('activate', () => {
    if (mainWindow) focus(mainWindow);
    else if (core && app.isReady()) mainWindow = openWindow(core);
  });
  // Quit from the tray, the OS or an update: calls end politely before anything closes.
  app.on('before-quit', (event) => {
    quitting = true;
    if (!core || onQuit({ ...core.devices.get(), callsLeft }) === 'quit') return;
    event.preventDefault();
    callsLeft = true;
    leaveCallsThenQuit(core);
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
