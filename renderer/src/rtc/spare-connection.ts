/**
 * One RTCPeerConnection made ahead of need, so that dialing or answering does not construct one on
 * its critical path. A new connection starts Chromium's checks that gate ICE gathering (the media
 * permission state and the network list, asked of the browser process); made at the moment of the
 * call they wait behind the camera being opened, and the first candidates followed the offer by
 * 35-60 ms in the call set-up benchmark. Made a few seconds earlier they are long settled.
 *
 * A connection that has not set a description gathers nothing and opens no socket, so holding one
 * costs a little memory and reveals nothing. `take` hands the spare out when it was made with the same
 * certificate and the same fixed settings (bundle and rtcp-mux policy, any extra field), updating
 * the ICE servers and transport policy with setConfiguration when they changed; otherwise it makes a
 * new connection as before. After a take the next spare is made once the set-up is over (`refillMs`).
 */
export type MakeConnection = (configuration: RTCConfiguration) => RTCPeerConnection;

/** The fields setConfiguration may change before the first description; everything else must match. */
const CHANGEABLE = new Set(['iceServers', 'iceTransportPolicy']);

const sameValue = (a: unknown, b: unknown): boolean => {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => item === b[index]);
  return a === b;
};

/** Same certificate objects and the same fixed fields: the spare can serve `wanted`. */
export function fixedFieldsMatch(made: RTCConfiguration, wanted: RTCConfiguration): boolean {
  const keys = new Set([...Object.keys(made), ...Object.keys(wanted)].filter((key) => !CHANGEABLE.has(key)));
  return [...keys].every((key) => sameValue(made[key as keyof RTCConfiguration], wanted[key as keyof RTCConfiguration]));
}

export function iceFieldsDiffer(made: RTCConfiguration, wanted: RTCConfiguration): boolean {
  return JSON.stringify([made.iceServers ?? [], made.iceTransportPolicy ?? 'all']) !== JSON.stringify([wanted.iceServers ?? [], wanted.iceTransportPolicy ?? 'all']);
}

export class SpareConnections {
  private spare: { pc: RTCPeerConnection; configuration: RTCConfiguration } | null = null;
  private refill: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly make: MakeConnection = (configuration) => new RTCPeerConnection(configuration),
    private readonly refillMs = 3000,
  ) {}

  /** A connection for `configuration`: the spare when it fits, a new one otherwise. */
  take(configuration: RTCConfiguration): RTCPeerConnection {
    const spare = this.spare;
    this.spare = null;
    let pc: RTCPeerConnection | null = null;
    if (spare && spare.pc.signalingState === 'stable' && !spare.pc.localDescription && fixedFieldsMatch(spare.configuration, configuration)) {
      pc = spare.pc;
      if (iceFieldsDiffer(spare.configuration, configuration)) {
        try {
          pc.setConfiguration(configuration);
        } catch {
          pc.close();
          pc = null;
        }
      }
    } else spare?.pc.close();
    pc ??= this.make(configuration);
    this.prepare(configuration);
    return pc;
  }

  /** Makes a spare for `configuration` in `refillMs`, unless one is held or on its way. */
  prepare(configuration: RTCConfiguration): void {
    if (this.spare || this.refill) return;
    this.refill = setTimeout(() => {
      this.refill = null;
      if (!this.spare) this.spare = { pc: this.make(configuration), configuration };
    }, this.refillMs);
  }

  /** Closes the spare and forgets a pending one (the certificate was rotated, the page is leaving). */
  dispose(): void {
    if (this.refill) clearTimeout(this.refill);
    this.refill = null;
    this.spare?.pc.close();
    this.spare = null;
  }

  get held(): boolean {
    return this.spare !== null;
  }
}

/** The page's spare, shared by calls and data links. */
export const spareConnections = new SpareConnections();
