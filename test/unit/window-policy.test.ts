import { describe, expect, it } from 'vitest';
import { boundsToSave, restoreBounds } from '../../electron/core/window-bounds.js';
import { leftEverything, onAllWindowsClosed, onQuit, onWindowClose } from '../../electron/core/window-policy.js';

describe('closing the window', () => {
  it('hides it to the tray, with the hint the first time only', () => {
    expect(onWindowClose({ quitting: false, trayVisible: true, hintShown: false })).toEqual({ action: 'hide', showHint: true });
    expect(onWindowClose({ quitting: false, trayVisible: true, hintShown: true })).toEqual({ action: 'hide', showHint: false });
  });

  it('closes it when the user quits, or when there is no tray to come back from', () => {
    expect(onWindowClose({ quitting: true, trayVisible: true, hintShown: false })).toEqual({ action: 'close' });
    expect(onWindowClose({ quitting: false, trayVisible: false, hintShown: false })).toEqual({ action: 'close' });
  });

  it('with no tray the user can see, it minimises during a call or transfer instead of cutting it', () => {
    expect(onWindowClose({ quitting: false, trayVisible: false, hintShown: false, busy: true })).toEqual({ action: 'minimize' });
    expect(onWindowClose({ quitting: true, trayVisible: false, hintShown: false, busy: true })).toEqual({ action: 'close' });
    expect(onWindowClose({ quitting: false, trayVisible: true, hintShown: true, busy: true })).toEqual({ action: 'hide', showHint: false });
  });

  it('the app quits once the window is really closed, never while it only sits in the tray', () => {
    expect(onAllWindowsClosed({ quitting: true, trayVisible: true })).toBe('quit');
    expect(onAllWindowsClosed({ quitting: false, trayVisible: false })).toBe('quit');
    expect(onAllWindowsClosed({ quitting: false, trayVisible: true })).toBe('stay');
  });
});

describe('quitting', () => {
  it('during a call it asks the renderer to hang up first, once; otherwise it quits', () => {
    expect(onQuit({ inCall: true, callsLeft: false })).toBe('leave-calls');
    expect(onQuit({ inCall: true, callsLeft: true })).toBe('quit');
    // A registered SIP account is unregistered first, like calls are left.
    expect(onQuit({ inCall: false, registered: true, callsLeft: false })).toBe('leave-calls');
    expect(onQuit({ inCall: false, registered: true, callsLeft: true })).toBe('quit');
    expect(onQuit({ inCall: false, registered: false, callsLeft: false })).toBe('quit');
    expect(leftEverything({ inCall: false, registered: true })).toBe(false);
    expect(leftEverything({ inCall: false, registered: false })).toBe(true);
    expect(onQuit({ inCall: false, callsLeft: false })).toBe('quit');
  });
});

describe('window bounds', () => {
  const size = { width: 1100, height: 720, minWidth: 720, minHeight: 480 };
  const laptop = { x: 0, y: 0, width: 1440, height: 875 };
  const monitor = { x: 1440, y: -200, width: 2560, height: 1400 };

  it('nothing saved: the default size, placed by the system', () => {
    expect(restoreBounds(null, [laptop], size)).toEqual({ width: 1100, height: 720, maximized: false });
  });

  it('bounds that fit a display are kept as they were', () => {
    const saved = { x: 2000, y: 0, width: 1200, height: 800, maximized: true };
    expect(restoreBounds(saved, [laptop, monitor], size)).toEqual(saved);
  });

  it('a window saved on a monitor that is gone reappears on the primary display, shrunk to fit', () => {
    const saved = { x: 2000, y: 100, width: 2000, height: 1200, maximized: false };
    expect(restoreBounds(saved, [laptop], size)).toEqual({ x: 0, y: 0, width: 1440, height: 875, maximized: false });
  });

  it('a window hanging off the edge is moved back whole onto the display it was mostly on', () => {
    expect(restoreBounds({ x: 1000, y: 500, width: 1000, height: 600, maximized: false }, [laptop], size)).toEqual({ x: 440, y: 275, width: 1000, height: 600, maximized: false });
    expect(restoreBounds({ x: 3800, y: -400, width: 800, height: 600, maximized: false }, [laptop, monitor], size)).toEqual({ x: 3200, y: -200, width: 800, height: 600, maximized: false });
  });

  it('a sliver left on a display does not count: the window goes to the primary one', () => {
    const saved = { x: 1420, y: 800, width: 900, height: 600, maximized: false };
    expect(restoreBounds(saved, [laptop], size)).toEqual({ x: 540, y: 275, width: 900, height: 600, maximized: false });
  });

  it('never smaller than the minimum size, unless the display itself is smaller', () => {
    expect(restoreBounds({ x: 10, y: 10, width: 100, height: 100, maximized: false }, [laptop], size)).toMatchObject({ width: 720, height: 480 });
    expect(restoreBounds({ x: 0, y: 0, width: 1100, height: 720, maximized: false }, [{ x: 0, y: 0, width: 640, height: 400 }], size)).toEqual({ x: 0, y: 0, width: 640, height: 400, maximized: false });
  });

  it('no display reported: the default size', () => {
    expect(restoreBounds({ x: 5, y: 5, width: 800, height: 600, maximized: true }, [], size)).toEqual({ width: 1100, height: 720, maximized: true });
  });

  it('what is saved is whole pixels of the normal bounds', () => {
    expect(boundsToSave({ x: 10.4, y: -3.6, width: 800.5, height: 0.2 }, true)).toEqual({ x: 10, y: -4, width: 801, height: 1, maximized: true });
  });
});
