import { defineStore } from 'pinia';
import { computed, markRaw, ref, shallowRef, watch } from 'vue';
import type { CallRecord, SipAccount } from '../../../electron/contract';
import { bridge, LanlineError } from '../bridge';
import { i18n } from '../i18n';
import type { PhoneCall } from '../rtc/sip/phone-call';
import { SipPhone, type PhoneStatus } from '../rtc/sip/phone';
import { dialTarget, sipDomain } from '../rtc/sip/numbers';
import { useAppStore } from './app';
import { useCallStore } from './call';
import { useSettingsStore } from './settings';

/** The tag of the incoming phone call's notification. */
const RING_TAG = 'lanline-phone';

/**
 * The phone: the SIP account's registration (rtc/sip/phone.ts), the dial pad's actions, and the phone
 * calls, which join the call screen through the CallGroup (same mute, hold, devices and stats as LAN
 * calls). Settings changes re-register; quitting unregisters.
 */
export const usePhoneStore = defineStore('phone', () => {
  const settings = useSettingsStore();
  const calls = useCallStore();
  const app = useAppStore();
  const phone = markRaw(new SipPhone());

  const status = ref<PhoneStatus>('off');
  const problem = ref<{ cause: string; code: number | null } | null>(null);
  const attempts = ref(0);
  let reported = false;
  phone.onChange(() => {
    status.value = phone.status;
    problem.value = phone.problem;
    attempts.value = phone.attempts;
    // Core holds a quit until the account is unregistered (electron/core/window-policy.ts onQuit).
    const registered = phone.status === 'registered';
    if (registered !== reported) {
      reported = registered;
      void bridge().reportPhoneState({ registered }).catch(() => undefined);
    }
  });
  /** The call in progress (dialing, ringing, connected) and the incoming one ringing here. */
  const current = shallowRef<PhoneCall | null>(null);
  const ringing = shallowRef<PhoneCall | null>(null);
  const error = ref<string | null>(null);
  /** How the last phone call ended, for the call screen to say (busy, not found...). */
  const lastEnd = shallowRef<{ number: string; cause: string; code: number | null; by: string } | null>(null);

  const sip = computed<SipAccount | null>(() => settings.current?.sip ?? null);
  /** A ws:// gateway the user did not confirm as unencrypted is never connected to (core keeps its password too). */
  const unconfirmed = computed(() => !!sip.value && /^ws:\/\//i.test(sip.value.wsUrl) && !sip.value.unencrypted);
  const configured = computed(() => !!sip.value && sip.value.enabled && !!sip.value.uri && !!sip.value.wsUrl && !unconfirmed.value);
  const account = computed(() => (configured.value && sip.value ? { uri: sip.value.uri, displayName: sip.value.displayName } : null));
  const canDial = computed(() => status.value === 'registered' && current.value === null && !calls.inCall);
  /** Numbers dialed, newest first, each once (from the call log, so they survive restarts). */
  const recent = computed(() => {
    const seen = new Set<string>();
    for (const entry of calls.log) {
      if (entry.kind === 'sip' && entry.direction === 'outgoing' && entry.number && !seen.has(entry.number)) seen.add(entry.number);
    }
    return [...seen].slice(0, 10);
  });
  const statusReason = computed(() => (problem.value ? `${problem.value.code ? `${problem.value.code} ` : ''}${problem.value.cause}` : null));

  /**
   * The page's Content-Security-Policy lets it connect only to the SIP server configured when it loaded
   * (electron/core/static-files.ts sipConnectSources). After the server changed, the page reloads once,
   * between calls, to be allowed to reach the new one.
   */
  let allowedOrigin: string | null = null;
  const originOf = (url: string) => {
    try {
      return new URL(url).origin;
    } catch {
      return null;
    }
  };
  function reloadForServer(): boolean {
    const wanted = originOf(sip.value?.wsUrl ?? '');
    if (!configured.value || wanted === null || wanted === allowedOrigin) return false;
    const reload = () => window.location.reload();
    if (!calls.inCall) reload();
    else watch(() => calls.inCall, (inCall) => !inCall && reload());
    return true;
  }

  let started = '';
  async function apply(): Promise<void> {
    const account = sip.value;
    const key = configured.value && account ? JSON.stringify(account) : '';
    if (key === started) return;
    if (reloadForServer()) return;
    // The status says so at once (the settings screen shows it right after saving).
    if (key) status.value = 'connecting';
    started = key;
    if (!key || !account) {
      await phone.stop();
      return;
    }
    const { password } = await bridge()
      .getSipPassword()
      .catch(() => ({ password: null }));
    if (started !== key) return;
    const info = app.info;
    await phone.start(
      { uri: account.uri, authUser: account.authUser, password, wsUrl: account.wsUrl, displayName: account.displayName, outboundProxy: account.outboundProxy, dtmf: account.dtmf },
      `Lanline/${info?.version ?? '0'}`,
    );
  }

  phone.onIncoming((call) => {
    if (calls.inCall || current.value || ringing.value) {
      record(call, 'busy');
      return false;
    }
    ringing.value = call;
    call.onChange(() => {
      if (call.ended && ringing.value === call) {
        ringing.value = null;
        record(call, 'missed');
      }
    });
    notifyIncoming(call);
    return true;
  });

  /** The system notification (Electron) with Accept and Decline, when the window is not focused. */
  function notifyIncoming(call: PhoneCall): void {
    const { name, number } = call.options;
    const body = i18n.global.t('phone.incoming', { name: name && name !== number ? `${name} (${number})` : number });
    void bridge()
      .notify({ kind: 'call', title: document.title || 'Lanline', body, tag: RING_TAG, actions: true })
      .catch(() => undefined);
  }
  watch(ringing, (call) => !call && void bridge().closeNotification({ tag: RING_TAG }).catch(() => undefined));

  async function load(): Promise<void> {
    allowedOrigin = originOf(sip.value?.wsUrl ?? '');
    bridge().on.notificationAction(({ tag, action }) => {
      if (tag !== RING_TAG) return;
      if (action === 'accept') void accept();
      else if (action === 'decline') decline();
      else app.show('call');
    });
    watch(sip, () => void apply().catch((reason: unknown) => console.warn(`sip: ${LanlineError.from(reason).message}`)), { deep: true, immediate: true });
    bridge().on.leaveCalls(() => void phone.stop());
    window.addEventListener('pagehide', () => void phone.stop());
  }

  /** Registers again, e.g. after the password changed (the settings alone would not say so). */
  async function reregister(): Promise<void> {
    started = '';
    await apply();
  }

  async function dial(input: string): Promise<void> {
    error.value = null;
    lastEnd.value = null;
    const target = dialTarget(input, sipDomain(sip.value?.uri ?? ''));
    if (!target.ok) {
      error.value = target.reason;
      return;
    }
    if (!canDial.value) return;
    try {
      const media = await calls.group.openMedia(false);
      const call = phone.call(target.uri, target.display, media.stream, await pcConfig());
      follow(call);
      app.show('call');
    } catch (reason) {
      error.value = LanlineError.from(reason).message;
      calls.group.releaseIfIdle();
    }
  }

  async function redial(): Promise<void> {
    const last = recent.value[0];
    if (last) await dial(last);
  }

  async function accept(): Promise<void> {
    const call = ringing.value;
    if (!call) return;
    ringing.value = null;
    try {
      const media = await calls.group.openMedia(false);
      call.answer(media, await pcConfig());
      follow(call);
      app.show('call');
    } catch (reason) {
      error.value = LanlineError.from(reason).message;
      call.hangUp();
      calls.group.releaseIfIdle();
    }
  }

  function decline(): void {
    const call = ringing.value;
    if (!call) return;
    ringing.value = null;
    call.session.terminate({ status_code: 603, reason_phrase: 'Decline' });
    record(call, 'declined');
  }

  function sendDigits(digits: string): void {
    try {
      current.value?.sendDigits(digits);
    } catch (reason) {
      error.value = LanlineError.from(reason).message;
    }
  }

  function follow(call: PhoneCall): void {
    current.value = call;
    calls.group.attach(call);
    call.onChange(() => {
      if (!call.ended || current.value !== call) return;
      current.value = null;
      if (call.end && (call.end.by !== 'local' || !call.connectedAt)) lastEnd.value = { number: call.options.number, ...call.end };
      record(call, outcome(call));
    });
  }

  function outcome(call: PhoneCall): CallRecord['outcome'] {
    if (call.connectedAt) return 'answered';
    const end = call.end;
    if (!end) return 'failed';
    if (call.options.direction === 'incoming') return 'missed';
    if (end.by === 'local') return 'cancelled';
    if (end.code === 486 || end.code === 600 || end.cause === 'Busy') return 'busy';
    if (end.code === 603 || end.cause === 'Rejected') return 'declined';
    if (end.code === 408 || end.code === 480 || end.cause === 'No Answer') return 'unanswered';
    return 'failed';
  }

  function record(call: PhoneCall, result: CallRecord['outcome']): void {
    const entry: Omit<CallRecord, 'id'> = {
      peerId: call.options.uri.slice(0, 250),
      kind: 'sip',
      number: call.options.number.slice(0, 256),
      name: (call.options.name || call.options.number).slice(0, 64),
      direction: call.options.direction,
      video: false,
      startedAt: call.startedAt,
      durationMs: call.connectedAt ? Math.round(Date.now() - call.connectedAt) : 0,
      outcome: result,
    };
    void bridge()
      .recordCall(entry)
      .catch((reason: unknown) => console.warn(`call log: ${LanlineError.from(reason).message}`));
  }

  async function pcConfig(): Promise<RTCConfiguration> {
    if (!sip.value?.useIceServers) return { iceServers: [] };
    const { iceServers, iceTransportPolicy } = await bridge().getIceConfig();
    return { iceServers, iceTransportPolicy };
  }

  return {
    status,
    statusReason,
    problem,
    attempts,
    account,
    canDial,
    recent,
    current,
    ringing,
    error,
    lastEnd,
    load,
    reregister,
    dial,
    redial,
    accept,
    decline,
    sendDigits,
  };
});
