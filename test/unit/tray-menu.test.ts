import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MediaState } from '../../electron/contract.js';
import { DeviceRegistry, emptyDeviceReport } from '../../electron/core/devices/registry.js';
import { EventHub } from '../../electron/core/events.js';
import { trayLabels } from '../../electron/core/tray/labels.js';
import { trayIconFile, trayMenu, trayTooltip, type TrayItem } from '../../electron/core/tray/menu.js';
import { repoRoot } from '../support/host.js';

const en = trayLabels.en;
const idle: MediaState = { devices: emptyDeviceReport(), inCall: false, muted: false };
const withDevices: MediaState = {
  inCall: false,
  muted: false,
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
    const menu = trayMenu({ windowVisible: false, media: idle, doNotDisturb: false }, en);
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
    const menu = trayMenu({ windowVisible: true, media: idle, doNotDisturb: true }, en);
    expect(find(menu, 'Hide Lanline')).toMatchObject({ action: { type: 'toggle-window' } });
    expect(find(menu, 'Do not disturb')).toMatchObject({ type: 'checkbox', checked: true, action: { type: 'set-do-not-disturb', on: false } });
  });

  it('in a call: mute is enabled; muted: it offers unmute', () => {
    const inCall = trayMenu({ windowVisible: true, media: { ...withDevices, inCall: true }, doNotDisturb: false }, en);
    expect(find(inCall, 'Mute microphone')).toMatchObject({ enabled: true, action: { type: 'set-muted', muted: true } });
    const muted = trayMenu({ windowVisible: true, media: { ...withDevices, inCall: true, muted: true }, doNotDisturb: false }, en);
    expect(shape(muted)).toContain('normal:Unmute microphone');
    expect(shape(muted)).not.toContain('normal:Mute microphone');
    expect(find(muted, 'Unmute microphone')).toMatchObject({ enabled: true, action: { type: 'set-muted', muted: false } });
  });

  it('several devices: one radio item each, the chosen one checked, unnamed ones numbered', () => {
    const menu = trayMenu({ windowVisible: true, media: withDevices, doNotDisturb: false }, en);
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
    const menu = trayMenu({ windowVisible: true, media, doNotDisturb: false }, en);
    for (const kind of ['Microphone', 'Camera', 'Speaker']) expect(submenu(menu, kind).some((item) => item.type === 'radio' && item.checked)).toBe(false);
  });

  it('speaks Korean when given Korean labels', () => {
    const menu = trayMenu({ windowVisible: false, media: { ...withDevices, inCall: true, muted: true }, doNotDisturb: false }, trayLabels.ko);
    expect(shape(menu)).toEqual(['normal:Lanline 보기', '---', 'normal:마이크 음소거 해제', 'submenu:마이크', 'submenu:카메라', 'submenu:스피커', '---', 'checkbox:방해 금지', '---', 'normal:Lanline 종료']);
    expect(submenu(menu, '마이크')[2]).toMatchObject({ label: '마이크 3' });
    expect(Object.keys(trayLabels.ko).sort()).toEqual(Object.keys(trayLabels.en).sort());
  });

  it('the icon and tooltip follow the call state and the bar colour, and each icon exists', () => {
    expect(trayIconFile(idle, false)).toBe('idle-light.png');
    expect(trayIconFile({ ...idle, inCall: true }, true)).toBe('call-dark.png');
    expect(trayIconFile({ ...idle, inCall: true, muted: true }, false)).toBe('muted-light.png');
    expect(trayTooltip({ ...idle, inCall: true, muted: true }, en)).toBe('Lanline – in a call, muted');
    for (const state of ['idle', 'call', 'muted']) {
      for (const bar of ['light', 'dark']) {
        expect(existsSync(join(repoRoot, 'resources', 'tray', `${state}-${bar}.png`))).toBe(true);
        expect(existsSync(join(repoRoot, 'resources', 'tray', `${state}-${bar}@2x.png`))).toBe(true);
      }
    }
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
    // What it hands out is a copy.
    registry.get().devices.audioInput.length = 0;
    expect(registry.get().devices.audioInput).toHaveLength(3);
  });
});
