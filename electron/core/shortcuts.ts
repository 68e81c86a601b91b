/**
 * Keyboard shortcuts: the global mute shortcut (an Electron accelerator such as
 * `CommandOrControl+Shift+M`, registered by electron/main/shortcuts.ts) and the push-to-talk key (held
 * in the call screen, a KeyboardEvent.code such as `Space`). Pure: parsing, the reasons a shortcut is
 * refused, and conflicts with the system's own shortcuts and between Lanline's.
 */
export type Platform = 'darwin' | 'win32' | 'linux' | string;

export interface Accelerator {
  /** Modifiers in a fixed order, as written in settings (CommandOrControl kept as such). */
  modifiers: string[];
  key: string;
  /** The canonical spelling: `CommandOrControl+Shift+M`. */
  text: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const MODIFIER_ORDER = ['CommandOrControl', 'Command', 'Control', 'Alt', 'AltGr', 'Shift', 'Super'] as const;
const MODIFIER_ALIASES: Record<string, (typeof MODIFIER_ORDER)[number]> = {
  commandorcontrol: 'CommandOrControl',
  cmdorctrl: 'CommandOrControl',
  command: 'Command',
  cmd: 'Command',
  control: 'Control',
  ctrl: 'Control',
  alt: 'Alt',
  option: 'Alt',
  altgr: 'AltGr',
  shift: 'Shift',
  super: 'Super',
  meta: 'Super',
};

const NAMED_KEYS = [
  'Plus', 'Space', 'Tab', 'Capslock', 'Numlock', 'Scrolllock', 'Backspace', 'Delete', 'Insert', 'Return', 'Enter', 'Up', 'Down', 'Left',
  'Right', 'Home', 'End', 'PageUp', 'PageDown', 'Escape', 'Esc', 'VolumeUp', 'VolumeDown', 'VolumeMute', 'MediaNextTrack',
  'MediaPreviousTrack', 'MediaStop', 'MediaPlayPause', 'PrintScreen', 'num0', 'num1', 'num2', 'num3', 'num4', 'num5', 'num6', 'num7',
  'num8', 'num9', 'numdec', 'numadd', 'numsub', 'nummult', 'numdiv',
];
const PUNCTUATION = [...')!@#$%^&*(:;:+=<,_->.?/~`{][|\\}"\''];

function normalizeKey(key: string): string | null {
  if (/^[a-z0-9]$/i.test(key)) return key.toUpperCase();
  const fkey = /^f([1-9]|1[0-9]|2[0-4])$/i.exec(key);
  if (fkey) return `F${fkey[1]}`;
  if (PUNCTUATION.includes(key)) return key;
  const named = NAMED_KEYS.find((name) => name.toLowerCase() === key.toLowerCase());
  if (named === 'Enter') return 'Return';
  if (named === 'Esc') return 'Escape';
  return named ?? null;
}

/** Keys that make sense alone as a global shortcut: they type nothing. */
const standsAlone = (key: string) => /^F(1[3-9]|2[0-4])$/.test(key) || key.startsWith('Media') || key.startsWith('Volume');

/** Parses an Electron accelerator; refuses what Electron would refuse or what would steal typing. */
export function parseAccelerator(input: string): Parsed<Accelerator> {
  const text = input.trim();
  if (!text) return { ok: false, reason: 'The shortcut is empty.' };
  if (text.length > 100) return { ok: false, reason: 'The shortcut is too long.' };
  // '+' is the separator, and the key 'Plus' names the plus sign; a trailing '+' after a separator is the key '+'.
  const parts = text.endsWith('++') ? [...text.slice(0, -2).split('+'), '+'] : text.split('+');
  if (parts.some((part) => part.trim() === '')) return { ok: false, reason: `"${text}" has an empty part; write keys joined by "+", as in CommandOrControl+Shift+M.` };
  const modifiers = new Set<(typeof MODIFIER_ORDER)[number]>();
  let key: string | null = null;
  for (const raw of parts.map((part) => part.trim())) {
    const modifier = MODIFIER_ALIASES[raw.toLowerCase()];
    if (modifier) {
      if (key) return { ok: false, reason: `"${raw}" comes after the key; modifiers go first, as in CommandOrControl+Shift+M.` };
      if (modifiers.has(modifier)) return { ok: false, reason: `"${raw}" is named twice.` };
      modifiers.add(modifier);
      continue;
    }
    if (key) return { ok: false, reason: `A shortcut has one key besides its modifiers; "${text}" has ${key} and ${raw}.` };
    key = normalizeKey(raw);
    if (!key) return { ok: false, reason: `"${raw}" is not a key Lanline knows.` };
  }
  if (!key) return { ok: false, reason: `"${text}" has modifiers but no key.` };
  const ordered = MODIFIER_ORDER.filter((modifier) => modifiers.has(modifier));
  if ((modifiers.has('CommandOrControl') && (modifiers.has('Command') || modifiers.has('Control')))) {
    return { ok: false, reason: 'CommandOrControl already means Command on macOS and Control elsewhere; name it once.' };
  }
  const strong = ordered.filter((modifier) => modifier !== 'Shift');
  if (strong.length === 0 && !standsAlone(key)) {
    return { ok: false, reason: `${ordered.length ? 'Shift+' : ''}${key} would be taken from every application while you type; add CommandOrControl, Alt or Super.` };
  }
  return { ok: true, value: { modifiers: ordered, key, text: [...ordered, key].join('+') } };
}

/** The accelerator as the keys pressed on that platform: CommandOrControl resolved, Option = Alt. */
export function resolveFor(accelerator: Accelerator, platform: Platform): string {
  const mac = platform === 'darwin';
  const names = accelerator.modifiers.map((modifier) => (modifier === 'CommandOrControl' ? (mac ? 'Command' : 'Control') : modifier === 'Super' && mac ? 'Command' : modifier));
  const order = ['Command', 'Control', 'Alt', 'AltGr', 'Shift', 'Super'];
  return [...new Set(names)].sort((a, b) => order.indexOf(a) - order.indexOf(b)).concat(accelerator.key).join('+');
}

/** Shortcuts the system or every application already gives a meaning, per platform (resolved spelling). */
const RESERVED: Record<string, string[]> = {
  all: ['Control+C', 'Control+V', 'Control+X', 'Control+Z', 'Control+A', 'Control+S', 'Control+W', 'Control+Q', 'Alt+F4', 'Alt+Tab', 'Control+Alt+Delete', 'Control+Shift+Escape', 'PrintScreen'],
  darwin: ['Command+C', 'Command+V', 'Command+X', 'Command+Z', 'Command+A', 'Command+S', 'Command+W', 'Command+Q', 'Command+H', 'Command+M', 'Command+Tab', 'Command+Space', 'Command+Shift+3', 'Command+Shift+4', 'Command+Shift+5', 'Command+Alt+Escape', 'Control+Space', 'Control+Command+Q', 'Control+Command+F'],
  win32: ['Super+L', 'Super+D', 'Super+E', 'Super+R', 'Super+Tab', 'Super+Shift+S', 'Super+G', 'Super+H', 'Super+V', 'Super+Space', 'Control+Escape'],
  linux: ['Super+L', 'Super+D', 'Super+Space', 'Control+Alt+T', 'Control+Alt+L', 'Control+Alt+Delete', 'Alt+F2', 'Super+A', 'Super+Tab'],
};

export interface ShortcutProblem {
  name: string;
  reason: string;
}

/**
 * Checks Lanline's global shortcuts (name -> accelerator, '' = none) for one platform: each must parse,
 * none may be one the system or every application uses, and no two may be the same keys there.
 */
export function checkShortcuts(shortcuts: Record<string, string>, platform: Platform): ShortcutProblem[] {
  const problems: ShortcutProblem[] = [];
  const reserved = new Set([...RESERVED.all!, ...(RESERVED[platform] ?? [])]);
  const taken = new Map<string, string>();
  for (const [name, text] of Object.entries(shortcuts)) {
    if (!text) continue;
    const parsed = parseAccelerator(text);
    if (!parsed.ok) {
      problems.push({ name, reason: parsed.reason });
      continue;
    }
    const keys = resolveFor(parsed.value, platform);
    if (reserved.has(keys)) problems.push({ name, reason: `${parsed.value.text} is already used by the system or by other applications (${keys}); choose another.` });
    const other = taken.get(keys);
    if (other) problems.push({ name, reason: `${parsed.value.text} is the same keys as the ${other} shortcut.` });
    taken.set(keys, name);
  }
  return problems;
}

/** Keys (KeyboardEvent.code) that may be held to talk: ones that type nothing useful on their own in the call screen. */
export const PUSH_TO_TALK_KEYS = ['Space', 'ControlLeft', 'ControlRight', 'AltLeft', 'AltRight', 'ShiftLeft', 'ShiftRight', 'CapsLock', 'Backquote', 'F13', 'F14', 'F15', 'F16', 'F17', 'F18', 'F19', 'F20'] as const;

export function checkPushToTalkKey(code: string): Parsed<string> {
  if (code === '' || (PUSH_TO_TALK_KEYS as readonly string[]).includes(code)) return { ok: true, value: code };
  return { ok: false, reason: `"${code}" cannot be held to talk; choose one of ${PUSH_TO_TALK_KEYS.join(', ')}, or none.` };
}
