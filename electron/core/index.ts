/**
 * Builds the core services from their dependencies and exposes them as contract handlers. The
 * Electron main process and the Node host each call `createCore` with their own storage and paths.
 */
import { eventNames } from '../contract.js';
import { LanlineError } from './errors.js';
import { appInfo, type AppInfoSource } from './app-info.js';
import { EventHub } from './events.js';
import type { Log } from './log.js';
import { createDispatch, type Dispatch, type Handlers } from './rpc.js';
import { Settings, defaultSettings, type SettingsDefaults } from './settings/settings.js';
import type { DocumentStore } from './storage.js';

export interface CoreDeps {
  /** Opens the persisted document of that name (settings, identity, trust...). */
  openStore(name: string): DocumentStore;
  settingsDefaults: SettingsDefaults;
  info: AppInfoSource;
  log: Log;
}

export interface Core {
  dispatch: Dispatch;
  events: EventHub;
  settings: Settings;
  log: Log;
  close(): Promise<void>;
}

const notYet = (): never => {
  throw new LanlineError('unavailable', 'This part of Lanline is not wired in yet.');
};

export function createCore(deps: CoreDeps): Core {
  const events = new EventHub();
  const settings = new Settings(deps.openStore('settings'), defaultSettings(deps.settingsDefaults), deps.log, events);
  const info = appInfo(deps.info);

  const handlers: Handlers = {
    getAppInfo: () => info,
    getSettings: () => settings.get(),
    setSettings: (patch) => settings.set(patch),
    getIdentity: () => ({ displayName: settings.get().displayName, peerId: null, fingerprint: null, createdAt: null, expiresAt: null, rotateAt: null }),
    // LAN identity, peers and signaling are being wired in (issue 3); until then they say so.
    registerCertificate: notYet,
    listPeers: () => [],
    addPeerByAddress: notYet,
    setPeerTrust: notYet,
    getSafetyCode: notYet,
    sendSignal: notYet,
  };

  return {
    dispatch: createDispatch(handlers, deps.log),
    events,
    settings,
    log: deps.log,
    async close() {
      deps.log.info('core closed');
    },
  };
}

export { eventNames };
