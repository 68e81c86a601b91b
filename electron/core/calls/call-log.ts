/**
 * The call log: who, when, how long, which way, and how it ended (missed, declined...). The renderer
 * records each call with one remote participant when it ends; the log keeps the newest MAX_CALLS in
 * the DocumentStore 'calls' and tells the renderer (`callsChanged`) after every change.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CallRecord } from '../../contract.js';
import type { EventHub } from '../events.js';
import type { Log } from '../log.js';
import type { DocumentStore } from '../storage.js';

export const MAX_CALLS = 200;

export class CallLog {
  private calls: CallRecord[];

  constructor(
    private readonly store: DocumentStore,
    private readonly log: Log,
    private readonly events?: EventHub,
  ) {
    const stored = z.array(z.unknown()).safeParse(store.read().calls);
    // One damaged entry costs only itself.
    this.calls = (stored.success ? stored.data : []).flatMap((entry) => {
      const parsed = CallRecord.safeParse(entry);
      return parsed.success ? [parsed.data] : [];
    });
  }

  /** Newest first. */
  list(): CallRecord[] {
    return [...this.calls];
  }

  record(entry: Omit<CallRecord, 'id'>): CallRecord {
    const call: CallRecord = { id: randomUUID(), ...entry };
    this.calls = [call, ...this.calls].sort((a, b) => b.startedAt - a.startedAt).slice(0, MAX_CALLS);
    try {
      this.store.write({ version: 1, calls: this.calls });
    } catch (error) {
      this.log.error('writing the call log failed', error);
    }
    this.events?.emit('callsChanged', this.list());
    return call;
  }
}
