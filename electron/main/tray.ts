/**
 * The system tray: renders core's menu model (core/tray/menu.ts) with Electron's Tray and Menu and
 * carries out what the user picks. Window and quit are main's; do-not-disturb is a setting; mute,
 * devices and stop sharing are the renderer's, told as the `trayAction` event. No menu logic lives here.
 */
import { join } from 'node:path';
import { Menu, nativeImage, nativeTheme, Tray, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import type { TrayAction } from '../contract.js';
import type { Core } from '../core/index.js';
import { trayLabels } from '../core/tray/labels.js';
import { trayIconFile, trayMenu, trayTooltip, trayTransfers, type TrayItem, type TrayState } from '../core/tray/menu.js';
import { resourcesDir } from './paths.js';
import { focus } from './window.js';

export interface TrayOptions {
  core: Core;
  window(): BrowserWindow | null;
  quit(): void;
}

export interface AppTray {
  /** Follows this window's show and hide (the Show/Hide label); called for every window main opens. */
  attach(window: BrowserWindow): void;
  destroy(): void;
}

function template(items: TrayItem[], run: (action: TrayAction) => void): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.type) {
      case 'separator':
        return { type: 'separator' };
      case 'submenu':
        return { type: 'submenu', label: item.label, enabled: item.enabled, submenu: template(item.submenu, run) };
      case 'normal':
        return { type: 'normal', label: item.label, enabled: item.enabled, ...(item.action && { click: () => run(item.action!) }) };
      default:
        return { type: item.type, label: item.label, enabled: item.enabled, checked: item.checked, click: () => run(item.action) };
    }
  });
}

export function createTray({ core, window, quit }: TrayOptions): AppTray {
  const stateNow = (): TrayState => ({
    windowVisible: window()?.isVisible() ?? false,
    media: core.devices.get(),
    doNotDisturb: core.settings.get().doNotDisturb,
    transfers: trayTransfers(core.transfers.list()),
  });
  const iconOf = (state: TrayState) => nativeImage.createFromPath(join(resourcesDir(), 'tray', trayIconFile(state, nativeTheme.shouldUseDarkColors)));
  const tray = new Tray(iconOf(stateNow()));

  const run = (action: TrayAction): void => {
    switch (action.type) {
      case 'toggle-window': {
        const win = window();
        if (win?.isVisible() && win.isFocused()) win.hide();
        else focus(win);
        break;
      }
      case 'quit':
        quit();
        break;
      case 'set-do-not-disturb':
        core.settings.set({ doNotDisturb: action.on });
        break;
      default:
        core.events.emit('trayAction', action);
    }
  };

  // Transfers report progress several times a second; the menu is rebuilt only when what it shows changed.
  let shown = '';
  const render = (): void => {
    const { language } = core.settings.get();
    const labels = trayLabels[language];
    const state = stateNow();
    const key = JSON.stringify([state, language, nativeTheme.shouldUseDarkColors]);
    if (key === shown) return;
    shown = key;
    tray.setContextMenu(Menu.buildFromTemplate(template(trayMenu(state, labels), run)));
    tray.setImage(iconOf(state));
    tray.setToolTip(trayTooltip(state, labels));
  };

  const offs = [core.events.on('mediaStateChanged', render), core.events.on('settingsChanged', render), core.events.on('transferChanged', render)];
  nativeTheme.on('updated', render);
  render();
  return {
    attach(win) {
      win.on('show', render).on('hide', render);
      render();
    },
    destroy() {
      offs.forEach((off) => off());
      nativeTheme.off('updated', render);
      tray.destroy();
    },
  };
}
