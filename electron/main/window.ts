import { BrowserWindow, screen, shell } from 'electron';
import type { WindowBounds } from '../contract.js';
import { isAppUrl } from '../core/permissions.js';
import { boundsToSave, restoreBounds } from '../core/window-bounds.js';
import { APP_ENTRY, APP_ORIGIN, preloadPath } from './paths.js';

const SIZE = { width: 1100, height: 720, minWidth: 720, minHeight: 480 };
/** Moving or resizing fires many events; the bounds are saved once it stops. */
const SAVE_BOUNDS_MS = 500;

export interface MainWindowOptions {
  /** The bounds remembered in settings, if any. */
  saved: WindowBounds | null;
  /** Called (debounced) with the bounds to remember after a move, resize, maximize or unmaximize. */
  saveBounds(bounds: WindowBounds): void;
  /** Stay hidden once loaded (started at login: the tray shows it). */
  hidden?: boolean;
}

export function createMainWindow({ saved, saveBounds, hidden = false }: MainWindowOptions): BrowserWindow {
  const primary = screen.getPrimaryDisplay();
  const displays = [primary, ...screen.getAllDisplays().filter((display) => display.id !== primary.id)].map((display) => display.workArea);
  const { maximized, ...bounds } = restoreBounds(saved, displays, SIZE);
  const window = new BrowserWindow({
    ...bounds,
    minWidth: SIZE.minWidth,
    minHeight: SIZE.minHeight,
    show: false,
    title: 'Lanline',
    webPreferences: {
      preload: preloadPath(),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
      // The window hides to the tray while calls, transfers and the SIP registration go on: its
      // timers and rendering must not be throttled as a background tab's are.
      backgroundThrottling: false,
    },
  });
  const contents = window.webContents;
  // The app never leaves its own origin; links meant for the user open in their browser on click.
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, APP_ORIGIN)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, APP_ORIGIN)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  window.once('ready-to-show', () => {
    if (hidden) return;
    if (maximized) window.maximize();
    window.show();
  });
  let timer: NodeJS.Timeout | undefined;
  const save = () => {
    clearTimeout(timer);
    timer = undefined;
    if (!window.isDestroyed() && !window.isMinimized()) saveBounds(boundsToSave(window.getNormalBounds(), window.isMaximized()));
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(save, SAVE_BOUNDS_MS);
  };
  window.on('move', later).on('resize', later).on('maximize', later).on('unmaximize', later);
  // Closing (or hiding to the tray) saves at once what a pending timer would have.
  window.on('close', () => timer && save());
  void window.loadURL(APP_ENTRY);
  return window;
}

export function focus(window: BrowserWindow | null): void {
  if (!window) return;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}

export { shell };
