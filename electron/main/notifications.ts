/**
 * System notifications with Electron's Notification, for core's Notifications service
 * (core/notifications/notifications.ts decides whether one is shown). A call notification offers
 * Accept and Decline where the platform shows buttons (macOS; elsewhere a click opens the call).
 * Clicking focuses the window; core tells the renderer which button was used.
 */
import { Notification, type BrowserWindow } from 'electron';
import type { Settings } from '../contract.js';
import type { NotificationAction, SystemNotifier } from '../core/notifications/notifications.js';
import { trayLabels } from '../core/tray/labels.js';
import { focus } from './window.js';

export function systemNotifier(window: () => BrowserWindow | null, language: () => Settings['language']): SystemNotifier {
  const open = new Map<string, Notification>();
  const close = (tag: string) => {
    open.get(tag)?.close();
    open.delete(tag);
  };
  return {
    focused: () => window()?.isFocused() ?? false,
    show(request, onAction) {
      close(request.tag);
      const labels = trayLabels[language()];
      const buttons = request.actions ? [labels.accept, labels.decline] : [];
      const notification = new Notification({
        title: request.title,
        body: request.body,
        ...(request.kind === 'call' && { urgency: 'critical', timeoutType: 'never' }),
        actions: buttons.map((text) => ({ type: 'button', text })),
      });
      const answer = (action: NotificationAction) => {
        if (action !== 'decline') focus(window());
        onAction(action);
        close(request.tag);
      };
      notification.on('click', () => answer('click'));
      notification.on('action', (details) => answer(details.actionIndex === 0 ? 'accept' : 'decline'));
      notification.on('close', () => open.get(request.tag) === notification && open.delete(request.tag));
      open.set(request.tag, notification);
      notification.show();
    },
    close,
  };
}

export const notificationsSupported = (): boolean => Notification.isSupported();

/** Where the system shows no notifications: the window's taskbar entry flashes until it is focused. */
export function flashingNotifier(window: () => BrowserWindow | null): SystemNotifier {
  return {
    focused: () => window()?.isFocused() ?? false,
    show: () => window()?.flashFrame(true),
    close: () => window()?.flashFrame(false),
  };
}

/** A notice from main itself, with no action (the close-to-tray hint). */
export function showNotice(title: string, body: string): void {
  if (Notification.isSupported()) new Notification({ title, body }).show();
}
