/**
 * `--self-test`, Electron side: supplies each check of core/self-test.ts from the running app (started
 * hidden), prints the one JSON report on stdout and exits 0 or 1. Each check only reads what the app
 * set up in its ordinary start; the decisions are core's.
 */
import { app, Notification, type BrowserWindow } from 'electron';
import type { IdentitySummary } from '../contract.js';
import type { Core } from '../core/index.js';
import { notificationPath } from '../core/notifications/notifications.js';
import { decidePermission } from '../core/permissions.js';
import { OWN_SCHEME } from '../core/protocols.js';
import { checkMdnsSocket, runSelfTest, selfTestExitCode, within } from '../core/self-test.js';
import type { TrayVisibility } from '../core/tray/visibility.js';
import { APP_ENTRY, APP_ORIGIN } from './paths.js';
import { safeStorageState } from './secrets.js';

const RENDERER_MS = 30_000;

export interface SelfTestContext {
  core: Core;
  window: BrowserWindow;
  tray: TrayVisibility;
}

export async function selfTest({ core, window, tray }: SelfTestContext): Promise<never> {
  const report = await runSelfTest(
    { version: app.getVersion(), runtime: 'electron', platform: process.platform },
    {
      bridge: async () => {
        // The renderer's start ends with rendererReady, a request over IPC through the preload.
        await within(core.links.whenReady(), RENDERER_MS, 'the renderer saying rendererReady over IPC');
        return { ok: true, detail: `the renderer at ${window.webContents.getURL()} answered over IPC` };
      },
      settings: () => {
        const before = core.settings.get().closeToTrayHintShown;
        core.settings.set({ closeToTrayHintShown: !before });
        const written = core.settings.get().closeToTrayHintShown;
        core.settings.set({ closeToTrayHintShown: before });
        return { ok: written === !before && core.settings.get().closeToTrayHintShown === before, detail: 'a setting was written, read back and restored' };
      },
      certificate: async () => {
        const identity = await core.dispatch('getIdentity', undefined);
        const summary = identity.ok ? (identity.value as IdentitySummary) : null;
        return summary?.fingerprint
          ? { ok: true, detail: `the renderer registered its IndexedDB certificate ${summary.fingerprint.slice(0, 20)}…, peer id ${summary.peerId}` }
          : { ok: false, detail: 'no certificate was registered from the renderer (IndexedDB under app://)' };
      },
      tray: () => ({ ok: tray.visible, detail: tray.reason }),
      notifications: () => {
        const path = notificationPath('electron', Notification.isSupported());
        return { ok: path === 'system', detail: path === 'system' ? 'system notifications are supported' : 'no system notifications: the taskbar entry flashes instead' };
      },
      'safe-storage': () => {
        const state = safeStorageState();
        return { ok: state.usable, detail: state.usable ? `passwords are sealed (${state.reason})` : `passwords will not be saved: ${state.reason}` };
      },
      protocols: () => {
        const registered = process.defaultApp ? app.isDefaultProtocolClient(OWN_SCHEME, process.execPath, [app.getAppPath()]) : app.isDefaultProtocolClient(OWN_SCHEME);
        return { ok: registered, detail: registered ? 'Lanline opens lanline: links' : 'the system did not register Lanline for lanline: links' };
      },
      lan: async () => {
        const status = await core.dispatch('getLanStatus', undefined);
        const port = status.ok ? (status.value as { port: number | null }).port : null;
        const mdns = await checkMdnsSocket();
        return { ok: port !== null && mdns.ok, detail: `${port !== null ? `LAN signaling listens on port ${port}` : 'LAN signaling is not listening'}; ${mdns.detail}` };
      },
      'media-permission': () => {
        const own = decidePermission({ permission: 'media', requestingUrl: APP_ENTRY, appOrigin: APP_ORIGIN, mediaTypes: ['audio', 'video'] });
        const stranger = decidePermission({ permission: 'media', requestingUrl: 'https://example.org/', appOrigin: APP_ORIGIN, mediaTypes: ['audio'] });
        return { ok: own && !stranger, detail: `camera and microphone ${own ? 'granted' : 'DENIED'} to ${APP_ORIGIN}, ${stranger ? 'GRANTED' : 'denied'} to other origins` };
      },
    },
  );
  process.stdout.write(`${JSON.stringify(report)}\n`);
  app.exit(selfTestExitCode(report));
  return new Promise<never>(() => undefined);
}
