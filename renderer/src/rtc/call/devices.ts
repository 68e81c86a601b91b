/**
 * Media devices: which one to use for a saved preference, and the lists the device selects show.
 * A preference is `{id, label}`: ids are stable per origin in Chromium but change when the browser
 * profile or the OS driver does, so a preference is found by id first, then by label.
 */
export type DeviceKind = 'audioinput' | 'videoinput' | 'audiooutput';

export interface DeviceChoice {
  id: string;
  label: string;
}

export interface DeviceInfo {
  deviceId: string;
  kind: string;
  label: string;
}

/** The device to use for `preference` among `devices` of that kind, or null for the system default. */
export function matchDevice<T extends DeviceInfo>(devices: readonly T[], kind: DeviceKind, preference: DeviceChoice | null): T | null {
  if (!preference) return null;
  const ofKind = devices.filter((device) => device.kind === kind);
  return ofKind.find((device) => device.deviceId === preference.id) ?? ofKind.find((device) => device.label !== '' && device.label === preference.label) ?? null;
}

/** What to switch to after the device list changed: the preferred device when present, else the default. */
export function deviceToUse(devices: readonly DeviceInfo[], kind: DeviceKind, preference: DeviceChoice | null, inUseId: string | null): { switchTo: string | null; reason: 'preferred' | 'fallback' } | null {
  const preferred = matchDevice(devices, kind, preference);
  if (preferred) return preferred.deviceId === inUseId ? null : { switchTo: preferred.deviceId, reason: 'preferred' };
  const inUsePresent = inUseId !== null && devices.some((device) => device.kind === kind && device.deviceId === inUseId);
  return inUsePresent ? null : { switchTo: null, reason: 'fallback' };
}

export async function listDevices(mediaDevices: MediaDevices = navigator.mediaDevices): Promise<Record<DeviceKind, DeviceInfo[]>> {
  const all = await mediaDevices.enumerateDevices();
  const of = (kind: DeviceKind) => all.filter((device) => device.kind === kind).map(({ deviceId, kind, label }) => ({ deviceId, kind, label }));
  return { audioinput: of('audioinput'), videoinput: of('videoinput'), audiooutput: of('audiooutput') };
}
