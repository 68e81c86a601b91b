/**
 * Links opened from outside Lanline (pure): `lanline://peer/<peer id>`, `tel:` numbers and `sip:`/
 * `sips:` addresses, as the OS hands them over (argv of a second instance on Windows and Linux,
 * `open-url` on macOS). Anything else is refused with a reason; nothing here is trusted.
 */
import type { DeepLink } from '../contract.js';
import { parsePeerId } from './identity/peer-id.js';

export type LinkResult = { ok: true; link: DeepLink } | { ok: false; reason: string };

export const LINK_SCHEMES = ['lanline', 'tel', 'sip', 'sips'] as const;
const MAX_LINK = 2_048;

const refuse = (reason: string): LinkResult => ({ ok: false, reason });

function decode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** `tel:` (RFC 3966): visual separators dropped, parameters after ';' ignored; + only in front. */
function telNumber(body: string): LinkResult {
  const decoded = decode(body.split(';')[0] ?? '');
  if (decoded === null) return refuse('The phone number is not properly encoded.');
  const number = decoded.replace(/[\s.\-()]/g, '');
  if (!/^\+?[0-9*#]{1,32}$/.test(number)) return refuse('A tel: link must hold a phone number: digits, * and #, with + only in front (at most 32).');
  return { ok: true, link: { kind: 'tel', number } };
}

const SIP_USER = /^[A-Za-z0-9\-_.!~*'()&=+$,;?/%]{1,128}$/;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]{2,45}\])$/;

/** `sip:user@host[:port]` (RFC 3261), parameters and headers dropped; the host lower-cased. */
function sipUri(scheme: 'sip' | 'sips', body: string): LinkResult {
  const address = body.split(/[;?]/)[0] ?? '';
  const at = address.lastIndexOf('@');
  const user = at >= 0 ? address.slice(0, at) : '';
  const hostPort = at >= 0 ? address.slice(at + 1) : address;
  if (at >= 0 && (!SIP_USER.test(user) || decode(user) === null || /[\u0000-\u001f\u007f]/.test(decode(user) ?? ''))) return refuse('The user part of the SIP address has characters SIP does not allow.');
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(hostPort);
  if (!match || !HOST.test(match[1]!)) return refuse('A sip: link must name a host, as in sip:alice@example.org.');
  const port = match[2] === undefined ? null : Number(match[2]);
  if (port !== null && (port < 1 || port > 65535)) return refuse('The SIP port must be between 1 and 65535.');
  const uri = `${scheme}:${user ? `${user}@` : ''}${match[1]!.toLowerCase()}${port !== null ? `:${port}` : ''}`;
  return { ok: true, link: { kind: 'sip', uri } };
}

export function parseLink(raw: string): LinkResult {
  if (typeof raw !== 'string' || raw.length === 0) return refuse('The link is empty.');
  if (raw.length > MAX_LINK) return refuse('The link is too long.');
  if (/[\u0000-\u0020\u007f]/.test(raw.trim())) return refuse('The link contains spaces or control characters.');
  const text = raw.trim();
  const colon = text.indexOf(':');
  const scheme = colon > 0 ? text.slice(0, colon).toLowerCase() : '';
  const body = text.slice(colon + 1);
  if (scheme === 'tel') return telNumber(body);
  if (scheme === 'sip' || scheme === 'sips') return sipUri(scheme, body);
  if (scheme !== 'lanline') return refuse(`Lanline opens lanline:, tel: and sip: links, not ${scheme ? `${scheme}:` : 'this'}.`);
  const match = /^\/\/peer\/([^/?#]+)\/?$/i.exec(body);
  if (!match) return refuse('A Lanline link looks like lanline://peer/<peer id>.');
  const id = decode(match[1]!);
  if (id === null) return refuse('The peer id in the link is not properly encoded.');
  try {
    return { ok: true, link: { kind: 'peer', peerId: parsePeerId(id) } };
  } catch (error) {
    return refuse((error as Error).message);
  }
}

/**
 * The link in a second instance's command line (Windows, Linux): the OS passes it as an argument;
 * Chromium's own switches and the executable's path are skipped. The first link argument wins.
 */
export function linkFromArgv(argv: readonly string[]): string | null {
  for (const argument of argv.slice(1)) {
    if (argument.startsWith('-')) continue;
    const scheme = /^([a-z]+):/i.exec(argument)?.[1]?.toLowerCase();
    if (scheme && (LINK_SCHEMES as readonly string[]).includes(scheme)) return argument;
  }
  return null;
}

/** At most this many links are held for a renderer that is not ready yet; older ones are dropped. */
export const MAX_HELD_LINKS = 8;

/**
 * Where opened links wait for the renderer. A link can arrive before the page has subscribed to
 * `openLink` (the app was started by the link: it is in the first instance's own argv, or macOS's
 * `open-url` fires before the window loaded), and an event sent then is lost. So links are held
 * until the renderer says it listens (the `rendererReady` request, sent once its stores subscribed),
 * and held again from the moment its page starts loading anew (a reload, a crash) until it says so
 * again. A link that does not parse is refused with a log line and never reaches the renderer.
 */
export class LinkInbox {
  private ready = false;
  private readonly held: DeepLink[] = [];
  private readonly readyListeners = new Set<() => void>();

  constructor(
    private readonly deliver: (link: DeepLink) => void,
    private readonly refused: (reason: string) => void,
  ) {}

  /** A raw link from the OS (argv, open-url, a second instance). True when it parsed. */
  receive(raw: string): boolean {
    const parsed = parseLink(raw);
    if (!parsed.ok) {
      this.refused(parsed.reason);
      return false;
    }
    if (this.ready) this.deliver(parsed.link);
    else {
      this.held.push(parsed.link);
      if (this.held.length > MAX_HELD_LINKS) this.held.shift();
    }
    return true;
  }

  /** The renderer subscribed: everything held is delivered, in the order it arrived. */
  rendererReady(): void {
    this.ready = true;
    for (const link of this.held.splice(0)) this.deliver(link);
    for (const listener of this.readyListeners) listener();
    this.readyListeners.clear();
  }

  /** Resolves once the renderer is (or already was) ready: a request has crossed the bridge. */
  whenReady(): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve) => this.readyListeners.add(resolve));
  }

  /** The page is loading again (reload, crash): hold links until it says it is ready. */
  rendererGone(): void {
    this.ready = false;
  }

  get waiting(): number {
    return this.held.length;
  }
}
