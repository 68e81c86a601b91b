import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventPayload } from '../../electron/contract.js';
import { CHAT_TEXT_LIMIT, ChatHistory, checkChatText } from '../../electron/core/chat/history.js';
import { EventHub } from '../../electron/core/events.js';
import { peerIdFromFingerprint } from '../../electron/core/identity/peer-id.js';
import { memoryLog } from '../../electron/core/log.js';
import { randomFingerprint } from '../support/lan.js';

const freshDir = () => mkdtempSync(join(tmpdir(), 'lanline-chat-'));
const somePeer = () => peerIdFromFingerprint(randomFingerprint());
let sequence = 0;
const newId = () => `message-id-${String(sequence++).padStart(8, '0')}`;

function open(folder: string, limit?: number) {
  const events = new EventHub();
  const changes: Array<EventPayload<'chatChanged'>> = [];
  events.on('chatChanged', (change) => changes.push(change));
  const log = memoryLog();
  let now = Date.UTC(2026, 2, 1, 9, 0);
  const history = new ChatHistory({ folder, events, log, clock: () => (now += 1000), ...(limit !== undefined && { limit }) });
  return { history, changes, log };
}

describe('ChatHistory', () => {
  it('appends outgoing messages as pending and incoming ones as delivered, in order', () => {
    const { history, changes } = open(freshDir());
    const bob = somePeer();
    const out = history.append(bob, { id: newId(), direction: 'out', text: 'Hello Bob' });
    const reply = history.append(bob, { id: newId(), direction: 'in', text: 'Hi! 👋', sentAt: 42 });
    expect(out).toMatchObject({ peerId: bob, direction: 'out', text: 'Hello Bob', state: 'pending' });
    expect(out.sentAt).toBe(out.at);
    expect(reply).toMatchObject({ direction: 'in', text: 'Hi! 👋', state: 'delivered', sentAt: 42 });
    expect(history.list(bob)).toEqual({ messages: [out, reply], unread: 1 });
    expect(changes.map((change) => [change.messages.map((m) => m.id), change.unread])).toEqual([
      [[out.id], 0],
      [[reply.id], 1],
    ]);
  });

  it('keeps each conversation apart', () => {
    const { history } = open(freshDir());
    const bob = somePeer();
    const cho = somePeer();
    history.append(bob, { id: newId(), direction: 'in', text: 'for you', sentAt: 1 });
    expect(history.list(cho)).toEqual({ messages: [], unread: 0 });
    expect(history.summaries()).toEqual([{ peerId: bob, unread: 1, undelivered: 0, lastAt: expect.any(Number) }]);
  });

  it('keeps one copy of a message sent again with the same id, and says nothing of the repeat', () => {
    const { history, changes } = open(freshDir());
    const bob = somePeer();
    const id = newId();
    const first = history.append(bob, { id, direction: 'in', text: 'once', sentAt: 5 });
    const again = history.append(bob, { id, direction: 'in', text: 'once', sentAt: 5 });
    expect(again).toEqual(first);
    expect(history.list(bob).messages).toHaveLength(1);
    expect(history.list(bob).unread).toBe(1);
    expect(changes).toHaveLength(1);
  });

  it('moves delivery states forward only, for outgoing messages only', () => {
    const { history } = open(freshDir());
    const bob = somePeer();
    const { id } = history.append(bob, { id: newId(), direction: 'out', text: 'hi' });
    expect(history.setState(bob, id, 'failed').state).toBe('failed');
    expect(history.setState(bob, id, 'sent').state).toBe('sent');
    expect(history.setState(bob, id, 'delivered').state).toBe('delivered');
    // A late 'failed' (the link closed after the ack) does not undo a delivery.
    expect(history.setState(bob, id, 'failed').state).toBe('delivered');
    const incoming = history.append(bob, { id: newId(), direction: 'in', text: 'yo', sentAt: 1 });
    expect(() => history.setState(bob, incoming.id, 'failed')).toThrow(/Only a message you sent/);
    expect(() => history.setState(bob, newId(), 'sent')).toThrow(expect.objectContaining({ code: 'not-found' }));
  });

  it('counts unread incoming messages until marked read', () => {
    const { history, changes } = open(freshDir());
    const bob = somePeer();
    history.append(bob, { id: newId(), direction: 'in', text: 'one', sentAt: 1 });
    history.append(bob, { id: newId(), direction: 'out', text: 'mine' });
    history.append(bob, { id: newId(), direction: 'in', text: 'two', sentAt: 2 });
    expect(history.list(bob).unread).toBe(2);
    history.markRead(bob);
    expect(history.list(bob).unread).toBe(0);
    expect(changes.at(-1)).toEqual({ peerId: bob, messages: [], unread: 0 });
    history.append(bob, { id: newId(), direction: 'in', text: 'three', sentAt: 3 });
    expect(history.list(bob).unread).toBe(1);
    const count = changes.length;
    history.markRead(bob);
    history.markRead(bob);
    expect(changes).toHaveLength(count + 1);
  });

  it('keeps messages, states and read marks across a restart', () => {
    const folder = freshDir();
    const bob = somePeer();
    const first = open(folder).history;
    const out = first.append(bob, { id: newId(), direction: 'out', text: 'before the restart\nwith two lines' });
    first.setState(bob, out.id, 'delivered');
    first.append(bob, { id: newId(), direction: 'in', text: 'read one', sentAt: 1 });
    first.markRead(bob);
    const unread = first.append(bob, { id: newId(), direction: 'in', text: 'unread one', sentAt: 2 });
    const pending = first.append(bob, { id: newId(), direction: 'out', text: 'not yet delivered' });

    const again = open(folder).history;
    expect(again.list(bob)).toEqual(first.list(bob));
    expect(again.list(bob).unread).toBe(1);
    expect(again.summaries()).toEqual([{ peerId: bob, unread: 1, undelivered: 1, lastAt: pending.at }]);
    // Dedupe holds across the restart too.
    expect(again.append(bob, { id: unread.id, direction: 'in', text: 'unread one', sentAt: 2 })).toEqual(unread);
    expect(again.list(bob).messages).toHaveLength(4);
  });

  it('writes one file per peer under its folder, never outside it', () => {
    const folder = freshDir();
    const { history } = open(folder);
    const bob = somePeer();
    history.append(bob, { id: newId(), direction: 'out', text: 'x' });
    expect(readdirSync(folder)).toEqual([`${bob}.jsonl`]);
    expect(() => history.append('../../etc/passwd', { id: newId(), direction: 'out', text: 'x' })).toThrow(expect.objectContaining({ code: 'invalid' }));
    expect(() => history.list('not-a-peer')).toThrow(expect.objectContaining({ code: 'invalid' }));
  });

  it('keeps the newest messages only and compacts the file when it has grown past twice the bound', () => {
    const folder = freshDir();
    const bob = somePeer();
    const { history } = open(folder, 10);
    const ids: string[] = [];
    for (let i = 0; i < 35; i += 1) {
      const entry = history.append(bob, { id: newId(), direction: i % 2 ? 'in' : 'out', text: `message ${i}`, sentAt: i });
      ids.push(entry.id);
      if (entry.direction === 'out') history.setState(bob, entry.id, 'sent');
      const lines = readFileSync(join(folder, `${bob}.jsonl`), 'utf8').trim().split('\n').length;
      expect(lines).toBeLessThanOrEqual(20);
    }
    expect(history.list(bob).messages.map((entry) => entry.id)).toEqual(ids.slice(-10));
    expect(history.list(bob).messages.map((entry) => entry.text)).toEqual(Array.from({ length: 10 }, (_, i) => `message ${25 + i}`));
    history.markRead(bob);
    const reopened = open(folder, 10).history;
    expect(reopened.list(bob)).toEqual(history.list(bob));
    expect(reopened.list(bob).messages.filter((entry) => entry.direction === 'out').every((entry) => entry.state === 'sent')).toBe(true);
    expect(reopened.list(bob).unread).toBe(0);
  });

  it('skips a line cut short by a crash and goes on appending cleanly', () => {
    const folder = freshDir();
    const bob = somePeer();
    const first = open(folder).history;
    const kept = first.append(bob, { id: newId(), direction: 'in', text: 'kept', sentAt: 1 });
    appendFileSync(join(folder, `${bob}.jsonl`), '{"type":"message","entry":{"id":"cut-short-by-a-cr');
    const { history, log } = open(folder);
    expect(history.list(bob).messages).toEqual([kept]);
    expect(log.lines.join('\n')).toMatch(/skipped 1 damaged line/);
    const next = history.append(bob, { id: newId(), direction: 'in', text: 'after', sentAt: 2 });
    expect(open(folder).history.list(bob).messages).toEqual([kept, next]);
  });

  it('drops entries that belong to another peer or do not match the schema', () => {
    const folder = freshDir();
    const bob = somePeer();
    const eve = somePeer();
    const line = (entry: object) => JSON.stringify({ type: 'message', entry }) + '\n';
    const good = { id: newId(), peerId: bob, direction: 'in', text: 'ok', at: 1, sentAt: 1, state: 'delivered' };
    writeFileSync(
      join(folder, `${bob}.jsonl`),
      line(good) + line({ ...good, id: newId(), peerId: eve }) + line({ ...good, id: 'short' }) + line({ ...good, id: newId(), state: 'lost' }) + 'not json\n',
    );
    const { history } = open(folder);
    expect(history.list(bob).messages).toEqual([good]);
  });

  it('refuses text that is empty, has a lone surrogate or is longer than 10 000 characters, with a reason', () => {
    const { history } = open(freshDir());
    const bob = somePeer();
    const refused = (text: string) => {
      try {
        history.append(bob, { id: newId(), direction: 'out', text });
      } catch (error) {
        return error as { code: string; message: string };
      }
      return null;
    };
    expect(refused('   \n ')).toMatchObject({ code: 'invalid', message: expect.stringMatching(/cannot be empty/) });
    expect(refused('half a pair \uD83D')).toMatchObject({ code: 'invalid', message: expect.stringMatching(/damaged character/) });
    expect(refused('\uDE00 reversed \uD83D')).toMatchObject({ code: 'invalid' });
    expect(refused('x'.repeat(CHAT_TEXT_LIMIT + 1))).toMatchObject({ code: 'invalid', message: expect.stringMatching(/has 10,001 characters; a message can have at most 10,000/) });
    // Characters are code points: 10 000 emoji are 20 000 UTF-16 units and still allowed.
    expect(refused('😀'.repeat(CHAT_TEXT_LIMIT))).toBeNull();
    expect(refused('x'.repeat(CHAT_TEXT_LIMIT))).toBeNull();
    expect(refused('안녕하세요 👋🏽 e\u0301')).toBeNull();
    expect(history.list(bob).messages).toHaveLength(3);
    // Incoming text is held to the same rules.
    expect(() => history.append(bob, { id: newId(), direction: 'in', text: '\uD800', sentAt: 1 })).toThrow(/damaged character/);
  });

  it('judges text as String#isWellFormed does', () => {
    const samples = ['plain', '😀', '\uD83D', '\uDE00', 'a\uD83D\uDE00b', '\uD83D\uD83D\uDE00', '\uFFFF', '\u0000'];
    for (const text of samples) {
      const wellFormed = (text as unknown as { isWellFormed(): boolean }).isWellFormed();
      let accepted = true;
      try {
        checkChatText(text);
      } catch {
        accepted = false;
      }
      expect(accepted, JSON.stringify(text)).toBe(wellFormed);
    }
  });
});
