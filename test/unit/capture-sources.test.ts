import { describe, expect, it, vi } from 'vitest';
import { CapturePicker } from '../../electron/core/capture/picker.js';
import { captureFailure, captureSources, cleanName, isWayland, pickedBySystem, systemAudioSupported, type RawCaptureSource } from '../../electron/core/capture/sources.js';
import { EventHub } from '../../electron/core/events.js';
import type { EventPayload } from '../../electron/contract.js';

const png = 'data:image/png;base64,iVBORw0KGgo=';
const source = (id: string, name: string, extra: Partial<RawCaptureSource> = {}): RawCaptureSource => ({ id, name, displayId: '', thumbnail: png, appIcon: null, ...extra });
const displays = [
  { id: '10', primary: false },
  { id: '20', primary: true },
];

describe('captureSources', () => {
  it('lists screens first (primary, then in display order), then windows by name, whatever order the OS gave', () => {
    const raw = [
      source('window:7:0', 'Text editor'),
      source('screen:1:0', 'Screen 2', { displayId: '10' }),
      source('window:3:0', 'Browser'),
      source('screen:0:0', 'Screen 1', { displayId: '20' }),
    ];
    const ids = (list: RawCaptureSource[]) => captureSources(list, { ownWindows: [], displays }).map((s) => s.id);
    expect(ids(raw)).toEqual(['screen:0:0', 'screen:1:0', 'window:3:0', 'window:7:0']);
    expect(ids([...raw].reverse())).toEqual(ids(raw));
    const [primary, second] = captureSources(raw, { ownWindows: [], displays });
    expect(primary).toMatchObject({ kind: 'screen', primary: true, displayId: '20', name: 'Screen 1' });
    expect(second).toMatchObject({ primary: false, displayId: '10' });
  });

  it("leaves out Lanline's own windows, untitled windows, unknown kinds and duplicates", () => {
    const list = captureSources(
      [source('window:5:0', 'Lanline'), source('window:6:0', '   '), source('tab:1', 'A tab'), source('window:8:0', 'Notes'), source('window:8:0', 'Notes')],
      { ownWindows: ['window:5:0'], displays },
    );
    expect(list.map((s) => s.id)).toEqual(['window:8:0']);
  });

  it('keeps only PNG or JPEG data URLs as images, and cleans names', () => {
    const [screen, window] = captureSources(
      [
        source('screen:0:0', '', { thumbnail: 'data:image/png;base64,' }),
        source('window:2:0', 'Evil\u202e\u0007 name\n\nhere', { thumbnail: 'javascript:alert(1)', appIcon: 'data:image/jpeg;base64,/9j/4A==' }),
      ],
      { ownWindows: [], displays: [] },
    );
    expect(screen).toMatchObject({ name: 'Screen 1', thumbnail: null, displayId: null });
    expect(window).toMatchObject({ name: 'Evil name here', thumbnail: null, appIcon: 'data:image/jpeg;base64,/9j/4A==' });
    expect(cleanName('x'.repeat(500))).toHaveLength(200);
  });

  it('offers system audio only where Electron can capture it', () => {
    expect(systemAudioSupported('win32')).toBe(true);
    expect(systemAudioSupported('darwin')).toBe(false);
    expect(systemAudioSupported('linux')).toBe(false);
  });
});

describe('CapturePicker', () => {
  const screens = captureSources([source('screen:0:0', 'Screen 1'), source('window:1:0', 'Notes')], { ownWindows: [], displays: [] });

  function picker(timeoutMs?: number) {
    const events = new EventHub();
    const asked: EventPayload<'captureSources'>[] = [];
    events.on('captureSources', (payload) => asked.push(payload));
    return { picker: new CapturePicker(events, timeoutMs), asked };
  }

  it('tells the renderer and answers its choice, with audio only when it was offered', async () => {
    const { picker: p, asked } = picker();
    const answer = p.ask(screens, false);
    expect(asked).toEqual([{ requestId: 'capture-1', sources: screens, audio: false }]);
    p.choose('capture-1', 'window:1:0', true);
    await expect(answer).resolves.toEqual({ source: screens[1], audio: false });
    expect(p.waiting).toBeNull();
  });

  it('a cancel, a new question or no answer in time resolve null; stale or unknown answers are refused', async () => {
    vi.useFakeTimers();
    try {
      const { picker: p, asked } = picker(1_000);
      const first = p.ask(screens, true);
      const second = p.ask(screens, true);
      await expect(first).resolves.toBeNull();
      expect(() => p.choose('capture-1', 'screen:0:0', false)).toThrow(/already closed/);
      expect(() => p.choose('capture-2', 'window:99:0', false)).toThrow(/no longer there/);
      p.refresh('capture-2', screens.slice(0, 1));
      expect(asked.at(-1)).toEqual({ requestId: 'capture-2', sources: screens.slice(0, 1), audio: true });
      vi.advanceTimersByTime(1_000);
      await expect(second).resolves.toBeNull();
      const third = p.ask(screens, true);
      p.choose('capture-3', null, false);
      await expect(third).resolves.toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('Wayland: the portal is the picker', () => {
  const one = [{ id: 'screen:1:0', name: 'Entire screen', kind: 'screen' as const, displayId: null, thumbnail: '', appIcon: null, primary: true }];
  it('uses the one source the portal returned, and only on a Wayland session', () => {
    expect(isWayland('linux', { XDG_SESSION_TYPE: 'wayland' })).toBe(true);
    expect(isWayland('linux', { WAYLAND_DISPLAY: 'wayland-0' })).toBe(true);
    expect(isWayland('linux', { WAYLAND_DISPLAY: 'wayland-0', XDG_SESSION_TYPE: 'x11' })).toBe(false);
    expect(isWayland('linux', { XDG_SESSION_TYPE: 'x11' })).toBe(false);
    expect(isWayland('win32', { XDG_SESSION_TYPE: 'wayland' })).toBe(false);
    expect(pickedBySystem('linux', { XDG_SESSION_TYPE: 'wayland' }, one)).toEqual(one[0]);
    expect(pickedBySystem('linux', { XDG_SESSION_TYPE: 'wayland' }, [...one, { ...one[0]!, id: 'window:2:0', kind: 'window' as const, primary: false }])).toBeNull();
    expect(pickedBySystem('linux', { XDG_SESSION_TYPE: 'x11' }, one)).toBeNull();
  });
});

describe('captureFailure', () => {
  it('turns whatever getSources or the permission threw into a bounded sentence for the user', () => {
    expect(captureFailure(new Error('Failed to get sources.'))).toBe('Failed to get sources.');
    expect(captureFailure('denied')).toBe('denied');
    expect(captureFailure({})).toBe('unknown error');
    expect(captureFailure(new Error('x'.repeat(1000)))).toHaveLength(300);
  });
});
