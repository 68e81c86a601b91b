import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Peer, TrustWarning } from '../../../electron/contract';
import { bridge, LanlineError } from '../bridge';

type TrustAction = 'verify' | 'unverify' | 'block' | 'unblock' | 'repin' | 'auto-answer-calls' | 'ask-before-calls';

export const usePeersStore = defineStore('peers', () => {
  const peers = ref<Peer[]>([]);
  const warnings = ref<TrustWarning[]>([]);
  const safetyCodes = ref<Record<string, string>>({});
  const error = ref<string | null>(null);
  const lan = ref<{ port: number | null; addresses: string[] }>({ port: null, addresses: [] });

  const sorted = computed(() => [...peers.value].sort((a, b) => Number(b.online) - Number(a.online) || a.name.localeCompare(b.name)));

  async function load(): Promise<void> {
    const api = bridge();
    api.on.peersChanged((next) => (peers.value = next));
    api.on.trustWarning((warning) => {
      warnings.value = [...warnings.value.filter((w) => w.peerId !== warning.peerId), warning];
    });
    [peers.value, lan.value] = await Promise.all([api.listPeers(), api.getLanStatus()]);
  }

  async function attempt<T>(action: () => Promise<T>): Promise<T | null> {
    error.value = null;
    try {
      return await action();
    } catch (reason) {
      error.value = LanlineError.from(reason).message;
      return null;
    }
  }

  const addByAddress = (address: string) => attempt(() => bridge().addPeerByAddress({ address }));

  async function setTrust(peerId: string, action: TrustAction): Promise<void> {
    const peer = await attempt(() => bridge().setPeerTrust({ peerId, action }));
    if (peer && (action === 'repin' || action === 'block' || action === 'verify')) warnings.value = warnings.value.filter((w) => w.peerId !== peerId);
  }

  async function showSafetyCode(peerId: string): Promise<void> {
    const reply = await attempt(() => bridge().getSafetyCode({ peerId }));
    if (reply) safetyCodes.value = { ...safetyCodes.value, [peerId]: reply.code };
  }

  /** Another listed peer has this peer's display name: show its short id (first group) beside the name. */
  const sharesName = (peer: Peer) => peers.value.some((other) => other.id !== peer.id && other.name === peer.name);

  /** A peer whose calls are answered without ringing: the user chose it, and the peer is trusted now. */
  const autoAnswers = (peerId: string) => {
    const peer = peers.value.find((candidate) => candidate.id === peerId);
    return Boolean(peer?.autoAnswerCalls && (peer.trust === 'pinned' || peer.trust === 'verified'));
  };

  return { autoAnswers, sharesName, peers, sorted, warnings, safetyCodes, error, lan, load, addByAddress, setTrust, showSafetyCode };
});
