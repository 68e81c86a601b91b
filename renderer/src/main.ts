import 'webrtc-adapter';
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { bridge, connectBridge, LanlineError } from './bridge';
import { i18n } from './i18n';
import en from './i18n/en';
import { useAppStore } from './stores/app';
import { useCallStore } from './stores/call';
import { useChatStore } from './stores/chat';
import { useIdentityStore } from './stores/identity';
import { useLinksStore } from './stores/links';
import { usePeersStore } from './stores/peers';
import { usePhoneStore } from './stores/phone';
import { useSettingsStore } from './stores/settings';
import { useTransfersStore } from './stores/transfers';
import { useDeepLinkStore } from './stores/deep-link';
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
  // Chat attaches to every data link as it appears, so it must exist before any can open.
  const chat = useChatStore();
  // Calls ring from the start, on any screen.
  await useCallStore().load();
  // The SIP account registers in the background; phone calls ring from the start too.
  await usePhoneStore().load();
  // Transfers listen on every data link from the start, so offers and resumes are never missed.
  await useTransfersStore().load();
  // Unread counts, and what an earlier run could not deliver goes out again.
  await chat.load();
  useDeepLinkStore().load();
  app.mount('#app');
  // Every store listens now: links that opened the app (held by main until now) may come.
  await bridge().rendererReady();
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
