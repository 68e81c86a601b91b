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
import { applyProtocolPlan } from './protocols.js';
import { applyPermissionPolicy } from './permissions.js';
import { registerAppScheme, serveRenderer } from './protocol.js';
import { sipConnectSources } from '../core/static-files.js';
import { bindDroppedFiles, openPath, pickFiles, pickFolder } from './files.js';
import { flashingNotifier, notificationsSupported, showNotice, systemNotifier } from './notifications.js';
import { notificationPath } from '../core/notifications/notifications.js';
import { applyOpenAtLogin, startedHidden } from './login-item.js';
import { leftEverything, onAllWindowsClosed, onQuit, onWindowClose, QUIT_GRACE_MS } from '../core/window-policy.js';
import { trayLabels } from '../core/tray/labels.js';
import { safeStorageCodec } from './secrets.js';
import { createTray, type AppTray } from './tray.js';
import { SELF_TEST_ARG } from '../core/self-test.js';
import { selfTest } from './self-test.js';
import { probeStatusNotifier, trayVisibility, type TrayVisibility } from '../core/tray/visibility.js';
import { ElectronDocumentStore } from './storage.js';
import { createMainWindow, focus } from './window.js';

/** electron-builder.yml `appId`, which the NSIS installer gives the Start menu shortcut. */
const APP_USER_MODEL_ID = 'net.lanline.app';

registerAppScheme();
// Windows shows notifications only for an app with an AppUserModelID: the installer's (electron-builder appId).
if (process.platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID);
enablePortalCapture();

let mainWindow: BrowserWindow | null = null;
let core: Core | null = null;
/** A tray icon the user can see exists, so closing the window can hide it there (core/window-policy.ts). */
let trayVisible = false;
let trayState: TrayVisibility = { visible: false, reason: 'not checked yet' };
/** `--self-test`: start hidden, check, print the report and exit (main/self-test.ts). */
const selfTesting = process.argv.includes(SELF_TEST_ARG);
let tray: AppTray | null = null;
/** The app is quitting: closing the window closes it. */
let quitting = false;
/** leaveCalls was sent during this quit. */
let callsLeft = false;
let links: ReturnType<typeof handleLinks>;

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
    const busy = running.devices.get().inCall || running.transfers.list().some((transfer) => transfer.state === 'active');
    const decision = onWindowClose({ quitting, trayVisible, hintShown: running.settings.get().closeToTrayHintShown, busy });
    if (decision.action === 'close') return;
    event.preventDefault();
    if (decision.action === 'minimize') return window.minimize();
    window.hide();
    if (!decision.showHint) return;
    const labels = trayLabels[running.settings.get().language];
    showNotice(labels.closeHintTitle, labels.closeHintBody);
    remember({ closeToTrayHintShown: true });
  });
  window.on('closed', () => (mainWindow = null));
  tray?.attach(window);
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

/** Makes the tray icon and finds out whether anyone can see it (Linux: a StatusNotifier host). */
async function makeTray(running: Core): Promise<void> {
  let created = false;
  try {
    tray = createTray({ core: running, window: () => mainWindow, quit: () => app.quit() });
    created = true;
  } catch (error) {
    running.log.warn(`no system tray here: ${(error as Error).message}`);
  }
  const probe = created && process.platform === 'linux' ? await probeStatusNotifier() : null;
  const visibility = trayVisibility({ platform: process.platform, created, desktop: process.env.XDG_CURRENT_DESKTOP, probe });
  trayVisible = visibility.visible;
  trayState = visibility;
  running.log.info(`tray ${visibility.visible ? 'visible' : 'not visible, closing the window quits (or minimises during a call or transfer)'}: ${visibility.reason}`);
}

async function start(): Promise<void> {
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
    notifier:
      notificationPath('electron', notificationsSupported()) === 'system'
        ? systemNotifier(() => mainWindow, () => core?.settings.get().language ?? 'en')
        : flashingNotifier(() => mainWindow),
    files: {
      pickFiles: (folders) => pickFiles(mainWindow, folders),
      openPath: (path, reveal) => openPath(path, reveal),
      pickFolder: () => pickFolder(mainWindow),
    },
  });
  serveRenderer(() => sipConnectSources(core?.settings.get().sip.wsUrl ?? ''));
  applyPermissionPolicy(session.defaultSession);
  handleDisplayMedia(session.defaultSession, core);
  registerShortcuts(core);
  checkForUpdates(log);
  bindContract(core);
  bindDroppedFiles(core);
  applyOpenAtLogin(core);
  applyProtocolPlan(core);
  // While a screen is shared, Lanline's own window (with its "You are sharing" bar and the call) is
  // left out of every capture (Windows: WDA_EXCLUDEFROMCAPTURE, macOS: sharingType none), so the
  // people watching never see it, nor an endless mirror of their own view.
  core.events.on('mediaStateChanged', ({ sharing }) => mainWindow?.setContentProtection(sharing));
  await makeTray(core);
  // Started at login: in the tray, when there is one to open it from.
  mainWindow = openWindow(core, selfTesting || (trayVisible && startedHidden()));
  links.attach(core, mainWindow);
  if (!selfTesting) return void core.start();
  await core.start();
  await selfTest({ core, window: mainWindow, tray: trayState });
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // A second instance (a link opened from another application) hands its argv over and quits.
  links = handleLinks(() => focus(mainWindow));
  // Reached only when closing was not turned into hiding to the tray.
  app.on('window-all-closed', () => onAllWindowsClosed({ trayVisible, quitting }) === 'quit' && app.quit());
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
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      process.stderr.write(`Lanline failed to start: ${(error as Error).stack ?? String(error)}\n`);
      app.exit(1);
    });
}
