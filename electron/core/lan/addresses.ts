import { isIPv6 } from 'node:net';
import { networkInterfaces } from 'node:os';

/**
 * This machine's addresses that someone else on the LAN could use: not loopback, not IPv6
 * link-local (valid only on one link, and meaningless to a peer on another).
 */
export function lanAddresses(interfaces = networkInterfaces()): string[] {
  const found: string[] = [];
  for (const entries of Object.values(interfaces)) {
    for (const entry of entries ?? []) {
      if (entry.internal) continue;
      if (entry.family === 'IPv6' && /^fe[89ab]/i.test(entry.address)) continue;
      found.push(entry.address);
    }
  }
  // IPv4 first: what people type into "add by address".
  return found.sort((a, b) => Number(a.includes(':')) - Number(b.includes(':')));
}

export const DEFAULT_LAN_PORT = 47990;

/**
 * `host:port`, `[v6]:port`, a bare IPv4 address or host name, or a bare IPv6 address (then the
 * default port). Returns null when the text is none of these.
 */
export function parseAddress(text: string, defaultPort = DEFAULT_LAN_PORT): { host: string; port: number } | null {
  const input = text.trim();
  const bracketed = /^\[([0-9a-fA-F:.]+(?:%[\w.-]+)?)\](?::(\d{1,5}))?$/.exec(input);
  const named = /^([A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(input);
  const v6 = (text: string) => isIPv6(text.replace(/%[\w.-]+$/, ''));
  const bareV6 = /^[0-9a-fA-F:.]+(?:%[\w.-]+)?$/.test(input) && v6(input);
  let host: string;
  let port = defaultPort;
  if (bracketed) {
    host = bracketed[1]!;
    if (!v6(host)) return null;
    if (bracketed[2]) port = Number(bracketed[2]);
  } else if (named) {
    host = named[1]!;
    if (named[2]) port = Number(named[2]);
  } else if (bareV6) {
    host = input;
  } else {
    return null;
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535 || host.length > 253) return null;
  return { host, port };
}
