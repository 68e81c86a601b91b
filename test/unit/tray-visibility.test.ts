/**
 * Whether a tray icon can be seen (electron/core/tray/visibility.ts). The probe runs GLib's real
 * `gdbus` against a private dbus-daemon this test starts (a session bus with no StatusNotifier
 * watcher, as stock GNOME's), and against no bus at all.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { parseGdbusBoolean, probeStatusNotifier, trayVisibility } from '../../electron/core/tray/visibility.js';

const hasTools = spawnSync('sh', ['-c', 'command -v gdbus && command -v dbus-daemon']).status === 0;
if (!hasTools) console.log('tray probe against a real bus skipped: gdbus or dbus-daemon not installed');

describe('trayVisibility', () => {
  const linux = { platform: 'linux' as const, created: true, desktop: 'KDE' };

  it('trusts Windows and macOS once the icon was made, and never a tray that could not be made', () => {
    expect(trayVisibility({ platform: 'win32', created: true, desktop: undefined, probe: null }).visible).toBe(true);
    expect(trayVisibility({ platform: 'darwin', created: true, desktop: undefined, probe: null }).visible).toBe(true);
    expect(trayVisibility({ platform: 'win32', created: false, desktop: undefined, probe: null }).visible).toBe(false);
  });

  it('on Linux asks for a StatusNotifier watcher with a registered host', () => {
    expect(trayVisibility({ ...linux, probe: { watcher: 'present', hostRegistered: true } }).visible).toBe(true);
    expect(trayVisibility({ ...linux, probe: { watcher: 'present', hostRegistered: false } })).toEqual({ visible: false, reason: expect.stringMatching(/no host/) });
    expect(trayVisibility({ ...linux, desktop: 'ubuntu:GNOME', probe: { watcher: 'absent', hostRegistered: null } })).toEqual({
      visible: false,
      reason: expect.stringMatching(/no StatusNotifier watcher/),
    });
  });

  it('when the bus cannot be asked, GNOME is taken as showing no tray and other desktops as showing one', () => {
    const unknown = { watcher: 'unknown' as const, hostRegistered: null, detail: 'gdbus: not found' };
    expect(trayVisibility({ ...linux, desktop: 'ubuntu:GNOME', probe: unknown })).toEqual({ visible: false, reason: expect.stringMatching(/gdbus: not found.*GNOME/) });
    expect(trayVisibility({ ...linux, desktop: 'XFCE', probe: unknown }).visible).toBe(true);
  });

  it('reads gdbus answers', () => {
    expect(parseGdbusBoolean('(true,)\n')).toBe(true);
    expect(parseGdbusBoolean('(<false>,)')).toBe(false);
    expect(parseGdbusBoolean('(uint32 1,)')).toBeNull();
  });
});

describe.skipIf(!hasTools)('probeStatusNotifier on a real session bus', () => {
  let daemon: ChildProcess | null = null;
  afterAll(() => void daemon?.kill());

  it('finds no watcher on a bus where nothing registered one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lanline-dbus-'));
    const config = join(dir, 'session.conf');
    writeFileSync(
      config,
      `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:path=${join(dir, 'bus')}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy></busconfig>`,
    );
    daemon = spawn('dbus-daemon', ['--config-file', config, '--nofork', '--print-address'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const address = await new Promise<string>((resolve) => createInterface({ input: daemon!.stdout! }).once('line', resolve));
    await expect(probeStatusNotifier({ ...process.env, DBUS_SESSION_BUS_ADDRESS: address })).resolves.toEqual({ watcher: 'absent', hostRegistered: null });
  });

  it('says unknown, with the reason, when there is no bus', async () => {
    const probe = await probeStatusNotifier({ ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/lanline-bus' });
    expect(probe.watcher).toBe('unknown');
    expect(probe.detail).toBeTruthy();
  });
});
