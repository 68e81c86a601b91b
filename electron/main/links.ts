/**
 * Deep links, Electron side: a link arrives as the argv of a second instance (Windows, Linux: the
 * single-instance lock routes it here), through `open-url` (macOS, possibly before the app is ready),
 * or in this instance's own argv at start. Every one goes to core's LinkInbox (core/links.ts), which
 * parses it and holds it until the renderer said `rendererReady`; a page that starts loading again
 * is not ready until it says so again. Which schemes Lanline registers for is core/protocols.ts's
 * decision (main/protocols.ts).
 */
import { app, type BrowserWindow } from 'electron';
import type { Core } from '../core/index.js';
import { linkFromArgv } from '../core/links.js';

/**
 * Listens for links from the start (before `ready`: macOS sends `open-url` for the link that started
 * the app that early). Returns `attach`, called once core and the window exist.
 */
export function handleLinks(focus: () => void): { attach(core: Core, window: BrowserWindow): void } {
  let inbox: Core['links'] | null = null;
  // Before core exists, links wait here; the start's own argv is the first.
  const early: string[] = [];
  const first = linkFromArgv(process.argv);
  if (first) early.push(first);
  const receive = (raw: string) => {
    if (inbox) inbox.receive(raw);
    else early.push(raw);
  };
  app.on('second-instance', (_event, argv) => {
    focus();
    const link = linkFromArgv(argv);
    if (link) receive(link);
  });
  app.on('open-url', (event, url) => {
    event.preventDefault();
    receive(url);
    if (app.isReady()) focus();
  });
  return {
    attach(core, window) {
      inbox = core.links;
      window.webContents.on('did-start-loading', () => core.links.rendererGone());
      window.webContents.on('render-process-gone', () => core.links.rendererGone());
      for (const raw of early.splice(0)) core.links.receive(raw);
    },
  };
}
