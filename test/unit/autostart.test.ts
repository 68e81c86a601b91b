import { mkdirSync, mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { autostartDir, autostartEntry, setAutostart } from '../../electron/core/startup/autostart.js';

describe('XDG autostart entry (start at login on Linux)', () => {
  it('goes under $XDG_CONFIG_HOME/autostart, or ~/.config/autostart when it is unset or relative', () => {
    expect(autostartDir({ XDG_CONFIG_HOME: '/cfg' }, '/home/ada')).toBe('/cfg/autostart');
    expect(autostartDir({}, '/home/ada')).toBe('/home/ada/.config/autostart');
    expect(autostartDir({ XDG_CONFIG_HOME: 'relative' }, '/home/ada')).toBe('/home/ada/.config/autostart');
  });

  it('runs the app hidden, with the path quoted as the Desktop Entry spec wants', () => {
    expect(autostartEntry('/opt/Lanline/lanline')).toContain('\nExec=/opt/Lanline/lanline --hidden\n');
    expect(autostartEntry('/home/ada/Apps/Lanline 1.0 "beta".AppImage')).toContain('\nExec="/home/ada/Apps/Lanline 1.0 \\"beta\\".AppImage" --hidden\n');
    expect(autostartEntry('/opt/100%/lanline')).toContain('Exec=/opt/100%%/lanline --hidden');
    expect(() => autostartEntry('/opt/x\nExec=rm -rf ~')).toThrow(/line breaks/);
  });

  it('writes the file on, removes it off, and never removes an entry the user wrote', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'lanline-autostart-')), 'autostart');
    expect(setAutostart(dir, true, '/opt/Lanline/lanline')).toBe(true);
    const file = join(dir, 'lanline.desktop');
    expect(readFileSync(file, 'utf8')).toMatch(/^\[Desktop Entry\]\nType=Application\n/);
    expect(setAutostart(dir, false, '/opt/Lanline/lanline')).toBe(false);
    expect(existsSync(file)).toBe(false);

    mkdirSync(dir, { recursive: true });
    writeFileSync(file, '[Desktop Entry]\nType=Application\nName=Mine\nExec=lanline --my-flags\n');
    expect(setAutostart(dir, false, '/opt/Lanline/lanline')).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain('--my-flags');
  });
});
