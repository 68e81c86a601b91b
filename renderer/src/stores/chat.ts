import { defineStore } from 'pinia';
import { markRaw, ref, watch } from 'vue';
import type { ChatEntry } from '../../../electron/contract';
import { bridge, LanlineError } from '../bridge';
import { i18n } from '../i18n';
import { Chat, newMessageId } from '../rtc/chat';
import { chatTextProblem, CHAT_TEXT_LIMIT } from '../rtc/chat-text';
import { useAppStore } from './app';
import { useLinksStore } from './links';
import { notifyUser } from './notify';
import { usePeersStore } from './peers';

/**
 * Conversations with peers: wraps rtc/chat's Chat (the wire, the outbox) and core's history (what was
 * said, delivery states, unread counts). Messages not yet delivered, including those left from an
 * earlier run, go out again whenever the peer becomes reachable.
 */
export const useChatStore = defineStore('chat', () => {
  const peers = usePeersStore();
  const app = useAppStore();
  /** Loaded conversations, oldest message first; a conversation is loaded when first needed. */
  const conversations = ref<Record<string, ChatEntry[]>>({});
  const unread = ref<Record<string, number>>({});
  /** The peer whose conversation is shown, if any. */
  const openPeer = ref<string | null>(null);
  const error = ref<string | null>(null);
  const sending = ref(false);

  const isConnected = (peerId: string) => Boolean(peers.peers.find((peer) => peer.id === peerId)?.connected);

  const chat = markRaw(
    new Chat(
      useLinksStore().data,
      {
        received: async (peerId, message) => {
          await bridge().appendChat({ peerId, message: { id: message.id, direction: 'in', text: message.text, sentAt: message.sentAt } });
        },
        progress: (peerId, id, state) =>
          void bridge()
            .updateChatState({ peerId, id, state })
            .catch((reason: unknown) => console.warn(`chat: could not record a delivery state: ${LanlineError.from(reason).message}`)),
      },
      { reachable: isConnected },
    ),
  );

  async function load(): Promise<void> {
    const api = bridge();
    api.on.chatChanged(({ peerId, messages, unread: count }) => {
      unread.value = { ...unread.value, [peerId]: count };
      const known = conversations.value[peerId];
      if (known) conversations.value = { ...conversations.value, [peerId]: merge(known, messages) };
      if (count > 0 && openPeer.value === peerId) void markRead(peerId);
      for (const message of messages) if (message.direction === 'in') notifyMessage(message);
    });
    const summaries = await api.listConversations();
    unread.value = Object.fromEntries(summaries.map((summary) => [summary.peerId, summary.unread]));
    // Messages an earlier run could not deliver wait in the outbox for their peer.
    for (const summary of summaries.filter((entry) => entry.undelivered > 0)) {
      for (const entry of await conversation(summary.peerId)) {
        if (entry.direction === 'out' && entry.state !== 'delivered') chat.queue(entry.peerId, { id: entry.id, text: entry.text, sentAt: entry.sentAt });
      }
    }
    // Whenever a peer's signaling connection comes up, what waits for it goes out.
    let connected = new Set<string>();
    watch(
      () => peers.peers,
      (list) => {
        const now = new Set(list.filter((peer) => peer.connected).map((peer) => peer.id));
        for (const peerId of now) if (!connected.has(peerId)) void chat.deliver(peerId);
        connected = now;
      },
      { immediate: true },
    );
  }

  /** Ids of received messages already notified: a resent message is recorded once but may be told again. */
  const notified = new Set<string>();
  /** A received message: a notification (core skips it while the window has the focus) that opens the chat. */
  function notifyMessage(message: ChatEntry): void {
    if (notified.has(message.id)) return;
    notified.add(message.id);
    if (notified.size > 1_000) notified.delete(notified.values().next().value!);
    const name = peers.peers.find((peer) => peer.id === message.peerId)?.name ?? message.peerId.slice(0, 7);
    const body = [...message.text].length > NOTIFICATION_TEXT ? `${[...message.text].slice(0, NOTIFICATION_TEXT).join('')}…` : message.text;
    void notifyUser({ kind: 'chat', title: i18n.global.t('chat.notification', { name }), body, tag: `chat:${message.peerId}` }, () => {
      app.show('peers');
      void open(message.peerId);
    });
  }

  async function conversation(peerId: string): Promise<ChatEntry[]> {
    const known = conversations.value[peerId];
    if (known) return known;
    const { messages, unread: count } = await bridge().listChat({ peerId });
    // Events may have arrived while the list was on its way; keep whichever is newer.
    const merged = merge(messages, conversations.value[peerId] ?? []);
    conversations.value = { ...conversations.value, [peerId]: merged };
    unread.value = { ...unread.value, [peerId]: count };
    return merged;
  }

  async function open(peerId: string): Promise<void> {
    error.value = null;
    openPeer.value = peerId;
    try {
      await conversation(peerId);
      if (unread.value[peerId]) await markRead(peerId);
    } catch (reason) {
      error.value = LanlineError.from(reason).message;
    }
  }

  function close(): void {
    openPeer.value = null;
    error.value = null;
  }

  async function markRead(peerId: string): Promise<void> {
    await bridge()
      .markChatRead({ peerId })
      .catch((reason: unknown) => console.warn(`chat: could not mark read: ${LanlineError.from(reason).message}`));
  }

  /** Resolves true when the message was recorded (it is then delivered as soon as it can be). */
  async function send(peerId: string, text: string): Promise<boolean> {
    error.value = null;
    const problem = chatTextProblem(text);
    if (problem) {
      const { t, n } = i18n.global;
      error.value =
        problem.problem === 'too-long'
          ? t('chat.tooLong', { length: n(problem.length), limit: n(CHAT_TEXT_LIMIT) })
          : t(problem.problem === 'empty' ? 'chat.empty' : 'chat.malformed');
      return false;
    }
    sending.value = true;
    try {
      await conversation(peerId);
      const entry = await bridge().appendChat({ peerId, message: { id: newMessageId(), direction: 'out', text } });
      conversations.value = { ...conversations.value, [peerId]: merge(conversations.value[peerId] ?? [], [entry]) };
      chat.queue(peerId, { id: entry.id, text: entry.text, sentAt: entry.sentAt });
      // An unreachable peer gets it when it comes back (see load); say so now rather than after a timeout.
      if (isConnected(peerId)) void chat.deliver(peerId);
      else chat.unreachable(peerId);
      return true;
    } catch (reason) {
      error.value = LanlineError.from(reason).message;
      return false;
    } finally {
      sending.value = false;
    }
  }

  /** Opens a link from a message in the system browser, after core checked it. */
  async function openLink(url: string): Promise<void> {
    error.value = null;
    try {
      const reply = await bridge().openExternal({ url });
      // The browser host cannot reach the system browser: open the checked URL in a new tab, cut off from this page.
      if (!reply.opened) window.open(reply.url, '_blank', 'noopener,noreferrer');
    } catch (reason) {
      error.value = LanlineError.from(reason).message;
    }
  }

  return { conversations, unread, openPeer, error, sending, load, open, close, send, openLink };
});

/** The start of a message that a notification shows (its body is limited to 1 000 characters). */
const NOTIFICATION_TEXT = 200;

/** Upserts `changes` by id into `entries`, kept in the order they were recorded. */
function merge(entries: ChatEntry[], changes: ChatEntry[]): ChatEntry[] {
  if (!changes.length) return entries;
  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  for (const change of changes) byId.set(change.id, change);
  return [...byId.values()].sort((a, b) => a.at - b.at);
}
