/**
 * The device registry: the microphones, cameras and speakers the renderer sees (it alone can call
 * enumerateDevices), which one is chosen for each, and whether a call runs, is muted and shares a screen. Main reads it
 * to build the tray's menu and icon; every change is told as `mediaStateChanged`. Kept in memory:
 * the lists are only true while the renderer runs, and the preferences themselves live in settings.
 */
import type { DeviceReport, MediaState } from '../../contract.js';
import type { EventHub } from '../events.js';

export const emptyDeviceReport = (): DeviceReport => ({ audioInput: [], videoInput: [], audioOutput: [], selected: { audioInput: null, videoInput: null, audioOutput: null } });

export class DeviceRegistry {
  private state: MediaState = { devices: emptyDeviceReport(), inCall: false, muted: false, sharing: false, registered: false };

  constructor(private readonly events: EventHub) {}

  get(): MediaState {
    return structuredClone(this.state);
  }

  reportDevices(devices: DeviceReport): void {
    this.update({ ...this.state, devices: structuredClone(devices) });
  }

  /** Muted and sharing only mean something during a call: outside one the microphone is closed and nothing is shared. */
  reportCall(inCall: boolean, muted: boolean, sharing = false): void {
    this.update({ ...this.state, inCall, muted: inCall && muted, sharing: inCall && sharing });
  }

  /** The renderer is gone (the host's page closed): it has no call and no registration any more. */
  pageGone(): void {
    this.update({ ...this.state, inCall: false, muted: false, sharing: false, registered: false });
  }

  reportPhone(registered: boolean): void {
    this.update({ ...this.state, registered });
  }

  private update(next: MediaState): void {
    if (JSON.stringify(next) === JSON.stringify(this.state)) return;
    this.state = next;
    this.events.emit('mediaStateChanged', this.get());
  }
}
