/**
 * The installers cannot be built here (no Electron binary, no macOS or Windows), so this checks what
 * can be: electron-builder.yml against electron-builder's own JSON schema, the targets for all three
 * systems, and the resources it names.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/host.js';

const require = createRequire(import.meta.url);
const config = parse(readFileSync(join(repoRoot, 'electron-builder.yml'), 'utf8'));
const targets = (platform: { target: Array<string | { target: string }> }) => platform.target.map((t) => (typeof t === 'string' ? t : t.target));

describe('electron-builder.yml', () => {
  it("validates against electron-builder's schema", () => {
    const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    expect(validate(config), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('schema validation would catch a mistake', () => {
    const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8'));
    const validate = new Ajv({ strict: false }).compile(schema);
    expect(validate({ ...config, mac: { ...config.mac, hardenedRuntime: 'yes please' } })).toBe(false);
    expect(validate({ ...config, windowz: {} })).toBe(false);
  });

  it('names targets for Windows, macOS and Linux', () => {
    expect(targets(config.win)).toContain('nsis');
    expect(config.nsis.perMachine).toBe(false);
    expect(targets(config.mac)).toEqual(expect.arrayContaining(['dmg', 'zip']));
    expect(targets(config.linux)).toEqual(expect.arrayContaining(['AppImage', 'deb']));
  });

  it('signs macOS with the hardened runtime, camera and microphone entitlements and usage strings', () => {
    expect(config.mac.hardenedRuntime).toBe(true);
    const entitlements = readFileSync(join(repoRoot, config.mac.entitlements), 'utf8');
    expect(entitlements).toContain('com.apple.security.device.camera');
    expect(entitlements).toContain('com.apple.security.device.audio-input');
    expect(config.mac.extendInfo.NSCameraUsageDescription).toMatch(/camera/);
    expect(config.mac.extendInfo.NSMicrophoneUsageDescription).toMatch(/microphone/);
  });

  it('has real icons for every system under build/', () => {
    const png = readFileSync(join(repoRoot, config.linux.icon));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(512);
    const ico = readFileSync(join(repoRoot, config.win.icon));
    expect(ico.readUInt16LE(2)).toBe(1);
    expect(ico.readUInt16LE(4)).toBeGreaterThan(0);
    const icns = readFileSync(join(repoRoot, config.mac.icon));
    expect(icns.subarray(0, 4).toString()).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    for (const icon of [config.linux.icon, config.win.icon, config.mac.icon]) expect(icon.startsWith('build/')).toBe(true);
    expect(existsSync(join(repoRoot, 'build', 'entitlements.mac.plist'))).toBe(true);
  });
});
