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

  it('takes bytes as one binary frame after the request that announces them, and refuses any other pairing', async () => {
    const socket = await connect(`?token=${host.token}`);
    const frames: Array<Buffer | string> = [];
    socket.on('message', (data: Buffer, isBinary) => frames.push(isBinary ? data : data.toString()));
    const next = async () => {
      for (let waited = 0; !frames.length && waited < 5000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
      return JSON.parse(String(frames.shift())) as { id: number | null; envelope: { ok: boolean; error?: { code: string; message: string } } };
    };
    const write = (id: number, bytes: number) => JSON.stringify({ type: 'request', id, name: 'writeChunk', payload: { id: 'no-such-transfer', file: 0, offset: 0 }, bytes });

    // Announced and sent: the bytes reach the request (which then fails on the unknown transfer).
    socket.send(write(1, 1000));
    socket.send(Buffer.alloc(1000, 1));
    expect(await next()).toMatchObject({ id: 1, envelope: { ok: false, error: { code: 'not-found' } } });

    // Fewer bytes than announced.
    socket.send(write(2, 1000));
    socket.send(Buffer.alloc(999));
    const short = await next();
    expect(short).toMatchObject({ id: 2, envelope: { ok: false, error: { code: 'invalid' } } });
    expect(short.envelope.error?.message).toMatch(/announced 1000 bytes and 999 came/);

    // A text frame where the bytes should be: the announced request fails, the text one is answered.
    socket.send(write(3, 10));
    socket.send(JSON.stringify({ type: 'request', id: 4, name: 'getAppInfo' }));
    expect(await next()).toMatchObject({ id: 3, envelope: { ok: false, error: { code: 'invalid' } } });
    expect(await next()).toMatchObject({ id: 4, envelope: { ok: true } });

    // Bytes nobody announced, more than a chunk may hold, or a request with bytes but no payload object.
    socket.send(Buffer.alloc(10));
    expect(await next()).toMatchObject({ id: null, envelope: { ok: false, error: { code: 'invalid' } } });
    socket.send(write(5, 9 * 1024 * 1024));
    const tooMany = await next();
    expect(tooMany).toMatchObject({ id: null, envelope: { ok: false, error: { code: 'invalid' } } });
    expect(tooMany.envelope.error?.message).toMatch(/bytes/);
    socket.send(JSON.stringify({ type: 'request', id: 6, name: 'writeChunk', bytes: 4 }));
    expect(await next()).toMatchObject({ id: 6, envelope: { ok: false, error: { code: 'invalid' } } });

    // The connection is still good.
    socket.send(JSON.stringify({ type: 'request', id: 7, name: 'getAppInfo' }));
    expect(await next()).toMatchObject({ id: 7, envelope: { ok: true, value: { name: 'Lanline' } } });
    socket.close();
  });

  it('answers http requests to /bridge with 405 and never reaches the core through them', async () => {
    const response = await fetch(`${host.origin}/bridge`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ type: 'request', id: 0, name: 'getAppInfo' }) });
    expect(response.status).toBe(405);
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
