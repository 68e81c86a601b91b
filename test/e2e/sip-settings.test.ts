/**
 * A ws:// SIP gateway is unencrypted: Settings says so and asks for an explicit confirmation, and
 * until the user gives it nothing connects there, so the account's sign-in is never sent over it
 * silently (issue 14 §7). The "gateway" is a plain WebSocket server on loopback that only counts the
 * connections it gets (a stand-in at the edge of the test: no SIP is spoken).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { closeAll, launchInstance } from '../support/instances.js';

afterEach(closeAll);

describe('SIP over an unencrypted WebSocket', () => {
  it('needs the user to confirm the connection is unencrypted, and connects only after that', { timeout: 90_000 }, async () => {
    const gateway = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'sip' });
    const connections: string[] = [];
    gateway.on('connection', (socket, request) => {
      connections.push(String(request.headers['sec-websocket-protocol']));
      socket.close();
    });
    await new Promise((resolve) => gateway.once('listening', resolve));
    const wsUrl = `ws://127.0.0.1:${(gateway.address() as { port: number }).port}`;
    try {
      const app = await launchInstance({ name: 'Alice' });
      await app.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings' }).click();
      const form = app.page.getByRole('form', { name: 'Phone calls (SIP account)' });
      await form.getByLabel('Use this SIP account').check();
      await form.getByLabel('SIP address').fill('sip:alice@lab.example');
      await form.getByLabel('Password', { exact: true }).fill('secret');
      await form.getByLabel('WebSocket server').fill('wss://sip.example.org:8443');
      await expect(form.getByLabel('Use this unencrypted connection anyway').count()).resolves.toBe(0);
      await form.getByLabel('WebSocket server').fill(wsUrl);
      await form.getByText('This server address starts with ws://, so the connection is not encrypted').waitFor();

      await form.getByRole('button', { name: 'Save SIP account' }).click();
      await form.getByRole('alert').filter({ hasText: `The gateway ${wsUrl} is not encrypted (ws://): anyone on the network could read the sign-in` }).waitFor();
      // The account was not saved, so nothing connected and the password went nowhere.
      await form.getByText('No SIP account in use.').waitFor();
      expect(connections).toEqual([]);

      // Confirmed: saved, the page reloads once for its Content-Security-Policy, and the phone connects.
      await form.getByLabel('Use this unencrypted connection anyway').check();
      const reloaded = app.page.waitForEvent('load', { timeout: 15_000 });
      await form.getByRole('button', { name: 'Save SIP account' }).click();
      await reloaded;
      await expect.poll(() => connections.length, { timeout: 30_000 }).toBeGreaterThan(0);
      expect(connections[0]).toBe('sip');
      expect(app.app.errors).toEqual([]);
    } finally {
      gateway.close();
    }
  });

  it('asks in Korean too', { timeout: 60_000 }, async () => {
    const app = await launchInstance({ name: 'Minji', lang: 'ko' });
    await app.page.getByRole('navigation').getByRole('button', { name: '설정' }).click();
    const form = app.page.getByRole('form', { name: '전화 통화 (SIP 계정)' });
    await form.getByLabel('WebSocket 서버').fill('ws://127.0.0.1:9');
    await form.getByText('이 서버 주소는 ws://로 시작하므로 연결이 암호화되지 않습니다.').waitFor();
    await form.getByLabel('암호화되지 않은 연결을 그래도 사용').waitFor();
  });
});
