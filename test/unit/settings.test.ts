import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventHub } from '../../electron/core/events.js';
import { memoryLog } from '../../electron/core/log.js';
import { defaultSettings, Settings, SETTINGS_VERSION } from '../../electron/core/settings/settings.js';
import { JsonFileStore } from '../../electron/core/storage.js';

const defaults = defaultSettings({ displayName: 'Alice', language: 'en', downloadDir: '/home/alice/Downloads' });

function open(dir: string, events?: EventHub) {
  const log = memoryLog();
  const settings = new Settings(new JsonFileStore(join(dir, 'settings.json'), log), defaults, log, events);
  return { settings, log };
}

const freshDir = () => mkdtempSync(join(tmpdir(), 'lanline-settings-'));

describe('Settings', () => {
  it('starts from the defaults', () => {
    expect(open(freshDir()).settings.get()).toEqual(defaults);
  });

  it('keeps what was set across a restart', () => {
    const dir = freshDir();
    open(dir).settings.set({ displayName: 'Bora', language: 'ko', lanPort: 50000 });
    expect(open(dir).settings.get()).toMatchObject({ displayName: 'Bora', language: 'ko', lanPort: 50000, theme: 'system' });
  });

  it('rejects an invalid patch whole, naming the field, and changes nothing', () => {
    const dir = freshDir();
    const { settings } = open(dir);
    expect(() => settings.set({ displayName: 'Ok', lanPort: 99999 })).toThrow(/lanPort/);
    expect(() => settings.set({ language: 'fr' })).toThrow(/language/);
    expect(() => settings.set({ displayName: '   ' })).toThrow(/displayName: must not be empty/);
    expect(settings.get()).toEqual(defaults);
    expect(open(dir).settings.get()).toEqual(defaults);
  });

  it('announces every change as a settingsChanged event', () => {
    const events = new EventHub();
    const seen: string[] = [];
    events.on('settingsChanged', (value) => seen.push(value.displayName));
    open(freshDir(), events).settings.set({ displayName: 'Chul' });
    expect(seen).toEqual(['Chul']);
  });

  it('resets only the broken keys of a damaged file, keeps the others, backs the file up and logs it', () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ version: SETTINGS_VERSION, displayName: 'Dana', language: 'klingon', lanPort: -4, theme: 'dark' }));
    const { settings, log } = open(dir);
    expect(settings.get()).toMatchObject({ displayName: 'Dana', theme: 'dark', language: 'en', lanPort: defaults.lanPort });
    expect(log.lines.some((line) => /WARN .*language, lanPort/.test(line))).toBe(true);
    const backups = readdirSync(dir).filter((name) => name.includes('.invalid-'));
    expect(backups).toHaveLength(1);
    expect(readFileSync(join(dir, backups[0]!), 'utf8')).toContain('klingon');
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'))).toMatchObject({ language: 'en', displayName: 'Dana' });
  });

  it('recovers from a file that is not JSON at all without crashing, keeping a copy', () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'settings.json'), '{"displayName": "Eun", "lang');
    const { settings, log } = open(dir);
    expect(settings.get()).toEqual(defaults);
    expect(log.lines.some((line) => line.includes('damaged'))).toBe(true);
    const backups = readdirSync(dir).filter((name) => name.includes('.corrupt-'));
    expect(readFileSync(join(dir, backups[0]!), 'utf8')).toContain('"Eun"');
    settings.set({ displayName: 'Eun' });
    expect(open(dir).settings.get().displayName).toBe('Eun');
  });

  it('migrates a version 1 file (name, locale) to the current shape', () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ name: 'Farah', locale: 'ko-KR', notifications: false }));
    const { settings } = open(dir);
    expect(settings.get()).toMatchObject({ displayName: 'Farah', language: 'ko', notifications: false });
    const stored = JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'));
    expect(stored.version).toBe(SETTINGS_VERSION);
    expect(stored).not.toHaveProperty('name');
  });

  it('the window bounds, start at login and the close-to-tray hint: defaults, kept, validated', () => {
    const dir = freshDir();
    const { settings } = open(dir);
    expect(settings.get()).toMatchObject({ window: null, openAtLogin: false, closeToTrayHintShown: false });
    const window = { x: -1200, y: 40, width: 1000, height: 700, maximized: true };
    settings.set({ window, openAtLogin: true, closeToTrayHintShown: true });
    expect(open(dir).settings.get()).toMatchObject({ window, openAtLogin: true, closeToTrayHintShown: true });
    expect(() => settings.set({ window: { x: 0, y: 0, width: 0, height: 700, maximized: false } })).toThrow(/window\.width/);
    expect(() => settings.set({ window: { x: 0.5, y: 0, width: 800, height: 700, maximized: false } })).toThrow(/window\.x/);
    expect(() => settings.set({ openAtLogin: 'yes' })).toThrow(/openAtLogin/);
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ version: SETTINGS_VERSION, window: { x: 'left' }, openAtLogin: true }));
    expect(open(dir).settings.get()).toMatchObject({ window: null, openAtLogin: true });
  });

  it('writes atomically: no temp file is left behind', () => {
    const dir = freshDir();
    open(dir).settings.set({ displayName: 'Gil' });
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(existsSync(join(dir, 'settings.json'))).toBe(true);
  });
});
