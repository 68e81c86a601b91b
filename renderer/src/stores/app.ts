import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { AppInfo } from '../../../electron/contract';
import { bridge, onBridgeClosed } from '../bridge';
import { detectRtcSupport, missingRtcFeatures } from '../rtc/support';

export type Screen = 'peers' | 'call' | 'files' | 'dialpad' | 'settings';
export const screens: readonly Screen[] = ['peers', 'call', 'files', 'dialpad', 'settings'];

export const useAppStore = defineStore('app', () => {
  const screen = ref<Screen>('peers');
  const info = ref<AppInfo | null>(null);
  const connected = ref(true);
  const missingRtc = ref<string[]>(missingRtcFeatures(detectRtcSupport()));

  async function load(): Promise<void> {
    const api = bridge();
    info.value = await api.getAppInfo();
    onBridgeClosed(() => (connected.value = false));
  }

  function show(next: Screen): void {
    screen.value = next;
  }

  return { screen, info, connected, missingRtc, load, show };
});
