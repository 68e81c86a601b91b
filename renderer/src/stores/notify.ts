import type { RequestInput } from '../../../electron/contract';
import { bridge } from '../bridge';

/**
 * Notifications for incoming files and chat messages. Core decides (settings, do-not-disturb,
 * window focus) and Electron shows a system notification; a click comes back as
 * `notificationAction` with the tag, and the callback given here opens the right screen. The
 * browser host has none ('unsupported'): the page shows the browser's own while it is hidden, if
 * the user already allowed them (a message is no reason to ask; the incoming call asks).
 * Incoming calls keep their own path in stores/call.ts (Accept and Decline buttons).
 */
type Request = Omit<RequestInput<'notify'>, 'actions'>;

const MAX_WAITING_CLICKS = 100;
/** What a click on the notification with this tag does; the newest notification of a tag wins. */
const onClick = new Map<string, () => void>();
let listening = false;

function clicked(tag: string): void {
  const open = onClick.get(tag);
  onClick.delete(tag);
  open?.();
}

export async function notifyUser(request: Request, open: () => void): Promise<void> {
  if (!listening) {
    listening = true;
    bridge().on.notificationAction(({ tag, action }) => action === 'click' && clicked(tag));
  }
  onClick.delete(request.tag);
  onClick.set(request.tag, open);
  if (onClick.size > MAX_WAITING_CLICKS) onClick.delete(onClick.keys().next().value!);
  const answer = await bridge()
    .notify(request)
    .catch(() => ({ shown: false, outcome: 'unsupported' as const }));
  if (answer.outcome === 'unsupported' && document.hidden && typeof Notification !== 'undefined' && Notification.permission === 'granted') {
    const notification = new Notification(request.title, { body: request.body, tag: request.tag });
    notification.onclick = () => {
      window.focus();
      notification.close();
      clicked(request.tag);
    };
  }
}
