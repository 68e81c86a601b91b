/**
 * The words main shows itself: the tray menu and the buttons of a call notification. Main has no
 * vue-i18n (that is the renderer's), so these few strings live here, in the same two languages as
 * renderer/src/i18n.
 */
import type { Settings } from '../../contract.js';

export interface TrayLabels {
  tooltip: string;
  tooltipInCall: string;
  tooltipMuted: string;
  show: string;
  hide: string;
  mute: string;
  unmute: string;
  microphone: string;
  camera: string;
  speaker: string;
  systemDefault: string;
  /** An unnamed device (no label before the media permission): "Microphone 2". */
  unnamed: string;
  noDevices: string;
  doNotDisturb: string;
  quit: string;
  accept: string;
  decline: string;
}

export const trayLabels: Record<Settings['language'], TrayLabels> = {
  en: {
    tooltip: 'Lanline',
    tooltipInCall: 'Lanline – in a call',
    tooltipMuted: 'Lanline – in a call, muted',
    show: 'Show Lanline',
    hide: 'Hide Lanline',
    mute: 'Mute microphone',
    unmute: 'Unmute microphone',
    microphone: 'Microphone',
    camera: 'Camera',
    speaker: 'Speaker',
    systemDefault: 'System default',
    unnamed: '{kind} {n}',
    noDevices: 'None found',
    doNotDisturb: 'Do not disturb',
    quit: 'Quit Lanline',
    accept: 'Accept',
    decline: 'Decline',
  },
  ko: {
    tooltip: 'Lanline',
    tooltipInCall: 'Lanline – 통화 중',
    tooltipMuted: 'Lanline – 통화 중, 음소거됨',
    show: 'Lanline 보기',
    hide: 'Lanline 숨기기',
    mute: '마이크 음소거',
    unmute: '마이크 음소거 해제',
    microphone: '마이크',
    camera: '카메라',
    speaker: '스피커',
    systemDefault: '시스템 기본값',
    unnamed: '{kind} {n}',
    noDevices: '찾은 장치 없음',
    doNotDisturb: '방해 금지',
    quit: 'Lanline 종료',
    accept: '받기',
    decline: '거절',
  },
};
