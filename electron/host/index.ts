/**
 * The Lanline host: the core services in a plain Node process, the contract on a WebSocket and the
 * built renderer over http, both on 127.0.0.1. It is how the renderer runs in any Chromium (tests,
 * benchmarks, development without an Electron binary). Prints exactly one line on stdout when ready:
 *   Lanline host ready: http://127.0.0.1:<port>/#token=<token>
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import { homedir, hostname, networkInterfaces, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCore } from '../core/index.js';
import { createLog, fileSink, stderrSink } from '../core/log.js';
import { JsonFileStore } from '../core/storage.js';
import { leftEverything, onQuit, QUIT_GRACE_MS } from '../core/window-policy.js';
import { contentSecurityPolicy, mimeType, resolveStaticPath, securityHeaders, sipConnectSources } from '../core/static-files.js';
import { Bridge, isLocalHost } from './bridge.js';
import { parseHostOptions, USAGE, type HostOptions } from './options.js';

const rendererRoot = fileURLToPath(new URL('../renderer/', import.meta.url));

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function defaultName(): string {
  try {
    return userInfo().username || hostname();
  } catch {
    return hostname();
  }
}

async function main(options: HostOptions): Promise<void> {
  const log = createLog([fileSink(join(options.dataDir, 'logs', 'host.log')), ...(process.env.LANLINE_LOG_STDERR ? [stderrSink] : [])]);
  const core = createCore({
    openStore: (name) => new JsonFileStore(join(options.dataDir, `${name}.json`), log),
    settingsDefaults: { displayName: options.name ?? defaultName(), language: options.lang ?? 'en', downloadDir: join(homedir(), 'Downloads') },
    info: { version: packageVersion(), runtime: 'host', platform: process.platform },
    log,
    snippetDir: join(options.dataDir, 'snippets'),
    // The page cannot name a path: it uploads the files the user chose into this staging folder.
    uploadDir: join(options.dataDir, 'uploads'),
    // No openExternal: the host cannot reach the user's browser, so the page opens checked links itself.
    chatDir: join(options.dataDir, 'chat'),
    lan: { ...(options.lanPort !== undefined && { port: options.lanPort }), ...lanConfinement(options) },
  });
  // Command-line choices win over what the profile stored.
  if (options.name || options.lang) core.settings.set({ ...(options.name && { displayName: options.name }), ...(options.lang && { language: options.lang }) });

  // Held by core until the page says rendererReady, as the desktop app holds the link it was started with.
  if (options.link && !core.links.receive(options.link)) process.stderr.write(`Lanline host: refused --link ${options.link} (see the log)\n`);

  const token = randomBytes(24).toString('base64url');
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the http server has no port');
  const origin = `http://127.0.0.1:${address.port}`;
  const csp = () => contentSecurityPolicy([`ws://127.0.0.1:${address.port}`, ...sipConnectSources(core.settings.get().sip.wsUrl)]);
  const bridge = new Bridge(core, token, origin);

  server.on('request', (request, response) => {
    if (!isLocalHost(request.headers.host, address.port)) return void send(response, 403, 'this host answers only to 127.0.0.1 or localhost');
    if (request.method !== 'GET' && request.method !== 'HEAD') return void send(response, 405, 'method not allowed');
    const file = resolveStaticPath(rendererRoot, new URL(request.url ?? '/', origin).pathname);
    if (!file) return void send(response, 404, 'not found');
    stat(file).then(
      (info) => {
        if (!info.isFile()) return send(response, 404, 'not found');
        response.writeHead(200, { 'Content-Type': mimeType(file), 'Content-Length': info.size, 'Cache-Control': 'no-cache', ...securityHeaders(csp()) });
        if (request.method === 'HEAD') return void response.end();
        createReadStream(file).pipe(response);
      },
      () => send(response, 404, 'not found'),
    );
  });
  server.on('upgrade', (request, socket, head) => {
    if (!bridge.upgrade(request, socket, head)) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info(`host stopping on ${signal}`);
    // Like the Electron app's quit: the page hangs up its calls and unregisters its SIP account first.
    if (onQuit({ ...core.devices.get(), callsLeft: false }) === 'leave-calls') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, QUIT_GRACE_MS);
        const off = core.events.on('mediaStateChanged', (state) => leftEverything(state) && done());
        function done(): void {
          clearTimeout(timer);
          off();
          resolve();
        }
        core.events.emit('leaveCalls', { reason: 'quit' });
      });
    }
    bridge.close();
    server.closeAllConnections();
    server.close(() => void core.close().then(() => process.exit(0)));
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  await core.start();
  log.info(`host ready on ${origin} with data in ${options.dataDir}`);
  process.stdout.write(`Lanline host ready: ${origin}/#token=${token}\n`);
}

/**
 * `--no-discovery`: no mDNS socket at all. `--lan-interface <name>`: mDNS only on that interface, and
 * the LAN signaling port bound to its IPv4 address. Exits with a sentence when the interface has none.
 */
function lanConfinement(options: HostOptions): Pick<NonNullable<Parameters<typeof createCore>[0]['lan']>, 'discovery' | 'host'> {
  if (!options.discovery) return { discovery: false };
  if (options.lanInterface === undefined) return {};
  const entries = networkInterfaces()[options.lanInterface];
  const v4 = entries?.find((entry) => entry.family === 'IPv4');
  if (!v4) {
    const known = Object.keys(networkInterfaces()).join(', ');
    throw new Error(`--lan-interface ${options.lanInterface}: ${entries ? 'that interface has no IPv4 address' : `no such interface (this machine has ${known})`}`);
  }
  return { discovery: { interface: options.lanInterface }, host: v4.address };
}

function send(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(text);
}

let options: HostOptions;
try {
  options = parseHostOptions(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`Lanline host: ${(error as Error).message}\n${USAGE}\n`);
  process.exit(2);
}
main(options).catch((error: unknown) => {
  process.stderr.write(`Lanline host failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
