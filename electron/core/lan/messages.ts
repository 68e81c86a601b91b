/**
 * The LAN signaling wire format: one JSON object per WebSocket text message, at most 256 KiB.
 *
 *   {type:'hello', v:'2.0', id, name, fingerprint, port}   first message each way, inside mutually
 *        authenticated TLS; `id` must be the peer id of the sender's TLS (device) certificate,
 *        `fingerprint` its RTCCertificate's, `port` its own signaling port (0: not listening)
 *   {type:'certificate', fingerprint}   the sender's RTCCertificate changed (rotation): SDP it sends
 *        from now on carries this fingerprint
 *   {type:'offer'|'answer'|'candidate'|'bye'|'busy'|'decline', session, …}
 *        the contract's SignalMessage, relayed between the two renderers as-is
 *   {type:'error', code:'version'|'invalid'|'rate-limited'|'identity'|'blocked', message}
 *        the receiver's complaint about the last message (or about the sender itself)
 *
 * Unknown fields are ignored (dropped) and unknown minor versions accepted; another major version in
 * a hello is answered with code 'version'. Keys that could reach an object's prototype (__proto__,
 * constructor, prototype) make a message invalid wherever they appear.
 */
import { z } from 'zod';
import { Fingerprint, PeerId, PROTOCOL_VERSION, SignalMessage } from '../../contract.js';
import { describeIssues } from '../rpc.js';

export const MAX_MESSAGE_BYTES = 256 * 1024;
const MAX_DEPTH = 8;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
// C0 controls, DEL and C1 controls: never in a name, never written to a log as-is.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const ownMajor = PROTOCOL_VERSION.split('.')[0]!;

export const Hello = z.object({
  type: z.literal('hello'),
  v: z.string().regex(/^\d{1,4}\.\d{1,4}$/, 'must be a protocol version "major.minor"'),
  id: PeerId,
  name: z
    .string()
    .min(1, 'must not be empty')
    .max(64, 'must be at most 64 characters')
    .refine((name) => !CONTROL.test(name), 'must not contain control characters'),
  fingerprint: Fingerprint,
  port: z.number().int().min(0).max(65535),
  /** Since 1.0: the id this install had before its certificate was renewed, for peers who missed it. */
  previous: PeerId.optional(),
});
export type Hello = z.infer<typeof Hello>;

export const CertificateAnnouncement = z.object({ type: z.literal('certificate'), fingerprint: Fingerprint });
export type CertificateAnnouncement = z.infer<typeof CertificateAnnouncement>;

export const LanErrorCode = z.enum(['version', 'invalid', 'rate-limited', 'identity', 'blocked']);
export type LanErrorCode = z.infer<typeof LanErrorCode>;

export const LanError = z.object({
  type: z.literal('error'),
  code: LanErrorCode,
  message: z.string().max(500, 'must be at most 500 characters'),
});
export type LanError = z.infer<typeof LanError>;

export type LanMessage = Hello | CertificateAnnouncement | SignalMessage | LanError;

const SIGNAL_TYPES = ['offer', 'answer', 'candidate', 'bye', 'busy', 'decline'] as const;
const TYPES: readonly string[] = ['hello', 'certificate', ...SIGNAL_TYPES, 'error'];

export type ParsedLanMessage = { ok: true; message: LanMessage } | { ok: false; code: 'invalid' | 'version'; error: string };

export function isSignalType(type: LanMessage['type']): type is SignalMessage['type'] {
  return (SIGNAL_TYPES as readonly string[]).includes(type);
}

/** Same major version: minor versions only add optional fields. */
export function isCompatibleVersion(v: string): boolean {
  const match = /^(\d{1,4})\.\d{1,4}$/.exec(v);
  return match !== null && Number(match[1]) === Number(ownMajor);
}

export function versionMismatchMessage(v: string): string {
  return `This peer speaks Lanline protocol ${printable(v, 16)}, we speak ${ownMajor}.x; update Lanline on the older side to connect.`;
}

export function parseLanMessage(text: string): ParsedLanMessage {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_MESSAGE_BYTES) return invalid(`the message is ${bytes} bytes; at most ${MAX_MESSAGE_BYTES} are allowed`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return invalid('the message is not JSON');
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return invalid(`the message must be a JSON object, not ${Array.isArray(data) ? 'an array' : data === null ? 'null' : `a ${typeof data}`}`);
  }
  const shape = checkShape(data);
  if (shape) return invalid(shape);
  const record = data as Record<string, unknown>;
  const type = record.type;
  if (type === undefined) return invalid('the message has no "type" field');
  if (typeof type !== 'string' || !TYPES.includes(type)) {
    return invalid(`"type" must be one of ${TYPES.join(', ')}; got ${JSON.stringify(printable(String(type), 40))}`);
  }
  if (type === 'hello' && typeof record.v === 'string' && /^\d{1,4}\.\d{1,4}$/.test(record.v) && !isCompatibleVersion(record.v)) {
    return { ok: false, code: 'version', error: versionMismatchMessage(record.v) };
  }
  const schema = type === 'hello' ? Hello : type === 'error' ? LanError : type === 'certificate' ? CertificateAnnouncement : SignalMessage;
  const parsed = schema.safeParse(data);
  if (!parsed.success) return invalid(`invalid ${type} message: ${describeIssues(parsed.error)}`);
  return { ok: true, message: parsed.data };
}

/** Rejects prototype keys at any depth and nesting deeper than any message needs. Iterative: no stack to exhaust. */
function checkShape(root: object): string | null {
  const pending: Array<{ value: object; depth: number }> = [{ value: root, depth: 1 }];
  while (pending.length) {
    const { value, depth } = pending.pop()!;
    if (depth > MAX_DEPTH) return `the message is nested more than ${MAX_DEPTH} levels deep`;
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) return `the message contains the key "${key}", which Lanline never accepts`;
      const child = (value as Record<string, unknown>)[key];
      if (child !== null && typeof child === 'object') pending.push({ value: child, depth: depth + 1 });
    }
  }
  return null;
}

function invalid(error: string): ParsedLanMessage {
  return { ok: false, code: 'invalid', error };
}

/**
 * Every `a=fingerprint` of an SDP as `<hash> <HEX:…>`: hash name lower-cased, hex upper-cased, in
 * the same form as a pinned Fingerprint. Lines of another hash function or a malformed value are
 * returned too (normalised as far as possible), so "all of them equal the pin" fails for them.
 */
export function sdpFingerprints(sdp: string): string[] {
  const found: string[] = [];
  for (const line of sdp.split(/\r?\n/)) {
    const match = /^\s*a=fingerprint:(.*)$/i.exec(line);
    if (!match) continue;
    const [hash = '', value = ''] = match[1]!.trim().split(/\s+/);
    found.push(`${hash.toLowerCase()} ${value.toUpperCase()}`.trim());
  }
  return found;
}

/** A display name as hello carries it: no control characters, trimmed, at most 64 characters. */
export function cleanName(name: string): string {
  return name.replace(new RegExp(CONTROL.source, 'g'), '').trim().slice(0, 64);
}

/** Text from the network made safe for a log line or a sentence: no control characters, bounded. */
export function printable(text: string, max = 200): string {
  const clean = text.replace(new RegExp(CONTROL.source, 'g'), '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
