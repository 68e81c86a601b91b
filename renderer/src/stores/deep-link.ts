import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { DeepLink } from '../../../electron/contract';
import { bridge } from '../bridge';
import { useAppStore } from './app';

/**
 * Links opened from other applications (Electron, electron/core/links.ts parsed them): a peer link
 * shows the Peers screen with that peer asked for; tel: and sip: open the dial pad with the number.
 */
export const useDeepLinkStore = defineStore('deep-link', () => {
  const app = useAppStore();
  /** What the dial pad should show next (taken once by the view). */
  const dial = ref<string | null>(null);
  /** The peer a link asked for, for the Peers screen to point at. */
  const peer = ref<string | null>(null);

  function open(link: DeepLink): void {
    if (link.kind === 'peer') {
      peer.value = link.peerId;
      app.show('peers');
    } else {
      dial.value = link.kind === 'tel' ? link.number : link.uri;
      app.show('dialpad');
    }
  }

  function load(): void {
    bridge().on.openLink(open);
  }

  /** The dial pad takes the number once. */
  function takeDial(): string | null {
    const value = dial.value;
    dial.value = null;
    return value;
  }

  return { dial, peer, open, load, takeDial };
});
