/**
 * The tray menu and icon as plain data, from the app's state. Pure: main/tray.ts only hands the
 * model to Electron's Menu.buildFromTemplate and maps each item's action (TrayAction) to code.
 *
 *   Show Lanline / Hide Lanline
 *   ─────
 *   Mute microphone / Unmute microphone      (only enabled during a call)
 *   Stop sharing                             (only while this side shares a screen)
 *   Microphone ▸  ( ) System default  (•) USB headset …   (radio, the chosen one checked)
 *   Camera ▸
 *   Speaker ▸
 *   ─────
 *   Transfers ▸  ↓ report.pdf – 42% …        (only while transfers run; items disabled)
 *   ─────
 *   [x] Do not disturb
 *   ─────
 *   Quit Lanline
 */
import type { DeviceKindName, MediaState, Transfer, TrayAction } from '../../contract.js';
import type { TrayLabels } from './labels.js';

export type TrayItem =
  | { type: 'normal'; label: string; enabled: boolean; action?: TrayAction }
  | { type: 'radio' | 'checkbox'; label: string; checked: boolean; enabled: boolean; action: TrayAction }
  | { type: 'separator' }
  | { type: 'submenu'; label: string; enabled: boolean; submenu: TrayItem[] };

/** One running transfer as the tray shows it. */
export interface TrayTransfer {
  direction: Transfer['direction'];
  /** The first file's name, the only one's if it is alone. */
  name: string;
  /** How many more files the offer holds. */
  more: number;
  percent: number;
}

export interface TrayState {
  windowVisible: boolean;
  media: MediaState;
  doNotDisturb: boolean;
  /** The transfers running now (trayTransfers), oldest first. */
  transfers: TrayTransfer[];
}

export type TrayIconState = 'idle' | 'call' | 'muted' | 'sharing' | 'dnd' | 'transfer';
/** Every icon resources/tray/ must hold (scripts/make-tray-icons.mjs draws them). */
export const trayIconStates: readonly TrayIconState[] = ['idle', 'call', 'muted', 'sharing', 'dnd', 'transfer'];

/** The transfers that move bytes now (not waiting, paused or finished), with their progress. */
export function trayTransfers(transfers: readonly Transfer[]): TrayTransfer[] {
  return transfers
    .filter((transfer) => transfer.state === 'active')
    .sort((a, b) => a.createdAt - b.createdAt)
    .map((transfer) => ({
      direction: transfer.direction,
      name: (transfer.files[0]?.path ?? '').split('/').pop() ?? '',
      more: Math.max(0, transfer.files.length - 1),
      percent: transfer.totalSize > 0 ? Math.min(100, Math.floor((transfer.bytesDone / transfer.totalSize) * 100)) : 0,
    }));
}

function transferLabel(transfer: TrayTransfer, labels: TrayLabels): string {
  const name = transfer.more ? labels.transferMore.replace('{name}', transfer.name).replace('{n}', String(transfer.more)) : transfer.name;
  return `${transfer.direction === 'in' ? '↓' : '↑'} ${name} – ${transfer.percent}%`;
}

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
    ...(media.sharing ? [{ type: 'normal', label: labels.stopSharing, enabled: true, action: { type: 'stop-sharing' } } satisfies TrayItem] : []),
    deviceMenu('audioInput', labels.microphone, media, labels),
    deviceMenu('videoInput', labels.camera, media, labels),
    deviceMenu('audioOutput', labels.speaker, media, labels),
    separator,
    ...(state.transfers.length
      ? [
          {
            type: 'submenu',
            label: labels.transfers,
            enabled: true,
            submenu: state.transfers.map((transfer): TrayItem => ({ type: 'normal', label: transferLabel(transfer, labels), enabled: false })),
          } satisfies TrayItem,
          separator,
        ]
      : []),
    { type: 'checkbox', label: labels.doNotDisturb, checked: state.doNotDisturb, enabled: true, action: { type: 'set-do-not-disturb', on: !state.doNotDisturb } },
    separator,
    { type: 'normal', label: labels.quit, enabled: true, action: { type: 'quit' } },
  ];
}

/** What the icon and tooltip depend on. */
export type TrayIconInput = Pick<TrayState, 'media' | 'doNotDisturb' | 'transfers'>;

/**
 * One icon at a time, the most pressing first: sharing a screen (others see it), then the call
 * (muted or not), then transfers running, then do-not-disturb (a lasting choice, not an activity).
 */
export function trayIconState({ media, doNotDisturb, transfers }: TrayIconInput): TrayIconState {
  if (media.inCall) return media.sharing ? 'sharing' : media.muted ? 'muted' : 'call';
  if (transfers.length) return 'transfer';
  return doNotDisturb ? 'dnd' : 'idle';
}

/**
 * The icon file under resources/tray/: `<state>-<theme>.png`, where theme is the colour of the
 * menu bar it sits on (dark bar: the light-drawn icon).
 */
export function trayIconFile(input: TrayIconInput, darkBar: boolean): string {
  return `${trayIconState(input)}-${darkBar ? 'dark' : 'light'}.png`;
}

export function trayTooltip(input: TrayIconInput, labels: TrayLabels): string {
  const tooltips: Record<TrayIconState, string> = {
    idle: labels.tooltip,
    call: labels.tooltipInCall,
    muted: labels.tooltipMuted,
    sharing: labels.tooltipSharing,
    transfer: labels.tooltipTransfers.replace('{n}', String(input.transfers.length)),
    dnd: labels.tooltipDoNotDisturb,
  };
  return tooltips[trayIconState(input)];
}
