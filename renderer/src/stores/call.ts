import { defineStore } from 'pinia';
import { computed, markRaw, ref, shallowRef } from 'vue';
import type { CallRecord, DeviceChoice } from '../../../electron/contract';
import { bridge, LanlineError } from '../bridge';
import { i18n } from '../i18n';
import { CallGroup } from '../rtc/call/call-group';
import { deviceToUse, listDevices, matchDevice, type DeviceInfo, type DeviceKind } from '../rtc/call/devices';
import { useAppStore } from './app';
import { useIdentityStore } from './identity';
import { useLinksStore } from './links';
import { usePeersStore } from './peers';
import { useSettingsStore } from './settings';

type PreferenceKey = 'audioInput' | 'videoInput' | 'audioOutput';
const preferenceOf: Record<DeviceKind, PreferenceKey> = { audioinput: 'audioInput', videoinput: 'videoInput', audiooutput: 'audioOutput' };

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
  let notification: Notification | null = null;

  const nameOf = (peerId: string) => peers.peers.find((peer) => peer.id === peerId)?.name ?? peerId.slice(0, 7);
  const preference = (kind: DeviceKind): DeviceChoice | null => settings.current?.devices[preferenceOf[kind]] ?? null;

  const group = markRaw(
    new CallGroup({
      router: useLinksStore().router,
      ownId: () => identity.summary?.peerId ?? null,
      certificate: () => identity.certificate?.certificate ?? null,
      ice: async () => {
        const config = await bridge().getIceConfig();
        return { iceServers: config.iceServers, iceTransportPolicy: config.iceTransportPolicy };
      },
      deviceIds: () => ({
        audio: matchDevice(devices.value.audioinput, 'audioinput', preference('audioinput'))?.deviceId ?? null,
        video: matchDevice(devices.value.videoinput, 'videoinput', preference('videoinput'))?.deviceId ?? null,
      }),
      nameOf,
      record: (entry) => void bridge().recordCall(entry).catch((reason: unknown) => console.warn(`call log: ${LanlineError.from(reason).message}`)),
    }),
  );

  let wasActive = false;
  group.onChange(() => {
    version.value += 1;
    if (group.ringing) notifyIncoming();
    else closeNotification();
    const active = group.calls.size > 0;
    if (active && !wasActive) {
      app.show('call');
      void refreshDevices();
    }
    wasActive = active;
  });

  const participants = computed(() => {
    void version.value;
    return [...group.calls.values()].map((call) => ({
      peerId: call.peerId,
      name: nameOf(call.peerId),
      state: call.state,
      stream: call.remote,
      stats: call.stats,
      held: call.remoteHeld,
      connectedAt: call.connectedAt,
      call,
    }));
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
  }

  async function attempt(action: () => Promise<void> | void): Promise<void> {
    error.value = null;
    try {
      await action();
    } catch (reason) {
      error.value = (reason as Error).message;
    }
  }

  const dial = (peerId: string, video: boolean) =>
    attempt(async () => {
      await refreshDevices();
      await group.dial(peerId, video);
      app.show('call');
    });
  const accept = () =>
    attempt(async () => {
      await refreshDevices();
      await group.accept();
      app.show('call');
    });
  const decline = () => group.decline();
  const hangUp = () => group.hangUp();
  const setMuted = (muted: boolean) => group.setMuted(muted);
  const setHeld = (held: boolean) => group.setHeld(held);
  const setCamera = (on: boolean) => attempt(() => group.setCamera(on));
  const reconnect = () => group.reconnect();

  async function refreshDevices(): Promise<void> {
    if (!navigator.mediaDevices) return;
    devices.value = await listDevices();
  }

  /** The user picked a device: remembered (id and label) and used now. */
  async function chooseDevice(kind: DeviceKind, deviceId: string): Promise<void> {
    const device = devices.value[kind].find((candidate) => candidate.deviceId === deviceId);
    const choice = device && deviceId !== 'default' ? { id: device.deviceId, label: device.label } : null;
    const current = settings.current?.devices ?? { audioInput: null, videoInput: null, audioOutput: null };
    await settings.save({ devices: { ...current, [preferenceOf[kind]]: choice } });
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

  function notifyIncoming(): void {
    if (notification || !document.hidden || !settings.current?.notifications || typeof Notification === 'undefined') return;
    const show = () => {
      if (!group.ringing) return;
      notification = new Notification(document.title, { body: i18n.global.t('call.notification', { name: nameOf(group.ringing.peerId) }), tag: 'lanline-call', requireInteraction: true });
      notification.onclick = () => window.focus();
    };
    if (Notification.permission === 'granted') show();
    else if (Notification.permission === 'default') void Notification.requestPermission().then((permission) => permission === 'granted' && show());
  }

  function closeNotification(): void {
    notification?.close();
    notification = null;
  }

  return {
    version,
    log,
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
    decline,
    hangUp,
    setMuted,
    setHeld,
    setCamera,
    reconnect,
    refreshDevices,
    chooseDevice,
    selected,
  };
});
