/**
 * TURN credentials and the SIP account's password, kept apart from the plain settings in the DocumentStore 'secrets'. Credentials
 * never go into logs and are only handed to the renderer's RTCConfiguration.
 *
 * How they are kept on disk depends on the adapter (DESIGN §6):
 * - Electron passes a `SecretCodec` built on `safeStorage` (the OS keychain's key): each value is
 *   stored as `{sealed: <base64 of the encrypted bytes>}`. When the OS offers no encryption the
 *   codec says so (`available()` false) and a credential is refused rather than written in the clear;
 * - the host passes none: values are plain strings in a file its JsonFileStore writes with mode 0600
 *   (the documented trade-off of a development and test adapter).
 */
import type { IceServerSetting } from '../../contract.js';
import { LanlineError } from '../errors.js';
import type { Log } from '../log.js';
import type { DocumentStore } from '../storage.js';

export interface SecretCodec {
  /** New secrets may be sealed: the OS offers real encryption (see `sealingUsable`). */
  available(): boolean;
  /** Sealed secrets can be read (a weaker backend can still open what it sealed); `available()` when absent. */
  canOpen?(): boolean;
  encrypt(text: string): Uint8Array | string;
  decrypt(sealed: Buffer): string;
}

/** safeStorage's Linux backends (safeStorage.getSelectedStorageBackend()). */
export type StorageBackend = 'basic_text' | 'gnome_libsecret' | 'kwallet' | 'kwallet5' | 'kwallet6' | 'unknown';

/**
 * Whether safeStorage really protects a secret. On Linux without a keyring Chromium falls back to
 * the 'basic_text' backend, whose key is a constant written in its source: the "encrypted" bytes are
 * as good as plain text, so Lanline treats it as no encryption and refuses to save passwords, as its
 * message promises. Elsewhere (Keychain, DPAPI) it is what isEncryptionAvailable() says.
 */
export function sealingUsable(platform: string, encryptionAvailable: boolean, backend: StorageBackend | null): { usable: boolean; reason: string } {
  if (!encryptionAvailable) return { usable: false, reason: 'the system offers no encryption' };
  if (platform === 'linux' && backend === 'basic_text') return { usable: false, reason: "no keyring: safeStorage's basic_text backend uses a fixed key" };
  if (platform === 'linux' && (backend === null || backend === 'unknown')) return { usable: false, reason: 'the keyring backend is not known yet' };
  return { usable: true, reason: platform === 'linux' ? `keyring backend ${backend}` : 'the system keychain' };
}

type Stored = string | { sealed: string };

export class TurnSecrets {
  constructor(
    private readonly store: DocumentStore,
    private readonly codec?: SecretCodec,
    private readonly log?: Log,
  ) {
    // Values written in the clear before a codec was available are sealed now.
    const turn = this.stored();
    if (codec?.available() && Object.values(turn).some((value) => typeof value === 'string')) {
      this.write({ turn: Object.fromEntries(Object.entries(turn).map(([url, value]) => [url, typeof value === 'string' ? this.seal(value) : value])) });
    }
    const sip = this.store.read().sip;
    if (codec?.available() && typeof sip === 'string') this.write({ sip: this.seal(sip, 'SIP password') });
  }

  set(url: string, credential: string | null): void {
    const turn = { ...this.stored() };
    if (credential === null) delete turn[url];
    else turn[url] = this.seal(credential);
    this.write({ turn });
  }

  setSipPassword(password: string | null): void {
    this.write({ sip: password === null ? undefined : this.seal(password, 'SIP password') });
  }

  sipPassword(): string | null {
    const sip = this.store.read().sip;
    if (typeof sip === 'string' || isSealed(sip)) return this.open('the SIP account', sip) ?? null;
    return null;
  }

  /** The RTCIceServer list: each configured server with the credential stored for its first URL. */
  iceServers(servers: IceServerSetting[]): { urls: string[]; username?: string; credential?: string }[] {
    const turn = this.stored();
    return servers.map((server) => {
      const stored = turn[server.urls[0]!];
      const credential = stored === undefined ? undefined : this.open(server.urls[0]!, stored);
      return { urls: server.urls, ...(server.username !== undefined && { username: server.username }), ...(credential !== undefined && { credential }) };
    });
  }

  private write(change: { turn?: Record<string, Stored>; sip?: Stored | undefined }): void {
    const { sip, turn } = this.store.read();
    const next = { version: 1, turn: change.turn ?? turn ?? {}, sip: 'sip' in change ? change.sip : sip };
    if (next.sip === undefined) delete next.sip;
    this.store.write(next);
  }

  private seal(credential: string, what = 'TURN password'): Stored {
    if (!this.codec) return credential;
    if (!this.codec.available()) {
      throw new LanlineError('unavailable', `This system offers no secure storage for passwords (on Linux: a keyring such as GNOME Keyring or KWallet), so Lanline will not save the ${what}.`);
    }
    const sealed = this.codec.encrypt(credential);
    return { sealed: (typeof sealed === 'string' ? Buffer.from(sealed, 'utf8') : Buffer.from(sealed)).toString('base64') };
  }

  private open(url: string, stored: Stored): string | undefined {
    if (typeof stored === 'string') return stored; // written by the host, or before sealing existed
    try {
      return (this.codec?.canOpen?.() ?? this.codec?.available()) ? this.codec!.decrypt(Buffer.from(stored.sealed, 'base64')) : undefined;
    } catch (error) {
      this.log?.warn(`the credential for ${url} could not be decrypted (${(error as Error).message}); enter it again`);
      return undefined;
    }
  }

  private stored(): Record<string, Stored> {
    const turn = this.store.read().turn;
    if (!turn || typeof turn !== 'object') return {};
    return Object.fromEntries(
      Object.entries(turn).filter((entry): entry is [string, Stored] => typeof entry[1] === 'string' || isSealed(entry[1])),
    );
  }
}

const isSealed = (value: unknown): value is { sealed: string } =>
  typeof value === 'object' && value !== null && typeof (value as { sealed?: unknown }).sealed === 'string';
