import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sealingUsable, TurnSecrets, type SecretCodec } from '../../electron/core/calls/secrets.js';
import { LanlineError } from '../../electron/core/errors.js';
import { createLog } from '../../electron/core/log.js';
import { JsonFileStore } from '../../electron/core/storage.js';

const log = createLog([]);
const SECRET = 'correct horse battery staple';
const servers = [{ urls: ['turn:127.0.0.1:3478'], username: 'alice' }];

/** Reversible and unlike its input: XOR with a key, like a real cipher hides the text. */
function fakeCodec(available = true): SecretCodec & { setAvailable(value: boolean): void } {
  let on = available;
  const xor = (bytes: Uint8Array) => Buffer.from(bytes.map((byte, index) => byte ^ (0x5a + index) % 256));
  return {
    setAvailable: (value) => (on = value),
    available: () => on,
    encrypt: (text) => xor(Buffer.from(text, 'utf8')),
    decrypt: (sealed) => xor(sealed).toString('utf8'),
  };
}

const open = (dir: string, codec?: SecretCodec) => new TurnSecrets(new JsonFileStore(join(dir, 'secrets.json'), log), codec, log);

describe('TURN secrets', () => {
  it('with a codec (Electron safeStorage) the file never holds the password, and it reads back after a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lanline-secrets-'));
    open(dir, fakeCodec()).set(servers[0]!.urls[0]!, SECRET);
    const file = readFileSync(join(dir, 'secrets.json'), 'utf8');
    expect(file).not.toContain(SECRET);
    expect(file).not.toContain(Buffer.from(SECRET).toString('base64'));
    expect(open(dir, fakeCodec()).iceServers(servers)).toEqual([{ urls: servers[0]!.urls, username: 'alice', credential: SECRET }]);
  });

  it('refuses to store a password when the OS offers no encryption, and writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lanline-secrets-'));
    const secrets = open(dir, fakeCodec(false));
    let error: unknown;
    try {
      secrets.set(servers[0]!.urls[0]!, SECRET);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(LanlineError);
    expect(error).toMatchObject({ code: 'unavailable', message: expect.stringContaining('secure storage') });
    expect(() => readFileSync(join(dir, 'secrets.json'), 'utf8')).toThrow();
    expect(secrets.iceServers(servers)).toEqual([{ urls: servers[0]!.urls, username: 'alice' }]);
  });

  it('seals a password an older version left in the clear', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lanline-secrets-'));
    writeFileSync(join(dir, 'secrets.json'), JSON.stringify({ version: 1, turn: { [servers[0]!.urls[0]!]: SECRET } }));
    const secrets = open(dir, fakeCodec());
    expect(readFileSync(join(dir, 'secrets.json'), 'utf8')).not.toContain(SECRET);
    expect(secrets.iceServers(servers)[0]!.credential).toBe(SECRET);
  });

  it('a value that no longer decrypts (another keychain) is dropped, not passed on garbled', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lanline-secrets-'));
    open(dir, fakeCodec()).set(servers[0]!.urls[0]!, SECRET);
    const broken: SecretCodec = { available: () => true, encrypt: () => 'x', decrypt: () => { throw new Error('bad key'); } };
    expect(open(dir, broken).iceServers(servers)[0]!.credential).toBeUndefined();
  });

  it('the host (no codec) keeps its documented plain 0600 file; forgetting removes the value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lanline-secrets-'));
    const secrets = open(dir);
    secrets.set(servers[0]!.urls[0]!, SECRET);
    expect(readFileSync(join(dir, 'secrets.json'), 'utf8')).toContain(SECRET);
    if (process.platform !== 'win32') expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    secrets.set(servers[0]!.urls[0]!, null);
    expect(readFileSync(join(dir, 'secrets.json'), 'utf8')).not.toContain(SECRET);
  });
});

describe('the SIP password', () => {
  it('is sealed with the codec, kept apart from the TURN credentials, and reads back after a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lanline-secrets-'));
    const secrets = open(dir, fakeCodec());
    secrets.set(servers[0]!.urls[0]!, SECRET);
    secrets.setSipPassword('sip pass wörd');
    const file = readFileSync(join(dir, 'secrets.json'), 'utf8');
    expect(file).not.toContain('sip pass');
    const again = open(dir, fakeCodec());
    expect(again.sipPassword()).toBe('sip pass wörd');
    // Changing one secret leaves the other as it was.
    again.set(servers[0]!.urls[0]!, null);
    expect(open(dir, fakeCodec()).sipPassword()).toBe('sip pass wörd');
    again.setSipPassword(null);
    expect(open(dir, fakeCodec()).sipPassword()).toBeNull();
  });

  it('is refused with a clear error when the OS offers no encryption', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lanline-secrets-'));
    expect(() => open(dir, fakeCodec(false)).setSipPassword(SECRET)).toThrow(/will not save the SIP password/);
    expect(open(dir, fakeCodec(false)).sipPassword()).toBeNull();
  });

  it('the host keeps it in its 0600 file; one left in the clear is sealed once a codec is there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lanline-secrets-'));
    open(dir).setSipPassword(SECRET);
    if (process.platform !== 'win32') expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(open(dir).sipPassword()).toBe(SECRET);
    const sealed = open(dir, fakeCodec());
    expect(readFileSync(join(dir, 'secrets.json'), 'utf8')).not.toContain(SECRET);
    expect(sealed.sipPassword()).toBe(SECRET);
  });
});

describe('sealingUsable (safeStorage backends)', () => {
  it("treats Linux's basic_text backend, whose key is fixed, as no encryption", () => {
    expect(sealingUsable('linux', true, 'basic_text')).toEqual({ usable: false, reason: expect.stringMatching(/basic_text/) });
    expect(sealingUsable('linux', true, 'gnome_libsecret').usable).toBe(true);
    expect(sealingUsable('linux', true, 'kwallet6').usable).toBe(true);
    expect(sealingUsable('linux', true, 'unknown').usable).toBe(false);
  });

  it('follows isEncryptionAvailable on Windows and macOS', () => {
    expect(sealingUsable('win32', true, null).usable).toBe(true);
    expect(sealingUsable('darwin', false, null).usable).toBe(false);
  });

  it('a codec that may no longer seal still opens what it sealed before, and refuses new passwords', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lanline-secrets-'));
    const codec = fakeCodec(true);
    open(dir, codec).set('turn:127.0.0.1:3478', SECRET);
    const weaker: SecretCodec = { ...codec, available: () => false, canOpen: () => true };
    const secrets = open(dir, weaker);
    expect(secrets.iceServers(servers)[0]?.credential).toBe(SECRET);
    expect(() => secrets.setSipPassword('new')).toThrow(/no secure storage/);
  });
});
