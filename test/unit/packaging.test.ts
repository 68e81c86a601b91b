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

describe('.github/workflows/build.yml', () => {
  const workflow = parse(readFileSync(join(repoRoot, '.github/workflows/build.yml'), 'utf8'));

  it('builds and tests on the Windows, macOS and Linux runners', () => {
    const runners = workflow.jobs.build.strategy.matrix.include.map((entry: { os: string }) => entry.os);
    expect(runners).toEqual(expect.arrayContaining(['windows-latest', 'macos-latest', 'ubuntu-latest']));
    expect(workflow.jobs.build['runs-on']).toBe('${{ matrix.os }}');
    const commands = workflow.jobs.build.steps.map((step: { run?: string }) => step.run ?? '').join('\n');
    expect(commands).toMatch(/--project unit/);
    expect(commands).toMatch(/--project e2e/);
    expect(commands).toMatch(/npm run dist/);
  });
});

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
    expect(targets(config.linux)).toEqual(expect.arrayContaining(['AppImage', 'deb', 'rpm']));
    expect(config.win.target.find((t: { target: string }) => t.target === 'nsis').arch).toEqual(['x64', 'arm64']);
    for (const target of config.mac.target) expect(target.arch).toEqual(['universal']);
  });

  it('registers the lanline:, tel: and sip: links that electron/core/links.ts parses', () => {
    const schemes = config.protocols.flatMap((protocol: { schemes: string[] }) => protocol.schemes);
    expect(schemes).toEqual(expect.arrayContaining(['lanline', 'tel', 'sip']));
  });

  it('flips the Electron fuses after packing, and publishes updates to GitHub releases', () => {
    expect(config.afterPack).toBe('build/after-pack.cjs');
    const { fuses, executableOf } = require(join(repoRoot, config.afterPack));
    const { FuseV1Options } = require('@electron/fuses');
    expect(fuses).toMatchObject({
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
      [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
    });
    const context = (platform: string) => ({ electronPlatformName: platform, appOutDir: '/out', packager: { appInfo: { productFilename: 'Lanline' }, executableName: 'lanline' } });
    expect(executableOf(context('darwin'))).toBe('/out/Lanline.app/Contents/MacOS/Lanline');
    expect(executableOf(context('win32'))).toBe(join('/out', 'Lanline.exe'));
    expect(executableOf(context('linux'))).toBe(join('/out', 'lanline'));
    expect(config.publish).toEqual([expect.objectContaining({ provider: 'github' })]);
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

describe('the Electron version', () => {
  it('is a supported major (43-45 when this was written) with a matching electron-builder, exact versions', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    const major = Number(pkg.devDependencies.electron?.split('.')[0]);
    expect(pkg.devDependencies.electron).toMatch(/^\d+\.\d+\.\d+$/);
    expect(major).toBeGreaterThanOrEqual(45);
    expect(pkg.devDependencies['electron-builder']).toMatch(/^26\./);
  });
});
