import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MediaState, Transfer } from '../../electron/contract.js';
import { DeviceRegistry, emptyDeviceReport } from '../../electron/core/devices/registry.js';
import { EventHub } from '../../electron/core/events.js';
import { trayLabels } from '../../electron/core/tray/labels.js';
import { trayIconFile, trayIconStates, trayMenu, trayTooltip, trayTransfers, type TrayItem, type TrayState } from '../../electron/core/tray/menu.js';
import { repoRoot } from '../support/host.js';

const en = trayLabels.en;
const idle: MediaState = { devices: emptyDeviceReport(), inCall: false, muted: false, sharing: false, registered: false };
const withDevices: MediaState = {
  inCall: false,
  muted: false,
  sharing: false,
  registered: false,
  devices: {
    audioInput: [
      { id: 'default', label: '' },
      { id: 'mic-usb', label: 'USB headset' },
      { id: 'mic-2', label: '' },
    ],
    videoInput: [{ id: 'cam-1', label: 'Built-in camera' }],
    audioOutput: [
      { id: 'default', label: 'Default - Speakers' },
      { id: 'spk-hdmi', label: 'HDMI' },
    ],
    selected: { audioInput: 'mic-usb', videoInput: 'cam-1', audioOutput: 'default' },
  },
};

const find = (items: TrayItem[], label: string): TrayItem => {
  const item = items.find((candidate) => candidate.type !== 'separator' && candidate.label === label);
  if (!item) throw new Error(`no item ${label} in ${JSON.stringify(items)}`);
  return item;
};
const submenu = (items: TrayItem[], label: string): TrayItem[] => {
  const item = find(items, label);
  if (item.type !== 'submenu') throw new Error(`${label} is not a submenu`);
  return item.submenu;
};
const shape = (items: TrayItem[]) => items.map((item) => (item.type === 'separator' ? '---' : `${item.type}:${item.label}`));

describe('tray menu', () => {
  it('idle with the window hidden: show, mute disabled, empty device menus, do-not-disturb off, quit', () => {
    const menu = trayMenu({ windowVisible: false, media: idle, doNotDisturb: false, transfers: [] }, en);
    expect(shape(menu)).toEqual([
      'normal:Show Lanline',
      '---',
      'normal:Mute microphone',
      'submenu:Microphone',
      'submenu:Camera',
      'submenu:Speaker',
      '---',
      'checkbox:Do not disturb',
      '---',
      'normal:Quit Lanline',
    ]);
    expect(find(menu, 'Show Lanline')).toMatchObject({ enabled: true, action: { type: 'toggle-window' } });
    expect(find(menu, 'Mute microphone')).toMatchObject({ enabled: false });
    for (const kind of ['Microphone', 'Camera', 'Speaker']) expect(submenu(menu, kind)).toEqual([{ type: 'normal', label: 'None found', enabled: false }]);
    expect(find(menu, 'Do not disturb')).toMatchObject({ checked: false, action: { type: 'set-do-not-disturb', on: true } });
    expect(find(menu, 'Quit Lanline')).toMatchObject({ action: { type: 'quit' } });
  });

  it('the window shown offers Hide; do-not-disturb on is checked and its action turns it off', () => {
    const menu = trayMenu({ windowVisible: true, media: idle, doNotDisturb: true, transfers: [] }, en);
    expect(find(menu, 'Hide Lanline')).toMatchObject({ action: { type: 'toggle-window' } });
    expect(find(menu, 'Do not disturb')).toMatchObject({ type: 'checkbox', checked: true, action: { type: 'set-do-not-disturb', on: false } });
  });

  it('in a call: mute is enabled; muted: it offers unmute', () => {
    const inCall = trayMenu({ windowVisible: true, media: { ...withDevices, inCall: true }, doNotDisturb: false, transfers: [] }, en);
    expect(find(inCall, 'Mute microphone')).toMatchObject({ enabled: true, action: { type: 'set-muted', muted: true } });
    const muted = trayMenu({ windowVisible: true, media: { ...withDevices, inCall: true, muted: true }, doNotDisturb: false, transfers: [] }, en);
    expect(shape(muted)).toContain('normal:Unmute microphone');
    expect(shape(muted)).not.toContain('normal:Mute microphone');
    expect(find(muted, 'Unmute microphone')).toMatchObject({ enabled: true, action: { type: 'set-muted', muted: false } });
  });

  it('several devices: one radio item each, the chosen one checked, unnamed ones numbered', () => {
    const menu = trayMenu({ windowVisible: true, media: withDevices, doNotDisturb: false, transfers: [] }, en);
    const microphones = submenu(menu, 'Microphone');
    expect(microphones.map((item) => item.type)).toEqual(['radio', 'radio', 'radio']);
    expect(microphones.map((item) => item.type === 'radio' && [item.label, item.checked])).toEqual([
      ['System default', false],
      ['USB headset', true],
      ['Microphone 3', false],
    ]);
    expect(microphones[1]).toMatchObject({ action: { type: 'choose-device', kind: 'audioInput', deviceId: 'mic-usb' } });
    expect(submenu(menu, 'Camera')).toEqual([{ type: 'radio', label: 'Built-in camera', checked: true, enabled: true, action: { type: 'choose-device', kind: 'videoInput', deviceId: 'cam-1' } }]);
    const speakers = submenu(menu, 'Speaker');
    expect(speakers.map((item) => item.type === 'radio' && [item.label, item.checked])).toEqual([
      ['Default - Speakers', true],
      ['HDMI', false],
    ]);
  });

  it('no choice reported: no radio item is checked', () => {
    const media = { ...withDevices, devices: { ...withDevices.devices, selected: { audioInput: null, videoInput: null, audioOutput: null } } };
    const menu = trayMenu({ windowVisible: true, media, doNotDisturb: false, transfers: [] }, en);
    for (const kind of ['Microphone', 'Camera', 'Speaker']) expect(submenu(menu, kind).some((item) => item.type === 'radio' && item.checked)).toBe(false);
  });

  it('speaks Korean when given Korean labels', () => {
    const menu = trayMenu({ windowVisible: false, media: { ...withDevices, inCall: true, muted: true }, doNotDisturb: false, transfers: [] }, trayLabels.ko);
    expect(shape(menu)).toEqual(['normal:Lanline 보기', '---', 'normal:마이크 음소거 해제', 'submenu:마이크', 'submenu:카메라', 'submenu:스피커', '---', 'checkbox:방해 금지', '---', 'normal:Lanline 종료']);
    expect(submenu(menu, '마이크')[2]).toMatchObject({ label: '마이크 3' });
    expect(Object.keys(trayLabels.ko).sort()).toEqual(Object.keys(trayLabels.en).sort());
  });

  it('the icon and tooltip follow the call state and the bar colour, and each icon exists', () => {
    const icon = (media: MediaState) => ({ media, doNotDisturb: false, transfers: [] });
    expect(trayIconFile(icon(idle), false)).toBe('idle-light.png');
    expect(trayIconFile(icon({ ...idle, inCall: true }), true)).toBe('call-dark.png');
    expect(trayIconFile(icon({ ...idle, inCall: true, muted: true }), false)).toBe('muted-light.png');
    expect(trayTooltip(icon({ ...idle, inCall: true, muted: true }), en)).toBe('Lanline – in a call, muted');
    expect(trayIconStates).toEqual(['idle', 'call', 'muted', 'sharing', 'dnd', 'transfer']);
    for (const state of trayIconStates) {
      for (const bar of ['light', 'dark']) {
        expect(existsSync(join(repoRoot, 'resources', 'tray', `${state}-${bar}.png`))).toBe(true);
        expect(existsSync(join(repoRoot, 'resources', 'tray', `${state}-${bar}@2x.png`))).toBe(true);
      }
    }
  });
});

const transfer = (over: Partial<Transfer> & Pick<Transfer, 'id'>): Transfer => ({
  peerId: 'AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA',
  direction: 'in',
  kind: 'files',
  state: 'active',
  files: [{ path: 'report.pdf', size: 1000, done: 0, state: 'active', savedAs: null }],
  totalSize: 1000,
  bytesDone: 0,
  speed: 0,
  createdAt: 1,
  finishedAt: null,
  error: null,
  ...over,
});
const base: TrayState = { windowVisible: true, media: withDevices, doNotDisturb: false, transfers: [] };

describe('tray states', () => {
  it('sharing a screen: a Stop sharing item after mute, the sharing icon and tooltip', () => {
    const media = { ...withDevices, inCall: true, sharing: true };
    const menu = trayMenu({ ...base, media }, en);
    expect(shape(menu).slice(0, 4)).toEqual(['normal:Hide Lanline', '---', 'normal:Mute microphone', 'normal:Stop sharing']);
    expect(find(menu, 'Stop sharing')).toEqual({ type: 'normal', label: 'Stop sharing', enabled: true, action: { type: 'stop-sharing' } });
    expect(trayIconFile({ ...base, media }, false)).toBe('sharing-light.png');
    expect(trayIconFile({ ...base, media: { ...media, muted: true } }, true)).toBe('sharing-dark.png');
    expect(trayTooltip({ ...base, media }, en)).toBe('Lanline – sharing your screen');
  });

  it('not sharing: no Stop sharing item', () => {
    expect(shape(trayMenu({ ...base, media: { ...withDevices, inCall: true } }, en))).not.toContain('normal:Stop sharing');
  });

  it('do not disturb outside a call: the dnd icon and tooltip; a call shows over it', () => {
    const dnd = { ...base, media: idle, doNotDisturb: true };
    expect(trayIconFile(dnd, false)).toBe('dnd-light.png');
    expect(trayIconFile(dnd, true)).toBe('dnd-dark.png');
    expect(trayTooltip(dnd, en)).toBe('Lanline – do not disturb');
    expect(trayIconFile({ ...dnd, media: { ...idle, inCall: true } }, false)).toBe('call-light.png');
  });

  it('transfers running: a Transfers submenu of disabled items with name and percent, the transfer icon', () => {
    const transfers = trayTransfers([
      transfer({ id: 'second-transfer', direction: 'out', createdAt: 5, totalSize: 4000, bytesDone: 1000, files: [1, 2, 3, 4].map((n) => ({ path: `photos/img-${n}.jpg`, size: 1000, done: 0, state: 'pending' as const, savedAs: null })) }),
      transfer({ id: 'first-transfer', createdAt: 2, bytesDone: 427 }),
      transfer({ id: 'waiting-transfer', state: 'waiting' }),
      transfer({ id: 'paused-transfer', state: 'paused', bytesDone: 500 }),
      transfer({ id: 'finished-transfer', state: 'done', bytesDone: 1000 }),
    ]);
    expect(transfers).toEqual([
      { direction: 'in', name: 'report.pdf', more: 0, percent: 42 },
      { direction: 'out', name: 'img-1.jpg', more: 3, percent: 25 },
    ]);
    const state = { ...base, media: idle, transfers };
    const menu = trayMenu(state, en);
    expect(shape(menu)).toEqual([
      'normal:Hide Lanline',
      '---',
      'normal:Mute microphone',
      'submenu:Microphone',
      'submenu:Camera',
      'submenu:Speaker',
      '---',
      'submenu:Transfers',
      '---',
      'checkbox:Do not disturb',
      '---',
      'normal:Quit Lanline',
    ]);
    expect(submenu(menu, 'Transfers')).toEqual([
      { type: 'normal', label: '↓ report.pdf – 42%', enabled: false },
      { type: 'normal', label: '↑ img-1.jpg and 3 more – 25%', enabled: false },
    ]);
    expect(trayIconFile(state, false)).toBe('transfer-light.png');
    expect(trayIconFile({ ...state, doNotDisturb: true }, true)).toBe('transfer-dark.png');
    expect(trayTooltip(state, en)).toBe('Lanline – transfers running: 2');
    // A call shows over transfers; the submenu stays.
    const inCall = { ...state, media: { ...idle, inCall: true } };
    expect(trayIconFile(inCall, false)).toBe('call-light.png');
    expect(shape(trayMenu(inCall, en))).toContain('submenu:Transfers');
  });

  it('no transfer running: no Transfers submenu; an empty transfer counts as 0%', () => {
    expect(shape(trayMenu({ ...base, transfers: trayTransfers([transfer({ id: 'paused-transfer', state: 'paused' })]) }, en))).not.toContain('submenu:Transfers');
    expect(trayTransfers([transfer({ id: 'empty-transfer', totalSize: 0, files: [{ path: 'a/b/empty.txt', size: 0, done: 0, state: 'active', savedAs: null }] })])).toEqual([
      { direction: 'in', name: 'empty.txt', more: 0, percent: 0 },
    ]);
  });

  it('the new states speak Korean too', () => {
    const ko = trayLabels.ko;
    const menu = trayMenu({ ...base, media: { ...withDevices, inCall: true, sharing: true }, transfers: [{ direction: 'out', name: 'a.txt', more: 2, percent: 7 }] }, ko);
    expect(shape(menu)).toContain('normal:공유 중지');
    expect(submenu(menu, '전송')).toEqual([{ type: 'normal', label: '↑ a.txt 외 2개 – 7%', enabled: false }]);
    expect(trayTooltip({ ...base, media: idle, doNotDisturb: true }, ko)).toBe('Lanline – 방해 금지');
  });
});

describe('device registry', () => {
  it('keeps what the renderer reported, tells each change once, and forgets mute outside a call', () => {
    const events = new EventHub();
    const seen: MediaState[] = [];
    events.on('mediaStateChanged', (state) => seen.push(state));
    const registry = new DeviceRegistry(events);
    registry.reportDevices(withDevices.devices);
    registry.reportDevices(structuredClone(withDevices.devices));
    expect(seen).toHaveLength(1);
    expect(registry.get().devices.selected.audioInput).toBe('mic-usb');
    registry.reportCall(true, true);
    expect(registry.get()).toMatchObject({ inCall: true, muted: true });
    registry.reportCall(false, true);
    expect(registry.get()).toMatchObject({ inCall: false, muted: false });
    expect(seen.map((state) => [state.inCall, state.muted])).toEqual([
      [false, false],
      [true, true],
      [false, false],
    ]);
    // Sharing, like mute, only counts during a call.
    registry.reportCall(true, false, true);
    expect(registry.get()).toMatchObject({ inCall: true, sharing: true });
    registry.reportCall(false, false, true);
    expect(registry.get()).toMatchObject({ inCall: false, sharing: false });
    // What it hands out is a copy.
    registry.get().devices.audioInput.length = 0;
    expect(registry.get().devices.audioInput).toHaveLength(3);
  });
});
