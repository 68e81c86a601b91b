/**
 * DNS rebinding against the host: a web page whose own name (here `rebind.example`) its DNS server
 * now resolves to 127.0.0.1 reaches the host's socket as a same-origin page of that name. Its
 * requests carry `Host: rebind.example:<port>` and, if it somehow held the token, its own Origin.
 * The requests are crafted with node's http client (a browser cannot be made to send another Host),
 * against a real host started as a person would.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHost, type RunningHost } from '../support/host.js';

let host: RunningHost;
let port: number;
beforeAll(async () => {
  host = await startHost({ name: 'Rebind' });
  port = Number(new URL(host.origin).port);
});
afterAll(async () => {
  await host?.stop();
});

function get(path: string, hostHeader: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, path, headers: { Host: hostHeader } }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** An HTTP/1.0 request with no Host header at all, written by hand; resolves to the whole answer. */
function withoutHost(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(`GET ${path} HTTP/1.0\r\n\r\n`));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

/** Opens the bridge with the real token and the given Host and Origin; resolves to the HTTP status. */
function upgrade(hostHeader: string, origin?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/bridge?token=${host.token}`, { headers: { Host: hostHeader, ...(origin && { Origin: origin }) } });
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.once('error', reject);
  });
}

describe('the host answers only to its own name (DNS rebinding gets nothing)', () => {
  it('serves the page to 127.0.0.1:<port> and localhost:<port>, and nothing to another Host', async () => {
    const own = await get('/', `127.0.0.1:${port}`);
    expect(own.status).toBe(200);
    expect(own.body).toContain('<div id="app">');
    expect((await get('/', `localhost:${port}`)).status).toBe(200);
    expect((await get('/', `LOCALHOST:${port}`)).status).toBe(200);

    const refused: string[] = [];
    for (const name of [`rebind.example:${port}`, 'rebind.example', `127.0.0.1:${port + 1}`, `127.0.0.1`, `localhost.rebind.example:${port}`, `[::1]:${port}`]) {
      const answer = await get('/', name);
      refused.push(`${JSON.stringify(name)} -> ${answer.status}`);
      expect(answer.status, name).toBe(403);
      expect(answer.body).not.toContain('<div id="app">');
    }
    // A script or the bridge's path fares no better than the page, nor a request with no Host at all.
    expect((await get('/bridge', `rebind.example:${port}`)).status).toBe(403);
    const bare = await withoutHost('/');
    expect(bare).toMatch(/^HTTP\/1\.1 403 /);
    expect(bare).not.toContain('<div id="app">');
    console.log(`Host headers refused: ${refused.join(', ')}`);
  });

  it('opens the bridge only for its own Host, even with the right token and an Origin matching the Host', async () => {
    expect(await upgrade(`127.0.0.1:${port}`, host.origin)).toBe(101);
    expect(await upgrade(`localhost:${port}`, `http://localhost:${port}`)).toBe(101);
    expect(await upgrade(`rebind.example:${port}`, `http://rebind.example:${port}`)).toBe(403);
    expect(await upgrade(`rebind.example:${port}`)).toBe(403);
    expect(await upgrade(`127.0.0.1:${port}`, `http://rebind.example:${port}`)).toBe(403);
  });
});
