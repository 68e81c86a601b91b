/**
 * The global mute shortcut: registered with globalShortcut from the settings (checked by core,
 * electron/core/shortcuts.ts) and again whenever they change; pressing it tells the renderer, which
 * toggles mute. Another application may hold the same keys: then it is logged and left unregistered.
 */
import { globalShortcut } from 'electron';
import type { Core } from '../core/index.js';
import { parseAccelerator } from '../core/shortcuts.js';

export function registerShortcuts(core: Core): () => void {
  let current = '';
  const apply = (mute: string) => {
    if (mute === current) return;
    if (current) globalShortcut.unregister(current);
    current = '';
    const parsed = parseAccelerator(mute);
    if (!mute || !parsed.ok) return;
    if (globalShortcut.register(parsed.value.text, () => core.events.emit('shortcut', { action: 'toggle-mute' }))) current = parsed.value.text;
    else core.log.warn(`mute shortcut ${parsed.value.text} is taken by another application`);
  };
  apply(core.settings.get().shortcuts.mute);
  const off = core.events.on('settingsChanged', (settings) => apply(settings.shortcuts.mute));
  return () => {
    off();
    globalShortcut.unregisterAll();
  };
}
