import { describe, expect, it } from 'vitest';
import { lanAddresses, parseAddress } from '../../electron/core/lan/addresses.js';

describe('add by address', () => {
  it('reads host:port, [v6]:port, bare hosts and bare IPv6', () => {
    expect(parseAddress('192.168.1.20:5000')).toEqual({ host: '192.168.1.20', port: 5000 });
    expect(parseAddress(' printer.local ')).toEqual({ host: 'printer.local', port: 47990 });
    expect(parseAddress('[fd00::1]:6000')).toEqual({ host: 'fd00::1', port: 6000 });
    expect(parseAddress('[fe80::1%eth0]:6000')).toEqual({ host: 'fe80::1%eth0', port: 6000 });
    expect(parseAddress('fd00::1')).toEqual({ host: 'fd00::1', port: 47990 });
  });

  it('refuses what is not an address', () => {
    for (const text of ['', 'a b', 'http://x:1', 'host:0', 'host:70000', 'host:port', '../etc', 'x'.repeat(300), '[nope]:1', 'a:b:c']) {
      expect(parseAddress(text), text).toBeNull();
    }
  });
});

describe('LAN addresses', () => {
  it('offers neither loopback nor link-local, IPv4 first', () => {
    const entry = (address: string, family: 'IPv4' | 'IPv6', internal = false) => ({ address, family, internal, netmask: '', mac: '', cidr: null, ...(family === 'IPv6' && { scopeid: 0 }) });
    const found = lanAddresses({
      lo: [entry('127.0.0.1', 'IPv4', true), entry('::1', 'IPv6', true)],
      eth0: [entry('fe80::1', 'IPv6'), entry('fd00::5', 'IPv6'), entry('192.168.1.5', 'IPv4')],
    } as never);
    expect(found).toEqual(['192.168.1.5', 'fd00::5']);
  });
});
