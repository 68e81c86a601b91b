/**
 * Deep links, Electron side: Lanline registers itself for lanline:, tel: and sip: links; a link
 * arrives as the argv of a second instance (Windows, Linux: the single-instance lock routes it here),
 * through `open-url` (macOS), or in this instance's own argv at start. core/links.ts parses it; the
 * renderer gets it as the `openLink` event once its page has loaded.
 */
import { app, type BrowserWindow } from 'electron';
import type { Core } from '../core/index.js';
import { LINK_SCHEMES, linkFromArgv, parseLink } from '../core/links.js';

export function handleLinks(core: () => Core | null, window: () => BrowserWindow | null, focus: () => void): void {
  for (const scheme of LINK_SCHEMES) {
    // In development (electron .) the executable needs the app's path to start the right app.
    const registered = process.defaultApp ? app.setAsDefaultProtocolClient(scheme, process.execPath, [app.getAppPath()]) : app.setAsDefaultProtocolClient(scheme);
    if (!registered) core()?.log.warn(`could not register as the ${scheme}: handler`);
  }
  let waiting: string | null = linkFromArgv(process.argv);
  const open = (raw: string) => {
    const target = window();
    const running = core();
    if (!target || !running || target.webContents.isLoading()) {
      waiting = raw;
      return;
    }
    const parsed = parseLink(raw);
    if (!parsed.ok) return running.log.warn(`refused a link: ${parsed.reason}`);
    running.events.emit('openLink', parsed.link);
    focus();
  };
  app.on('second-instance', (_event, argv) => {
    focus();
    const link = linkFromArgv(argv);
    if (link) open(link);
  });
  app.on('open-url', (event, url) => {
    event.preventDefault();
    open(url);
  });
  app.on('browser-window-created', (_event, created) => {
    created.webContents.on('did-finish-load', () => {
      const link = waiting;
      waiting = null;
      if (link) open(link);
    });
  });
}
