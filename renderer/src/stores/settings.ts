import { defineStore } from 'pinia';
import { ref, watchEffect } from 'vue';
import type { Settings, SettingsPatch } from '../../../electron/contract';
import { bridge, LanlineError } from '../bridge';
import { setLanguage } from '../i18n';

export const useSettingsStore = defineStore('settings', () => {
  const current = ref<Settings | null>(null);
  const error = ref<string | null>(null);
  const saving = ref(false);

  async function load(): Promise<void> {
    current.value = await bridge().getSettings();
    bridge().on.settingsChanged((next) => (current.value = next));
  }

  /** Resolves true when saved; on failure keeps the message for the form to show. */
  async function save(patch: SettingsPatch): Promise<boolean> {
    saving.value = true;
    error.value = null;
    try {
      current.value = await bridge().setSettings(patch);
      return true;
    } catch (reason) {
      error.value = LanlineError.from(reason).message;
      return false;
    } finally {
      saving.value = false;
    }
  }

  /** Electron: the folder dialog sets the download folder (the only way it changes there). */
  async function chooseDownloadDir(): Promise<void> {
    error.value = null;
    try {
      current.value = await bridge().chooseDownloadDir();
    } catch (reason) {
      error.value = LanlineError.from(reason).message;
    }
  }

  // Language and theme follow the stored settings wherever they were changed from.
  watchEffect(() => {
    if (!current.value) return;
    setLanguage(current.value.language);
    const theme = current.value.theme;
    if (theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
  });

  return { current, error, saving, load, save, chooseDownloadDir };
});
