import 'webrtc-adapter';
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { connectBridge, LanlineError } from './bridge';
import { i18n } from './i18n';
import en from './i18n/en';
import { useAppStore } from './stores/app';
import { useIdentityStore } from './stores/identity';
import { useLinksStore } from './stores/links';
import { usePeersStore } from './stores/peers';
import { useSettingsStore } from './stores/settings';
import './styles/main.css';

async function start(): Promise<void> {
  await connectBridge();
  const app = createApp(App).use(createPinia()).use(i18n);
  await Promise.all([useSettingsStore().load(), useAppStore().load()]);
  // The certificate must exist before anything can connect; the peers list follows it.
  const identity = useIdentityStore();
  await identity.load();
  await usePeersStore().load();
  useLinksStore();
  app.mount('#app');
  // Renewal talks to peers, so it runs once the UI is up; its outcome shows on the Peers screen.
  await identity.renewIfDue();
}

start().catch((reason: unknown) => {
  // Before i18n and the bridge are up there is nothing to translate with; say it plainly.
  const message = en.app.startFailed.replace('{message}', LanlineError.from(reason).message);
  const alert = document.createElement('p');
  alert.setAttribute('role', 'alert');
  alert.textContent = message;
  document.getElementById('app')?.replaceChildren(alert);
  console.warn(message);
});
