/**
 * System notifications (incoming call, file, chat). The renderer asks (`notify`); core decides
 * whether one is shown, and an injected `SystemNotifier` shows it: Electron's Notification in main.
 * The browser host has none and answers 'unsupported', so the page falls back to the browser's own
 * Notification when it is hidden. What the user clicks comes back as `notificationAction`.
 */
import type { NotifyOutcome, RequestInput } from '../../contract.js';
import type { EventHub } from '../events.js';

export type NotificationRequest = RequestInput<'notify'>;
export type NotificationAction = 'click' | 'accept' | 'decline';

export interface SystemNotifier {
  /** Whether the app's window has the focus: then the user sees the app itself. */
  focused(): boolean;
  show(notification: NotificationRequest, onAction: (action: NotificationAction) => void): void;
  close(tag: string): void;
}

export interface NotifyContext {
  notificationsOn: boolean;
  doNotDisturb: boolean;
  /** null: no system notifications here (the browser host). */
  focused: boolean | null;
}

/** Whether a notification is shown, and if not, why. The user's choices come before the platform. */
export function notifyOutcome(context: NotifyContext): NotifyOutcome {
  if (!context.notificationsOn) return 'disabled';
  if (context.doNotDisturb) return 'do-not-disturb';
  if (context.focused === null) return 'unsupported';
  if (context.focused) return 'focused';
  return 'shown';
}

export class Notifications {
  constructor(
    private readonly settings: () => { notifications: boolean; doNotDisturb: boolean },
    private readonly events: EventHub,
    private readonly system?: SystemNotifier,
  ) {}

  notify(request: NotificationRequest): { shown: boolean; outcome: NotifyOutcome } {
    const { notifications, doNotDisturb } = this.settings();
    const outcome = notifyOutcome({ notificationsOn: notifications, doNotDisturb, focused: this.system ? this.system.focused() : null });
    if (outcome === 'shown') this.system!.show(request, (action) => this.events.emit('notificationAction', { tag: request.tag, action }));
    return { shown: outcome === 'shown', outcome };
  }

  close(tag: string): void {
    this.system?.close(tag);
  }
}

/**
 * The one way notifications reach the user, per runtime. Electron: main's Notification where the
 * system supports it; where it does not (Notification.isSupported() false: a Linux session with no
 * notification daemon), the window's taskbar entry flashes instead. The page's web Notification is
 * never used in Electron: it would go through the same missing system service, and the permission
 * policy (core/permissions.ts) denies 'notifications' to web content anyway. The browser host has no
 * system notifier: there the page shows the browser's own Notification (stores/notify.ts).
 */
export type NotificationPath = 'system' | 'flash-window' | 'page';

export function notificationPath(runtime: 'electron' | 'host', systemSupported: boolean): NotificationPath {
  if (runtime === 'host') return 'page';
  return systemSupported ? 'system' : 'flash-window';
}
