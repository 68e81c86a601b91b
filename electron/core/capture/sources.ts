/**
 * The screen-source picker's list, from what desktopCapturer found (pure, so it is unit-tested with
 * plain objects; electron/main/capture.ts only turns NativeImages into data URLs and passes them in).
 *
 * Order is stable between refreshes, so a thumbnail does not jump under the user's pointer: screens
 * first (the primary display, then the others in the order the OS lists the displays), then windows
 * by name, ties by id. Lanline's own windows are left out (sharing them shows a mirror of the call).
 */
import type { CaptureSource } from '../../contract.js';

/** One source as desktopCapturer gives it, images already as data URLs. */
export interface RawCaptureSource {
  id: string;
  name: string;
  /** `display_id`: the display a screen source shows ('' for windows, and on some Linux setups). */
  displayId: string;
  thumbnail: string;
  appIcon: string | null;
}

export interface DisplayInfo {
  id: string;
  primary: boolean;
}

export interface CaptureContext {
  /** Media source ids of Lanline's own windows (BrowserWindow.getMediaSourceId()). */
  ownWindows: string[];
  /** The displays in the OS's order (screen.getAllDisplays()). */
  displays: DisplayInfo[];
}

const IMAGE = /^data:image\/(?:png|jpeg);base64,[A-Za-z0-9+/]+={0,2}$/;
const MAX_NAME = 200;
const MAX_IMAGE = 2_000_000;

const image = (url: string | null): string | null => (url && url.length <= MAX_IMAGE && IMAGE.test(url) ? url : null);

/** Control characters out, white space collapsed, at most 200 characters. */
export function cleanName(name: string): string {
  return [...name.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, ' ').replace(/\s+/g, ' ').trim()].slice(0, MAX_NAME).join('');
}

/** `screen:<n>:0` or `window:<n>:0` as desktopCapturer names them. */
export const sourceKind = (id: string): 'screen' | 'window' | null => (id.startsWith('screen:') ? 'screen' : id.startsWith('window:') ? 'window' : null);

/** The number inside a source id, for a stable tie-break. */
const idNumber = (id: string): number => Number.parseInt(id.split(':')[1] ?? '', 10) || 0;

export function captureSources(raw: RawCaptureSource[], context: CaptureContext): CaptureSource[] {
  const own = new Set(context.ownWindows);
  const displayRank = (displayId: string): number => {
    const index = context.displays.findIndex((display) => display.id === displayId);
    if (index < 0) return Number.MAX_SAFE_INTEGER;
    return context.displays[index]!.primary ? -1 : index;
  };
  const seen = new Set<string>();
  const sources: CaptureSource[] = [];
  for (const source of raw) {
    const kind = sourceKind(source.id);
    if (!kind || seen.has(source.id) || own.has(source.id)) continue;
    seen.add(source.id);
    const name = cleanName(source.name);
    // A window without a title is a helper nobody means to share (tooltips, hidden frames).
    if (kind === 'window' && !name) continue;
    const display = kind === 'screen' ? context.displays.find((candidate) => candidate.id === source.displayId) : undefined;
    sources.push({
      id: source.id,
      kind,
      name: name || `Screen ${sources.filter((other) => other.kind === 'screen').length + 1}`,
      thumbnail: image(source.thumbnail),
      appIcon: kind === 'window' ? image(source.appIcon) : null,
      displayId: kind === 'screen' && source.displayId ? source.displayId : null,
      primary: display?.primary ?? false,
    });
  }
  return sources.sort((a, b) => {
    if (a.kind !== b.kind) return a.kind === 'screen' ? -1 : 1;
    if (a.kind === 'screen') return displayRank(a.displayId ?? '') - displayRank(b.displayId ?? '') || idNumber(a.id) - idNumber(b.id);
    return a.name.localeCompare(b.name, 'en') || idNumber(a.id) - idNumber(b.id);
  });
}

/** A Linux desktop session on Wayland, where screens and windows are only reachable through the portal. */
export const isWayland = (platform: string, env: Record<string, string | undefined>): boolean =>
  platform === 'linux' && (env.XDG_SESSION_TYPE === 'wayland' || (!!env.WAYLAND_DISPLAY && env.XDG_SESSION_TYPE !== 'x11'));

/**
 * On Wayland the user already chose in the system's own dialog (xdg-desktop-portal, through PipeWire),
 * and desktopCapturer returns that one source: it is used as is, not offered again in Lanline's picker.
 */
export const pickedBySystem = (platform: string, env: Record<string, string | undefined>, sources: readonly CaptureSource[]): CaptureSource | null =>
  isWayland(platform, env) && sources.length === 1 ? sources[0]! : null;

/** System audio ('loopback') can be captured with a screen only on Windows (Electron's Streams.audio). */
export const systemAudioSupported = (platform: string): boolean => platform === 'win32';

/** The sentence the user reads when screen capture failed (a thrown value of any kind, bounded). */
export function captureFailure(error: unknown): string {
  const detail = error instanceof Error ? error.message : typeof error === 'string' ? error : 'unknown error';
  return (detail.trim() || 'unknown error').slice(0, 300);
}
