import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CallLog, MAX_CALLS } from '../../electron/core/calls/call-log.js';
import { TurnSecrets } from '../../electron/core/calls/secrets.js';
import { EventHub } from '../../electron/core/events.js';
import { createLog } from '../../electron/core/log.js';
import { JsonFileStore } from '../../electron/core/storage.js';

const log = createLog([]);
const entry = (startedAt: number, outcome: 'answered' | 'missed' = 'answered') => ({
  peerId: 'P56IOI7-MZJNU2Y-IQGDREY-DM2MGTI-MGL3BXN-PQ6W5BM-TBBZ4TJ-XZWICQ2',
  name: 'Bob',
  direction: 'incoming' as const,
  video: true,
  startedAt,
  durationMs: outcome === 'missed' ? 0 : 61_000,
  outcome,
});

describe('call log', () => {
  it('keeps calls newest first across a restart, tells the renderer, and stays bounded', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lanline-calls-'));
    const events = new EventHub();
    const seen: number[] = [];
    events.on('callsChanged', (calls) => seen.push(calls.length));
    const calls = new CallLog(new JsonFileStore(join(dir, 'calls.json'), log), log, events);
    calls.record(entry(1_000));
    calls.record(entry(2_000, 'missed'));
    expect(seen).toEqual([1, 2]);
    const again = new CallLog(new JsonFileStore(join(dir, 'calls.json'), log), log);
    expect(again.list().map((call) => call.outcome)).toEqual(['missed', 'answered']);
    for (let index = 0; index < MAX_CALLS + 10; index += 1) again.record(entry(3_000 + index));
    expect(again.list()).toHaveLength(MAX_CALLS);
    expect(again.list()[0]!.startedAt).toBe(3_000 + MAX_CALLS + 9);
  });

  it('skips a damaged entry and keeps the others', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lanline-calls-'));
    const store = new JsonFileStore(join(dir, 'calls.json'), log);
    store.write({ version: 1, calls: [{ ...entry(1), id: 'x' }, { nonsense: true }] });
    expect(new CallLog(store, log).list()).toHaveLength(1);
  });
});

describe('TURN secrets', () => {
  it('are kept apart from settings in a 0600 file and merged into the ICE servers by first URL', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lanline-secrets-'));
    const path = join(dir, 'secrets.json');
    const secrets = new TurnSecrets(new JsonFileStore(path, log));
    secrets.set('turn:a.example:3478', 'hunter2');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toContain('hunter2');
    expect(secrets.iceServers([{ urls: ['turn:a.example:3478'], username: 'u' }, { urls: ['stun:b.example'] }])).toEqual([
      { urls: ['turn:a.example:3478'], username: 'u', credential: 'hunter2' },
      { urls: ['stun:b.example'] },
    ]);
    secrets.set('turn:a.example:3478', null);
    expect(secrets.iceServers([{ urls: ['turn:a.example:3478'] }])).toEqual([{ urls: ['turn:a.example:3478'] }]);
  });
});
