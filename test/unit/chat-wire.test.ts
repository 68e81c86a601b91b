/**
 * The renderer's side of chat without a browser: the message text checks (which must agree with
 * core's), links in a message, and the wire protocol of rtc/chat.ts over stand-in data links.
 */
import { describe, expect, it } from 'vitest';
import { CHAT_TEXT_LIMIT as CORE_LIMIT, checkChatText } from '../../electron/core/chat/history.js';
import { Chat, newMessageId, parseChatMessage, type ChatLink, type ChatLinks } from '../../renderer/src/rtc/chat.js';
import { CHAT_TEXT_LIMIT, chatTextProblem, linkify } from '../../renderer/src/rtc/chat-text.js';

describe('chat text in the renderer', () => {
  it('agrees with core on what can be sent', () => {
    expect(CHAT_TEXT_LIMIT).toBe(CORE_LIMIT);
    const samples = ['hi', ' ', '', '\uD83D', 'ok \uDE00', '😀'.repeat(CHAT_TEXT_LIMIT), '😀'.repeat(CHAT_TEXT_LIMIT) + 'x', 'x'.repeat(CHAT_TEXT_LIMIT + 1), 'x'.repeat(CHAT_TEXT_LIMIT)];
    for (const text of samples) {
      let coreAccepts = true;
      try {
        checkChatText(text);
      } catch {
        coreAccepts = false;
      }
      expect(chatTextProblem(text) === null, `${text.slice(0, 12)}… (${text.length})`).toBe(coreAccepts);
    }
    expect(chatTextProblem('x'.repeat(12_345))).toEqual({ problem: 'too-long', length: 12_345 });
    expect(chatTextProblem('😀'.repeat(10_001))).toEqual({ problem: 'too-long', length: 10_001 });
    expect(chatTextProblem('\n\t ')).toEqual({ problem: 'empty' });
    expect(chatTextProblem('a\uD800b')).toEqual({ problem: 'malformed' });
  });

  it('finds web and e-mail links, leaving out the punctuation around them', () => {
    expect(linkify('see https://example.com/a?b=1.')).toEqual([{ text: 'see ' }, { url: 'https://example.com/a?b=1' }, { text: '.' }]);
    expect(linkify('(docs at http://host:8080/x_(y))')).toEqual([{ text: '(docs at ' }, { url: 'http://host:8080/x_(y)' }, { text: ')' }]);
    expect(linkify('mail MAILTO:ana@example.com, or HTTPS://EXAMPLE.COM!')).toEqual([
      { text: 'mail ' },
      { url: 'MAILTO:ana@example.com' },
      { text: ', or ' },
      { url: 'HTTPS://EXAMPLE.COM' },
      { text: '!' },
    ]);
    expect(linkify('two\nhttps://a.example\nhttps://b.example')).toEqual([{ text: 'two\n' }, { url: 'https://a.example' }, { text: '\n' }, { url: 'https://b.example' }]);
  });

  it('makes no link of other schemes or of a bare scheme', () => {
    for (const text of ['javascript:alert(1)', 'file:///etc/passwd', 'data:text/html,x', 'ftp://example.com', 'http:// spaced', 'xhttps://example.com']) {
      expect(linkify(text), text).toEqual([{ text }]);
    }
    expect(linkify('')).toEqual([]);
    expect(linkify('no links here')).toEqual([{ text: 'no links here' }]);
  });
});

describe('chat wire messages', () => {
  it('makes 128-bit base64url ids', () => {
    const ids = new Set(Array.from({ length: 200 }, newMessageId));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('accepts only chat messages of the documented shape', () => {
    const id = newMessageId();
    expect(parseChatMessage({ t: 'chat', id, text: 'hi', sentAt: 5, extra: true })).toEqual({ id, text: 'hi', sentAt: 5 });
    for (const bad of [
      { t: 'chat', id: 'short', text: 'hi', sentAt: 5 },
      { t: 'chat', id: `${id}/..`, text: 'hi', sentAt: 5 },
      { t: 'chat', id, text: 42, sentAt: 5 },
      { t: 'chat', id, text: 'x'.repeat(40_001), sentAt: 5 },
      { t: 'chat', id, text: 'hi', sentAt: -1 },
      { t: 'chat', id, text: 'hi', sentAt: 1.5 },
      { t: 'chat', id, text: 'hi' },
      { t: 'chat-ack', id, text: 'hi', sentAt: 5 },
    ]) {
      expect(parseChatMessage(bad), JSON.stringify(bad).slice(0, 80)).toBeNull();
    }
  });
});

/** A pair of stand-in links joined back to back: what one side sends, the other receives. */
class FakeLink implements ChatLink {
  isOpen = false;
  readonly opened: Promise<void>;
  other: FakeLink | null = null;
  readonly sent: Array<{ t: string } & Record<string, unknown>> = [];
  private open!: () => void;
  private readonly listeners = new Set<(message: { t: string } & Record<string, unknown>) => void>();
  private readonly closeListeners = new Set<() => void>();

  constructor(readonly peerId: string) {
    this.opened = new Promise((resolve) => (this.open = resolve));
  }

  markOpen(): void {
    this.isOpen = true;
    this.open();
  }

  sendControl(message: { t: string } & Record<string, unknown>): void {
    if (!this.isOpen) throw new Error('closed');
    this.sent.push(message);
    const other = this.other;
    queueMicrotask(() => other?.isOpen && other.listeners.forEach((listener) => listener(JSON.parse(JSON.stringify(message)))));
  }

  onControl(listener: (message: { t: string } & Record<string, unknown>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(): void {
    this.isOpen = false;
    this.closeListeners.forEach((listener) => listener());
  }
}

class FakeLinks implements ChatLinks {
  link: FakeLink | null = null;
  reachable = true;
  private readonly listeners = new Set<(link: ChatLink) => void>();

  constructor(readonly peerId: string) {}

  add(link: FakeLink): void {
    this.link = link;
    this.listeners.forEach((listener) => listener(link));
  }

  async get(peerId: string): Promise<ChatLink> {
    if (!this.reachable) throw new Error('not reachable');
    if (this.link?.isOpen) return this.link;
    const link = new FakeLink(peerId);
    this.add(link);
    await link.opened;
    return link;
  }

  current(): ChatLink | null {
    return this.link?.isOpen ? this.link : null;
  }

  onLink(listener: (link: ChatLink) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Ana and Ben, each with a Chat over stand-in links; `connect` joins a fresh pair of links. */
function pair() {
  const anaLinks = new FakeLinks('BEN');
  const benLinks = new FakeLinks('ANA');
  const anaLog: string[] = [];
  const benStored = new Map<string, string>();
  const ana = new Chat(anaLinks, {
    received: async () => undefined,
    progress: (peerId, id, state) => anaLog.push(`${id} ${state}`),
  });
  const ben = new Chat(benLinks, {
    received: async (peerId, message) => {
      expect(peerId).toBe('ANA');
      benStored.set(message.id, message.text);
    },
    progress: () => undefined,
  });
  const connect = () => {
    const a = new FakeLink('BEN');
    const b = new FakeLink('ANA');
    a.other = b;
    b.other = a;
    anaLinks.add(a);
    benLinks.add(b);
    a.markOpen();
    b.markOpen();
    return { a, b };
  };
  return { ana, ben, anaLinks, benLinks, anaLog, benStored, connect };
}

describe('Chat over data links', () => {
  it('sends, is acknowledged once the receiver stored the message, and forgets it then', async () => {
    const { ana, anaLog, benStored, connect } = pair();
    const { a, b } = connect();
    ana.queue('BEN', { id: 'message-0000000001', text: 'hello', sentAt: 1 });
    await ana.deliver('BEN');
    await settle();
    expect(benStored.get('message-0000000001')).toBe('hello');
    expect(a.sent).toEqual([{ t: 'chat', id: 'message-0000000001', text: 'hello', sentAt: 1 }]);
    expect(b.sent).toEqual([{ t: 'chat-ack', id: 'message-0000000001' }]);
    expect(anaLog).toEqual(['message-0000000001 sent', 'message-0000000001 delivered']);
    expect(ana.hasQueued('BEN')).toBe(false);
  });

  it('reports failed when no link opens, and sends again on the next link, which either side may open', async () => {
    const { ana, anaLinks, anaLog, benStored, connect } = pair();
    anaLinks.reachable = false;
    ana.queue('BEN', { id: 'message-0000000002', text: 'are you there?', sentAt: 2 });
    await ana.deliver('BEN');
    expect(anaLog).toEqual(['message-0000000002 failed']);
    connect();
    await settle();
    expect(benStored.get('message-0000000002')).toBe('are you there?');
    expect(anaLog.slice(1)).toEqual(['message-0000000002 sent', 'message-0000000002 delivered']);
  });

  it('sends again what was in flight when a link closed, and the receiver acknowledges the repeat', async () => {
    const { ana, anaLog, benStored, connect } = pair();
    const first = connect();
    first.b.isOpen = false; // Ben's end dies before the message arrives: no ack
    ana.queue('BEN', { id: 'message-0000000003', text: 'lost in flight', sentAt: 3 });
    await ana.deliver('BEN');
    await settle();
    expect(benStored.size).toBe(0);
    first.a.close();
    expect(anaLog).toEqual(['message-0000000003 sent', 'message-0000000003 failed']);
    const second = connect();
    await settle();
    expect(second.a.sent).toEqual([{ t: 'chat', id: 'message-0000000003', text: 'lost in flight', sentAt: 3 }]);
    expect(benStored.get('message-0000000003')).toBe('lost in flight');
    expect(anaLog.at(-1)).toBe('message-0000000003 delivered');
  });

  it('tries again while the peer is reachable but no link opens, and stops once one does', async () => {
    const anaLinks = new FakeLinks('BEN');
    const log: string[] = [];
    let attempts = 0;
    const get = anaLinks.get.bind(anaLinks);
    anaLinks.get = async (peerId) => {
      attempts += 1;
      if (attempts < 3) throw new Error('the page did not answer');
      const link = await get(peerId);
      return link;
    };
    const ana = new Chat(anaLinks, { received: async () => undefined, progress: (_peer, id, state) => log.push(`${id} ${state}`) }, { reachable: () => true, retryBaseMs: 5 });
    ana.queue('BEN', { id: 'message-0000000006', text: 'retry', sentAt: 6 });
    const opened = new Promise<FakeLink>((resolve) => anaLinks.onLink((link) => resolve(link as FakeLink)));
    await ana.deliver('BEN');
    const link = await opened;
    link.markOpen();
    await settle();
    expect(attempts).toBe(3);
    expect(log).toEqual(['message-0000000006 failed', 'message-0000000006 failed', 'message-0000000006 sent']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(attempts).toBe(3);
  });

  it('does not try again while the peer is away', async () => {
    const anaLinks = new FakeLinks('BEN');
    anaLinks.reachable = false;
    let tries = 0;
    const get = anaLinks.get.bind(anaLinks);
    anaLinks.get = (peerId) => {
      tries += 1;
      return get(peerId);
    };
    const ana = new Chat(anaLinks, { received: async () => undefined, progress: () => undefined }, { reachable: () => false, retryBaseMs: 5 });
    ana.queue('BEN', { id: 'message-0000000007', text: 'later', sentAt: 7 });
    await ana.deliver('BEN');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(tries).toBe(1);
  });

  it('writes a message to a link once, however often delivery is asked for', async () => {
    const { ana, connect } = pair();
    const { a } = connect();
    a.other = null; // no acks come back
    ana.queue('BEN', { id: 'message-0000000004', text: 'once', sentAt: 4 });
    ana.queue('BEN', { id: 'message-0000000004', text: 'once', sentAt: 4 });
    await Promise.all([ana.deliver('BEN'), ana.deliver('BEN')]);
    await ana.deliver('BEN');
    expect(a.sent).toHaveLength(1);
  });

  it('sends no ack for a message the receiver could not keep, and ignores malformed ones', async () => {
    const links = new FakeLinks('ANA');
    const refused: string[] = [];
    new Chat(links, {
      received: async (_peerId, message) => {
        refused.push(message.id);
        throw new Error('too long');
      },
      progress: () => undefined,
    });
    const link = new FakeLink('ANA');
    const peer = new FakeLink('BEN');
    link.other = peer;
    peer.other = link;
    links.add(link);
    link.markOpen();
    peer.markOpen();
    const warn = console.warn;
    console.warn = () => undefined;
    try {
      peer.sendControl({ t: 'chat', id: 'message-0000000005', text: 'x', sentAt: 5 });
      peer.sendControl({ t: 'chat', id: '../../x', text: 'x', sentAt: 5 });
      await settle();
    } finally {
      console.warn = warn;
    }
    expect(refused).toEqual(['message-0000000005']);
    expect(link.sent).toEqual([]);
  });
});
