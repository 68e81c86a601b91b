/**
 * Can the user see a tray icon? On Windows and macOS, yes once `new Tray` succeeded. On Linux the icon
 * is drawn by a StatusNotifier host (KDE, XFCE, Cinnamon, GNOME only with the AppIndicator
 * extension) that registers with the `org.kde.StatusNotifierWatcher` D-Bus service; Electron's
 * `new Tray` succeeds without one (stock GNOME) and nothing appears. Without a visible tray,
 * closing the window must not hide Lanline where no one can reopen it (core/window-policy.ts).
 *
 * The probe asks the session bus with `gdbus` (GLib's, present wherever GTK is, which Electron needs
 * on Linux): whether the watcher name has an owner, then its `IsStatusNotifierHostRegistered`
 * property. When the bus or the tool is missing the answer is 'unknown' and the decision falls back
 * on the desktop's name.
 */
import { execFile } from 'node:child_process';

export type WatcherState = 'present' | 'absent' | 'unknown';

export interface StatusNotifierProbe {
  watcher: WatcherState;
  /** The watcher's IsStatusNotifierHostRegistered; null when not asked or not answered. */
  hostRegistered: boolean | null;
  /** What went wrong when watcher is 'unknown'. */
  detail?: string;
}

export interface TrayVisibilityInput {
  platform: NodeJS.Platform;
  /** `new Tray` succeeded. */
  created: boolean;
  /** XDG_CURRENT_DESKTOP, e.g. 'GNOME', 'ubuntu:GNOME', 'KDE'. */
  desktop: string | undefined;
  /** Linux only. */
  probe: StatusNotifierProbe | null;
}

export interface TrayVisibility {
  visible: boolean;
  reason: string;
}

const isGnome = (desktop: string | undefined): boolean => (desktop ?? '').split(':').some((name) => /^(gnome|ubuntu)$/i.test(name.trim()));

export function trayVisibility({ platform, created, desktop, probe }: TrayVisibilityInput): TrayVisibility {
  if (!created) return { visible: false, reason: 'the system refused to create a tray icon' };
  if (platform !== 'linux') return { visible: true, reason: 'the system shows tray icons' };
  if (probe?.watcher === 'present') {
    if (probe.hostRegistered === false) return { visible: false, reason: 'a StatusNotifier watcher runs but no host shows its icons' };
    return { visible: true, reason: 'a StatusNotifier host shows tray icons' };
  }
  if (probe?.watcher === 'absent') return { visible: false, reason: 'no StatusNotifier watcher on the session bus (stock GNOME shows no tray icons without the AppIndicator extension)' };
  if (isGnome(desktop)) return { visible: false, reason: `the tray could not be checked (${probe?.detail ?? 'no probe'}) and GNOME shows no tray icons by itself` };
  return { visible: true, reason: `the tray could not be checked (${probe?.detail ?? 'no probe'}); assumed visible on ${desktop || 'this desktop'}` };
}

/** `gdbus call` prints a GVariant tuple: `(true,)` for a boolean, `(<true>,)` for a property. */
export function parseGdbusBoolean(output: string): boolean | null {
  const match = /^\(<?(true|false)>?,\)$/.exec(output.trim());
  return match ? match[1] === 'true' : null;
}

function gdbus(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('gdbus', ['call', '--session', ...args], { env, timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) reject(new Error((stderr || error.message).trim().split('\n')[0]));
      else resolve(stdout);
    });
  });
}

/** Asks the session bus (env's DBUS_SESSION_BUS_ADDRESS) whether a StatusNotifier host shows icons. */
export async function probeStatusNotifier(env: NodeJS.ProcessEnv = process.env, timeoutMs = 2_000): Promise<StatusNotifierProbe> {
  let owned: boolean | null;
  try {
    owned = parseGdbusBoolean(
      await gdbus(['--dest', 'org.freedesktop.DBus', '--object-path', '/org/freedesktop/DBus', '--method', 'org.freedesktop.DBus.NameHasOwner', 'org.kde.StatusNotifierWatcher'], env, timeoutMs),
    );
  } catch (error) {
    return { watcher: 'unknown', hostRegistered: null, detail: (error as Error).message };
  }
  if (owned === null) return { watcher: 'unknown', hostRegistered: null, detail: 'gdbus gave an answer that is not a boolean' };
  if (!owned) return { watcher: 'absent', hostRegistered: null };
  try {
    const registered = parseGdbusBoolean(
      await gdbus(
        ['--dest', 'org.kde.StatusNotifierWatcher', '--object-path', '/StatusNotifierWatcher', '--method', 'org.freedesktop.DBus.Properties.Get', 'org.kde.StatusNotifierWatcher', 'IsStatusNotifierHostRegistered'],
        env,
        timeoutMs,
      ),
    );
    return { watcher: 'present', hostRegistered: registered };
  } catch (error) {
    return { watcher: 'present', hostRegistered: null, detail: (error as Error).message };
  }
}
