import { describe, expect, it } from 'vitest';
import { EventHub } from '../../electron/core/events.js';
import { notificationPath, Notifications, notifyOutcome, type NotificationAction, type SystemNotifier } from '../../electron/core/notifications/notifications.js';
import { decidePermission } from '../../electron/core/permissions.js';

const call = { kind: 'call' as const, title: 'Lanline', body: 'Incoming call from Bob', tag: 'call', actions: true };

function fakeSystem(focused: boolean) {
  const shown: { tag: string; answer: (action: NotificationAction) => void }[] = [];
  const closed: string[] = [];
  const system: SystemNotifier = {
    focused: () => focused,
    show: (request, onAction) => shown.push({ tag: request.tag, answer: onAction }),
    close: (tag) => closed.push(tag),
  };
  return { system, shown, closed };
}

describe('whether a notification is shown', () => {
  it('only when notifications are on, do-not-disturb is off, and the window is not focused', () => {
    expect(notifyOutcome({ notificationsOn: true, doNotDisturb: false, focused: false })).toBe('shown');
    expect(notifyOutcome({ notificationsOn: true, doNotDisturb: false, focused: true })).toBe('focused');
    expect(notifyOutcome({ notificationsOn: true, doNotDisturb: true, focused: false })).toBe('do-not-disturb');
    expect(notifyOutcome({ notificationsOn: false, doNotDisturb: false, focused: false })).toBe('disabled');
    // The user's choices win even where the platform has no notifications (the page must not fall back).
    expect(notifyOutcome({ notificationsOn: true, doNotDisturb: true, focused: null })).toBe('do-not-disturb');
    expect(notifyOutcome({ notificationsOn: false, doNotDisturb: false, focused: null })).toBe('disabled');
    expect(notifyOutcome({ notificationsOn: true, doNotDisturb: false, focused: null })).toBe('unsupported');
  });

  it('shows through the system notifier and tells the renderer which button was used', () => {
    const events = new EventHub();
    const actions: unknown[] = [];
    events.on('notificationAction', (action) => actions.push(action));
    const { system, shown, closed } = fakeSystem(false);
    const notifications = new Notifications(() => ({ notifications: true, doNotDisturb: false }), events, system);
    expect(notifications.notify(call)).toEqual({ shown: true, outcome: 'shown' });
    shown[0]!.answer('accept');
    expect(actions).toEqual([{ tag: 'call', action: 'accept' }]);
    notifications.close('call');
    expect(closed).toEqual(['call']);
  });

  it('incoming files and chat messages: shown when the window is not focused, silent under do-not-disturb, a click comes back by tag', () => {
    const events = new EventHub();
    const actions: unknown[] = [];
    events.on('notificationAction', (action) => actions.push(action));
    const file = { kind: 'file' as const, title: 'Files from Bob', body: 'report.pdf', tag: 'file:abcdefgh12' };
    const chat = { kind: 'chat' as const, title: 'Message from Bob', body: 'lunch?', tag: 'chat:AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA' };
    let doNotDisturb = true;
    const { system, shown } = fakeSystem(false);
    const notifications = new Notifications(() => ({ notifications: true, doNotDisturb }), events, system);
    expect(notifications.notify(file)).toEqual({ shown: false, outcome: 'do-not-disturb' });
    expect(notifications.notify(chat)).toEqual({ shown: false, outcome: 'do-not-disturb' });
    doNotDisturb = false;
    expect(notifications.notify(file)).toEqual({ shown: true, outcome: 'shown' });
    expect(notifications.notify(chat)).toEqual({ shown: true, outcome: 'shown' });
    shown[1]!.answer('click');
    expect(actions).toEqual([{ tag: chat.tag, action: 'click' }]);
  });

  it('does not show while the window is focused or under do-not-disturb; the host answers unsupported', () => {
    const events = new EventHub();
    const focused = fakeSystem(true);
    expect(new Notifications(() => ({ notifications: true, doNotDisturb: false }), events, focused.system).notify(call)).toEqual({ shown: false, outcome: 'focused' });
    const quiet = fakeSystem(false);
    expect(new Notifications(() => ({ notifications: true, doNotDisturb: true }), events, quiet.system).notify(call)).toEqual({ shown: false, outcome: 'do-not-disturb' });
    expect([...focused.shown, ...quiet.shown]).toEqual([]);
    const host = new Notifications(() => ({ notifications: true, doNotDisturb: false }), events);
    expect(host.notify(call)).toEqual({ shown: false, outcome: 'unsupported' });
    host.close('call');
  });
});

describe('notificationPath: one way that works per runtime', () => {
  it('Electron uses the system notification, or flashes the window where the system has none; never the page', () => {
    expect(notificationPath('electron', true)).toBe('system');
    expect(notificationPath('electron', false)).toBe('flash-window');
    // The page path would be denied by our own permission policy in Electron.
    expect(decidePermission({ permission: 'notifications', requestingUrl: 'app://lanline/index.html', appOrigin: 'app://lanline' })).toBe(false);
  });

  it('the browser host leaves it to the page', () => {
    expect(notificationPath('host', false)).toBe('page');
  });
});
