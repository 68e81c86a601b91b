import { defineStore } from 'pinia';
import { computed, markRaw, ref, shallowRef } from 'vue';
import type { CallRecord, DeviceChoice, DeviceKindName, DeviceReport, TrayAction } from '../../../electron/contract';
import { bridge, LanlineError } from '../bridge';
import { i18n } from '../i18n';
import type { IceConfig } from '../rtc/call/call';
import { CallGroup } from '../rtc/call/call-group';
import { deviceToUse, listDevices, matchDevice, type DeviceInfo, type DeviceKind } from '../rtc/call/devices';
import { photoName, photoPieces, takePhoto as snapshot, type Photo } from '../rtc/call/photo';
import { PhoneCall } from '../rtc/sip/phone-call';
import { linkConfiguration } from '../rtc/peer-link';
import { spareConnections } from '../rtc/spare-connection';
import { useAppStore } from './app';
import { useIdentityStore } from './identity';
import { useLinksStore } from './links';
import { usePeersStore } from './peers';
import { useSettingsStore } from './settings';

type PreferenceKey = 'audioInput' | 'videoInput' | 'audioOutput';
export interface GalleryPhoto extends Photo {
  id: number;
  subject: string;
  url: string;
  /** Where it was saved, once saved. */
  savedAs: string | null;
}
const MAX_PHOTOS = 12;
const preferenceOf: Record<DeviceKind, PreferenceKey> = { audioinput: 'audioInput', videoinput: 'videoInput', audiooutput: 'audioOutput' };
const kindOf: Record<DeviceKindName, DeviceKind> = { audioInput: 'audioinput', videoInput: 'videoinput', audioOutput: 'audiooutput' };
/** The tag of the incoming-call notification (system or browser). */
const CALL_TAG = 'lanline-call';

/**
 * The call screen's state: wraps rtc/call's CallGroup (participants, ringing, local media), the
 * device lists and preferences (settings.devices), and the call log kept by core.
 */
export const useCallStore = defineStore('call', () => {
  const identity = useIdentityStore();
  const peers = usePeersStore();
  const settings = useSettingsStore();
  const app = useAppStore();
  /** Bumped on every change inside the group, which is not reactive itself. */
  const version = ref(0);
  const log = ref<CallRecord[]>([]);
  const devices = shallowRef<Record<DeviceKind, DeviceInfo[]>>({ audioinput: [], videoinput: [], audiooutput: [] });
  const error = ref<string | null>(null);
  /** Still photos taken in calls, newest first, until the app closes (at most MAX_PHOTOS). */
  const photos = ref<GalleryPhoto[]>([]);
  let photoCount = 0;
  let notification: Notification | null = null;
  /** The ringing call was notified (by the system or the browser); cleared when it stops ringing. */
  let notified = false;
  let reportedCall = '';

  const nameOf = (peerId: string) => peers.peers.find((peer) => peer.id === peerId)?.name ?? peerId.slice(0, 7);
  const preference = (kind: DeviceKind): DeviceChoice | null => settings.current?.devices[preferenceOf[kind]] ?? null;
  /**
   * The device to open for a call: the preference matched in the list (by id, then label); before a
   * first list the preference's id as it is (LocalMedia falls back to the default when it is gone),
   * so dialing never waits for enumerateDevices.
   */
  const deviceIdFor = (kind: DeviceKind): string | null =>
    matchDevice(devices.value[kind], kind, preference(kind))?.deviceId ?? (devices.value[kind].length === 0 ? (preference(kind)?.id ?? null) : null);

  const group = markRaw(
    new CallGroup({
      router: useLinksStore().router,
      ownId: () => identity.summary?.peerId ?? null,
      certificate: () => identity.certificate?.certificate ?? null,
      ice: () => iceConfig(),
      deviceIds: () => ({ audio: deviceIdFor('audioinput'), video: deviceIdFor('videoinput') }),
      nameOf,
      // Do not disturb: even a peer chosen for auto-answer rings, and the user decides.
      autoAnswer: (peerId) => !settings.current?.doNotDisturb && peers.autoAnswers(peerId),
      record: (entry) => void bridge().recordCall(entry).catch((reason: unknown) => console.warn(`call log: ${LanlineError.from(reason).message}`)),
    }),
  );

  /**
   * The ICE servers, asked once and kept until the settings change (a TURN password is stored before
   * the settings that name its server are saved), so dialing and answering do not wait on core.
   */
  let ice: Promise<IceConfig> | null = null;
  function iceConfig(): Promise<IceConfig> {
    ice ??= bridge()
      .getIceConfig()
      .then((config) => ({ iceServers: config.iceServers, iceTransportPolicy: config.iceTransportPolicy }));
    ice.catch(() => (ice = null));
    return ice;
  }

  let wasActive = false;
  /** Set while a call that just began waits to be drawn (see CallGroup.described). */
  let drawing: Promise<void> | null = null;
  const isActive = () => group.calls.size > 0 || group.attached.size > 0;
  group.onChange(() => {
    if (drawing) return;
    if (isActive() && !wasActive) {
      drawing = group.described().then(() => {
        drawing = null;
        // A task of its own, so the offer or answer (sent as its description settled) leaves first.
        setTimeout(changed);
      });
      return;
    }
    changed();
  });
  function changed(): void {
    version.value += 1;
    if (group.ringing) void notifyIncoming();
    else closeNotification();
    const active = isActive();
    reportCallState(active, group.local?.muted ?? false, group.screen !== null);
    if (active && !wasActive) {
      app.show('call');
      // Once the devices are open (after the set-up, see LocalMedia's `after`): the list then has
      // the labels permission reveals, and enumerating does not compete with the connection.
      void (group.local?.ready ?? Promise.resolve()).catch(() => undefined).then(refreshDevices).catch(() => undefined);
    }
    wasActive = active;
  }

  const participants = computed(() => {
    void version.value;
    const lan = [...group.calls.values()].map((call) => ({
      peerId: call.peerId,
      name: nameOf(call.peerId),
      state: call.state,
      stream: call.remote,
      /** Their shared screen, while they share one (shown large, the camera small). */
      screen: call.remoteScreenId !== null && call.screen.getVideoTracks().length > 0 ? call.screen : null,
      stats: call.stats,
      held: call.remoteHeld,
      connectedAt: call.connectedAt,
      call,
      phone: null,
      sent: '',
      earlyMedia: false,
    }));
    // Phone calls (rtc/sip) joined the group's media: shown and controlled like the others.
    const phones = [...group.attached].filter((call): call is PhoneCall => call instanceof PhoneCall).map((call) => ({
      peerId: call.id,
      name: call.options.name || call.options.number,
      state: call.state,
      stream: call.remote,
      screen: null,
      stats: call.stats,
      held: call.remoteHeld,
      connectedAt: call.connectedAt,
      call: null,
      phone: call,
      sent: call.sent,
      earlyMedia: call.earlyMedia,
    }));
    return [...lan, ...phones];
  });
  const ringing = computed(() => {
    void version.value;
    return group.ringing && { ...group.ringing, name: nameOf(group.ringing.peerId) };
  });
  const local = computed(() => {
    void version.value;
    const media = group.local;
    return media && { stream: media.stream, muted: media.muted, held: media.held, camera: media.video !== null, microphone: media.audio?.label ?? null };
  });
  const lastEnd = computed(() => {
    void version.value;
    const end = group.lastEnd;
    return end && ['declined', 'busy', 'unanswered'].includes(end.end) ? { name: nameOf(end.peerId), end: end.end as 'declined' | 'busy' | 'unanswered' } : null;
  });
  const inCall = computed(() => participants.value.length > 0);
  const groupError = computed(() => {
    void version.value;
    return group.error;
  });

  async function load(): Promise<void> {
    bridge().on.callsChanged((next) => (log.value = next));
    log.value = await bridge().listCalls();
    navigator.mediaDevices?.addEventListener('devicechange', () => void onDeviceChange());
    bridge().on.settingsChanged(() => (ice = null));
    // A connection made ahead of the first call (see rtc/spare-connection.ts).
    void iceConfig()
      .then((config) => {
        const certificate = identity.certificate?.certificate;
        if (certificate) spareConnections.prepare(linkConfiguration({ certificate, ...config }));
      })
      .catch(() => undefined);
    bridge().on.trayAction((action) => void onTrayAction(action));
    bridge().on.captureFailed(({ message }) => (error.value = i18n.global.t('call.captureFailed', { message })));
    // Electron is quitting: hang up, so every peer gets its bye before main closes the LAN side.
    bridge().on.leaveCalls(() => {
      if (group.ringing) group.decline();
      if (group.calls.size > 0 || group.attached.size > 0) group.hangUp();
    });
    // The global mute shortcut (Electron), pressed in any application.
    bridge().on.shortcut(({ action }) => action === 'toggle-mute' && group.local && setMuted(!group.local.muted));
    bridge().on.notificationAction(({ tag, action }) => {
      if (tag !== CALL_TAG) return;
      if (action === 'accept') void accept();
      else if (action === 'decline') decline();
      else app.show('call');
    });
    // The tray's device menus are filled before any call (ids without labels until media was allowed).
    void refreshDevices().catch(() => undefined);
  }

  /** The tray asked: mute, stop sharing or a device (main carries out window, quit and do-not-disturb itself). */
  async function onTrayAction(action: TrayAction): Promise<void> {
    if (action.type === 'set-muted') setMuted(action.muted);
    else if (action.type === 'stop-sharing') stopSharing();
    else if (action.type === 'choose-device') await chooseDevice(kindOf[action.kind], action.deviceId);
  }

  /** A still photo of what `video` shows (a participant's video or the local camera), into the gallery. */
  const takePhoto = (video: HTMLVideoElement, subject: string) =>
    attempt(async () => {
      const photo = await snapshot(video);
      photoCount += 1;
      photos.value = [{ ...photo, id: photoCount, subject, url: URL.createObjectURL(photo.blob), savedAs: null }, ...photos.value];
      for (const dropped of photos.value.splice(MAX_PHOTOS)) URL.revokeObjectURL(dropped.url);
    });

  /** Writes the photo under the download folder (core picks a free, safe name). */
  const savePhoto = (id: number) =>
    attempt(async () => {
      const photo = photos.value.find((candidate) => candidate.id === id);
      if (!photo) return;
      const name = photoName(photo.subject, photo.takenAt);
      let upload: string | undefined;
      let path = '';
      for await (const piece of photoPieces(photo.blob)) {
        ({ upload, path } = await bridge().savePhoto({ name, ...piece, ...(upload && { upload }) }));
      }
      photo.savedAs = path;
    });

  /** Tells core the device lists and the selected ones, for the tray's menus. */
  function reportDevices(): void {
    const list = (kind: DeviceKind) => devices.value[kind].map((device) => ({ id: device.deviceId, label: device.label }));
    const chosen = (kind: DeviceKind) => selected(kind) || null;
    const report: DeviceReport = {
      audioInput: list('audioinput'),
      videoInput: list('videoinput'),
      audioOutput: list('audiooutput'),
      selected: { audioInput: chosen('audioinput'), videoInput: chosen('videoinput'), audioOutput: chosen('audiooutput') },
    };
    void bridge().reportDevices(report).catch((reason: unknown) => console.warn(`devices: ${LanlineError.from(reason).message}`));
  }

  function reportCallState(inCall: boolean, muted: boolean, sharing: boolean): void {
    const key = `${inCall}/${muted}/${sharing}`;
    if (key === reportedCall) return;
    reportedCall = key;
    void bridge().reportCallState({ inCall, muted, sharing }).catch(() => undefined);
  }

  async function attempt(action: () => Promise<void> | void): Promise<void> {
    error.value = null;
    try {
      await action();
    } catch (reason) {
      error.value = (reason as Error).message;
    }
  }

  // Dialing and answering wait for nothing but the call itself: the device lists are kept by
  // `devicechange` and refreshed when a call starts (labels appear once media was allowed).
  const dial = (peerId: string, video: boolean) =>
    attempt(async () => {
      await group.dial(peerId, video);
      app.show('call');
    });
  const accept = () =>
    attempt(async () => {
      await group.accept();
      app.show('call');
    });
  /** Accept, and answer this peer's calls without ringing from now on (a trusted peer only). */
  const acceptAlways = (peerId: string) =>
    attempt(async () => {
      await Promise.all([group.accept().then(() => app.show('call')), peers.setTrust(peerId, 'auto-answer-calls')]);
    });
  const decline = () => group.decline();
  const hangUp = () => group.hangUp();
  const setMuted = (muted: boolean) => group.setMuted(muted);
  const setHeld = (held: boolean) => group.setHeld(held);
  const setCamera = (on: boolean) => attempt(() => group.setCamera(on));
  const reconnect = () => group.reconnect();
  /** Picker cancelled: nothing changes and nothing is said. */
  const startSharing = () => attempt(async () => void (await group.startSharing()));
  const stopSharing = () => group.stopSharing();

  /** Push to talk: holding the key (settings.shortcuts.pushToTalk) in a muted call unmutes until it is released. */
  const talking = ref(false);
  function pushToTalk(held: boolean): void {
    const media = group.local;
    if (held && media?.muted && !talking.value) {
      talking.value = true;
      group.setMuted(false);
    } else if (!held && talking.value) {
      talking.value = false;
      if (group.local) group.setMuted(true);
    }
  }
  const sharing = computed(() => {
    void version.value;
    return group.screen !== null;
  });

  async function refreshDevices(): Promise<void> {
    if (!navigator.mediaDevices) return;
    devices.value = await listDevices();
    reportDevices();
  }

  /** The user picked a device: remembered (id and label) and used now. */
  async function chooseDevice(kind: DeviceKind, deviceId: string): Promise<void> {
    const device = devices.value[kind].find((candidate) => candidate.deviceId === deviceId);
    const choice = device && deviceId !== 'default' ? { id: device.deviceId, label: device.label } : null;
    const current = settings.current?.devices ?? { audioInput: null, videoInput: null, audioOutput: null };
    await settings.save({ devices: { ...current, [preferenceOf[kind]]: choice } });
    reportDevices();
    if (kind === 'audiooutput') return;
    await attempt(() => group.useDevice(kind === 'audioinput' ? 'audio' : 'video', choice?.id ?? null));
  }

  /** The id shown as selected in a device select: the preference when present, else the default. */
  function selected(kind: DeviceKind): string {
    void version.value;
    const inUse = kind === 'audiooutput' ? null : group.local?.deviceInUse(kind === 'audioinput' ? 'audio' : 'video');
    return matchDevice(devices.value[kind], kind, preference(kind))?.deviceId ?? inUse ?? devices.value[kind][0]?.deviceId ?? '';
  }

  /** Hot-plug: fall back to the default when the device in use left, and back when the preferred one returns. */
  async function onDeviceChange(): Promise<void> {
    await refreshDevices();
    const media = group.local;
    if (!media) return;
    for (const [kind, mediaKind] of [['audioinput', 'audio'], ['videoinput', 'video']] as const) {
      if (mediaKind === 'video' && !media.video) continue;
      const change = deviceToUse(devices.value[kind], kind, preference(kind), media.deviceInUse(mediaKind));
      if (change) await attempt(() => group.useDevice(mediaKind, change.switchTo));
    }
  }

  /**
   * Core decides (settings, do-not-disturb, focus) and shows a system notification in Electron; the
   * browser host has none ('unsupported'), so the page shows the browser's own while it is hidden.
   */
  async function notifyIncoming(): Promise<void> {
    if (notified || !group.ringing) return;
    notified = true;
    const body = i18n.global.t('call.notification', { name: nameOf(group.ringing.peerId) });
    const answer = await bridge()
      .notify({ kind: 'call', title: document.title || 'Lanline', body, tag: CALL_TAG, actions: true })
      .catch(() => ({ shown: false, outcome: 'unsupported' as const }));
    if (answer.outcome === 'unsupported') browserNotification(body);
  }

  function browserNotification(body: string): void {
    if (notification || !document.hidden || typeof Notification === 'undefined') return;
    const show = () => {
      if (!group.ringing || !notified) return;
      notification = new Notification(document.title, { body, tag: CALL_TAG, requireInteraction: true });
      notification.onclick = () => {
        window.focus();
        app.show('call');
      };
    };
    if (Notification.permission === 'granted') show();
    else if (Notification.permission === 'default') void Notification.requestPermission().then((permission) => permission === 'granted' && show());
  }

  function closeNotification(): void {
    if (notified) void bridge().closeNotification({ tag: CALL_TAG }).catch(() => undefined);
    notified = false;
    notification?.close();
    notification = null;
  }

  return {
    group,
    version,
    log,
    photos,
    takePhoto,
    savePhoto,
    devices,
    error,
    groupError,
    participants,
    ringing,
    local,
    inCall,
    lastEnd,
    nameOf,
    load,
    dial,
    accept,
    acceptAlways,
    decline,
    hangUp,
    setMuted,
    setHeld,
    setCamera,
    reconnect,
    sharing,
    talking,
    pushToTalk,
    startSharing,
    stopSharing,
    refreshDevices,
    chooseDevice,
    selected,
  };
});
