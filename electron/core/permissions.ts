/**
 * Which browser permission requests the app grants. Pure, so Electron's permission request and
 * check handlers are one-line adapters around it.
 *
 * Granted: camera and microphone ('media'), screen and window capture ('display-capture'), and the
 * speaker choice behind setSinkId ('speaker-selection'), and only to a frame of the app's own origin.
 * Everything else (geolocation, notifications from web content, USB, clipboard reads...) is denied:
 * the main process does those itself when needed.
 */
export interface PermissionQuery {
  permission: string;
  /** Origin of the frame asking (Electron: details.requestingUrl / requestingOrigin). */
  requestingUrl: string;
  /** The app's own origin, e.g. 'app://lanline'. */
  appOrigin: string;
  /** For 'media': which kinds; an empty or missing list means Chromium did not say. */
  mediaTypes?: readonly string[];
}

const GRANTED = new Set(['media', 'display-capture', 'speaker-selection']);
// Chromium's permission *check* for device enumeration reports 'unknown' before a kind is chosen.
const MEDIA_TYPES = new Set(['audio', 'video', 'unknown']);

export function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    // Custom schemes such as app://lanline report origin 'null'; rebuild it from scheme and host.
    if (parsed.origin === 'null') return parsed.host ? `${parsed.protocol}//${parsed.host}` : null;
    return parsed.origin;
  } catch {
    return null;
  }
}

export function isAppUrl(url: string, appOrigin: string): boolean {
  return originOf(url) === appOrigin;
}

export function decidePermission(query: PermissionQuery): boolean {
  if (!GRANTED.has(query.permission)) return false;
  if (!isAppUrl(query.requestingUrl, query.appOrigin)) return false;
  if (query.permission === 'media' && query.mediaTypes?.some((type) => !MEDIA_TYPES.has(type))) return false;
  return true;
}
