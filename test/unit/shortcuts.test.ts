import { describe, expect, it } from 'vitest';
import { checkPushToTalkKey, checkShortcuts, parseAccelerator, resolveFor } from '../../electron/core/shortcuts.js';

const parse = (text: string) => parseAccelerator(text);
const text = (input: string) => {
  const parsed = parse(input);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value.text;
};
const reason = (input: string) => {
  const parsed = parse(input);
  return parsed.ok ? null : parsed.reason;
};

describe('parseAccelerator', () => {
  it('accepts Electron accelerators in any case and alias, and writes them one way', () => {
    expect(text('CommandOrControl+Shift+M')).toBe('CommandOrControl+Shift+M');
    expect(text('shift+cmdorctrl+m')).toBe('CommandOrControl+Shift+M');
    expect(text('Ctrl+Alt+f12')).toBe('Control+Alt+F12');
    expect(text('Option+Meta+Esc')).toBe('Alt+Super+Escape');
    expect(text('Alt+Enter')).toBe('Alt+Return');
    expect(text('Control++')).toBe('Control++');
    expect(text('Control+Plus')).toBe('Control+Plus');
    expect(text('F13')).toBe('F13');
    expect(text('MediaPlayPause')).toBe('MediaPlayPause');
  });

  it('refuses broken or typing-stealing shortcuts with a reason a user can act on', () => {
    expect(reason('')).toMatch(/empty/);
    expect(reason('Ctrl+')).toMatch(/empty part/);
    expect(reason('Ctrl+Shift')).toMatch(/no key/);
    expect(reason('M+Ctrl')).toMatch(/after the key/);
    expect(reason('Ctrl+Ctrl+M')).toMatch(/twice/);
    expect(reason('Ctrl+M+N')).toMatch(/one key/);
    expect(reason('Ctrl+Banana')).toMatch(/not a key/);
    expect(reason('CmdOrCtrl+Ctrl+M')).toMatch(/name it once/);
    expect(reason('M')).toMatch(/every application while you type/);
    expect(reason('Shift+M')).toMatch(/Shift\+M/);
    expect(reason('Space')).toMatch(/add CommandOrControl/);
    expect(reason('x'.repeat(101))).toMatch(/too long/);
    expect(reason('Ctrl+\u0000')).toMatch(/not a key/);
  });

  it('resolves CommandOrControl for each platform', () => {
    const parsed = parse('CommandOrControl+Shift+M');
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(resolveFor(parsed.value, 'darwin')).toBe('Command+Shift+M');
    expect(resolveFor(parsed.value, 'win32')).toBe('Control+Shift+M');
  });
});

describe('checkShortcuts', () => {
  it('accepts the default mute shortcut everywhere', () => {
    for (const platform of ['darwin', 'win32', 'linux']) expect(checkShortcuts({ mute: 'CommandOrControl+Shift+M' }, platform)).toEqual([]);
  });

  it('reports shortcuts the system or every application already uses, per platform', () => {
    expect(checkShortcuts({ mute: 'CmdOrCtrl+Q' }, 'darwin')[0]?.reason).toMatch(/already used by the system.*Command\+Q/);
    expect(checkShortcuts({ mute: 'CmdOrCtrl+C' }, 'linux')[0]?.reason).toMatch(/Control\+C/);
    expect(checkShortcuts({ mute: 'Alt+F4' }, 'win32')).toHaveLength(1);
    expect(checkShortcuts({ mute: 'Super+L' }, 'win32')).toHaveLength(1);
    expect(checkShortcuts({ mute: 'Super+L' }, 'darwin')).toEqual([]);
    expect(checkShortcuts({ mute: 'Command+Shift+4' }, 'darwin')).toHaveLength(1);
  });

  it("reports two of Lanline's shortcuts on the same keys, as the platform resolves them", () => {
    expect(checkShortcuts({ mute: 'CmdOrCtrl+Shift+M', hangUp: 'Command+Shift+M' }, 'darwin')).toEqual([{ name: 'hangUp', reason: expect.stringMatching(/same keys as the mute/) }]);
    expect(checkShortcuts({ mute: 'CmdOrCtrl+Shift+M', hangUp: 'Command+Shift+M' }, 'win32')).toEqual([]);
    expect(checkShortcuts({ mute: '', hangUp: '' }, 'linux')).toEqual([]);
    expect(checkShortcuts({ mute: 'Ctrl+' }, 'linux')[0]?.name).toBe('mute');
  });
});

describe('checkPushToTalkKey', () => {
  it('allows keys that type nothing in the call screen, or none', () => {
    expect(checkPushToTalkKey('Space').ok).toBe(true);
    expect(checkPushToTalkKey('').ok).toBe(true);
    const refused = checkPushToTalkKey('KeyA');
    expect(refused.ok ? '' : refused.reason).toMatch(/cannot be held/);
  });
});
