import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import type { DeepLink } from '../../../electron/contract';
import { bridge } from '../bridge';
import { useAppStore } from './app';
import { useChatStore } from './chat';
import { usePeersStore } from './peers';

/**
 * Links opened from other applications (electron/core/links.ts parsed them; main held them until
 * main.ts said `rendererReady`). A peer link opens the Peers screen with that peer's conversation;
 * a peer not (yet) on the list is looked for until it appears, and the screen says so meanwhile.
 * tel: and sip: open the dial pad with the number.
 */
export const useDeepLinkStore = defineStore('deep-link', () => {
  const app = useAppStore();
  const peers = usePeersStore();
  const chat = useChatStore();
  /** What the dial pad should show next (taken once by the view). */
  const dial = ref<string | null>(null);
  /** A peer a link asked for that is not on the list yet: the Peers screen says it is looked for. */
  const lookingFor = ref<string | null>(null);

  function openPeer(peerId: string): boolean {
    if (!peers.peers.some((peer) => peer.id === peerId)) return false;
    lookingFor.value = null;
    void chat.open(peerId);
    return true;
  }

  function open(link: DeepLink): void {
    if (link.kind === 'peer') {
      app.show('peers');
      if (!openPeer(link.peerId)) lookingFor.value = link.peerId;
    } else {
      dial.value = link.kind === 'tel' ? link.number : link.uri;
      app.show('dialpad');
    }
  }

  function load(): void {
    bridge().on.openLink(open);
    watch(
      () => peers.peers,
      () => lookingFor.value && openPeer(lookingFor.value),
    );
  }

  /** The dial pad takes the number once. */
  function takeDial(): string | null {
    const value = dial.value;
    dial.value = null;
    return value;
  }

  return { dial, lookingFor, open, load, takeDial };
});
