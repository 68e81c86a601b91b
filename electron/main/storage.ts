import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Store from 'electron-store';
import type { Log } from '../core/log.js';
import { backupFile, type DocumentStore } from '../core/storage.js';

/** electron-store behind the core's DocumentStore; a file it cannot parse is kept aside and replaced. */
export class ElectronDocumentStore implements DocumentStore {
  private readonly store: Store<Record<string, unknown>>;

  constructor(folder: string, name: string, log: Log) {
    const open = () => new Store<Record<string, unknown>>({ name, cwd: folder, clearInvalidConfig: false });
    try {
      this.store = open();
    } catch (error) {
      const path = join(folder, `${name}.json`);
      const copy = backupFile(path, 'corrupt');
      rmSync(path, { force: true });
      log.warn(`settings file ${path} is damaged (${(error as Error).message}); kept a copy at ${copy} and started from defaults`);
      this.store = open();
    }
  }

  read(): Record<string, unknown> {
    return { ...this.store.store };
  }

  write(data: Record<string, unknown>): void {
    this.store.store = data;
  }

  backup(reason: string): string | null {
    return backupFile(this.store.path, reason);
  }
}
