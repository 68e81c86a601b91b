import { defineStore } from 'pinia';
import { markRaw, watch } from 'vue';
import { bridge } from '../bridge';
import { DataLinks } from '../rtc/data-links';
import { answerRotations } from '../rtc/rotation';
import { SignalRouter } from '../rtc/signal-router';
import { useIdentityStore } from './identity';
import { usePeersStore } from './peers';

/** The signaling router and the per-peer data links, shared by chat, files, calls and rotation. */
export const useLinksStore = defineStore('links', () => {
  const identity = useIdentityStore();
  const router = markRaw(
    new SignalRouter({
      send: (peerId, message) => bridge().sendSignal({ peerId, message }),
      subscribe: (listener) => bridge().on.signal(({ peerId, message }) => listener(peerId, message)),
    }),
  );
  const data = markRaw(
    new DataLinks({
      router,
      ownId: () => identity.summary?.peerId ?? null,
      certificate: () => identity.certificate?.certificate ?? null,
    }),
  );
  // When main loses a peer (its app quit or crashed), its data link is gone too; end it now so
  // transfers pause at once instead of waiting for ICE to notice.
  const peers = usePeersStore();
  watch(
    () => peers.peers.filter((peer) => !peer.connected).map((peer) => peer.id),
    (gone) => gone.forEach((peerId) => data.current(peerId)?.close()),
  );
  data.onLink((link) => {
    answerRotations(link, async (peerId, fingerprint) => {
      await bridge().acceptRotation({ peerId, fingerprint });
    });
  });
  return { router, data };
});
