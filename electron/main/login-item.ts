/**
 * Start at login (settings.openAtLogin): Electron's login items on Windows and macOS, the XDG
 * Autostart entry on Linux (core/startup/autostart.ts; an AppImage's own path when run from one).
 * Started at login, Lanline opens in the tray (`--hidden` on Windows; on macOS `wasOpenedAtLogin`,
 * since Electron removed `openAsHidden`/`wasOpenedAsHidden` with the macOS APIs behind them) rather
 * than with its window.
 */
import { homedir } from 'node:os';
import { app } from 'electron';
import type { Core } from '../core/index.js';
import { autostartDir, setAutostart } from '../core/startup/autostart.js';

export const HIDDEN_ARG = '--hidden';

/** Started by the login item: open in the tray. */
export function startedHidden(): boolean {
  return process.argv.includes(HIDDEN_ARG) || (process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin);
}

export function applyOpenAtLogin(core: Core): () => void {
  const apply = (on: boolean) => {
    try {
      if (process.platform === 'linux') {
        setAutostart(autostartDir(process.env, homedir()), on, process.env.APPIMAGE ?? process.execPath);
      } else if (app.getLoginItemSettings().openAtLogin !== on) {
        app.setLoginItemSettings({ openAtLogin: on, args: [HIDDEN_ARG] });
      }
    } catch (error) {
      core.log.warn(`start at login could not be ${on ? 'set' : 'removed'}: ${(error as Error).message}`);
    }
  };
  apply(core.settings.get().openAtLogin);
  return core.events.on('settingsChanged', (settings) => apply(settings.openAtLogin));
}
