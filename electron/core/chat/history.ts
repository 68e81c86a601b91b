/**
 * The chat history with each peer: append-only, bounded, one JSON-lines file per peer under the
 * folder the adapter gives (`<data>/chat/<peer id>.jsonl`). The wire side (docs/protocol.md#chat)
 * lives in the renderer; this keeps what was said, its delivery state and what is unread.
 *
 * File lines, each one JSON object, replayed in order at load:
 *   {"type":"message","entry":{id, peerId, direction, text, at, sentAt, state}}
 *   {"type":"state","id":"…","state":"sent"|"delivered"|"failed"}
 *   {"type":"read","at":<ms>}      every incoming message above this line has been read
 * Each append is fsynced before the call returns, so a receiver that acknowledges a message after
 * `append` returned has it on disk. A damaged line (a crash mid-write) is skipped with a log line.
 *
 * Bounds: the newest `limit` messages per peer are kept; the file is rewritten (temp file, fsync,
 * rename) with only those once it holds more than twice as many lines, so it never grows past
 * 2 × limit lines. Message text never goes to the log.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ChatEntry, ChatMessageId, ChatState, PeerId, type ChatConversation, type ChatEntry as ChatEntryValue, type ChatState as ChatStateValue } from '../../contract.js';
import { LanlineError } from '../errors.js';
import type { EventHub } from '../events.js';
import type { Log } from '../log.js';

/** Most characters (Unicode code points) in one message; the renderer checks the same figure first. */
export const CHAT_TEXT_LIMIT = 10_000;
/** Messages kept per peer. */
export const CHAT_HISTORY_LIMIT = 1_000;

const formatCount = (n: number) => n.toLocaleString('en-US');

/**
 * Throws LanlineError('invalid', …) unless `text` can be a chat message: not blank, well-formed
 * Unicode (no lone surrogate, so it has a UTF-8 form; the same test as String#isWellFormed) and at
 * most CHAT_TEXT_LIMIT code points.
 */
export function checkChatText(text: string): void {
  if (!text.trim()) throw new LanlineError('invalid', 'A message cannot be empty; write something before sending.');
  if (/\p{Surrogate}/u.test(text)) {
    throw new LanlineError('invalid', 'This message contains a damaged character (half of a surrogate pair, which has no UTF-8 form); remove it or paste the text again.');
  }
  if (text.length > CHAT_TEXT_LIMIT) {
    const length = [...text].length;
    if (length > CHAT_TEXT_LIMIT) {
      throw new LanlineError('invalid', `This message has ${formatCount(length)} characters; a message can have at most ${formatCount(CHAT_TEXT_LIMIT)}. Shorten it, or send it as a file.`);
    }
  }
}

export interface NewChatMessage {
  id: string;
  direction: 'in' | 'out';
  text: string;
  /** The sender's clock; for an outgoing message the time it is recorded. */
  sentAt?: number;
}

const Line = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message'), entry: ChatEntry }),
  z.object({ type: z.literal('state'), id: ChatMessageId, state: ChatState }),
  z.object({ type: z.literal('read'), at: z.number() }),
]);
type Line = z.infer<typeof Line>;

interface Stored extends ChatEntryValue {
  read: boolean;
}

interface Conversation {
  entries: Stored[];
  byId: Map<string, Stored>;
  /** Lines in the file now, to know when to compact. */
  lines: number;
}

/** Outgoing states only move forward: nothing leaves 'delivered'; a retry may turn 'failed' into 'sent'. */
const NEXT: Record<ChatStateValue, readonly ChatStateValue[]> = {
  pending: ['sent', 'delivered', 'failed'],
  sent: ['delivered', 'failed'],
  failed: ['sent', 'delivered'],
  delivered: [],
};

export interface ChatHistoryOptions {
  /** The folder holding one `<peer id>.jsonl` per conversation; created on first write. */
  folder: string;
  events: EventHub;
  log: Log;
  clock?: () => number;
  /** Messages kept per peer (CHAT_HISTORY_LIMIT). */
  limit?: number;
}

export class ChatHistory {
  private readonly conversations = new Map<string, Conversation>();
  private readonly clock: () => number;
  private readonly limit: number;
  private scanned = false;

  constructor(private readonly options: ChatHistoryOptions) {
    this.clock = options.clock ?? Date.now;
    this.limit = options.limit ?? CHAT_HISTORY_LIMIT;
  }

  /** Every peer with a history: unread and undelivered counts, newest message time. */
  summaries(): ChatConversation[] {
    this.scan();
    return [...this.conversations.entries()]
      .filter(([, conversation]) => conversation.entries.length > 0)
      .map(([peerId, conversation]) => ({
        peerId,
        unread: unreadOf(conversation),
        undelivered: conversation.entries.filter((entry) => entry.direction === 'out' && entry.state !== 'delivered').length,
        lastAt: conversation.entries.at(-1)?.at ?? null,
      }));
  }

  list(peerId: string): { messages: ChatEntryValue[]; unread: number } {
    const conversation = this.open(peerId);
    return { messages: conversation.entries.map(publicEntry), unread: unreadOf(conversation) };
  }

  /**
   * Records a message; on disk when this returns. An id already in the conversation is the same
   * message sent again (a retry after a reconnect): the stored entry is returned, nothing changes.
   */
  append(peerId: string, message: NewChatMessage): ChatEntryValue {
    const conversation = this.open(peerId);
    const known = conversation.byId.get(message.id);
    if (known) return publicEntry(known);
    checkChatText(message.text);
    const at = this.clock();
    const entry: Stored = {
      id: message.id,
      peerId,
      direction: message.direction,
      text: message.text,
      at,
      sentAt: message.direction === 'in' && message.sentAt !== undefined ? message.sentAt : at,
      state: message.direction === 'in' ? 'delivered' : 'pending',
      read: message.direction === 'out',
    };
    this.write(peerId, conversation, [{ type: 'message', entry: publicEntry(entry) }]);
    conversation.entries.push(entry);
    conversation.byId.set(entry.id, entry);
    this.trim(conversation);
    this.compactIfDue(peerId, conversation);
    this.changed(peerId, conversation, [entry]);
    return publicEntry(entry);
  }

  /** The delivery state of an outgoing message. A step backwards (say, 'sent' after 'delivered') is ignored. */
  setState(peerId: string, id: string, state: Exclude<ChatStateValue, 'pending'>): ChatEntryValue {
    const conversation = this.open(peerId);
    const entry = conversation.byId.get(id);
    if (!entry) throw new LanlineError('not-found', 'That message is not in the chat history (it may have been removed as the history grew).');
    if (entry.direction !== 'out') throw new LanlineError('invalid', 'Only a message you sent has a delivery state to change.');
    if (!NEXT[entry.state].includes(state)) return publicEntry(entry);
    this.write(peerId, conversation, [{ type: 'state', id, state }]);
    entry.state = state;
    this.compactIfDue(peerId, conversation);
    this.changed(peerId, conversation, [entry]);
    return publicEntry(entry);
  }

  /** Marks every message received so far as read. */
  markRead(peerId: string): void {
    const conversation = this.open(peerId);
    const unread = conversation.entries.filter((entry) => !entry.read);
    if (!unread.length) return;
    this.write(peerId, conversation, [{ type: 'read', at: this.clock() }]);
    unread.forEach((entry) => (entry.read = true));
    this.compactIfDue(peerId, conversation);
    this.changed(peerId, conversation, []);
  }

  private changed(peerId: string, conversation: Conversation, entries: Stored[]): void {
    this.options.events.emit('chatChanged', { peerId, messages: entries.map(publicEntry), unread: unreadOf(conversation) });
  }

  private path(peerId: string): string {
    return join(this.options.folder, `${peerId}.jsonl`);
  }

  /** Loads every conversation file once, for the summaries. */
  private scan(): void {
    if (this.scanned) return;
    this.scanned = true;
    let names: string[];
    try {
      names = readdirSync(this.options.folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const name of names) {
      const peerId = name.endsWith('.jsonl') ? name.slice(0, -'.jsonl'.length) : '';
      if (PeerId.safeParse(peerId).success) this.open(peerId);
    }
  }

  private open(peerId: string): Conversation {
    // The id names a file: only a well-formed peer id ever reaches the file system.
    if (!PeerId.safeParse(peerId).success) throw new LanlineError('invalid', 'That is not a Lanline peer id.');
    let conversation = this.conversations.get(peerId);
    if (!conversation) {
      conversation = this.load(peerId);
      this.conversations.set(peerId, conversation);
    }
    return conversation;
  }

  private load(peerId: string): Conversation {
    const conversation: Conversation = { entries: [], byId: new Map(), lines: 0 };
    let text: string;
    try {
      text = readFileSync(this.path(peerId), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return conversation;
      throw new LanlineError('io', `Lanline could not read the chat history with this peer: ${(error as Error).message}`);
    }
    let damaged = 0;
    for (const raw of text.split('\n')) {
      if (!raw.trim()) continue;
      conversation.lines += 1;
      const line = parseLine(raw);
      if (!line || (line.type === 'message' && line.entry.peerId !== peerId)) {
        damaged += 1;
        continue;
      }
      if (line.type === 'message') {
        if (conversation.byId.has(line.entry.id)) continue;
        const entry: Stored = { ...line.entry, read: line.entry.direction === 'out' };
        conversation.entries.push(entry);
        conversation.byId.set(entry.id, entry);
        this.trim(conversation);
      } else if (line.type === 'state') {
        const entry = conversation.byId.get(line.id);
        if (entry && entry.direction === 'out') entry.state = line.state;
      } else {
        conversation.entries.forEach((entry) => (entry.read = true));
      }
    }
    if (damaged) this.options.log.warn(`chat history with ${peerId}: skipped ${damaged} damaged line(s)`);
    // A last line cut short by a crash would run into the next append: start from a clean file.
    if (damaged || (text.length > 0 && !text.endsWith('\n')) || conversation.lines > 2 * this.limit) this.compact(peerId, conversation);
    return conversation;
  }

  private trim(conversation: Conversation): void {
    while (conversation.entries.length > this.limit) {
      const dropped = conversation.entries.shift()!;
      conversation.byId.delete(dropped.id);
    }
  }

  private write(peerId: string, conversation: Conversation, lines: Line[]): void {
    try {
      mkdirSync(this.options.folder, { recursive: true, mode: 0o700 });
      const fd = openSync(this.path(peerId), 'a', 0o600);
      try {
        writeSync(fd, lines.map((line) => JSON.stringify(line) + '\n').join(''));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      throw new LanlineError('io', `Lanline could not save the chat history: ${(error as Error).message}`);
    }
    conversation.lines += lines.length;
  }

  private compactIfDue(peerId: string, conversation: Conversation): void {
    if (conversation.lines > 2 * this.limit) this.compact(peerId, conversation);
  }

  /** Rewrites the file with the kept messages in their current state; the read mark follows the last read one. */
  private compact(peerId: string, conversation: Conversation): void {
    const lines: Line[] = [];
    const lastRead = conversation.entries.findLastIndex((entry) => entry.direction === 'in' && entry.read);
    conversation.entries.forEach((entry, index) => {
      lines.push({ type: 'message', entry: publicEntry(entry) });
      if (index === lastRead) lines.push({ type: 'read', at: this.clock() });
    });
    const path = this.path(peerId);
    const temp = `${path}.${process.pid}.tmp`;
    try {
      mkdirSync(this.options.folder, { recursive: true, mode: 0o700 });
      const fd = openSync(temp, 'w', 0o600);
      try {
        writeSync(fd, lines.map((line) => JSON.stringify(line) + '\n').join(''));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, path);
    } catch (error) {
      this.options.log.warn(`chat history with ${peerId}: compaction failed (${(error as Error).message}); the file keeps growing until the next try`);
      return;
    }
    conversation.lines = lines.length;
  }
}

function parseLine(raw: string): Line | null {
  try {
    const parsed = Line.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function unreadOf(conversation: Conversation): number {
  return conversation.entries.reduce((count, entry) => count + (entry.read ? 0 : 1), 0);
}

function publicEntry({ id, peerId, direction, text, at, sentAt, state }: Stored | ChatEntryValue): ChatEntryValue {
  return { id, peerId, direction, text, at, sentAt, state };
}
