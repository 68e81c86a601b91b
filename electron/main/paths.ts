import { join } from 'node:path';
import { app } from 'electron';

/** Built bundles sit side by side under out/ in the app folder (or asar): main/, preload/, renderer/. */
export const APP_ORIGIN = 'app://lanline';
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;
export const rendererRoot = (): string => join(app.getAppPath(), 'out', 'renderer');
export const preloadPath = (): string => join(app.getAppPath(), 'out', 'preload', 'index.cjs');
/** Runtime assets (tray icons): next to the app when packaged (extraResources), in the repo otherwise. */
export const resourcesDir = (): string => (app.isPackaged ? join(process.resourcesPath, 'resources') : join(app.getAppPath(), 'resources'));
