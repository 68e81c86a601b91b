import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IdentitySummary } from '../../electron/contract.js';
import { EventHub } from '../../electron/core/events.js';
import { Identity, ROTATE_BEFORE_EXPIRY } from '../../electron/core/identity/identity.js';
import { memoryLog } from '../../electron/core/log.js';
import { JsonFileStore } from '../../electron/core/storage.js';
import { newDevice, randomFingerprint } from '../support/lan.js';

const DAY = 24 * 60 * 60 * 1000;
const START = Date.UTC(2026, 0, 15);
const device = newDevice();

function open(dir: string, now = { value: START }) {
  const log = memoryLog();
  const events = new EventHub();
  const changes: IdentitySummary[] = [];
  events.on('identityChanged', (summary) => changes.push(summary));
  const identity = new Identity(new JsonFileStore(join(dir, 'identity.json'), log), () => 'Alice', () => now.value, log, events, device);
  return { identity, log, changes, now };
}

const freshDir = () => mkdtempSync(join(tmpdir(), 'lanline-identity-'));
const certificate = (createdAt = START, days = 365) => ({ fingerprint: randomFingerprint(), createdAt, expiresAt: createdAt + days * DAY });

describe('Identity', () => {
  it('has no peer id until the renderer registered a certificate', () => {
    const { identity } = open(freshDir());
    expect(identity.summary()).toEqual({ displayName: 'Alice', peerId: null, fingerprint: null, createdAt: null, expiresAt: null, rotateAt: null });
    expect(identity.current()).toBeNull();
    expect(identity.previous()).toBeNull();
    expect(identity.rotationDue()).toBe(true);
  });

  it('gives the device certificate\'s peer id once a WebRTC certificate is registered, announces it and plans rotation a month before expiry', () => {
    const { identity, changes } = open(freshDir());
    const record = certificate();
    const summary = identity.register(record);
    expect(summary).toEqual({
      displayName: 'Alice',
      peerId: device.peerId,
      fingerprint: record.fingerprint,
      createdAt: record.createdAt,
      expiresAt: record.expiresAt,
      rotateAt: record.expiresAt - ROTATE_BEFORE_EXPIRY,
    });
    expect(changes).toEqual([summary]);
    expect(identity.current()).toEqual({ peerId: summary.peerId, fingerprint: record.fingerprint });
    expect(identity.rotationDue()).toBe(false);
  });

  it('keeps the identity across a restart', () => {
    const dir = freshDir();
    const record = certificate();
    const registered = open(dir).identity.register(record);
    const { identity, changes } = open(dir);
    expect(identity.summary()).toEqual(registered);
    expect(changes).toEqual([]);
  });

  it('refuses a certificate that expires before it was created, or has expired already', () => {
    const { identity, changes } = open(freshDir());
    const created = START - 10 * DAY;
    expect(() => identity.register({ fingerprint: randomFingerprint(), createdAt: created, expiresAt: created })).toThrow(/expires before it was created/);
    expect(() => identity.register({ fingerprint: randomFingerprint(), createdAt: created, expiresAt: created - 1 })).toThrow(/expires before it was created/);
    expect(() => identity.register({ fingerprint: randomFingerprint(), createdAt: created, expiresAt: START })).toThrow(/already expired/);
    expect(() => identity.register({ fingerprint: 'sha-256 00', createdAt: created, expiresAt: START + DAY })).toThrow(/fingerprint/);
    expect(identity.current()).toBeNull();
    expect(changes).toEqual([]);
  });

  it('plans rotation no earlier than creation for a short-lived certificate', () => {
    const { identity } = open(freshDir());
    const summary = identity.register(certificate(START, 10));
    expect(summary.rotateAt).toBe(START);
    expect(identity.rotationDue()).toBe(true);
  });

  it('says rotation is due from rotateAt on', () => {
    const now = { value: START };
    const { identity } = open(freshDir(), now);
    const summary = identity.register(certificate());
    now.value = summary.rotateAt! - 1;
    expect(identity.rotationDue()).toBe(false);
    now.value = summary.rotateAt!;
    expect(identity.rotationDue()).toBe(true);
  });

  it('keeps the peer id and the replaced certificate as previous after a rotation, across a restart', () => {
    const dir = freshDir();
    const now = { value: START };
    const { identity, changes } = open(dir, now);
    const first = certificate();
    identity.register(first);
    now.value = START + 340 * DAY;
    const second = certificate(now.value);
    const summary = identity.register(second);
    expect(summary.fingerprint).toBe(second.fingerprint);
    expect(summary.peerId).toBe(device.peerId);
    expect(identity.previous()).toEqual({ fingerprint: first.fingerprint, replacedAt: now.value });
    expect(changes.map((change) => change.fingerprint)).toEqual([first.fingerprint, second.fingerprint]);
    const reopened = open(dir, now).identity;
    expect(reopened.current()?.fingerprint).toBe(second.fingerprint);
    expect(reopened.previous()?.fingerprint).toBe(first.fingerprint);
  });

  it('treats the same certificate registered again (every start) as no change', () => {
    const { identity, changes } = open(freshDir());
    const record = certificate();
    identity.register(record);
    identity.register({ ...record });
    expect(changes).toHaveLength(1);
    expect(identity.previous()).toBeNull();
  });

  it('drops a damaged entry with a log line and keeps the other', () => {
    const dir = freshDir();
    const record = certificate();
    writeFileSync(join(dir, 'identity.json'), JSON.stringify({ version: 1, current: record, previous: { fingerprint: 'nope', createdAt: 1 } }));
    const { identity, log } = open(dir);
    expect(identity.current()?.fingerprint).toBe(record.fingerprint);
    expect(identity.previous()).toBeNull();
    expect(log.lines.some((line) => /WARN identity entries dropped as invalid: previous/.test(line))).toBe(true);
    expect(readdirSync(dir).some((name) => name.includes('.invalid-'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'identity.json'), 'utf8'))).toEqual({ version: 1, current: record });
  });
});
