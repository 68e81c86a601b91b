/**
 * Builds the core services from their dependencies and exposes them as contract handlers. The
 * Electron main process and the Node host each call `createCore` with their own storage and paths.
 */
import { eventNames, type PeerId } from '../contract.js';
import { appInfo, type AppInfoSource } from './app-info.js';
import { CallLog } from './calls/call-log.js';
import { CapturePicker } from './capture/picker.js';
import { checkExternalUrl } from './chat/external-url.js';
import { ChatHistory } from './chat/history.js';
import { Photos } from './calls/photos.js';
import { TurnSecrets, type SecretCodec } from './calls/secrets.js';
import { sipTransportProblem } from './calls/sip-transport.js';
import { DeviceRegistry } from './devices/registry.js';
import { LanlineError } from './errors.js';
import { EventHub } from './events.js';
import { loadDevice } from './identity/device.js';
import { Identity } from './identity/identity.js';
import { LinkInbox } from './links.js';
import { Peers, type PeersOptions } from './lan/peers.js';
import type { Log } from './log.js';
import { Notifications, type SystemNotifier } from './notifications/notifications.js';
import { createDispatch, type Dispatch, type Handlers } from './rpc.js';
import { checkPushToTalkKey, checkShortcuts } from './shortcuts.js';
import { Settings, defaultSettings, type SettingsDefaults } from './settings/settings.js';
import type { DocumentStore } from './storage.js';
import { ChosenFiles } from './transfers/chosen-files.js';
import { checkDownloadFolder } from './transfers/download-folder.js';
import { Transfers, type TransfersOptions } from './transfers/transfers.js';
import { Uploads } from './transfers/uploads.js';
import { TrustStore } from './trust/trust-store.js';

export interface CoreDeps {
  /** Opens the persisted document of that name (settings, identity, trust...). */
  openStore(name: string): DocumentStore;
  settingsDefaults: SettingsDefaults;
  info: AppInfoSource;
  log: Log;
  clock?: () => number;
  /** Where text snippets are written before they are sent as files. */
  snippetDir: string;
  /**
   * The OS side of transfers (Electron only): the file dialog, opening files, and the folder dialog
   * that is the only way the download folder changes there.
   */
  files?: Pick<TransfersOptions, 'pickFiles' | 'openPath'> & { pickFolder?: () => Promise<string | null> };
  /**
   * The browser host: the staging folder its page uploads chosen files into (uploads.ts). Without it
   * the upload requests answer 'unavailable'.
   */
  uploadDir?: string;
  /** The folder of the chat history (one file per peer). */
  chatDir: string;
  /**
   * Opens a link the user clicked in a chat, already checked against the allowed schemes, in the
   * system browser (Electron: shell.openExternal). Without it (the browser host) `openExternal`
   * answers opened: false and the page opens the checked URL itself.
   */
  openExternal?: (url: string) => Promise<void>;
  /**
   * Electron: seals secrets (TURN credentials, the device key) with safeStorage. Without it (the host) they are kept
   * plain in a 0600 file.
   */
  secretCodec?: SecretCodec;
  /** Electron: system notifications (main's Notification). Without it `notify` answers 'unsupported'. */
  notifier?: SystemNotifier;
  /** LAN options for this run: signaling port and bind address, mDNS on or off. */
  lan?: Pick<PeersOptions, 'port' | 'host' | 'discovery'>;
}

export interface Core {
  dispatch: Dispatch;
  events: EventHub;
  settings: Settings;
  /** Devices and call state the renderer reported, for the tray. */
  devices: DeviceRegistry;
  /** The transfers core runs (the tray lists the active ones; `transferChanged` tells each change). */
  transfers: Pick<Transfers, 'list'>;
  /** The screen-source picker's question to the renderer (Electron's display-media handler asks it). */
  capture: CapturePicker;
  /** Links opened from outside, held until the renderer is ready for them (`rendererReady`). */
  links: LinkInbox;
  /**
   * Electron: the path of a file the user dropped on the window, from the preload (not a contract
   * request); answers the handle the renderer sends it by.
   */
  chooseDropped(path: string): string;
  log: Log;
  /** Starts the LAN side (signaling, discovery) as soon as an identity exists. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export function createCore(deps: CoreDeps): Core {
  const clock = deps.clock ?? Date.now;
  const events = new EventHub();
  const settings = new Settings(deps.openStore('settings'), defaultSettings(deps.settingsDefaults), deps.log, events);
  const device = loadDevice(deps.openStore('device'), deps.log, deps.secretCodec, clock);
  const identity = new Identity(deps.openStore('identity'), () => settings.get().displayName, clock, deps.log, events, device);
  const trust = new TrustStore(deps.openStore('trust'), clock, deps.log);
  const peers = new Peers({ settings, identity, trust, device, store: deps.openStore('peers'), events, log: deps.log, clock, ...deps.lan });
  const chosen = new ChosenFiles();
  const uploads = deps.uploadDir === undefined ? undefined : new Uploads({ dir: deps.uploadDir, chosen, log: deps.log });
  const transfers = new Transfers({
    store: deps.openStore('transfers'),
    settings,
    trust,
    events,
    log: deps.log,
    clock,
    snippetDir: deps.snippetDir,
    pickFiles: deps.files?.pickFiles,
    openPath: deps.files?.openPath,
    chosen,
    uploads,
    defaultDownloadDir: deps.settingsDefaults.downloadDir,
  });
  const noUploads = () => new LanlineError('unavailable', 'Files are sent from the file dialog here; uploads are for the browser host.');
  const info = appInfo(deps.info);
  const calls = new CallLog(deps.openStore('calls'), deps.log, events);
  const secrets = new TurnSecrets(deps.openStore('secrets'), deps.secretCodec, deps.log);
  const devices = new DeviceRegistry(events);
  const photos = new Photos(() => settings.get().downloadDir, deps.settingsDefaults.downloadDir);
  const notifications = new Notifications(() => settings.get(), events, deps.notifier);
  const capture = new CapturePicker(events);
  const chat = new ChatHistory({ folder: deps.chatDir, events, log: deps.log, clock });
  const links = new LinkInbox(
    (link) => events.emit('openLink', link),
    (reason) => deps.log.warn(`refused a link: ${reason}`),
  );

  const handlers: Handlers = {
    getAppInfo: () => info,
    rendererReady: () => {
      links.rendererReady();
      return undefined;
    },
    getSettings: () => settings.get(),
    setSettings: async (patch) => {
      if (patch.downloadDir !== undefined && patch.downloadDir !== settings.get().downloadDir) {
        // Electron: only the folder dialog (chooseDownloadDir). The host: a folder that exists and can be written.
        if (deps.files?.pickFolder) throw new LanlineError('forbidden', 'The download folder is chosen with the folder dialog (Choose folder… in Settings).');
        patch = { ...patch, downloadDir: await checkDownloadFolder(patch.downloadDir) };
      }
      if (patch.sip) {
        // Only a change is checked: the whole form saved again must not fail on an account stored before the rule.
        const problem = sipTransportProblem({ ...patch.sip, unencrypted: patch.sip.unencrypted ?? false });
        if (problem && problem !== sipTransportProblem(settings.get().sip)) throw new LanlineError('invalid', problem);
      }
      if (patch.shortcuts) {
        const problem = checkShortcuts({ mute: patch.shortcuts.mute }, info.platform)[0];
        const key = checkPushToTalkKey(patch.shortcuts.pushToTalk);
        if (problem) throw new LanlineError('invalid', `Mute shortcut: ${problem.reason}`);
        if (!key.ok) throw new LanlineError('invalid', `Push to talk: ${key.reason}`);
      }
      return settings.set(patch);
    },
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
    pickFiles: async ({ folders }) => ({ files: await transfers.pickFiles(folders) }),
    chooseDownloadDir: async () => {
      if (!deps.files?.pickFolder) throw new LanlineError('unavailable', 'The browser host has no folder dialog; type the path of an existing folder.');
      const picked = await deps.files.pickFolder();
      return picked === null ? settings.get() : settings.set({ downloadDir: await checkDownloadFolder(picked) });
    },
    beginUpload: async ({ files }) => {
      if (!uploads) throw noUploads();
      return { upload: await uploads.begin(files) };
    },
    uploadChunk: async ({ upload, file, offset, data }) => {
      if (!uploads) throw noUploads();
      return { done: await uploads.write(upload, file, offset, data) };
    },
    finishUpload: async ({ upload }) => {
      if (!uploads) throw noUploads();
      return { files: await uploads.finish(upload) };
    },
    cancelUpload: async ({ upload }) => {
      await uploads?.cancel(upload);
      return undefined;
    },
    createOutgoing: ({ peerId, handles }) => transfers.createOutgoing(peerId, handles),
    createOutgoingText: ({ peerId, text }) => transfers.createOutgoingText(peerId, text),
    outgoingFor: ({ peerId }) => transfers.outgoingFor(peerId),
    retryOutgoing: ({ peerId, id }) => transfers.retryOutgoing(peerId, id),
    retryIncoming: ({ id }) => transfers.retryIncoming(id),
    readChunk: async ({ id, file, offset, length }) => ({ data: await transfers.readChunk(id, file, offset, length) }),
    receiveOffer: ({ peerId, offer }) => transfers.receiveOffer(peerId, offer),
    answerTransfer: ({ id, accept, always }) => {
      // Accepting files is the user acting towards their sender: a Nearby peer becomes Known.
      const from = transfers.list().find((transfer) => transfer.id === id && transfer.direction === 'in');
      if (accept && from) peers.adopt(from.peerId as PeerId);
      return transfers.answer(id, accept, always);
    },
    writeChunk: async ({ id, file, offset, data }) => ({ done: await transfers.writeChunk(id, file, offset, data) }),
    finishFile: ({ id, file }) => transfers.finishFile(id, file),
    updateTransfer: ({ id, event, ...detail }) => transfers.updateFromRenderer(id, event, detail),
    listTransfers: () => transfers.list(),
    openTransferFile: ({ id, file, reveal, confirmed }) => transfers.openFile(id, file, reveal, confirmed),
    listCalls: () => calls.list(),
    recordCall: (entry) => calls.record(entry),
    setTurnCredential: ({ url, credential }) => {
      secrets.set(url, credential);
      return undefined;
    },
    setSipPassword: ({ password }) => {
      secrets.setSipPassword(password);
      return undefined;
    },
    getSipPassword: () => {
      // Never handed to a user agent that would sign in over a connection the user did not accept.
      const problem = sipTransportProblem(settings.get().sip);
      if (problem) throw new LanlineError('forbidden', problem);
      return { password: secrets.sipPassword() };
    },
    getIceConfig: () => {
      const { ice } = settings.get();
      return { iceServers: secrets.iceServers(ice.servers), iceTransportPolicy: ice.relayOnly ? 'relay' : 'all' };
    },
    listConversations: () => chat.summaries(),
    listChat: ({ peerId }) => chat.list(peerId),
    appendChat: ({ peerId, message }) => {
      // Writing to a Nearby peer is acting towards it; a message it sent is not.
      if (message.direction === 'out') peers.adopt(peerId);
      return chat.append(peerId, message);
    },
    updateChatState: ({ peerId, id, state }) => chat.setState(peerId, id, state),
    markChatRead: ({ peerId }) => {
      chat.markRead(peerId);
      return undefined;
    },
    openExternal: async ({ url }) => {
      const checked = checkExternalUrl(url);
      if (!deps.openExternal) return { url: checked, opened: false };
      try {
        await deps.openExternal(checked);
      } catch (error) {
        throw new LanlineError('unavailable', `The system found no application to open this link (${(error as Error).message}); copy it instead.`);
      }
      return { url: checked, opened: true };
    },
    reportDevices: (report) => {
      devices.reportDevices(report);
      return undefined;
    },
    reportPhoneState: ({ registered }) => {
      devices.reportPhone(registered);
      return undefined;
    },
    reportCallState: ({ inCall, muted, sharing }) => {
      devices.reportCall(inCall, muted, sharing);
      return undefined;
    },
    notify: (request) => notifications.notify(request),
    closeNotification: ({ tag }) => {
      notifications.close(tag);
      return undefined;
    },
    savePhoto: (piece) => photos.save(piece),
    chooseCaptureSource: ({ requestId, sourceId, audio }) => {
      capture.choose(requestId, sourceId, audio);
      return undefined;
    },
    sendSignal: async ({ peerId, message }) => {
      await peers.send(peerId, message);
      return undefined;
    },
  };

  return {
    dispatch: createDispatch(handlers, deps.log),
    events,
    settings,
    devices,
    transfers,
    capture,
    links,
    chooseDropped: (path) => chosen.add(path).handle,
    log: deps.log,
    start: () => peers.start(),
    async close() {
      await transfers.close();
      await peers.stop();
      trust.flush();
      deps.log.info('core closed');
    },
  };
}

export { eventNames };
