/**
 * Hides and shows a Chromium page for real (document.hidden true), as a window minimised to the
 * tray is, through a raw DevTools client: `Browser.setWindowBounds` with `windowState: 'minimized'`.
 * Playwright cannot do it while attached: it keeps every page it drives visible (its focus
 * emulation). So the test detaches Playwright (test/support/detachable.ts) and uses this client,
 * which evaluates expressions in the page without emulating anything.
 */
import WebSocket from 'ws';

export interface RawPage {
  evaluate<T>(expression: string): Promise<T>;
  setMinimized(minimized: boolean): Promise<void>;
  close(): void;
}

export async function rawPage(devToolsPort: string, urlPrefix: string): Promise<RawPage> {
  const version = (await (await fetch(`http://127.0.0.1:${devToolsPort}/json/version`)).json()) as { webSocketDebuggerUrl: string };
  const socket = new WebSocket(version.webSocketDebuggerUrl);
  await new Promise<void>((resolve, reject) => socket.once('open', () => resolve()).once('error', reject));
  let next = 0;
  const waiting = new Map<number, (message: { result?: Record<string, unknown>; error?: { message: string } }) => void>();
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: Record<string, unknown>; error?: { message: string } };
    if (message.id !== undefined) waiting.get(message.id)?.(message);
  });
  const send = <T>(method: string, params: object = {}, sessionId?: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = ++next;
      waiting.set(id, (message) => {
        waiting.delete(id);
        if (message.error) reject(new Error(`${method}: ${message.error.message}`));
        else resolve(message.result as T);
      });
      socket.send(JSON.stringify({ id, method, params, ...(sessionId && { sessionId }) }));
    });
  const { targetInfos } = await send<{ targetInfos: { targetId: string; type: string; url: string }[] }>('Target.getTargets');
  const target = targetInfos.find((info) => info.type === 'page' && info.url.startsWith(urlPrefix));
  if (!target) throw new Error(`no page at ${urlPrefix}`);
  const { sessionId } = await send<{ sessionId: string }>('Target.attachToTarget', { targetId: target.targetId, flatten: true });
  const { windowId } = await send<{ windowId: number }>('Browser.getWindowForTarget', { targetId: target.targetId });
  return {
    async evaluate<T>(expression: string) {
      const answer = await send<{ result: { value: T }; exceptionDetails?: { text: string } }>('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, sessionId);
      if (answer.exceptionDetails) throw new Error(answer.exceptionDetails.text);
      return answer.result.value;
    },
    setMinimized: (minimized) => send('Browser.setWindowBounds', { windowId, bounds: { windowState: minimized ? 'minimized' : 'normal' } }),
    close: () => socket.close(),
  };
}
