/**
 * What closing the window and quitting do, as pure decisions for electron/main (index.ts).
 *
 * Closing the window hides it to the tray, so calls, files and chat still reach the user, unless
 * the app is quitting (the tray's Quit, the OS's quit, an update) or there is no tray the user can
 * see to come back from (core/tray/visibility.ts: none could be made, or Linux without a
 * StatusNotifier host, as stock GNOME). Without one, closing quits, except during a call or a
 * transfer, which would be cut: then the window is minimised and the taskbar brings it back.
 * The first time it hides, a notification says where Lanline went; settings remember that it
 * was said (`closeToTrayHintShown`).
 *
 * Quitting during a call first asks the renderer to hang up (`leaveCalls`), so every peer gets its
 * `bye` over the LAN socket, which is still open: main waits until the registry says the call ended,
 * or QUIT_GRACE_MS at most, then quits for real.
 */

export interface CloseContext {
  /** The app is on its way out: closing must not be turned into hiding. */
  quitting: boolean;
  /** A tray icon the user can see exists to show the window again. */
  trayVisible: boolean;
  /** The one-time hint was shown before (settings.closeToTrayHintShown). */
  hintShown: boolean;
  /** A call or a transfer is going on. */
  busy?: boolean;
}

export type CloseDecision = { action: 'hide'; showHint: boolean } | { action: 'minimize' } | { action: 'close' };

export function onWindowClose({ quitting, trayVisible, hintShown, busy = false }: CloseContext): CloseDecision {
  if (quitting) return { action: 'close' };
  if (trayVisible) return { action: 'hide', showHint: !hintShown };
  return busy ? { action: 'minimize' } : { action: 'close' };
}

/** Once every window is closed (it was not hidden): quit, since nothing could bring one back. */
export function onAllWindowsClosed({ trayVisible, quitting }: Pick<CloseContext, 'trayVisible' | 'quitting'>): 'quit' | 'stay' {
  return quitting || !trayVisible ? 'quit' : 'stay';
}

/** Long enough for a hang-up to reach the LAN socket; short enough that Quit still feels immediate. */
export const QUIT_GRACE_MS = 3_000;

export interface QuitContext {
  inCall: boolean;
  /** The SIP account is registered: it unregisters first. */
  registered?: boolean;
  /** leaveCalls was already sent during this quit. */
  callsLeft: boolean;
}

/** On the app's quit: ask the renderer to leave its calls and unregister first (and hold the quit), or go on. */
export function onQuit({ inCall, registered = false, callsLeft }: QuitContext): 'leave-calls' | 'quit' {
  return (inCall || registered) && !callsLeft ? 'leave-calls' : 'quit';
}

/** Done leaving: no call left and the SIP account unregistered. */
export const leftEverything = (state: { inCall: boolean; registered: boolean }): boolean => !state.inCall && !state.registered;
