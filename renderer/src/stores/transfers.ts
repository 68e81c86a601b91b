import { defineStore } from 'pinia';
import { computed, markRaw, ref, watch } from 'vue';
import type { PeerId, Transfer } from '../../../electron/contract';
import { bridge, handlesOfDroppedFiles, LanlineError } from '../bridge';
import { i18n } from '../i18n';
import { TransferEngine } from '../rtc/transfer/engine';
import { relativePathOf, uploadFiles } from '../rtc/transfer/upload';
import { useAppStore } from './app';
import { useLinksStore } from './links';
import { notifyUser } from './notify';
import { usePeersStore } from './peers';

const UNFINISHED = new Set<Transfer['state']>(['waiting', 'active', 'paused']);

export const useTransfersStore = defineStore('transfers', () => {
  const byId = ref<Record<string, Transfer>>({});
  const error = ref<string | null>(null);
  /** Failed transfers whose retry was asked for, until main reports a change (offer, error). */
  const retrying = ref(new Set<string>());
  /** The browser host: chosen files being uploaded to the host before they are offered. */
  const uploading = ref<{ sent: number; total: number } | null>(null);
  /** A received program or script the user asked to open: waits for the confirmation. */
  const confirmOpen = ref<{ transfer: Transfer; file: number; risk: 'program' | 'script' } | null>(null);
  const links = useLinksStore();
  const peers = usePeersStore();
  const app = useAppStore();
  const engine = markRaw(
    new TransferEngine(bridge(), links.data, {
      error: (message) => (error.value = message),
    }),
  );

  const list = computed(() => Object.values(byId.value).sort((a, b) => b.createdAt - a.createdAt));
  const incomingWaiting = computed(() => list.value.filter((t) => t.direction === 'in' && t.state === 'waiting'));

  async function load(): Promise<void> {
    // Only offers that arrive after the list was read are new (a transfer resuming at start is not).
    let listed = false;
    bridge().on.transferChanged((transfer) => {
      if (listed && transfer.direction === 'in' && !byId.value[transfer.id] && (transfer.state === 'waiting' || transfer.state === 'active')) notifyIncoming(transfer);
      byId.value = { ...byId.value, [transfer.id]: transfer };
      retrying.value.delete(transfer.id);
    });
    const all = await bridge().listTransfers();
    byId.value = Object.fromEntries(all.map((transfer) => [transfer.id, transfer]));
    listed = true;
  }

  async function attempt(action: () => Promise<unknown>): Promise<boolean> {
    error.value = null;
    try {
      await action();
      return true;
    } catch (reason) {
      error.value = LanlineError.from(reason).message;
      return false;
    }
  }

  /** Sends what the user chose in the file dialog (handles from main). */
  const sendHandles = (peerId: string, handles: string[]) =>
    attempt(async () => {
      const { offer } = await bridge().createOutgoing({ peerId: peerId as PeerId, handles });
      await engine.offer(peerId, offer);
    });

  /**
   * Sends Files from a drop or a file input: Electron hands main their paths through the preload
   * (handles come back); a browser uploads their bytes to the host first.
   */
  const sendFiles = (peerId: string, files: File[]) =>
    attempt(async () => {
      let handles = handlesOfDroppedFiles(files);
      if (handles === null) {
        uploading.value = { sent: 0, total: files.reduce((sum, file) => sum + file.size, 0) };
        try {
          const chosen = await uploadFiles(bridge(), files.map((file) => ({ file, path: relativePathOf(file) })), (sent, total) => (uploading.value = { sent, total }));
          handles = chosen.map((file) => file.handle);
        } finally {
          uploading.value = null;
        }
      }
      if (!handles.length) throw new LanlineError('invalid', i18n.global.t('files.nothingDropped'));
      const { offer } = await bridge().createOutgoing({ peerId: peerId as PeerId, handles });
      await engine.offer(peerId, offer);
    });

  const sendText = (peerId: string, text: string) =>
    attempt(async () => {
      const { offer } = await bridge().createOutgoingText({ peerId: peerId as PeerId, text });
      await engine.offer(peerId, offer);
    });

  /** The OS dialog (Electron): handles of what was chosen; resolves null where there is none (the browser host). */
  async function pick(folders: boolean): Promise<string[] | null> {
    try {
      return (await bridge().pickFiles({ folders })).files.map((file) => file.handle);
    } catch (reason) {
      if (LanlineError.from(reason).code === 'unavailable') return null;
      throw reason;
    }
  }

  /** A new offer (waiting for Accept, or auto-accepted from a trusted peer): a notification that opens Files. */
  function notifyIncoming(transfer: Transfer): void {
    const { t } = i18n.global;
    const name = peers.peers.find((peer) => peer.id === transfer.peerId)?.name ?? transfer.peerId.slice(0, 7);
    // A notification's body holds at most 1 000 characters; a file name may be longer.
    const file = [...(transfer.files[0]?.path.split('/').pop() ?? '')].slice(0, 200).join('');
    const body = transfer.files.length > 1 ? t('files.notificationMany', { file, n: transfer.files.length - 1 }) : file;
    void notifyUser({ kind: 'file', title: t('files.notification', { name }), body, tag: `file:${transfer.id}` }, () => app.show('files'));
  }

  const answer = (transfer: Transfer, accept: boolean, always = false) => attempt(() => engine.answer(transfer, accept, always));
  const retry = async (transfer: Transfer) => {
    retrying.value.add(transfer.id);
    if (!(await attempt(() => engine.retry(transfer)))) retrying.value.delete(transfer.id);
  };
  const cancel = (transfer: Transfer) => attempt(() => engine.cancel(transfer));
  /** Opens a received file; a program or script first asks (confirmOpen), then opens with `confirmed`. */
  const open = (transfer: Transfer, file: number, reveal: boolean, confirmed = false) =>
    attempt(async () => {
      confirmOpen.value = null;
      const { opened, risk } = await bridge().openTransferFile({ id: transfer.id, file, reveal, ...(confirmed && { confirmed }) });
      if (!opened && risk) confirmOpen.value = { transfer, file, risk };
    });

  // When a peer with unfinished transfers is reachable again, open the data link: the sending side
  // offers again on every new link and both sides resume from the receiver's offsets.
  // Either side may be the one that restarted, so both look, whenever peers or transfers change.
  const toResume = computed(() => {
    const connected = new Set(peers.peers.filter((peer) => peer.connected).map((peer) => peer.id));
    const waiting = list.value.filter((t) => connected.has(t.peerId) && UNFINISHED.has(t.state) && t.state !== 'waiting' && t.state !== 'active');
    return [...new Set(waiting.map((t) => t.peerId))].sort().join(' ');
  });
  // A link that could not open is tried again a few times, after a pause that differs on each side.
  const reopen = (peerId: string, attempt = 0): void => {
    void links.data.get(peerId).catch(() => {
      if (attempt >= 5 || !toResume.value.split(' ').includes(peerId)) return;
      setTimeout(() => reopen(peerId, attempt + 1), 1_000 + Math.random() * 3_000);
    });
  };
  watch(toResume, (ids) => {
    for (const peerId of ids.split(' ').filter(Boolean)) reopen(peerId);
  });

  return { byId, list, incomingWaiting, error, retrying, uploading, confirmOpen, load, sendHandles, sendFiles, sendText, pick, answer, retry, cancel, open };
});
