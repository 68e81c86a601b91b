/**
 * TURN credentials, kept apart from the plain settings in the DocumentStore 'secrets'. The host's
 * JsonFileStore writes it with mode 0600; the Electron adapter should hand core a store that wraps
 * each value with `safeStorage.encryptString` (DESIGN §6) — the core side does not change for that.
 * Credentials never go into logs and are only handed to the renderer's RTCConfiguration.
 */
import type { IceServerSetting } from '../../contract.js';
import type { DocumentStore } from '../storage.js';

export class TurnSecrets {
  constructor(private readonly store: DocumentStore) {}

  set(url: string, credential: string | null): void {
    const turn = { ...this.all() };
    if (credential === null) delete turn[url];
    else turn[url] = credential;
    this.store.write({ version: 1, turn });
  }

  /** The RTCIceServer list: each configured server with the credential stored for its first URL. */
  iceServers(servers: IceServerSetting[]): { urls: string[]; username?: string; credential?: string }[] {
    const turn = this.all();
    return servers.map((server) => {
      const credential = turn[server.urls[0]!];
      return { urls: server.urls, ...(server.username !== undefined && { username: server.username }), ...(credential !== undefined && { credential }) };
    });
  }

  private all(): Record<string, string> {
    const turn = this.store.read().turn;
    if (!turn || typeof turn !== 'object') return {};
    return Object.fromEntries(Object.entries(turn).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  }
}
