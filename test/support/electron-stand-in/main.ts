/**
 * STAND-IN, NOT ELECTRON. The main-process half of a stand-in `electron` module, for running the
 * built main bundle (out/main/index.cjs) and its storage module under plain Node where no Electron
 * binary exists. Each API is what Lanline's main uses, with the rules Electron's docs and spec tests
 * state (each names its source), and a recorder of what main asked for (protocol handlers, permission
 * handlers, Tray/Menu, Notification, globalShortcut, safeStorage, app events) that tests read.
 * Passing against it shows our main keeps these rules; it does not show that Electron works.
 *
 * Sources: docs/api/{app,browser-window,web-contents,web-frame-main,ipc-main,protocol,session,tray,
 * menu,notification,global-shortcut,safe-storage,screen,dialog,shell}.md, spec/api-ipc-spec.ts,
 * spec/api-web-frame-main-spec.ts, lib/browser/api/web-contents.ts (invoke replies).
 */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ipcClone, type RendererWire } from './renderer.js';

/** One thing main asked Electron for, as plain data (tests read it, the harness prints it). */
export interface StandInRecord {
  api: string;
  detail?: unknown;
}

export interface MainStandInOptions {
  userData: string;
  appPath: string;
  version?: string;
  locale?: string;
  /** Notification.isSupported(); true unless a test says otherwise. */
  notificationsSupported?: boolean;
}

/** An event main may cancel (before-quit, will-quit, close, will-navigate…). */
function cancellable() {
  return {
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
  };
}

type InvokeReply = { result: unknown } | { error: string };
type Handler = (event: unknown, ...args: unknown[]) => unknown;

export function createMainElectron(options: MainStandInOptions) {
  const records: StandInRecord[] = [];
  const recorded = new EventEmitter();
  const record = (api: string, detail?: unknown) => {
    const entry = { api, ...(detail !== undefined && { detail }) };
    records.push(entry);
    recorded.emit('record', entry);
  };
  let ready = false;
  /** docs: screen, globalShortcut, and Tray "can not be used before the ready event of the app module is emitted". */
  const needsReady = (api: string) => {
    if (!ready) throw new Error(`${api} cannot be used before the app is ready (stand-in rule from docs/api)`);
  };

  // --- app (docs/api/app.md) ---
  const knownPaths = ['home', 'appData', 'userData', 'sessionData', 'temp', 'exe', 'module', 'desktop', 'documents', 'downloads', 'music', 'pictures', 'videos', 'recent', 'logs', 'crashDumps'];
  let readyResolve!: () => void;
  const whenReady = new Promise<void>((resolve) => (readyResolve = resolve));
  let exitResolve!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (exitResolve = resolve));
  const app = Object.assign(new EventEmitter(), {
    isPackaged: false,
    commandLine: { appendSwitch: (name: string, value?: string) => record('app.commandLine.appendSwitch', { name, value }) },
    whenReady: () => whenReady,
    isReady: () => ready,
    getPath(name: string) {
      // docs: "A Error is thrown if the path is not found" for names outside the list.
      if (!knownPaths.includes(name)) throw new Error(`Failed to get '${name}' path`);
      return name === 'userData' ? options.userData : join(options.userData, name);
    },
    getAppPath: () => options.appPath,
    getVersion: () => options.version ?? '0.0.0-stand-in',
    getName: () => 'Lanline',
    getLocale: () => options.locale ?? 'en-US',
    requestSingleInstanceLock: () => (record('app.requestSingleInstanceLock'), true),
    setAsDefaultProtocolClient: (scheme: string) => (record('app.setAsDefaultProtocolClient', { scheme }), true),
    // docs/api/app.md: isDefaultProtocolClient / removeAsDefaultProtocolClient answer booleans; this
    // stand-in's OS has no handler registered until setAsDefaultProtocolClient records one.
    isDefaultProtocolClient: (scheme: string) => records.some((entry) => entry.api === 'app.setAsDefaultProtocolClient' && (entry.detail as { scheme?: string } | undefined)?.scheme === scheme),
    removeAsDefaultProtocolClient: (scheme: string) => (record('app.removeAsDefaultProtocolClient', { scheme }), true),
    getLoginItemSettings: () => ({ openAtLogin: false, openAsHidden: false, wasOpenedAtLogin: false, wasOpenedAsHidden: false }),
    setLoginItemSettings: (settings: unknown) => record('app.setLoginItemSettings', settings),
    setAppUserModelId: (id: string) => record('app.setAppUserModelId', { id }),
    /**
     * docs: before-quit "Emitted before the application starts closing its windows", will-quit "Emitted
     * when all windows have been closed and the application will quit"; preventDefault on either stops it.
     */
    quit() {
      record('app.quit');
      const before = cancellable();
      app.emit('before-quit', before);
      if (before.defaultPrevented) return;
      for (const window of [...windows]) {
        window.close();
        if (!window.isDestroyed()) return;
      }
      const will = cancellable();
      app.emit('will-quit', will);
      if (will.defaultPrevented) return;
      app.emit('quit', cancellable(), 0);
      exitResolve(0);
    },
    exit: (code = 0) => exitResolve(code),
  });

  // Which app events main listens to (docs/api/app.md), in the order it subscribed.
  app.on('newListener', (event: string | symbol) => event !== 'newListener' && record('app.on', { event: String(event) }));

  // --- webFrameMain and webContents (docs/api/web-frame-main.md, web-contents.md) ---
  let nextId = 1;
  class WebFrameMain {
    url = '';
    readonly frames: WebFrameMain[] = [];
    readonly routingId = nextId++;
    readonly processId = 1;
    readonly frameToken = `stand-in-frame-${this.routingId}`;
    readonly detached = false;
    constructor(readonly parent: WebFrameMain | null) {
      parent?.frames.push(this);
    }
    /** spec/api-web-frame-main-spec.ts "can access top frame": top is the same object. */
    get top(): WebFrameMain {
      return this.parent ? this.parent.top : this;
    }
  }

  class WebContents extends EventEmitter {
    readonly id = nextId++;
    /** spec/api-web-frame-main-spec.ts "persists through cross-origin navigation": one object for the window's life. */
    readonly mainFrame = new WebFrameMain(null);
    readonly session = defaultSession;
    destroyed = false;
    /** Where `send` delivers: the page's wire, once one is attached. */
    deliver: ((channel: string, args: unknown[]) => void) | null = null;
    getURL = () => this.mainFrame.url;
    isDestroyed = () => this.destroyed;
    setWindowOpenHandler = (handler: () => unknown) => record('webContents.setWindowOpenHandler', { answer: handler() });
    /** docs: "Arguments will be serialized with the Structured Clone Algorithm … Sending Functions … will throw". */
    send(channel: string, ...args: unknown[]) {
      const cloned = ipcClone(args);
      this.deliver?.(channel, cloned);
    }
  }

  // --- BrowserWindow (docs/api/browser-window.md) ---
  const windows: BrowserWindow[] = [];
  class BrowserWindow extends EventEmitter {
    static getAllWindows = () => [...windows];
    readonly id = nextId++;
    readonly webContents = new WebContents();
    private visible = false;
    private destroyed = false;
    private maximized = false;
    private bounds: { x: number; y: number; width: number; height: number };
    constructor(readonly options: Record<string, unknown> = {}) {
      super();
      this.bounds = { x: Number(options.x ?? 0), y: Number(options.y ?? 0), width: Number(options.width ?? 800), height: Number(options.height ?? 600) };
      windows.push(this);
      record('new BrowserWindow', JSON.parse(JSON.stringify(options)));
      this.visible = options.show !== false;
      app.emit('browser-window-created', cancellable(), this);
    }
    loadURL(url: string) {
      record('BrowserWindow.loadURL', { url });
      this.webContents.mainFrame.url = url;
      return Promise.resolve();
    }
    show = () => {
      this.visible = true;
      this.emit('show');
    };
    hide = () => {
      this.visible = false;
      this.emit('hide');
    };
    isVisible = () => this.visible;
    focus = () => undefined;
    isFocused = () => this.visible;
    isMinimized = () => false;
    restore = () => undefined;
    maximize = () => (this.maximized = true);
    isMaximized = () => this.maximized;
    getNormalBounds = () => ({ ...this.bounds });
    setContentProtection = (on: boolean) => record('BrowserWindow.setContentProtection', { on });
    isDestroyed = () => this.destroyed;
    /** docs: close "Try to close the window … the web page may cancel the close" (the 'close' event). */
    close() {
      const event = cancellable();
      this.emit('close', event);
      if (event.defaultPrevented) return;
      this.destroy();
    }
    destroy() {
      if (this.destroyed) return;
      this.destroyed = true;
      this.webContents.destroyed = true;
      windows.splice(windows.indexOf(this), 1);
      this.emit('closed');
      if (windows.length === 0) app.emit('window-all-closed');
    }
    /** The harness's page finished loading (docs: ready-to-show, did-finish-load). */
    pageLoaded() {
      this.webContents.emit('dom-ready');
      this.webContents.emit('did-finish-load');
      this.emit('ready-to-show');
    }
  }

  // --- ipcMain (docs/api/ipc-main.md, spec/api-ipc-spec.ts) ---
  const handlers = new Map<string, Handler>();
  const ipcMain = Object.assign(new EventEmitter(), {
    handle(channel: string, handler: Handler) {
      // spec "forbids multiple handlers"
      if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      handlers.set(channel, handler);
    },
    handleOnce(channel: string, handler: Handler) {
      ipcMain.handle(channel, (event, ...args) => {
        handlers.delete(channel);
        return handler(event, ...args);
      });
    },
    removeHandler: (channel: string) => void handlers.delete(channel),
  });

  /**
   * A renderer's invoke arriving in main: the handler gets an IpcMainInvokeEvent whose sender is the
   * window's webContents and whose senderFrame is the frame that called. The reply is a structured
   * clone; a throw (or a result that cannot be cloned) becomes `error: String(error)` (spec: "receives an
   * error from a synchronous handler", "receives an error when the handler result cannot be cloned",
   * "throws an error if no handler is registered").
   */
  async function invoke(contents: WebContents, frame: WebFrameMain | null, channel: string, args: unknown[]): Promise<InvokeReply> {
    const handler = handlers.get(channel);
    if (!handler) return { error: `Error: No handler registered for '${channel}'` };
    const event = { type: 'frame', sender: contents, senderFrame: frame, processId: frame?.processId ?? 0, frameId: frame?.routingId ?? 0 };
    try {
      return { result: ipcClone(await handler(event, ...args)) };
    } catch (error) {
      return { error: String(error) };
    }
  }

  // --- session (docs/api/session.md) ---
  const permissionHandlers: { request?: Function; check?: Function; displayMedia?: Function } = {};
  const defaultSession = {
    setPermissionRequestHandler: (handler: Function | null) => (record('session.setPermissionRequestHandler'), (permissionHandlers.request = handler ?? undefined)),
    setPermissionCheckHandler: (handler: Function | null) => (record('session.setPermissionCheckHandler'), (permissionHandlers.check = handler ?? undefined)),
    setDisplayMediaRequestHandler: (handler: Function | null, opts?: unknown) => (record('session.setDisplayMediaRequestHandler', opts), (permissionHandlers.displayMedia = handler ?? undefined)),
  };

  // --- protocol (docs/api/protocol.md) ---
  const protocolHandlers = new Map<string, (request: Request) => Response | Promise<Response>>();
  const protocol = {
    /** docs: "This method can only be used before the ready event of the app module gets emitted." */
    registerSchemesAsPrivileged(schemes: unknown[]) {
      if (ready) throw new Error('protocol.registerSchemesAsPrivileged should be called before app is ready');
      record('protocol.registerSchemesAsPrivileged', schemes);
    },
    handle(scheme: string, handler: (request: Request) => Response | Promise<Response>) {
      needsReady('protocol.handle');
      // docs: protocol.handle throws when the scheme already has a handler.
      if (protocolHandlers.has(scheme)) throw new Error(`Failed to register protocol: ${scheme}`);
      record('protocol.handle', { scheme });
      protocolHandlers.set(scheme, handler);
    },
  };

  // --- Tray, Menu, nativeImage, nativeTheme (docs/api/tray.md, menu.md, native-image.md) ---
  const nativeImage = {
    createFromPath(path: string) {
      record('nativeImage.createFromPath', { path, exists: existsSync(path) });
      // docs: an image that could not be read is empty, not an error.
      return { path, isEmpty: () => !existsSync(path) };
    },
  };
  const nativeTheme = Object.assign(new EventEmitter(), { shouldUseDarkColors: false });
  type MenuItem = { label?: string; type?: string; enabled?: boolean; checked?: boolean; click?: () => void; submenu?: MenuItem[] };
  const labelsOf = (items: MenuItem[]): unknown[] => items.map((item) => (item.submenu ? { label: item.label, submenu: labelsOf(item.submenu) } : (item.label ?? `(${item.type})`)));
  const Menu = { buildFromTemplate: (template: MenuItem[]) => ({ items: template }) };
  let trays = 0;
  class Tray extends EventEmitter {
    private destroyed = false;
    menu: { items: MenuItem[] } | null = null;
    constructor(image: { path: string }) {
      super();
      needsReady('Tray');
      trays++;
      record('new Tray', { icon: image.path });
    }
    setContextMenu = (menu: { items: MenuItem[] }) => {
      this.menu = menu;
      record('Tray.setContextMenu', labelsOf(menu.items));
    };
    setImage = (image: { path: string }) => record('Tray.setImage', { icon: image.path });
    setToolTip = (text: string) => record('Tray.setToolTip', { text });
    destroy = () => {
      if (!this.destroyed) trays--;
      this.destroyed = true;
      record('Tray.destroy');
    };
    isDestroyed = () => this.destroyed;
  }

  // --- Notification (docs/api/notification.md) ---
  class Notification extends EventEmitter {
    static isSupported = () => options.notificationsSupported ?? true;
    constructor(readonly options: Record<string, unknown> = {}) {
      super();
      record('new Notification', { title: options.title, body: options.body, actions: options.actions });
    }
    show = () => record('Notification.show', { title: this.options.title });
    close = () => record('Notification.close', { title: this.options.title });
  }

  // --- globalShortcut (docs/api/global-shortcut.md) ---
  const shortcuts = new Map<string, () => void>();
  const globalShortcut = {
    register(accelerator: string, callback: () => void) {
      needsReady('globalShortcut');
      record('globalShortcut.register', { accelerator });
      // docs: "When the accelerator is already taken by other applications, this call will silently fail" (false).
      if (shortcuts.has(accelerator)) return false;
      shortcuts.set(accelerator, callback);
      return true;
    },
    unregister: (accelerator: string) => (record('globalShortcut.unregister', { accelerator }), shortcuts.delete(accelerator)),
    unregisterAll: () => (record('globalShortcut.unregisterAll'), shortcuts.clear()),
    isRegistered: (accelerator: string) => shortcuts.has(accelerator),
  };

  // --- safeStorage (docs/api/safe-storage.md) ---
  // The stand-in "encryption" is a reversible marking, not a cipher: it proves only that main seals
  // and unseals through safeStorage; what is recorded is the call, never the text.
  const SEAL = Buffer.from('stand-in-sealed:');
  const safeStorage = {
    /** docs: on Linux, true only "if the app has emitted the ready event and the secret key is available". */
    isEncryptionAvailable: () => (record('safeStorage.isEncryptionAvailable'), ready),
    getSelectedStorageBackend: () => (record('safeStorage.getSelectedStorageBackend'), 'gnome_libsecret'),
    encryptString(text: string) {
      if (!ready) throw new Error('Encryption is not available.');
      record('safeStorage.encryptString');
      return Buffer.concat([SEAL, Buffer.from(text, 'utf8').reverse()]);
    },
    decryptString(sealed: Buffer) {
      record('safeStorage.decryptString');
      if (!Buffer.isBuffer(sealed) || !sealed.subarray(0, SEAL.length).equals(SEAL)) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return Buffer.from(sealed.subarray(SEAL.length)).reverse().toString('utf8');
    },
  };

  // --- screen, shell, dialog, desktopCapturer ---
  const display = { id: 1, scaleFactor: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { x: 0, y: 0, width: 1920, height: 1040 } };
  const screen = {
    getPrimaryDisplay: () => (needsReady('screen'), display),
    getAllDisplays: () => (needsReady('screen'), [display]),
  };
  const shell = {
    openExternal: async (url: string) => void record('shell.openExternal', { url }),
    openPath: async (path: string) => (record('shell.openPath', { path }), ''),
    showItemInFolder: (path: string) => record('shell.showItemInFolder', { path }),
  };
  /** What the next open dialogs answer (a test queues them); cancelled when none is queued. */
  const dialogAnswers: string[][] = [];
  const dialog = {
    async showOpenDialog(...args: unknown[]) {
      const opts = (args.length > 1 ? args[1] : args[0]) as { properties?: string[] };
      record('dialog.showOpenDialog', { properties: opts?.properties });
      const filePaths = dialogAnswers.shift();
      return filePaths ? { canceled: false, filePaths } : { canceled: true, filePaths: [] };
    },
  };
  const desktopCapturer = { getSources: async () => (record('desktopCapturer.getSources'), []) };

  const electron = { app, BrowserWindow, ipcMain, session: { defaultSession }, protocol, Tray, Menu, nativeImage, nativeTheme, Notification, globalShortcut, safeStorage, screen, shell, dialog, desktopCapturer };

  return {
    electron,
    control: {
      records,
      recorded,
      exited,
      windows,
      protocolHandlers,
      permissionHandlers,
      shortcuts,
      dialogAnswers,
      trayCount: () => trays,
      invoke,
      /** Emits app 'ready' (main's whenReady continues). */
      becomeReady() {
        ready = true;
        app.emit('ready', cancellable(), {});
        readyResolve();
      },
      /**
       * A page in `window` whose IPC stays in this process: what the renderer stand-in needs. Messages
       * are delivered a turn later, as IPC is asynchronous.
       */
      rendererWire(window: BrowserWindow, frame: WebFrameMain = window.webContents.mainFrame): RendererWire {
        return {
          invoke: (channel, args) => new Promise((resolve) => setImmediate(() => void invoke(window.webContents, frame, channel, args).then(resolve))),
          onSend: (listener) => void (window.webContents.deliver = (channel, args) => setImmediate(() => listener(channel, args))),
        };
      },
      /** A frame inside the window's page (an iframe), for the sender checks. */
      subframe(window: BrowserWindow, url: string) {
        const frame = new WebFrameMain(window.webContents.mainFrame);
        frame.url = url;
        return frame;
      },
    },
  };
}

export type MainStandIn = ReturnType<typeof createMainElectron>;
export type StandInWindow = InstanceType<MainStandIn['electron']['BrowserWindow']>;
