/**
 * Whether opening a received file runs it (issue 14 §4): a program or a script is opened only after
 * the user confirmed it in the UI. Decided by the name alone, as the OS decides what opening does;
 * the extension is compared without case, and a name's trailing dots and spaces (which Windows drops)
 * are already gone (file-name.ts).
 */
import type { OpenRisk } from '../../contract.js';

/** Native programs, installers, packages and disk images (they mount and open), on any of the three systems. */
const PROGRAMS = new Set([
  'exe', 'com', 'scr', 'pif', 'cpl', 'msi', 'msix', 'msp', 'appx', 'appxbundle', 'dll', 'sys', 'gadget', 'application',
  'app', 'pkg', 'mpkg', 'dmg', 'kext', 'appimage', 'run', 'deb', 'rpm', 'snap', 'flatpakref', 'apk', 'jar', 'xbap', 'iso', 'img', 'vhd', 'vhdx',
]);
/** Scripts and files that make the system run something (shortcuts, registry files, desktop entries). */
const SCRIPTS = new Set([
  'bat', 'cmd', 'ps1', 'psm1', 'psd1', 'ps1xml', 'vbs', 'vbe', 'js', 'jse', 'mjs', 'wsf', 'wsh', 'wsc', 'hta', 'msc', 'lnk', 'url', 'scf', 'reg', 'inf', 'chm',
  'sh', 'bash', 'zsh', 'ksh', 'csh', 'fish', 'command', 'tool', 'desktop', 'py', 'pyw', 'pyz', 'pl', 'rb', 'php', 'lua', 'tcl',
  'scpt', 'applescript', 'workflow', 'terminal', 'webloc', 'fileloc', 'inetloc', 'jnlp', 'docm', 'dotm', 'xlsm', 'xltm', 'xlam', 'pptm', 'potm', 'ppam', 'sldm',
]);

export function openRisk(name: string): OpenRisk | null {
  const dot = name.lastIndexOf('.');
  if (dot < 0) return null;
  const ext = name.slice(dot + 1).toLowerCase();
  if (PROGRAMS.has(ext)) return 'program';
  if (SCRIPTS.has(ext)) return 'script';
  return null;
}
