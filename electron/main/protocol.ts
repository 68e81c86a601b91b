import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import { contentSecurityPolicy, mimeType, resolveStaticPath, securityHeaders } from '../core/static-files.js';
import { rendererRoot } from './paths.js';

/** Must run before the app is ready: app:// behaves like https (secure context, fetch, CSP). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }]);
}

/**
 * Serves the built renderer from out/renderer at app://lanline/, with the strict CSP as a header;
 * `connect` names what the page may connect to besides itself (the SIP server), asked per response.
 */
export function serveRenderer(connect: () => string[]): void {
  protocol.handle('app', async (request) => {
    const headers = securityHeaders(contentSecurityPolicy(connect()));
    const url = new URL(request.url);
    const file = url.host === 'lanline' ? resolveStaticPath(rendererRoot(), url.pathname) : null;
    if (!file) return new Response('not found', { status: 404 });
    try {
      return new Response(await readFile(file), { headers: { 'Content-Type': mimeType(file), ...headers } });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });
}
