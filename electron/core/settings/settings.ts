/**
 * The user's settings: defaults, per-key validation, migrations between stored versions.
 *
 * A damaged key never costs the others: each stored key is checked on its own, a broken one falls
 * back to its default with a log line, and the file is backed up before it is rewritten.
 */
import { Settings as SettingsSchema, SettingsPatch, type Settings as SettingsValue } from '../../contract.js';
import { LanlineError } from '../errors.js';
import type { EventHub } from '../events.js';
import type { Log } from '../log.js';
import { describeIssues } from '../rpc.js';
import type { DocumentStore } from '../storage.js';

export const SETTINGS_VERSION = 2;

export interface SettingsDefaults {
  displayName: string;
  language: SettingsValue['language'];
  downloadDir: string;
}

export function defaultSettings(base: SettingsDefaults): SettingsValue {
  return {
    ...base,
    theme: 'system',
    lanPort: 47990,
    notifications: true,
    doNotDisturb: false,
    devices: { audioInput: null, videoInput: null, audioOutput: null },
    ice: { servers: [], relayOnly: false },
    shortcuts: { mute: 'CommandOrControl+Shift+M', pushToTalk: 'Space' },
    window: null,
    openAtLogin: false,
    closeToTrayHintShown: false,
    phoneLinks: false,
    sip: { enabled: false, uri: '', authUser: '', wsUrl: '', unencrypted: false, displayName: '', outboundProxy: '', dtmf: { mode: 'rfc4733', durationMs: 100, gapMs: 70 }, useIceServers: true },
  };
}

type Stored = Record<string, unknown>;

/** Each entry turns the data stored at version N-1 into version N. */
const migrations: Record<number, (data: Stored) => Stored> = {
  // Version 1 (0.0.x) kept the display name as `name` and the language as `locale` ('en-US').
  2: ({ name, locale, ...rest }) => ({
    ...rest,
    ...(name !== undefined && { displayName: name }),
    ...(typeof locale === 'string' && { language: locale.slice(0, 2).toLowerCase() }),
  }),
};

export function migrate(data: Stored, log: Log): Stored {
  // Nothing stored yet: a new profile starts at the current version.
  if (Object.keys(data).length === 0) return { version: SETTINGS_VERSION };
  let version = typeof data.version === 'number' ? data.version : 1;
  let current: Stored = { ...data };
  while (version < SETTINGS_VERSION) {
    version += 1;
    const step = migrations[version];
    if (step) current = step(current);
    log.info(`settings migrated to version ${version}`);
  }
  return { ...current, version: SETTINGS_VERSION };
}

export class Settings {
  private value: SettingsValue;

  constructor(
    private readonly store: DocumentStore,
    private readonly defaults: SettingsValue,
    private readonly log: Log,
    private readonly events?: EventHub,
  ) {
    this.value = this.load();
  }

  get(): SettingsValue {
    return { ...this.value };
  }

  /** Validates the whole patch before changing anything; the reply is the new full settings. */
  set(patch: unknown): SettingsValue {
    const parsed = SettingsPatch.safeParse(patch);
    if (!parsed.success) throw new LanlineError('invalid', `Invalid settings: ${describeIssues(parsed.error)}`);
    const next = { ...this.value, ...parsed.data };
    this.persist(next);
    this.value = next;
    this.events?.emit('settingsChanged', this.get());
    return this.get();
  }

  private load(): SettingsValue {
    const stored = this.store.read();
    const data = migrate(stored, this.log);
    const result = { ...this.defaults } as Record<string, unknown>;
    const broken: string[] = [];
    for (const [key, schema] of Object.entries(SettingsSchema.shape)) {
      if (!(key in data)) continue;
      const parsed = schema.safeParse(data[key]);
      if (parsed.success) result[key] = parsed.data;
      else broken.push(key);
    }
    const value = result as SettingsValue;
    if (broken.length) {
      const copy = this.store.backup('invalid');
      this.log.warn(`settings keys ${broken.join(', ')} were invalid and reset to defaults; the old file is kept at ${copy}`);
    }
    if (broken.length || stored.version !== SETTINGS_VERSION) this.persist(value);
    return value;
  }

  private persist(value: SettingsValue): void {
    try {
      this.store.write({ version: SETTINGS_VERSION, ...value });
    } catch (error) {
      this.log.error('writing settings failed', error);
      throw new LanlineError('io', `Lanline could not save the settings: ${(error as Error).message}`);
    }
  }
}
