/**
 * The screen-source picker, Electron side: getDisplayMedia in the page lands here; the sources come
 * from desktopCapturer, are mapped by core (electron/core/capture/sources.ts) and shown by the
 * renderer's own picker through core's CapturePicker. Thumbnails are refreshed every 2 s while it is
 * open. On macOS 15+ the system picker is used instead (`useSystemPicker`), where Electron supports it;
 * on Wayland the portal's dialog (PipeWire capturer, switched on in main/index.ts) is the picker.
 */

/** Before the app is ready: on Wayland, screens and windows are captured through xdg-desktop-portal. */
export function enablePortalCapture(): void {
  if (isWayland(process.platform, process.env)) app.commandLine.appendSwitch('enable-features', 'WebRTCPipeWireCapturer');
}
import { app, BrowserWindow, desktopCapturer, screen, type DesktopCapturerSource, type Session } from 'electron';
import type { Core } from '../core/index.js';
import { captureFailure, captureSources, isWayland, pickedBySystem, systemAudioSupported, type RawCaptureSource } from '../core/capture/sources.js';

const REFRESH_MS = 2_000;
const THUMBNAIL = { width: 320, height: 180 };

async function findSources(): Promise<{ raw: DesktopCapturerSource[]; mapped: ReturnType<typeof captureSources> }> {
  const raw = await desktopCapturer.getSources({ types: ['screen', 'window'], thumbnailSize: THUMBNAIL, fetchWindowIcons: true });
  const plain: RawCaptureSource[] = raw.map((source) => ({
    id: source.id,
    name: source.name,
    displayId: source.display_id,
    thumbnail: source.thumbnail.isEmpty() ? '' : source.thumbnail.toDataURL(),
    appIcon: source.appIcon && !source.appIcon.isEmpty() ? source.appIcon.toDataURL() : null,
  }));
  const primary = screen.getPrimaryDisplay().id;
  const mapped = captureSources(plain, {
    ownWindows: BrowserWindow.getAllWindows().map((window) => window.getMediaSourceId()),
    displays: screen.getAllDisplays().map((display) => ({ id: String(display.id), primary: display.id === primary })),
  });
  return { raw, mapped };
}

export function handleDisplayMedia(session: Session, core: Pick<Core, 'capture' | 'events' | 'log'>): void {
  const picker = core.capture;
  session.setDisplayMediaRequestHandler(
    (request, callback) => {
      void (async () => {
        let { raw, mapped } = await findSources();
        const audio = request.audioRequested && systemAudioSupported(process.platform);
        const chosenBySystem = pickedBySystem(process.platform, process.env, mapped);
        if (chosenBySystem) {
          const source = raw.find((candidate) => candidate.id === chosenBySystem.id);
          callback(source ? { video: source } : {});
          return;
        }
        const asked = picker.ask(mapped, audio);
        const requestId = picker.waiting;
        const refresh = setInterval(() => {
          void findSources().then((next) => {
            if (picker.waiting !== requestId || !requestId) return;
            raw = next.raw;
            picker.refresh(requestId, next.mapped);
          });
        }, REFRESH_MS);
        const choice = await asked.finally(() => clearInterval(refresh));
        const video = choice && raw.find((source) => source.id === choice.source.id);
        // No video denies the request: getDisplayMedia rejects with NotAllowedError, as a cancel does.
        callback(video ? { video, ...(choice.audio && { audio: 'loopback' as const }) } : {});
      })().catch((error: unknown) => {
        // Not a cancel: say so in the log and to the user (macOS Screen Recording permission, a portal error...).
        const message = captureFailure(error);
        core.log.warn(`screen capture failed: ${message}`);
        core.events.emit('captureFailed', { message });
        callback({});
      });
    },
    { useSystemPicker: true },
  );
}
