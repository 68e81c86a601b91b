/**
 * The one contract between the renderer and the process that owns the OS (Electron main, or the
 * Node host in a plain browser). Every request and event is listed here with its runtime schema;
 * the TypeScript types are inferred from the schemas, so there is one source of truth.
 *
 * Wire rules shared by both bindings (IPC and the host's WebSocket):
 * - a request carries one payload (or none) and answers with an envelope: `{ok: true, value}` or
 *   `{ok: false, error: {code, message}}`; the bindings turn the error side into a rejected promise;
 * - events flow only from main to the renderer and carry one payload.
 *
 * The renderer imports only types from this file (checked by test/unit/layers.test.ts).
 */
import { z } from 'zod';

/** Major.minor of the LAN and bridge protocols; see docs/protocol.md. */
export const PROTOCOL_VERSION = '1.0';

export const Language = z.enum(['en', 'ko']);
export const Theme = z.enum(['system', 'light', 'dark']);

export const Settings = z.object({
  displayName: z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters'),
  language: Language,
  theme: Theme,
  /** Folder that received files are written under. Empty means the OS download folder. */
  downloadDir: z.string().max(4096),
  /** TCP port of the LAN signaling socket; 0 picks any free port. */
  lanPort: z.number().int().min(0).max(65535),
  notifications: z.boolean(),
});
export type Settings = z.infer<typeof Settings>;

/** A partial update: only known keys, each validated. */
export const SettingsPatch = Settings.partial().strict();
export type SettingsPatch = z.infer<typeof SettingsPatch>;

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  /** Which adapter binds the contract: the Electron app, or the Node host serving a browser. */
  runtime: z.enum(['electron', 'host']),
  platform: z.string(),
  protocolVersion: z.string(),
});
export type AppInfo = z.infer<typeof AppInfo>;

/** `sha-256 AB:CD:…` as in an SDP `a=fingerprint` line: 32 upper-case hex bytes. */
export const Fingerprint = z
  .string()
  .regex(/^sha-256 (?:[0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'must be "sha-256 " and 32 colon-separated hex bytes');
export type Fingerprint = z.infer<typeof Fingerprint>;

/**
 * A peer id: the SHA-256 certificate fingerprint in base32 with a check character per 13 characters,
 * shown as 8 groups of 7 (see electron/core/identity/peer-id.ts and docs/protocol.md#peer-id).
 */
export const PeerId = z.string().regex(/^[A-Z2-7]{7}(?:-[A-Z2-7]{7}){7}$/, 'must be a Lanline peer id (8 groups of 7 characters)');
export type PeerId = z.infer<typeof PeerId>;

const Millis = z.number().int().nonnegative();

/** What the renderer reports about the certificate it generated and keeps in IndexedDB. */
export const CertificateRecord = z.object({
  fingerprint: Fingerprint,
  createdAt: Millis,
  expiresAt: Millis,
});
export type CertificateRecord = z.infer<typeof CertificateRecord>;

/** What the user is known as. peerId and fingerprint stay null until the renderer registered its certificate. */
export const IdentitySummary = z.object({
  displayName: z.string(),
  peerId: PeerId.nullable(),
  fingerprint: Fingerprint.nullable(),
  createdAt: Millis.nullable(),
  expiresAt: Millis.nullable(),
  /** When the certificate should be replaced; the app warns from then on and rotates. */
  rotateAt: Millis.nullable(),
});
export type IdentitySummary = z.infer<typeof IdentitySummary>;

/** new: never met; pinned: fingerprint pinned on first contact; verified: safety code compared. */
export const TrustState = z.enum(['new', 'pinned', 'verified', 'blocked', 'mismatch']);
export type TrustState = z.infer<typeof TrustState>;

export const Peer = z.object({
  id: PeerId,
  name: z.string(),
  online: z.boolean(),
  lastSeen: Millis,
  /** Where the peer was last reached: IP addresses (no link-local address from another link). */
  addresses: z.array(z.string()),
  /** Its LAN signaling port. */
  port: z.number().int().min(0).max(65535),
  /** How we know it: seen by mDNS, added by address, or it connected to us. */
  via: z.enum(['mdns', 'manual', 'incoming']),
  /** A signaling connection is open and both sides said hello. */
  connected: z.boolean(),
  trust: TrustState,
  /** The pinned fingerprint, once pinned. */
  fingerprint: Fingerprint.nullable(),
  firstSeen: Millis.nullable(),
});
export type Peer = z.infer<typeof Peer>;

/** Identifies one RTCPeerConnection negotiation between two peers (a call, a transfer link). */
export const SessionId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8-64 letters, digits, _ or -');

const Sdp = z.string().min(1).max(200_000);
const IceCandidate = z
  .object({
    candidate: z.string().max(2_000),
    sdpMid: z.string().max(64).nullable().optional(),
    sdpMLineIndex: z.number().int().min(0).max(1_000).nullable().optional(),
    usernameFragment: z.string().max(256).nullable().optional(),
  })
  .nullable();

/**
 * The signaling a renderer exchanges with one peer, carried by the LAN socket (docs/protocol.md).
 * `purpose` tells the answering side what the first offer of a session is for.
 */
export const SignalMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('offer'),
    session: SessionId,
    sdp: Sdp,
    purpose: z.enum(['call', 'data']).optional(),
    media: z.object({ audio: z.boolean(), video: z.boolean() }).optional(),
  }),
  z.object({ type: z.literal('answer'), session: SessionId, sdp: Sdp }),
  z.object({ type: z.literal('candidate'), session: SessionId, candidate: IceCandidate }),
  z.object({ type: z.literal('bye'), session: SessionId, reason: z.string().max(200).optional() }),
  z.object({ type: z.literal('busy'), session: SessionId }),
  z.object({ type: z.literal('decline'), session: SessionId }),
]);
export type SignalMessage = z.infer<typeof SignalMessage>;

export const TrustWarning = z.object({
  peerId: PeerId,
  name: z.string(),
  /**
   * fingerprint-mismatch: the pinned fingerprint and the one offered differ; id-mismatch: the claimed
   * id is not derived from the fingerprint; rotated-unconfirmed: a new id says it replaces a peer we
   * know (its certificate was renewed while we were away), which nothing could confirm.
   */
  reason: z.enum(['fingerprint-mismatch', 'id-mismatch', 'rotated-unconfirmed']),
  /** For rotated-unconfirmed: the id it says it replaces. */
  previousId: PeerId.optional(),
  expected: Fingerprint.nullable(),
  received: Fingerprint,
  at: Millis,
});
export type TrustWarning = z.infer<typeof TrustWarning>;

export const PeerTrustAction = z.enum(['verify', 'unverify', 'block', 'unblock', 'repin']);

const none = z.undefined();

export const requests = {
  getAppInfo: { input: none, output: AppInfo },
  getSettings: { input: none, output: Settings },
  setSettings: { input: SettingsPatch, output: Settings },
  getIdentity: { input: none, output: IdentitySummary },
  /** The renderer reports its (new or rotated) certificate; main derives and keeps the peer id. */
  registerCertificate: { input: CertificateRecord, output: IdentitySummary },
  /** Where others can reach this instance (shown for "add by address"); port null until listening. */
  getLanStatus: { input: none, output: z.object({ port: z.number().int().nullable(), addresses: z.array(z.string()) }) },
  listPeers: { input: none, output: z.array(Peer) },
  /** For networks that block multicast: `host:port`, `[v6]:port` or a bare host (default port). Remembered. */
  addPeerByAddress: { input: z.object({ address: z.string().min(1).max(300) }).strict(), output: Peer },
  setPeerTrust: { input: z.object({ peerId: PeerId, action: PeerTrustAction }).strict(), output: Peer },
  /** Digits both sides can read to each other to verify the pinned fingerprints. */
  getSafetyCode: { input: z.object({ peerId: PeerId }).strict(), output: z.object({ code: z.string() }) },
  sendSignal: { input: z.object({ peerId: PeerId, message: SignalMessage }).strict(), output: z.undefined() },
  /**
   * A trusted peer told us, over a data channel its pinned certificate secures, the fingerprint of the
   * certificate that replaces it: move its trust (name, verified) to the new id without a warning.
   */
  acceptRotation: { input: z.object({ peerId: PeerId, fingerprint: Fingerprint }).strict(), output: Peer },
} as const;

export const events = {
  settingsChanged: Settings,
  identityChanged: IdentitySummary,
  peersChanged: z.array(Peer),
  signal: z.object({ peerId: PeerId, message: SignalMessage }),
  trustWarning: TrustWarning,
} as const;

export type Requests = typeof requests;
export type RequestName = keyof Requests;
export type EventName = keyof typeof events;
export type RequestInput<K extends RequestName> = z.input<Requests[K]['input']>;
export type RequestOutput<K extends RequestName> = z.output<Requests[K]['output']>;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export const ErrorCode = z.enum([
  /** the payload does not match the contract; the message names the field */
  'invalid',
  /** the request name is not in the contract */
  'unknown-request',
  /** the caller is not allowed (wrong frame, missing token) */
  'forbidden',
  'not-found',
  /** the OS refused (disk full, permission denied) */
  'io',
  /** the other side is gone (the host stopped, a peer left) */
  'unavailable',
  /** a bug on our side; the detail is in the log */
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export interface LanlineErrorData {
  code: ErrorCode;
  message: string;
}

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: LanlineErrorData };

export type Unsubscribe = () => void;

/**
 * The API the renderer sees as `window.lanline` (Electron preload) or through the host's WebSocket.
 * One method per request; `on.<event>(listener)` per event. Rejections carry `{code, message}`.
 */
export type LanlineApi = {
  [K in RequestName]: RequestInput<K> extends undefined
    ? () => Promise<RequestOutput<K>>
    : (input: RequestInput<K>) => Promise<RequestOutput<K>>;
} & {
  on: { [E in EventName]: (listener: (payload: EventPayload<E>) => void) => Unsubscribe };
};

export const requestNames = Object.keys(requests) as RequestName[];
export const eventNames = Object.keys(events) as EventName[];

/** IPC channel names used by the Electron binding; the host uses the bare names. */
export const ipcRequestChannel = (name: RequestName): string => `lanline:request:${name}`;
export const ipcEventChannel = (name: EventName): string => `lanline:event:${name}`;
