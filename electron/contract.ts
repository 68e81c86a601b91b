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

/** What the user is known as. The certificate-derived id arrives with LAN identity. */
export const IdentitySummary = z.object({
  displayName: z.string(),
  peerId: z.string().nullable(),
  fingerprint: z.string().nullable(),
});
export type IdentitySummary = z.infer<typeof IdentitySummary>;

const none = z.undefined();

export const requests = {
  getAppInfo: { input: none, output: AppInfo },
  getSettings: { input: none, output: Settings },
  setSettings: { input: SettingsPatch, output: Settings },
  getIdentity: { input: none, output: IdentitySummary },
} as const;

export const events = {
  settingsChanged: Settings,
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
