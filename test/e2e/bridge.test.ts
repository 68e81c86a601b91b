import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHost, type RunningHost } from '../support/host.js';

let host: RunningHost;
beforeAll(async () => (host = await startHost({ name: 'Bridge' })));
afterAll(async () => {
  // A clean shutdown on SIGTERM: every process gone promptly and the core closed.
  expect(await host.stop()).toBe(true);
  const log = readFileSync(join(host.dataDir, 'logs', 'host.log'), 'utf8');
  expect(log).toMatch(/host stopping on SIGTERM[\s\S]*core closed/);
});

function connect(query: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${host.origin.replace('http', 'ws')}/bridge${query}`, { headers });
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    socket.once('error', reject);
  });
}

function ask(socket: WebSocket, frame: unknown): Promise<{ id: number | null; envelope: { ok: boolean; value?: unknown; error?: { code: string; message: string } } }> {
  return new Promise((resolve) => {
    socket.once('message', (data) => resolve(JSON.parse(data.toString())));
    socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  });
}

describe('the host WebSocket bridge', () => {
  it('refuses a connection without the token, with a wrong token, or from another origin', async () => {
    await expect(connect('')).rejects.toThrow('HTTP 403');
    await expect(connect('?token=wrong')).rejects.toThrow('HTTP 403');
    await expect(connect(`?token=${host.token}`, { Origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
  });

  it('answers a valid request and rejects bad payloads with a code naming the field, and keeps running', async () => {
    const socket = await connect(`?token=${host.token}`, { Origin: host.origin });
    const info = await ask(socket, { type: 'request', id: 1, name: 'getAppInfo' });
    expect(info).toMatchObject({ id: 1, envelope: { ok: true, value: { name: 'Lanline', runtime: 'host' } } });

    const bad = await ask(socket, { type: 'request', id: 2, name: 'setSettings', payload: { lanPort: 'high' } });
    expect(bad.envelope).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(bad.envelope.error?.message).toMatch(/lanPort/);

    const unknownKey = await ask(socket, { type: 'request', id: 3, name: 'setSettings', payload: { evil: true } });
    expect(unknownKey.envelope.error?.code).toBe('invalid');

    const unknownName = await ask(socket, { type: 'request', id: 4, name: 'rmRf', payload: {} });
    expect(unknownName.envelope.error?.code).toBe('unknown-request');

    const garbage = await ask(socket, '{not json');
    expect(garbage).toMatchObject({ id: null, envelope: { ok: false, error: { code: 'invalid' } } });

    const after = await ask(socket, { type: 'request', id: 5, name: 'getSettings' });
    expect(after.envelope).toMatchObject({ ok: true, value: { displayName: 'Bridge' } });
    socket.close();
  });

  it('pushes settingsChanged to every connected renderer', async () => {
    const watcher = await connect(`?token=${host.token}`);
    const changer = await connect(`?token=${host.token}`);
    const event = new Promise<{ type: string; name: string; payload: { displayName: string } }>((resolve) =>
      watcher.on('message', (data) => {
        const frame = JSON.parse(data.toString());
        if (frame.type === 'event') resolve(frame);
      }),
    );
    await ask(changer, { type: 'request', id: 1, name: 'setSettings', payload: { displayName: 'Renamed' } });
    await expect(event).resolves.toMatchObject({ name: 'settingsChanged', payload: { displayName: 'Renamed' } });
    watcher.close();
    changer.close();
  });

  it('answers the same request frames over POST /bridge, with the token in a header', async () => {
    const post = (body: string | Uint8Array, headers: Record<string, string>) => fetch(`${host.origin}/bridge`, { method: 'POST', headers, body: typeof body === 'string' ? body : Buffer.from(body) });
    const request = JSON.stringify({ type: 'request', id: 0, name: 'getAppInfo' });
    expect((await post(request, {})).status).toBe(403);
    expect((await post(request, { 'X-Lanline-Token': 'wrong' })).status).toBe(403);
    expect((await post(request, { 'X-Lanline-Token': host.token, Origin: 'http://evil.example' })).status).toBe(403);
    expect((await fetch(`${host.origin}/bridge?token=${host.token}`)).status).toBe(405);

    const info = await post(request, { 'X-Lanline-Token': host.token, 'Content-Type': 'application/json', Origin: host.origin });
    expect(info.status).toBe(200);
    expect(await info.json()).toMatchObject({ type: 'reply', envelope: { ok: true, value: { name: 'Lanline', runtime: 'host' } } });

    // A binary frame: [u32 header length][JSON header][bytes]; the bytes become the payload's data.
    const header = Buffer.from(JSON.stringify({ type: 'request', id: 0, name: 'writeChunk', payload: { id: 'no-such-transfer', file: 0, offset: 0 } }));
    const frame = Buffer.concat([Buffer.alloc(4), header, Buffer.alloc(1000, 1)]);
    frame.writeUInt32BE(header.length, 0);
    const write = await post(frame, { 'X-Lanline-Token': host.token, 'Content-Type': 'application/octet-stream' });
    expect(await write.json()).toMatchObject({ envelope: { ok: false, error: { code: 'not-found' } } });

    const tooBig = await post(new Uint8Array(9 * 1024 * 1024), { 'X-Lanline-Token': host.token, 'Content-Type': 'application/octet-stream' });
    expect(tooBig.status).toBe(413);
  });

  it('serves nothing outside the renderer folder', async () => {
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/assets/..%5c..%5cpackage.json']) {
      const response = await fetch(`${host.origin}${path}`);
      expect(response.status, path).toBe(404);
    }
    const index = await fetch(`${host.origin}/`);
    expect(index.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
  });
});
