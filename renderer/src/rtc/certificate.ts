/**
 * The install's identity: one ECDSA P-256 RTCCertificate, kept in IndexedDB and given to every
 * RTCPeerConnection (`certificates: [certificate]`). Its SHA-256 fingerprint is what peers pin and
 * what the peer id is derived from (in main). Chromium caps a certificate's life at 365 days, so the
 * app replaces it before it expires: `rotateAt` comes from main, and `rotate()` keeps the previous
 * certificate so trusted peers can be told the new fingerprint over a channel the old one secures.
 */

const DB_NAME = 'lanline';
const STORE = 'identity';
const CURRENT = 'certificate';
const PREVIOUS = 'previous-certificate';
/** The longest life Chromium accepts for a generated certificate. */
export const CERTIFICATE_LIFETIME_MS = 365 * 24 * 60 * 60 * 1000;

export interface Identity {
  certificate: RTCCertificate;
  fingerprint: string;
  createdAt: number;
  expiresAt: number;
}

interface Stored {
  certificate: RTCCertificate;
  createdAt: number;
}

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB could not be opened'));
  });
}

function run<T>(db: IDBDatabase, mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(STORE, mode);
    const request = action(transaction.objectStore(STORE));
    transaction.oncomplete = () => resolve(request.result);
    transaction.onerror = () => reject(transaction.error ?? new Error('IndexedDB transaction failed'));
  });
}

/** `sha-256 AB:CD:…`, the form of an SDP a=fingerprint line. */
export function fingerprintOf(certificate: RTCCertificate): string {
  const sha256 = certificate.getFingerprints().find((entry) => entry.algorithm?.toLowerCase() === 'sha-256');
  if (!sha256?.value) throw new Error('The certificate has no SHA-256 fingerprint');
  return `sha-256 ${sha256.value.toUpperCase()}`;
}

function toIdentity(stored: Stored): Identity {
  return { certificate: stored.certificate, fingerprint: fingerprintOf(stored.certificate), createdAt: stored.createdAt, expiresAt: stored.certificate.expires };
}

async function generate(): Promise<Stored> {
  const certificate = await RTCPeerConnection.generateCertificate({
    name: 'ECDSA',
    namedCurve: 'P-256',
    expires: CERTIFICATE_LIFETIME_MS,
  } as AlgorithmIdentifier);
  // Dated by the browser's own clock, as `expires` is, so the two always agree.
  return { certificate, createdAt: certificate.expires - CERTIFICATE_LIFETIME_MS };
}

/** The stored certificate, or a new one stored now when there is none or it has expired. */
export async function loadIdentity(now = Date.now()): Promise<{ identity: Identity; created: boolean }> {
  const db = await openDb();
  try {
    const stored = await run<Stored | undefined>(db, 'readonly', (store) => store.get(CURRENT));
    if (stored && stored.certificate.expires > now) return { identity: toIdentity(stored), created: false };
    const fresh = await generate();
    await run(db, 'readwrite', (store) => store.put(fresh, CURRENT));
    return { identity: toIdentity(fresh), created: true };
  } finally {
    db.close();
  }
}

/** Replaces the certificate, keeping the old one as `previous` until peers have been told. */
export async function rotateIdentity(): Promise<{ identity: Identity; previous: Identity | null }> {
  const db = await openDb();
  try {
    const old = await run<Stored | undefined>(db, 'readonly', (store) => store.get(CURRENT));
    const fresh = await generate();
    await run(db, 'readwrite', (store) => store.put(fresh, CURRENT));
    if (old) await run(db, 'readwrite', (store) => store.put(old, PREVIOUS));
    return { identity: toIdentity(fresh), previous: old ? toIdentity(old) : null };
  } finally {
    db.close();
  }
}

/** The certificate that was replaced by the last rotation, while it is still valid. */
export async function previousIdentity(now = Date.now()): Promise<Identity | null> {
  const db = await openDb();
  try {
    const stored = await run<Stored | undefined>(db, 'readonly', (store) => store.get(PREVIOUS));
    return stored && stored.certificate.expires > now ? toIdentity(stored) : null;
  } finally {
    db.close();
  }
}
