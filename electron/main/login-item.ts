/**
 * Start at login (settings.openAtLogin) through the OS's login items. Electron offers them on
 * Windows and macOS only; on Linux the setting has no effect yet (an XDG autostart entry would be
 * the way).
 */
import { app } from 'electron';
import type { Core } from '../core/index.js';

export function applyOpenAtLogin(core: Core): () => void {
  if (process.platform !== 'win32' && process.platform !== 'darwin') return () => undefined;
  const apply = (on: boolean) => {
    if (app.getLoginItemSettings().openAtLogin !== on) app.setLoginItemSettings({ openAtLogin: on });
  };
  apply(core.settings.get().openAtLogin);
  return core.events.on('settingsChanged', (settings) => apply(settings.openAtLogin));
}
