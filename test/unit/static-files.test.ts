import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, resolveStaticPath } from '../../electron/core/static-files.js';

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
