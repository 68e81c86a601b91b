import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { IdentitySummary } from '../../../electron/contract';
import { bridge } from '../bridge';
import { loadIdentity, rotateIdentity, type Identity } from '../rtc/certificate';

/**
 * The install's certificate (renderer, IndexedDB) and what main derived from it (peer id, rotation
 * date). Loaded before the UI mounts so every RTCPeerConnection can be given the certificate.
 */
export const useIdentityStore = defineStore('identity', () => {
  const certificate = shallowRef<Identity | null>(null);
  const summary = ref<IdentitySummary | null>(null);
  const error = ref<string | null>(null);

  const rotationDue = computed(() => summary.value?.rotateAt != null && Date.now() >= summary.value.rotateAt);

  async function load(): Promise<void> {
    const api = bridge();
    api.on.identityChanged((next) => (summary.value = next));
    let { identity } = await loadIdentity();
    summary.value = await register(identity);
    if (rotationDue.value) {
      identity = (await rotateIdentity()).identity;
      summary.value = await register(identity);
    }
    certificate.value = identity;
  }

  function register(identity: Identity): Promise<IdentitySummary> {
    return bridge().registerCertificate({ fingerprint: identity.fingerprint, createdAt: identity.createdAt, expiresAt: identity.expiresAt });
  }

  return { certificate, summary, error, rotationDue, load };
});
