/**
 * The tray menu and icon as plain data, from the app's state. Pure: main/tray.ts only hands the
 * model to Electron's Menu.buildFromTemplate and maps each item's action (TrayAction) to code.
 *
 *   Show Lanline / Hide Lanline
 *   ─────
 *   Mute microphone / Unmute microphone      (only enabled during a call)
 *   Microphone ▸  ( ) System default  (•) USB headset …   (radio, the chosen one checked)
 *   Camera ▸
 *   Speaker ▸
 *   ─────
 *   [x] Do not disturb
 *   ─────
 *   Quit Lanline
 */
import type { DeviceKindName, MediaState, TrayAction } from '../../contract.js';
import type { TrayLabels } from './labels.js';

export type TrayItem =
  | { type: 'normal'; label: string; enabled: boolean; action?: TrayAction }
  | { type: 'radio' | 'checkbox'; label: string; checked: boolean; enabled: boolean; action: TrayAction }
  | { type: 'separator' }
  | { type: 'submenu'; label: string; enabled: boolean; submenu: TrayItem[] };

export interface TrayState {
  windowVisible: boolean;
  media: MediaState;
  doNotDisturb: boolean;
}

export type TrayIconState = 'idle' | 'call' | 'muted';

const separator: TrayItem = { type: 'separator' };

function deviceLabel(device: { id: string; label: string }, index: number, kindName: string, labels: TrayLabels): string {
  if (device.id === 'default' && !device.label) return labels.systemDefault;
  if (device.label) return device.label;
  return labels.unnamed.replace('{kind}', kindName).replace('{n}', String(index + 1));
}

function deviceMenu(kind: DeviceKindName, name: string, state: MediaState, labels: TrayLabels): TrayItem {
  const devices = state.devices[kind];
  const selected = state.devices.selected[kind];
  const submenu: TrayItem[] = devices.length
    ? devices.map((device, index) => ({
        type: 'radio',
        label: deviceLabel(device, index, name, labels),
        checked: device.id === selected,
        enabled: true,
        action: { type: 'choose-device', kind, deviceId: device.id },
      }))
    : [{ type: 'normal', label: labels.noDevices, enabled: false }];
  return { type: 'submenu', label: name, enabled: true, submenu };
}

export function trayMenu(state: TrayState, labels: TrayLabels): TrayItem[] {
  const { media } = state;
  return [
    { type: 'normal', label: state.windowVisible ? labels.hide : labels.show, enabled: true, action: { type: 'toggle-window' } },
    separator,
    media.inCall && media.muted
      ? { type: 'normal', label: labels.unmute, enabled: true, action: { type: 'set-muted', muted: false } }
      : { type: 'normal', label: labels.mute, enabled: media.inCall, action: { type: 'set-muted', muted: true } },
    deviceMenu('audioInput', labels.microphone, media, labels),
    deviceMenu('videoInput', labels.camera, media, labels),
    deviceMenu('audioOutput', labels.speaker, media, labels),
    separator,
    { type: 'checkbox', label: labels.doNotDisturb, checked: state.doNotDisturb, enabled: true, action: { type: 'set-do-not-disturb', on: !state.doNotDisturb } },
    separator,
    { type: 'normal', label: labels.quit, enabled: true, action: { type: 'quit' } },
  ];
}

export function trayIconState(media: MediaState): TrayIconState {
  if (!media.inCall) return 'idle';
  return media.muted ? 'muted' : 'call';
}

/**
 * The icon file under resources/tray/: `<state>-<theme>.png`, where theme is the colour of the
 * menu bar it sits on (dark bar: the light-drawn icon).
 */
export function trayIconFile(media: MediaState, darkBar: boolean): string {
  return `${trayIconState(media)}-${darkBar ? 'dark' : 'light'}.png`;
}

export function trayTooltip(media: MediaState, labels: TrayLabels): string {
  const icon = trayIconState(media);
  return icon === 'idle' ? labels.tooltip : icon === 'muted' ? labels.tooltipMuted : labels.tooltipInCall;
}
