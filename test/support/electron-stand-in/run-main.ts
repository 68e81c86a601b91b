/**
 * STAND-IN, NOT ELECTRON. Runs the built main bundle (out/main/index.cjs) in a plain Node process with
 * `require('electron')` answered by the stand-in (main.ts); bundled and started by
 * test/support/stand-in-app.ts. It serves what main registered with protocol.handle('app') over http
 * on 127.0.0.1, so a Chromium page can load the renderer from it, and takes that page's IPC on the
 * WebSocket `/ipc` (wire.ts) as the main frame of main's window. The test drives it through Node's
 * child-process channel (`control` messages below). Prints `stand-in main ready: <url>` once main's
 * window has loaded its URL.
 */
import Module from 'node:module';
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { createMainElectron, type StandInWindow } from './main.js';
import { decode, encode } from './wire.js';

const userData = process.env.LANLINE_STAND_IN_DATA!;
const appPath = process.env.LANLINE_STAND_IN_APP!;
const { electron, control } = createMainElectron({ userData, appPath });

const load = (Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown })._load;
(Module as unknown as { _load: typeof load })._load = function (request, ...rest) {
  return request === 'electron' ? electron : load.call(this, request, ...rest);
};

const window = () => control.windows[0] as StandInWindow | undefined;

const server = createServer((request, response) => {
  const handler = control.protocolHandlers.get('app');
  if (!handler) return void response.writeHead(503).end('main registered no app: handler');
  void Promise.resolve(handler(new Request(`app://lanline${request.url}`))).then(async (answer) => {
    response.writeHead(answer.status, Object.fromEntries(answer.headers));
    response.end(Buffer.from(await answer.arrayBuffer()));
  });
});
const sockets = new WebSocketServer({ noServer: true });
server.on('upgrade', (request, socket, head) => {
  const target = window();
  if (request.url !== '/ipc' || !target) return socket.destroy();
  sockets.handleUpgrade(request, socket, head, (page) => {
    target.webContents.deliver = (channel, args) => page.send(encode({ t: 'send', channel, args }));
    page.on('message', (data) => {
      const message = decode(String(data));
      if (message.t === 'loaded') target.pageLoaded();
      if (message.t === 'invoke') void control.invoke(target.webContents, target.webContents.mainFrame, message.channel, message.args).then((reply) => page.send(encode({ t: 'reply', id: message.id, ...reply })));
    });
  });
});

type Control =
  | { op: 'records' }
  | { op: 'dialog'; filePaths: string[] }
  | { op: 'invoke'; channel: string; args: unknown[]; frame: 'main' | 'sub' }
  | { op: 'permission'; permission: string; requestingUrl: string; mediaTypes?: string[] }
  | { op: 'quit' };

async function answer(message: Control): Promise<unknown> {
  const target = window();
  switch (message.op) {
    case 'records':
      return control.records;
    case 'dialog':
      control.dialogAnswers.push(message.filePaths);
      return null;
    case 'invoke': {
      if (!target) throw new Error('main opened no window');
      const frame = message.frame === 'main' ? target.webContents.mainFrame : control.subframe(target, target.webContents.mainFrame.url);
      return control.invoke(target.webContents, frame, message.channel, message.args);
    }
    case 'permission': {
      const handler = control.permissionHandlers.request;
      if (!handler) throw new Error('main set no permission request handler');
      return new Promise((resolve) => handler(target?.webContents, message.permission, resolve, { requestingUrl: message.requestingUrl, mediaTypes: message.mediaTypes }));
    }
    case 'quit':
      electron.app.quit();
      return null;
  }
}

process.on('message', (message: { id: number } & Control) => {
  answer(message).then(
    (value) => process.send?.({ id: message.id, value }),
    (error: unknown) => process.send?.({ id: message.id, error: String(error) }),
  );
});
process.on('SIGTERM', () => electron.app.quit());

control.recorded.on('record', (entry: { api: string; detail?: { url?: string } }) => {
  if (entry.api !== 'BrowserWindow.loadURL') return;
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    console.log(`stand-in main ready: http://127.0.0.1:${port}${new URL(entry.detail!.url!).pathname}`);
  });
});
void control.exited.then((code) => {
  sockets.close();
  server.close();
  server.closeAllConnections();
  process.exitCode = code;
  process.disconnect?.();
  // What main left running (sockets or timers it failed to close) would keep the process alive: say so.
  setTimeout(() => {
    console.error(`stand-in main: still busy 5 s after main quit: ${process.getActiveResourcesInfo().join(', ')}`);
    process.exit(code || 1);
  }, 5000).unref();
});

require(process.env.LANLINE_MAIN_BUNDLE!);
setImmediate(() => control.becomeReady());
