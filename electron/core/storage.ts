import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Log } from './log.js';

/**
 * One persisted JSON document (settings, identity record, trust store, call log...). Electron keeps
 * them with electron-store (electron/main/storage.ts); the host and the unit tests use JsonFileStore.
 * Services validate what they read: a store only hands over a plain object and takes one back.
 */
export interface DocumentStore {
  /** The stored object, or {} when there is none. Never throws for a damaged file. */
  read(): Record<string, unknown>;
  write(data: Record<string, unknown>): void;
  /** Keep a copy of what is stored now, before a repair overwrites it. Returns the copy's path. */
  backup(reason: string): string | null;
}

export function backupFile(path: string, reason: string, now: () => Date = () => new Date()): string | null {
  if (!existsSync(path)) return null;
  const stamp = now().toISOString().replace(/[:.]/g, '-');
  const copy = `${path}.${reason}-${stamp}.bak`;
  copyFileSync(path, copy);
  return copy;
}

/** A JSON file written atomically (temp file + rename), so a crash mid-write leaves the old file. */
export class JsonFileStore implements DocumentStore {
  constructor(
    private readonly path: string,
    private readonly log: Log,
  ) {}

  read(): Record<string, unknown> {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    try {
      const data: unknown = JSON.parse(text);
      if (data && typeof data === 'object' && !Array.isArray(data)) return data as Record<string, unknown>;
      throw new Error('not a JSON object');
    } catch (error) {
      const copy = this.backup('corrupt');
      this.log.warn(`file ${this.path} is damaged (${(error as Error).message}); kept a copy at ${copy} and started from defaults`);
      return {};
    }
  }

  write(data: Record<string, unknown>): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(data, null, 2) + '\n', { mode: 0o600 });
    renameSync(temp, this.path);
  }

  backup(reason: string): string | null {
    return backupFile(this.path, reason);
  }
}
