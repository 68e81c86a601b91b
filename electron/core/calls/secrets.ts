/**
 * TURN credentials, kept apart from the plain settings in the DocumentStore 'secrets'. Credentials
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
  available(): boolean;
  encrypt(text: string): Uint8Array | string;
  decrypt(sealed: Buffer): string;
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
      this.store.write({ version: 1, turn: Object.fromEntries(Object.entries(turn).map(([url, value]) => [url, typeof value === 'string' ? this.seal(value) : value])) });
    }
  }

  set(url: string, credential: string | null): void {
    const turn = { ...this.stored() };
    if (credential === null) delete turn[url];
    else turn[url] = this.seal(credential);
    this.store.write({ version: 1, turn });
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

  private seal(credential: string): Stored {
    if (!this.codec) return credential;
    if (!this.codec.available()) {
      throw new LanlineError('unavailable', 'This system offers no secure storage for passwords (on Linux: a keyring such as GNOME Keyring or KWallet), so Lanline will not save the TURN password.');
    }
    const sealed = this.codec.encrypt(credential);
    return { sealed: (typeof sealed === 'string' ? Buffer.from(sealed, 'utf8') : Buffer.from(sealed)).toString('base64') };
  }

  private open(url: string, stored: Stored): string | undefined {
    if (typeof stored === 'string') return stored; // written by the host, or before sealing existed
    try {
      return this.codec?.available() ? this.codec.decrypt(Buffer.from(stored.sealed, 'base64')) : undefined;
    } catch (error) {
      this.log?.warn(`the TURN credential for ${url} could not be decrypted (${(error as Error).message}); enter it again`);
      return undefined;
    }
  }

  private stored(): Record<string, Stored> {
    const turn = this.store.read().turn;
    if (!turn || typeof turn !== 'object') return {};
    return Object.fromEntries(
      Object.entries(turn).filter((entry): entry is [string, Stored] => typeof entry[1] === 'string' || (typeof entry[1] === 'object' && entry[1] !== null && typeof (entry[1] as { sealed?: unknown }).sealed === 'string')),
    );
  }
}
