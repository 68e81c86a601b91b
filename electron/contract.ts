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
export const PROTOCOL_VERSION = '2.0';

export const Language = z.enum(['en', 'ko']);
export const Theme = z.enum(['system', 'light', 'dark']);

/** A chosen media device: its id and its label, so it can be found again when the id changed. */
export const DeviceChoice = z.object({ id: z.string().max(512), label: z.string().max(512) });
export type DeviceChoice = z.infer<typeof DeviceChoice>;

export const IceServerSetting = z.object({
  urls: z.array(z.string().regex(/^(stuns?|turns?):[^\s]{1,250}$/, 'must be a stun:, stuns:, turn: or turns: URL')).min(1).max(4),
  /** TURN only; the credential is kept by core in its secrets store, keyed by the first URL. */
  username: z.string().max(256).optional(),
});
export type IceServerSetting = z.infer<typeof IceServerSetting>;

/**
 * A SIP account for calling phones through a gateway (SIP over WebSocket, RFC 7118). The password is
 * not here: `setSipPassword` hands it to core, which keeps it with the TURN credentials (safeStorage).
 */
export const SipAccount = z.object({
  enabled: z.boolean(),
  /** The address of record, `sip:user@domain`; '' while no account is set up. */
  uri: z.union([z.literal(''), z.string().regex(/^sips?:[^\s@:;?]{1,64}@[^\s@;?]{1,190}$/, 'must be a SIP URI like sip:alice@example.org')]),
  /** The user name to authenticate with when it differs from the URI's user part ('' = the same). */
  authUser: z.string().max(128),
  /** The gateway's WebSocket: wss:// anywhere, ws:// for labs on the same machine or LAN (see `unencrypted`). */
  wsUrl: z.union([z.literal(''), z.string().regex(/^wss?:\/\/[^\s]{1,250}$/, 'must be a ws:// or wss:// URL')]),
  /**
   * The user confirmed that a ws:// gateway is unencrypted: anyone on the network can read the
   * account's sign-in and calls. Without it core refuses to save an enabled ws:// account and keeps
   * the password from the user agent (electron/core/calls/sip-transport.ts).
   */
  unencrypted: z.boolean().default(false),
  displayName: z.string().max(64),
  /** Optional outbound proxy, a SIP URI the requests are routed through ('' = none). */
  outboundProxy: z.union([z.literal(''), z.string().regex(/^sips?:[^\s]{1,250}$/, 'must be a SIP URI')]),
  /** DTMF in calls: RFC 4733 telephone-events (RTCDTMFSender), or SIP INFO for gateways without them. */
  dtmf: z.object({
    mode: z.enum(['rfc4733', 'info']),
    /** Tone length, 40-6000 ms (RTCDTMFSender's limits). */
    durationMs: z.number().int().min(40).max(6000),
    /** Pause between tones, 30-6000 ms. */
    gapMs: z.number().int().min(30).max(6000),
  }),
  /** Use the STUN/TURN servers of the calls settings for phone calls too. */
  useIceServers: z.boolean(),
});
export type SipAccount = z.infer<typeof SipAccount>;

/** A window's normal bounds in screen pixels, and whether it was maximized (electron/core/window-bounds.ts). */
export const WindowBounds = z.object({
  x: z.number().int().min(-100_000).max(100_000),
  y: z.number().int().min(-100_000).max(100_000),
  width: z.number().int().min(1).max(100_000),
  height: z.number().int().min(1).max(100_000),
  maximized: z.boolean(),
});
export type WindowBounds = z.infer<typeof WindowBounds>;

export const Settings = z.object({
  displayName: z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters'),
  language: Language,
  theme: Theme,
  /** Folder that received files are written under. Empty means the OS download folder. */
  downloadDir: z.string().max(4096),
  /** TCP port of the LAN signaling socket; 0 picks any free port. */
  lanPort: z.number().int().min(0).max(65535),
  notifications: z.boolean(),
  /** Silences notifications (the tray's "Do not disturb"); calls still ring in the window. */
  doNotDisturb: z.boolean(),
  /** Preferred devices, matched by id then label (ids change across some restarts); null = system default. */
  devices: z.object({ audioInput: DeviceChoice.nullable(), videoInput: DeviceChoice.nullable(), audioOutput: DeviceChoice.nullable() }),
  /** STUN/TURN servers for calls beyond the LAN. TURN credentials are not here: see `setTurnCredential`. */
  ice: z.object({ servers: z.array(IceServerSetting).max(8), relayOnly: z.boolean() }),
  /**
   * Electron: `mute` is a global accelerator (`CommandOrControl+Shift+M`) that toggles mute from any
   * application; `pushToTalk` a KeyboardEvent.code held in the call screen to talk while muted. '' = none.
   * Core refuses invalid or conflicting ones with the reason (electron/core/shortcuts.ts).
   */
  shortcuts: z.object({ mute: z.string().max(100), pushToTalk: z.string().max(32) }),
  /** Electron: where the window was last (its normal, unmaximized bounds); null until it was moved or resized. */
  window: WindowBounds.nullable(),
  /** Electron (Windows, macOS): start Lanline when the user logs in. */
  openAtLogin: z.boolean(),
  /** Electron: the one-time "Lanline is still running in the tray" hint was shown. */
  closeToTrayHintShown: z.boolean(),
  /**
   * Electron: the user agreed that Lanline be the system's default application for tel: and sip:
   * links (off by default; lanline: links are always Lanline's). See electron/core/protocols.ts.
   */
  phoneLinks: z.boolean(),
  sip: SipAccount,
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
  /** The user chose to answer this peer's calls without ringing (only a pinned or verified peer). */
  autoAnswerCalls: z.boolean(),
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
   * know (its certificate was renewed while we were away), which nothing could confirm;
   * identity-changed: a peer pinned under protocol 1 (previousId) now has a device identity (peerId)
   * that nothing pinned; shown once, the user verifies it again.
   */
  reason: z.enum(['fingerprint-mismatch', 'id-mismatch', 'rotated-unconfirmed', 'identity-changed']),
  /** For rotated-unconfirmed and identity-changed: the id it had before. */
  previousId: PeerId.optional(),
  expected: Fingerprint.nullable(),
  received: Fingerprint,
  at: Millis,
});
export type TrustWarning = z.infer<typeof TrustWarning>;

/**
 * auto-answer-calls: calls from this peer are answered without ringing (DESIGN §6: only a peer Lanline
 * has pinned and not blocked, and only by the user's choice); ask-before-calls undoes it. Block and
 * repin (a new certificate) clear it.
 */
export const PeerTrustAction = z.enum(['verify', 'unverify', 'block', 'unblock', 'repin', 'auto-answer-calls', 'ask-before-calls']);

/** A chat message's id: random from its sender (128 bits in base64url, 22 characters), the same on every resend. */
export const ChatMessageId = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'must be 16-64 letters, digits, _ or -');
/** pending: not yet handed to a data channel; sent: handed to it; delivered: the peer stored it; failed: the peer was not reachable. */
export const ChatState = z.enum(['pending', 'sent', 'delivered', 'failed']);
export type ChatState = z.infer<typeof ChatState>;
/** One message of a conversation as core keeps it (docs/protocol.md#chat). Incoming messages are 'delivered'. */
export const ChatEntry = z.object({
  id: ChatMessageId,
  peerId: PeerId,
  direction: z.enum(['in', 'out']),
  text: z.string(),
  /** When it was recorded here. */
  at: Millis,
  /** The sender's clock when it was sent. */
  sentAt: Millis,
  state: ChatState,
});
export type ChatEntry = z.infer<typeof ChatEntry>;
export const ChatConversation = z.object({
  peerId: PeerId,
  unread: z.number().int().nonnegative(),
  /** Outgoing messages not yet delivered: to send again when the peer is reachable. */
  undelivered: z.number().int().nonnegative(),
  lastAt: Millis.nullable(),
});
export type ChatConversation = z.infer<typeof ChatConversation>;

/** One call with one remote participant, as the call log keeps it (a group call logs one per participant). */
export const CallRecord = z.object({
  id: z.string().max(64),
  /** A LAN call: the peer's id. A phone call (`kind: 'sip'`): the SIP URI of the other side. */
  peerId: z.union([PeerId, z.string().regex(/^sips?:[^\s]{1,250}$/)]),
  /** Absent on LAN calls (and on entries written before phone calls existed). */
  kind: z.enum(['lan', 'sip']).optional(),
  /** Phone calls: the number as dialed or shown (what redial dials again). */
  number: z.string().max(256).optional(),
  name: z.string().max(64),
  direction: z.enum(['incoming', 'outgoing']),
  video: z.boolean(),
  startedAt: Millis,
  /** 0 when never answered. */
  durationMs: z.number().int().nonnegative(),
  /** answered; missed (incoming, never answered); declined; busy; cancelled (outgoing, we hung up first); unanswered; failed. */
  outcome: z.enum(['answered', 'missed', 'declined', 'busy', 'cancelled', 'unanswered', 'failed']),
});
export type CallRecord = z.infer<typeof CallRecord>;

/** Identifies one transfer (an offer of one or more files) on both sides. */
export const TransferId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8-64 letters, digits, _ or -');
const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');
/**
 * Files one offer may hold. An offer travels as one control message, at most `sctp.maxMessageSize`
 * (256 KiB, docs/protocol.md#files), which holds about 2 000 files with their hashes; a receiver
 * refuses more, so an offer flood cannot make it record tens of thousands of files.
 */
export const MAX_FILES_PER_OFFER = 2_000;
/** The most bytes an offer may take as JSON: what fits one control message with room to spare. */
export const MAX_OFFER_BYTES = 240 * 1024;

/** One file of an offer as it travels between peers (docs/protocol.md#files). */
export const OfferedFile = z.object({
  /** Relative path with '/' between folders, as the sender names it; sanitised by the receiver. */
  path: z.string().min(1).max(4096),
  size: z.number().int().nonnegative().max(2 ** 50),
  sha256: Sha256Hex,
});
export const TransferOffer = z.object({
  id: TransferId,
  files: z
    .array(OfferedFile)
    .min(1)
    .max(MAX_FILES_PER_OFFER, `an offer holds at most ${MAX_FILES_PER_OFFER} files; send the others in another offer`),
  /** 'text': one file made from a text or clipboard snippet. */
  kind: z.enum(['files', 'text']),
});
export type TransferOffer = z.infer<typeof TransferOffer>;

export const TransferState = z.enum(['waiting', 'declined', 'active', 'paused', 'done', 'failed', 'cancelled']);
export const Transfer = z.object({
  id: TransferId,
  peerId: PeerId,
  direction: z.enum(['out', 'in']),
  kind: z.enum(['files', 'text']),
  /** waiting: for the receiver's answer; paused: the peer is away, it resumes when it is back. */
  state: TransferState,
  files: z.array(
    z.object({
      path: z.string(),
      size: z.number().int().nonnegative(),
      /** Bytes that arrived (in) or that the receiver confirmed (out). */
      done: z.number().int().nonnegative(),
      state: z.enum(['pending', 'active', 'done', 'failed']),
      /** Where the received file was saved (in, done). */
      savedAs: z.string().nullable(),
    }),
  ),
  totalSize: z.number().int().nonnegative(),
  bytesDone: z.number().int().nonnegative(),
  /** Bytes per second over the last seconds, 0 when idle. */
  speed: z.number().nonnegative(),
  createdAt: Millis,
  finishedAt: Millis.nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type Transfer = z.infer<typeof Transfer>;

/** The devices of one kind the renderer sees (enumerateDevices), for the tray's device menus. */
const ReportedDevice = z.object({ id: z.string().max(512), label: z.string().max(512) });
const ReportedDevices = z.array(ReportedDevice).max(64);
export const DeviceKindName = z.enum(['audioInput', 'videoInput', 'audioOutput']);
export type DeviceKindName = z.infer<typeof DeviceKindName>;
/** What the renderer reports: each kind's devices and the id chosen (or in use) for it, null when none. */
export const DeviceReport = z.object({
  audioInput: ReportedDevices,
  videoInput: ReportedDevices,
  audioOutput: ReportedDevices,
  selected: z.object({ audioInput: z.string().max(512).nullable(), videoInput: z.string().max(512).nullable(), audioOutput: z.string().max(512).nullable() }),
});
export type DeviceReport = z.infer<typeof DeviceReport>;
/** The device registry's view (electron/core/devices/registry.ts): devices plus the call's state. */
/** `registered`: the SIP account is registered (quitting first unregisters it, like it first leaves calls). */
export const MediaState = z.object({ devices: DeviceReport, inCall: z.boolean(), muted: z.boolean(), sharing: z.boolean(), registered: z.boolean() });
export type MediaState = z.infer<typeof MediaState>;
/** What a tray menu item does; main handles the window, quit and do-not-disturb, the renderer the rest. */
export const TrayAction = z.discriminatedUnion('type', [
  z.object({ type: z.literal('toggle-window') }),
  z.object({ type: z.literal('set-muted'), muted: z.boolean() }),
  z.object({ type: z.literal('stop-sharing') }),
  z.object({ type: z.literal('choose-device'), kind: DeviceKindName, deviceId: z.string().max(512) }),
  z.object({ type: z.literal('set-do-not-disturb'), on: z.boolean() }),
  z.object({ type: z.literal('quit') }),
]);
export type TrayAction = z.infer<typeof TrayAction>;
export const NotificationKind = z.enum(['call', 'file', 'chat']);
/** Why `notify` did or did not show a system notification. unsupported: no system notifications here (the page shows its own). */
export const NotifyOutcome = z.enum(['shown', 'focused', 'do-not-disturb', 'disabled', 'unsupported']);
export type NotifyOutcome = z.infer<typeof NotifyOutcome>;
export const NotificationTag = z.string().regex(/^[A-Za-z0-9_:.-]{1,80}$/, 'must be 1-80 letters, digits or _:.-');

/** A screen or window the screen-source picker offers (electron/core/capture/sources.ts). */
export const CaptureSource = z.object({
  /** desktopCapturer's id: `screen:<n>:0` or `window:<n>:0`. */
  id: z.string().max(200),
  kind: z.enum(['screen', 'window']),
  name: z.string().max(200),
  /** A PNG or JPEG data URL; null when the system gave none. */
  thumbnail: z.string().nullable(),
  appIcon: z.string().nullable(),
  /** The display a screen shows (screens only). */
  displayId: z.string().nullable(),
  primary: z.boolean(),
});
export type CaptureSource = z.infer<typeof CaptureSource>;
const CaptureRequestId = z.string().regex(/^capture-\d{1,12}$/, 'must be a capture request id');

/** What a link opened from outside asks for (electron/core/links.ts): a peer's page, or the dial pad. */
export const DeepLink = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('peer'), peerId: PeerId }),
  z.object({ kind: z.literal('tel'), number: z.string().max(64) }),
  z.object({ kind: z.literal('sip'), uri: z.string().max(512) }),
]);
export type DeepLink = z.infer<typeof DeepLink>;

// Binary payloads (file chunks) cross as bytes: structured clone over IPC, binary frames to the host.
const Bytes = z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'must be bytes');
/**
 * The most bytes one readChunk or writeChunk moves. The sender reads several data-channel chunks
 * (docs/protocol.md#files) at a time; the receiver writes each chunk as it comes, without waiting for
 * the answer to the previous one.
 */
export const MAX_BRIDGE_CHUNK_BYTES = 8 * 1024 * 1024;
const ChunkBytes = Bytes.refine((value) => value.length <= MAX_BRIDGE_CHUNK_BYTES, `must be at most ${MAX_BRIDGE_CHUNK_BYTES} bytes`);
const FileRef = { id: TransferId, file: z.number().int().nonnegative().max(MAX_FILES_PER_OFFER) };

/**
 * A file or folder the user chose to send, as main names it to the renderer: an opaque handle main
 * made when the user picked it in the OS dialog, dropped it on the window (Electron) or uploaded its
 * bytes (the browser host). The renderer never names a path on disk; `createOutgoing` takes handles.
 */
export const ChosenFileHandle = z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'must be a handle from the file dialog, a drop or an upload');
export const ChosenFile = z.object({ handle: ChosenFileHandle, name: z.string() });
export type ChosenFile = z.infer<typeof ChosenFile>;
/** An upload in progress to the host's staging folder (browser host; docs/architecture.md#transfers-the-whole-path). */
const UploadId = z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'must be an upload id');
/** Why opening a received file asks first: it runs as a program or script. */
export const OpenRisk = z.enum(['program', 'script']);
export type OpenRisk = z.infer<typeof OpenRisk>;

const none = z.undefined();

export const requests = {
  getAppInfo: { input: none, output: AppInfo },
  /**
   * The renderer has subscribed to its events (main.ts, at the end of its start): links opened
   * before then (the app was started by one) were held and are sent now as `openLink`.
   */
  rendererReady: { input: none, output: z.undefined() },
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
  // Calls (docs/protocol.md#calls). Media stays in the renderer; core keeps the log and the TURN secrets.
  listCalls: { input: none, output: z.array(CallRecord) },
  /** Adds a finished call (one per remote participant) to the log; the log keeps the newest 200. */
  recordCall: { input: CallRecord.omit({ id: true }).strict(), output: CallRecord },
  /** Stores (or, with credential null, forgets) the TURN credential of the server whose first URL is `url`. */
  setTurnCredential: { input: z.object({ url: z.string().min(1).max(256), credential: z.string().max(512).nullable() }).strict(), output: z.undefined() },
  /** Stores (or, with null, forgets) the SIP account's password. */
  setSipPassword: { input: z.object({ password: z.string().max(512).nullable() }).strict(), output: z.undefined() },
  /** The SIP account's password for the renderer's user agent (null when none is stored). */
  getSipPassword: { input: none, output: z.object({ password: z.string().nullable() }) },
  /** The RTCConfiguration's servers and policy for a call: settings plus the stored TURN credentials. */
  getIceConfig: {
    input: none,
    output: z.object({
      iceServers: z.array(z.object({ urls: z.array(z.string()), username: z.string().optional(), credential: z.string().optional() })),
      iceTransportPolicy: z.enum(['all', 'relay']),
    }),
  },
  // Transfers (docs/protocol.md#files). The renderer moves bytes between the data channel and main;
  // main reads and writes the files.
  /** The OS file dialog (Electron): handles of what the user chose; the browser host has none and answers 'unavailable'. */
  pickFiles: { input: z.object({ folders: z.boolean() }).strict(), output: z.object({ files: z.array(ChosenFile) }) },
  /**
   * Browser host: the page uploads the bytes of files the user chose (a file input or a drop) into
   * a staging folder main controls. `files` names each with its path relative to what was chosen
   * (`album/a.jpg` for a folder); the bytes follow in order with `uploadChunk`; `finishUpload` checks
   * every size and answers one handle per chosen file or folder.
   */
  beginUpload: {
    input: z.object({ files: z.array(z.object({ path: z.string().min(1).max(4096), size: z.number().int().nonnegative().max(2 ** 50) }).strict()).min(1).max(MAX_FILES_PER_OFFER) }).strict(),
    output: z.object({ upload: UploadId }),
  },
  uploadChunk: { input: z.object({ upload: UploadId, file: FileRef.file, offset: z.number().int().nonnegative(), data: ChunkBytes }).strict(), output: z.object({ done: z.number().int().nonnegative() }) },
  finishUpload: { input: z.object({ upload: UploadId }).strict(), output: z.object({ files: z.array(ChosenFile) }) },
  /** Abandons an upload (the page gave up): its staged bytes are removed. */
  cancelUpload: { input: z.object({ upload: UploadId }).strict(), output: z.undefined() },
  /** Prepares sending files or folders the user chose (hashes them) and returns the offer to send; any other handle is 'forbidden'. */
  createOutgoing: { input: z.object({ peerId: PeerId, handles: z.array(ChosenFileHandle).min(1).max(1000) }).strict(), output: z.object({ transfer: Transfer, offer: TransferOffer }) },
  createOutgoingText: { input: z.object({ peerId: PeerId, text: z.string().min(1).max(1_000_000) }).strict(), output: z.object({ transfer: Transfer, offer: TransferOffer }) },
  /** Unfinished outgoing transfers to a peer, to offer again when it is back (resume). */
  outgoingFor: { input: z.object({ peerId: PeerId }).strict(), output: z.array(TransferOffer) },
  /**
   * The receiver asked to retry a failed transfer (`file-retry`): files it does not have are hashed
   * again as they are now on this disk; answers the offer to send again (same id). 'not-found' when
   * this side no longer has the transfer or its files.
   */
  retryOutgoing: { input: z.object({ peerId: PeerId, id: TransferId }).strict(), output: TransferOffer },
  /** Bytes [offset, offset + length) of an outgoing file (fewer only at its end). */
  readChunk: { input: z.object({ ...FileRef, offset: z.number().int().nonnegative(), length: z.number().int().min(1).max(MAX_BRIDGE_CHUNK_BYTES) }).strict(), output: z.object({ data: Bytes }) },
  /** An offer arrived: validated, sanitised and recorded; answer 'accepted' when it was accepted before (resume) or auto-accepted. */
  receiveOffer: { input: z.object({ peerId: PeerId, offer: TransferOffer }).strict(), output: z.object({ transfer: Transfer, accepted: z.boolean(), offsets: z.array(z.number().int().nonnegative()) }) },
  /** The user's answer to an incoming offer; offsets say where each file resumes. */
  answerTransfer: { input: z.object({ id: TransferId, accept: z.boolean(), always: z.boolean().optional() }).strict(), output: z.object({ transfer: Transfer, offsets: z.array(z.number().int().nonnegative()) }) },
  /** The user retries a failed incoming transfer: the sender's next offer of it may carry changed files. */
  retryIncoming: { input: z.object({ id: TransferId }).strict(), output: Transfer },
  /** Appends bytes to an incoming file at `offset`, which must be where it stands. */
  writeChunk: { input: z.object({ ...FileRef, offset: z.number().int().nonnegative(), data: ChunkBytes }).strict(), output: z.object({ done: z.number().int().nonnegative() }) },
  /** Checks the received file's SHA-256 and gives it its final name. */
  finishFile: { input: z.object(FileRef).strict(), output: Transfer },
  /** What the other side reported or what happened here: progress (out), done, failure, cancel, peer gone. */
  updateTransfer: {
    input: z
      .object({
        id: TransferId,
        event: z.enum(['started', 'progress', 'file-done', 'done', 'failed', 'cancelled', 'paused', 'declined']),
        file: z.number().int().nonnegative().optional(),
        done: z.number().int().nonnegative().optional(),
        error: z.object({ code: z.string().max(40), message: z.string().max(500) }).optional(),
      })
      .strict(),
    output: Transfer,
  },
  listTransfers: { input: none, output: z.array(Transfer) },
  /**
   * Open a received file with its application, or show it in its folder (Electron); 'unavailable' in
   * the host. A program or script is opened only with `confirmed`: without it the answer is
   * `{opened: false, risk}` and the renderer asks the user first.
   */
  openTransferFile: { input: z.object({ ...FileRef, reveal: z.boolean(), confirmed: z.boolean().optional() }).strict(), output: z.object({ opened: z.boolean(), risk: OpenRisk.nullable() }) },
  /**
   * Electron: the OS folder dialog chooses the download folder (the only way it changes there);
   * answers the settings, unchanged when the user cancelled. The browser host answers 'unavailable'.
   */
  chooseDownloadDir: { input: none, output: Settings },
  // Chat (docs/protocol.md#chat). The renderer carries messages over the data link; core keeps the history.
  listConversations: { input: none, output: z.array(ChatConversation) },
  listChat: { input: z.object({ peerId: PeerId }).strict(), output: z.object({ messages: z.array(ChatEntry), unread: z.number().int().nonnegative() }) },
  /**
   * Records a message to send (out: answers with state 'pending') or one received (in: on disk when
   * this answers, so the ack may follow). An id already recorded answers the stored entry. Text must be
   * well-formed Unicode of at most 10 000 characters; core says why otherwise ('invalid').
   */
  appendChat: {
    input: z.object({ peerId: PeerId, message: z.object({ id: ChatMessageId, direction: z.enum(['in', 'out']), text: z.string(), sentAt: Millis.optional() }).strict() }).strict(),
    output: ChatEntry,
  },
  updateChatState: { input: z.object({ peerId: PeerId, id: ChatMessageId, state: z.enum(['sent', 'delivered', 'failed']) }).strict(), output: ChatEntry },
  markChatRead: { input: z.object({ peerId: PeerId }).strict(), output: z.undefined() },
  /**
   * A link the user clicked in a chat: core allows http, https and mailto only and answers the URL to
   * open. Electron opens it in the system browser (opened: true); the browser host cannot, and leaves
   * it to the page to open in a new tab (opened: false).
   */
  openExternal: { input: z.object({ url: z.string().max(8_192) }).strict(), output: z.object({ url: z.string(), opened: z.boolean() }) },
  // Devices, tray and notifications (docs/architecture.md#calls).
  /** The renderer's device lists and choices, after enumerateDevices or a choice; core keeps them for the tray. */
  reportDevices: { input: DeviceReport.strict(), output: z.undefined() },
  /** Whether a call runs, the microphone is muted and a screen is shared, for the tray's menu and icon. */
  reportCallState: { input: z.object({ inCall: z.boolean(), muted: z.boolean(), sharing: z.boolean() }).strict(), output: z.undefined() },
  /** Whether the SIP account is registered, so that quitting waits for it to unregister. */
  reportPhoneState: { input: z.object({ registered: z.boolean() }).strict(), output: z.undefined() },
  /**
   * Asks for a system notification; core decides (settings, do-not-disturb, window focus). With
   * `actions`, a call notification offers Accept and Decline where the platform can.
   */
  notify: {
    input: z.object({ kind: NotificationKind, title: z.string().min(1).max(200), body: z.string().max(1_000), tag: NotificationTag, actions: z.boolean().optional() }).strict(),
    output: z.object({ shown: z.boolean(), outcome: NotifyOutcome }),
  },
  /** Removes the notification with that tag (the call stopped ringing). */
  closeNotification: { input: z.object({ tag: NotificationTag }).strict(), output: z.undefined() },
  /**
   * A still photo from a call (PNG), written under the download folder with a unique, sanitised name.
   * It travels in pieces of at most 512 KiB (the host's WebSocket frames are bounded): the first
   * carries the name and answers an `upload` id that the following pieces name; `done` ends it.
   */
  savePhoto: {
    input: z
      .object({
        name: z.string().min(1).max(200),
        data: Bytes.refine((bytes) => bytes.length <= 524_288, 'must be at most 512 KiB'),
        upload: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/).optional(),
        done: z.boolean(),
      })
      .strict(),
    output: z.object({ path: z.string(), upload: z.string() }),
  },
  /** The user's answer to `captureSources`: a source (with the system's sound when offered), or null to cancel. */
  chooseCaptureSource: {
    input: z.object({ requestId: CaptureRequestId, sourceId: z.string().max(200).nullable(), audio: z.boolean() }).strict(),
    output: z.undefined(),
  },
} as const;

export const events = {
  transferChanged: Transfer,
  settingsChanged: Settings,
  identityChanged: IdentitySummary,
  peersChanged: z.array(Peer),
  signal: z.object({ peerId: PeerId, message: SignalMessage }),
  trustWarning: TrustWarning,
  callsChanged: z.array(CallRecord),
  /** Messages added or changed in one conversation (none for a read mark), and its unread count. */
  chatChanged: z.object({ peerId: PeerId, messages: z.array(ChatEntry), unread: z.number().int().nonnegative() }),
  /** The device registry changed (a report from the renderer, a call began or ended, mute). */
  mediaStateChanged: MediaState,
  /** The user chose a tray menu item that the renderer carries out (mute, a device, stop sharing). */
  trayAction: TrayAction,
  /** The app is quitting: hang up every call (each peer gets its bye) and unregister the SIP account while main waits a moment. */
  leaveCalls: z.object({ reason: z.literal('quit') }),
  /** The user clicked a system notification (click) or one of its buttons (accept, decline). */
  notificationAction: z.object({ tag: NotificationTag, action: z.enum(['click', 'accept', 'decline']) }),
  /**
   * Electron: the page asked for a screen (getDisplayMedia) and main wants the user's choice; sent
   * again with the same id when the thumbnails are refreshed. `audio`: the system's sound can be offered.
   */
  captureSources: z.object({ requestId: CaptureRequestId, sources: z.array(CaptureSource).max(500), audio: z.boolean() }),
  /**
   * Electron: screen capture could not start (desktopCapturer or the system's permission failed);
   * the page's getDisplayMedia was denied and the user is told why. Before this, a failure looked
   * like a cancelled picker.
   */
  captureFailed: z.object({ message: z.string().max(500) }),
  /** Electron: a global shortcut was pressed (the app need not have focus). */
  shortcut: z.object({ action: z.enum(['toggle-mute']) }),
  /**
   * A lanline:, tel: or sip: link was opened from another application (Electron), or given to the
   * host with --link; sent once the renderer said `rendererReady` (held until then).
   */
  openLink: DeepLink,
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
 * The typed API the renderer's code calls, built by renderer/src/bridge/api.ts over a transport
 * (the Electron preload's `window.lanline`, or the host's WebSocket). One method per request;
 * `on.<event>(listener)` per event. Rejections are LanlineError `{code, message}`.
 */
export type LanlineApi = {
  [K in RequestName]: RequestInput<K> extends undefined
    ? () => Promise<RequestOutput<K>>
    : (input: RequestInput<K>) => Promise<RequestOutput<K>>;
} & {
  on: { [E in EventName]: (listener: (payload: EventPayload<E>) => void) => Unsubscribe };
};

/**
 * What the Electron preload exposes as `window.lanline`, and all it exposes: three functions over
 * plain data. contextBridge hands the page a deep-frozen copy, so nothing may wrap or change it.
 * - `invoke` resolves with the envelope main answered; a name not in `requests` rejects.
 * - `on` subscribes to one event (a name not in `events` throws) and returns the unsubscribe.
 * - `pathForFile` answers a handle for a File the user dropped on the window ('' for anything else):
 *   the preload reads its path (webUtils.getPathForFile) and registers it with main over
 *   `ipcDroppedFileChannel`, which no request can name; the page never sees the path, and a page
 *   cannot make a File with a path.
 */
export interface LanlinePreload {
  invoke(name: string, payload?: unknown): Promise<Envelope<unknown>>;
  on(name: string, listener: (payload: unknown) => void): Unsubscribe;
  pathForFile(file: unknown): string;
}

export const requestNames = Object.keys(requests) as RequestName[];
export const eventNames = Object.keys(events) as EventName[];

/** IPC channel names used by the Electron binding; the host uses the bare names. */
export const ipcRequestChannel = (name: RequestName): string => `lanline:request:${name}`;
export const ipcEventChannel = (name: EventName): string => `lanline:event:${name}`;
/** The preload's own channel (sendSync) that registers a dropped file's path and answers its handle. */
export const ipcDroppedFileChannel = 'lanline:dropped-file';
