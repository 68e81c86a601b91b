import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { IdentitySummary } from '../../../electron/contract';
import { bridge } from '../bridge';
import { loadIdentity, rotateIdentity, type Identity } from '../rtc/certificate';
import { announceRotation } from '../rtc/rotation';
import { useLinksStore } from './links';
import { usePeersStore } from './peers';

/**
 * The install's certificate (renderer, IndexedDB) and what main derived from it (peer id, rotation
 * date). Loaded before the UI mounts so every RTCPeerConnection can be given the certificate.
 */
export const useIdentityStore = defineStore('identity', () => {
  const certificate = shallowRef<Identity | null>(null);
  const summary = ref<IdentitySummary | null>(null);
  const error = ref<string | null>(null);
  /** After a renewal: who was told over the old certificate, and who could not be reached. */
  const renewal = ref<{ told: string[]; missed: string[] } | null>(null);

  const rotationDue = computed(() => summary.value?.rotateAt != null && Date.now() >= summary.value.rotateAt);

  async function load(): Promise<void> {
    const api = bridge();
    api.on.identityChanged((next) => (summary.value = next));
    const { identity } = await loadIdentity();
    summary.value = await register(identity);
    certificate.value = identity;
  }

  /**
   * Renews the certificate when main says it is due: a new one is made and stored, trusted peers
   * that are online are told its fingerprint over links the old one secures, then main switches.
   */
  async function renewIfDue(): Promise<void> {
    if (!rotationDue.value) return;
    const { identity: fresh } = await rotateIdentity();
    const peers = usePeersStore();
    const links = useLinksStore();
    const isTrusted = (peer: (typeof peers.peers)[number]) => peer.trust === 'pinned' || peer.trust === 'verified';
    // Peers reconnect as main starts; give the ones we trust a moment to come online.
    for (let waited = 0; waited < 3_000 && peers.peers.some((peer) => isTrusted(peer) && !peer.connected && peer.addresses.length); waited += 250) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const trusted = peers.peers.filter((peer) => peer.connected && isTrusted(peer));
    const results = await Promise.allSettled(trusted.map(async (peer) => announceRotation(await links.data.get(peer.id), fresh.fingerprint)));
    renewal.value = {
      told: trusted.filter((_, index) => results[index]!.status === 'fulfilled').map((peer) => peer.name),
      missed: trusted.filter((_, index) => results[index]!.status === 'rejected').map((peer) => peer.name),
    };
    links.data.closeAll();
    certificate.value = fresh;
    summary.value = await register(fresh);
  }

  function register(identity: Identity): Promise<IdentitySummary> {
    return bridge().registerCertificate({ fingerprint: identity.fingerprint, createdAt: identity.createdAt, expiresAt: identity.expiresAt });
  }

  return { certificate, summary, error, renewal, rotationDue, load, renewIfDue };
});
