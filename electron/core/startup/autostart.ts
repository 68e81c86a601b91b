/**
 * Start at login on Linux: the XDG Autostart entry (`$XDG_CONFIG_HOME/autostart/<id>.desktop`, by
 * default `~/.config/autostart`) that desktop sessions (GNOME, KDE, Xfce, …) run at login. Windows and
 * macOS use Electron's login items instead (electron/main/login-item.ts).
 *
 * The entry runs the app with `--hidden`, so it starts in the tray. Writing is atomic (temp file and
 * rename); turning the option off removes only the file Lanline wrote.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const AUTOSTART_ID = 'lanline';

/** The folder the entry goes in, from the environment as the XDG Base Directory spec says. */
export function autostartDir(env: NodeJS.ProcessEnv, home: string): string {
  const config = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(config, 'autostart');
}

/** Quotes one argument of the Exec key (Desktop Entry spec, "The Exec key"). */
function quoteExec(argument: string): string {
  if (!/[\s"'\\`$<>|&;*?#()]/.test(argument)) return argument.replace(/%/g, '%%');
  return `"${argument.replace(/[\\"`$]/g, (char) => `\\${char}`).replace(/%/g, '%%')}"`;
}

/** The .desktop file's text for an executable (an AppImage's path, or the installed binary). */
export function autostartEntry(executable: string, name = 'Lanline'): string {
  if (/[\r\n]/.test(executable) || /[\r\n]/.test(name)) throw new Error('an autostart entry cannot hold line breaks');
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    `Name=${name}`,
    'Comment=Calls, chat and files with the people on your network',
    `Exec=${quoteExec(executable)} --hidden`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    // Marks the file as ours, so turning the option off never removes a user's own entry.
    'X-Lanline-Autostart=true',
    '',
  ].join('\n');
}

/** Writes or removes the entry; returns whether it is there now. */
export function setAutostart(dir: string, on: boolean, executable: string): boolean {
  const file = join(dir, `${AUTOSTART_ID}.desktop`);
  if (!on) {
    if (existsSync(file) && readFileSync(file, 'utf8').includes('X-Lanline-Autostart=true')) rmSync(file);
    return existsSync(file);
  }
  mkdirSync(dir, { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, autostartEntry(executable), { mode: 0o644 });
  renameSync(temp, file);
  return true;
}
