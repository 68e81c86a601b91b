/**
 * The device identity: an ECDSA P-256 key and a self-signed X.509 certificate that main keeps for as
 * long as the install lives. LAN signaling runs over mutually authenticated TLS with it, and the
 * peer id is its certificate's SHA-256 fingerprint (docs/protocol.md#handshake), as in Syncthing.
 *
 * The certificate is built here rather than by a library: a self-signed one needs about forty lines
 * of DER, and node:crypto does the key and the signature. Its content:
 *   version 3, a random positive 16-byte serial, signature ecdsa-with-SHA256,
 *   issuer = subject = CN=lanline, valid from one day before creation for 20 years,
 *   subjectPublicKeyInfo of the P-256 key, no extensions.
 * Nothing in it but the key matters to a peer: peers pin the fingerprint, never a name or a CA.
 *
 * Stored document 'device': {version: 1, cert: <PEM>, key: <PEM> | {sealed: <base64>}}. Electron seals
 * the key with safeStorage (the SecretCodec); the host keeps it plain in its 0600 file. A missing or
 * unreadable key makes a new identity (logged), which peers see as a new device.
 */
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import type { Fingerprint, PeerId } from '../../contract.js';
import type { SecretCodec } from '../calls/secrets.js';
import type { Log } from '../log.js';
import type { DocumentStore } from '../storage.js';
import { fingerprintFromBytes, peerIdFromFingerprint } from './peer-id.js';

const DAY = 24 * 60 * 60 * 1000;
const VALID_YEARS = 20;

export interface DeviceCredentials {
  /** PEM of the private key (PKCS#8). */
  key: string;
  /** PEM of the self-signed certificate. */
  cert: string;
  /** SHA-256 of the certificate's DER, in the SDP form. */
  fingerprint: Fingerprint;
  peerId: PeerId;
}

/** `sha-256 AB:…` of a DER certificate: what peers pin and what the peer id encodes. */
export function certificateFingerprint(der: Uint8Array): Fingerprint {
  return fingerprintFromBytes(createHash('sha256').update(der).digest());
}

export function createDeviceCertificate(now: number = Date.now()): { key: string; cert: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const der = selfSigned(privateKey, publicKey.export({ type: 'spki', format: 'der' }), now);
  return { key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, cert: pem(der) };
}

export function credentialsFrom(key: string, cert: string): DeviceCredentials {
  const x509 = new X509Certificate(cert);
  // The key must be the certificate's: a TLS handshake with a mismatched pair fails anyway, later and less clearly.
  if (!x509.checkPrivateKey(createPrivateKey(key))) throw new Error('the device key does not belong to the device certificate');
  const fingerprint = certificateFingerprint(x509.raw);
  return { key, cert, fingerprint, peerId: peerIdFromFingerprint(fingerprint) };
}

/** Loads the device identity, making (and storing) one on first start. */
export function loadDevice(store: DocumentStore, log: Log, codec?: SecretCodec, clock: () => number = Date.now): DeviceCredentials {
  const stored = store.read();
  const sealing = codec?.available() ? codec : undefined;
  if (typeof stored.cert === 'string' && stored.key !== undefined) {
    try {
      const key = typeof stored.key === 'string' ? stored.key : unseal(stored.key, codec);
      const credentials = credentialsFrom(key, stored.cert);
      // A key written plain before the keychain was available is sealed now.
      if (typeof stored.key === 'string' && sealing) store.write({ version: 1, cert: stored.cert, key: seal(key, sealing) });
      return credentials;
    } catch (error) {
      const copy = store.backup('unreadable');
      log.warn(`the device key could not be read (${(error as Error).message}); a new device identity is made, peers will see a new device; the old file is kept at ${copy}`);
    }
  }
  const made = createDeviceCertificate(clock());
  const credentials = credentialsFrom(made.key, made.cert);
  if (codec && !sealing) log.warn('the system keychain is not available: the device key is stored unsealed in the settings folder');
  store.write({ version: 1, cert: made.cert, key: sealing ? seal(made.key, sealing) : made.key });
  log.info(`device identity created: ${credentials.peerId}`);
  return credentials;
}

function seal(key: string, codec: SecretCodec): { sealed: string } {
  return { sealed: Buffer.from(codec.encrypt(key)).toString('base64') };
}

function unseal(value: unknown, codec?: SecretCodec): string {
  const sealed = (value as { sealed?: unknown } | null)?.sealed;
  if (typeof sealed !== 'string') throw new Error('the stored key is neither PEM nor sealed');
  if (!codec?.available()) throw new Error('the key is sealed and the system keychain is not available');
  return codec.decrypt(Buffer.from(sealed, 'base64'));
}

function pem(der: Buffer): string {
  const body = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
}

// --- DER, only the forms a self-signed certificate needs ---

function tlv(tag: number, content: Buffer): Buffer {
  const length = content.length;
  const header =
    length < 0x80 ? Buffer.from([tag, length]) : length < 0x100 ? Buffer.from([tag, 0x81, length]) : Buffer.from([tag, 0x82, length >> 8, length & 0xff]);
  return Buffer.concat([header, content]);
}
const sequence = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));

function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let value = arc >> 7; value > 0; value >>= 7) chunk.unshift((value & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** GeneralizedTime for every date (RFC 5280 asks UTCTime before 2050; OpenSSL and Chromium read both). */
function time(at: number): Buffer {
  const text = new Date(at).toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z');
  const utc = new Date(at).getUTCFullYear() < 2050;
  return utc ? tlv(0x17, Buffer.from(text.slice(2), 'ascii')) : tlv(0x18, Buffer.from(text, 'ascii'));
}

function selfSigned(privateKey: KeyObject, spki: Buffer, now: number): Buffer {
  const ecdsaWithSha256 = sequence(oid('1.2.840.10045.4.3.2'));
  const name = sequence(set(sequence(oid('2.5.4.3'), tlv(0x0c, Buffer.from('lanline', 'utf8')))));
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive and without a leading zero byte
  const notBefore = now - DAY;
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + VALID_YEARS);
  const tbs = sequence(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))), // [0] version v3
    tlv(0x02, serial),
    ecdsaWithSha256,
    name,
    sequence(time(notBefore), time(notAfter.getTime())),
    name,
    spki,
  );
  const signature = sign('sha256', tbs, { key: privateKey, dsaEncoding: 'der' });
  return sequence(tbs, ecdsaWithSha256, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
}
