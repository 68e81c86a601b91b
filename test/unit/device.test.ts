/** The device key and certificate: a real P-256 key, a certificate node and OpenSSL read, sealed storage. */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { certificateFingerprint, createDeviceCertificate, credentialsFrom, loadDevice } from '../../electron/core/identity/device.js';
import { peerIdFromFingerprint } from '../../electron/core/identity/peer-id.js';
import { memoryLog } from '../../electron/core/log.js';
import { JsonFileStore } from '../../electron/core/storage.js';

const storePath = () => join(mkdtempSync(join(tmpdir(), 'lanline-device-')), 'device.json');

describe('device certificate', () => {
  it('is a self-signed P-256 certificate valid for 20 years, and the peer id is its fingerprint', () => {
    const now = Date.UTC(2026, 0, 10);
    const { key, cert } = createDeviceCertificate(now);
    const x509 = new X509Certificate(cert);
    expect(x509.subject).toBe('CN=lanline');
    expect(x509.issuer).toBe('CN=lanline');
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(new Date(x509.validFrom).getTime()).toBe(now - 24 * 3600 * 1000);
    expect(new Date(x509.validTo).getUTCFullYear()).toBe(2046);
    const credentials = credentialsFrom(key, cert);
    expect(credentials.fingerprint).toBe(certificateFingerprint(x509.raw));
    expect(credentials.fingerprint).toBe(`sha-256 ${x509.fingerprint256}`);
    expect(credentials.peerId).toBe(peerIdFromFingerprint(credentials.fingerprint));
  });

  it('refuses a key that is not the certificate\'s', () => {
    const one = createDeviceCertificate();
    const other = createDeviceCertificate();
    expect(() => credentialsFrom(other.key, one.cert)).toThrow(/does not belong/);
  });

  it('is made once and read back; the host keeps the key in a 0600 file', () => {
    const path = storePath();
    const log = memoryLog();
    const first = loadDevice(new JsonFileStore(path, log), log);
    const again = loadDevice(new JsonFileStore(path, log), log);
    expect(again.peerId).toBe(first.peerId);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toContain('PRIVATE KEY');
  });

  it('seals the key with the codec when there is one, and never writes it plain', () => {
    const path = storePath();
    const log = memoryLog();
    const codec = { available: () => true, encrypt: (text: string) => Buffer.from(text).reverse(), decrypt: (sealed: Buffer) => Buffer.from(sealed).reverse().toString() };
    const first = loadDevice(new JsonFileStore(path, log), log, codec);
    expect(readFileSync(path, 'utf8')).not.toContain('PRIVATE KEY');
    expect(loadDevice(new JsonFileStore(path, log), log, codec).peerId).toBe(first.peerId);
  });

  it('makes a new identity, keeping a copy, when the stored key cannot be read', () => {
    const path = storePath();
    const log = memoryLog();
    const store = new JsonFileStore(path, log);
    const first = loadDevice(store, log);
    store.write({ ...store.read(), key: { sealed: 'AAAA' } });
    const next = loadDevice(store, log);
    expect(next.peerId).not.toBe(first.peerId);
    expect(log.lines.join('\n')).toMatch(/device key could not be read/);
  });
});
