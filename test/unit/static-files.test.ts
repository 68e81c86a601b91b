import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, resolveStaticPath, sipConnectSources } from '../../electron/core/static-files.js';

const root = resolve('/srv/renderer');

describe('static file paths', () => {
  it('maps / to index.html and plain paths inside the folder', () => {
    expect(resolveStaticPath(root, '/')).toBe(join(root, 'index.html'));
    expect(resolveStaticPath(root, '/assets/index-1.js?x=1')).toBe(join(root, 'assets', 'index-1.js'));
    expect(resolveStaticPath(root, '/a%20b.css')).toBe(join(root, 'a b.css'));
  });

  it('refuses every way out of the folder', () => {
    for (const path of ['/../secret', '/%2e%2e/secret', '/assets/../../secret', '/..%2fsecret', '/a%5c..%5c..%5csecret', '/a%00.js', '/%E0%A4%A', '/..']) {
      expect(resolveStaticPath(root, path), path).toBeNull();
    }
  });
});

describe('content security policy', () => {
  it('allows no inline script, eval, plugins or framing', () => {
    const csp = contentSecurityPolicy(['ws://127.0.0.1:1234']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("connect-src 'self' ws://127.0.0.1:1234");
  });
});

describe('the SIP server in the Content-Security-Policy', () => {
  it('allows exactly the origin of the configured WebSocket server, and nothing for anything else', () => {
    expect(sipConnectSources('wss://sip.example.org:8443/ws?x=1')).toEqual(['wss://sip.example.org:8443']);
    expect(sipConnectSources('ws://127.0.0.1:8080')).toEqual(['ws://127.0.0.1:8080']);
    expect(sipConnectSources('')).toEqual([]);
    expect(sipConnectSources('https://example.org')).toEqual([]);
    expect(sipConnectSources("ws://a'; script-src *")).toEqual([]);
    expect(contentSecurityPolicy(sipConnectSources('wss://sip.example.org'))).toContain("connect-src 'self' wss://sip.example.org;");
  });
});
