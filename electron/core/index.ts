/**
 * Builds the core services from their dependencies and exposes them as contract handlers. The
 * Electron main process and the Node host each call `createCore` with their own storage and paths.
 */
import { eventNames } from '../contract.js';
import { appInfo, type AppInfoSource } from './app-info.js';
import { EventHub } from './events.js';
import { Identity } from './identity/identity.js';
import { Peers, type PeersOptions } from './lan/peers.js';
import type { Log } from './log.js';
import { createDispatch, type Dispatch, type Handlers } from './rpc.js';
import { Settings, defaultSettings, type SettingsDefaults } from './settings/settings.js';
import type { DocumentStore } from './storage.js';
import { TrustStore } from './trust/trust-store.js';

export interface CoreDeps {
  /** Opens the persisted document of that name (settings, identity, trust...). */
  openStore(name: string): DocumentStore;
  settingsDefaults: SettingsDefaults;
  info: AppInfoSource;
  log: Log;
  clock?: () => number;
  /** LAN options for this run: signaling port and bind address, mDNS on or off. */
  lan?: Pick<PeersOptions, 'port' | 'host' | 'discovery'>;
}

export interface Core {
  dispatch: Dispatch;
  events: EventHub;
  settings: Settings;
  log: Log;
  /** Starts the LAN side (signaling, discovery) as soon as an identity exists. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export function createCore(deps: CoreDeps): Core {
  const clock = deps.clock ?? Date.now;
  const events = new EventHub();
  const settings = new Settings(deps.openStore('settings'), defaultSettings(deps.settingsDefaults), deps.log, events);
  const identity = new Identity(deps.openStore('identity'), () => settings.get().displayName, clock, deps.log, events);
  const trust = new TrustStore(deps.openStore('trust'), clock, deps.log);
  const peers = new Peers({ settings, identity, trust, store: deps.openStore('peers'), events, log: deps.log, clock, ...deps.lan });
  const info = appInfo(deps.info);

  const handlers: Handlers = {
    getAppInfo: () => info,
    getSettings: () => settings.get(),
    setSettings: (patch) => settings.set(patch),
    getIdentity: () => identity.summary(),
    registerCertificate: async (record) => {
      const summary = identity.register(record);
      await peers.start();
      return summary;
    },
    getLanStatus: () => peers.status(),
    listPeers: () => peers.list(),
    addPeerByAddress: ({ address }) => peers.addByAddress(address),
    setPeerTrust: ({ peerId, action }) => peers.setTrust(peerId, action),
    getSafetyCode: ({ peerId }) => ({ code: peers.safetyCode(peerId) }),
    acceptRotation: ({ peerId, fingerprint }) => peers.acceptRotation(peerId, fingerprint),
    sendSignal: async ({ peerId, message }) => {
      await peers.send(peerId, message);
      return undefined;
    },
  };

  return {
    dispatch: createDispatch(handlers, deps.log),
    events,
    settings,
    log: deps.log,
    start: () => peers.start(),
    async close() {
      await peers.stop();
      deps.log.info('core closed');
    },
  };
}

export { eventNames };
