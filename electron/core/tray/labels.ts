/**
 * The words main shows itself: the tray menu, the buttons of a call notification and the close-to-tray hint. Main has no
 * vue-i18n (that is the renderer's), so these few strings live here, in the same two languages as
 * renderer/src/i18n.
 */
import type { Settings } from '../../contract.js';

export interface TrayLabels {
  tooltip: string;
  tooltipInCall: string;
  tooltipMuted: string;
  tooltipSharing: string;
  /** {n}: how many transfers run. */
  tooltipTransfers: string;
  tooltipDoNotDisturb: string;
  show: string;
  hide: string;
  mute: string;
  unmute: string;
  microphone: string;
  camera: string;
  speaker: string;
  stopSharing: string;
  transfers: string;
  /** A transfer of several files: "report.pdf and 3 more". */
  transferMore: string;
  systemDefault: string;
  /** An unnamed device (no label before the media permission): "Microphone 2". */
  unnamed: string;
  noDevices: string;
  doNotDisturb: string;
  quit: string;
  accept: string;
  decline: string;
  /** The one-time notification after the window was closed to the tray. */
  closeHintTitle: string;
  closeHintBody: string;
}

export const trayLabels: Record<Settings['language'], TrayLabels> = {
  en: {
    tooltip: 'Lanline',
    tooltipInCall: 'Lanline – in a call',
    tooltipMuted: 'Lanline – in a call, muted',
    tooltipSharing: 'Lanline – sharing your screen',
    tooltipTransfers: 'Lanline – transfers running: {n}',
    tooltipDoNotDisturb: 'Lanline – do not disturb',
    show: 'Show Lanline',
    hide: 'Hide Lanline',
    mute: 'Mute microphone',
    unmute: 'Unmute microphone',
    microphone: 'Microphone',
    camera: 'Camera',
    speaker: 'Speaker',
    stopSharing: 'Stop sharing',
    transfers: 'Transfers',
    transferMore: '{name} and {n} more',
    systemDefault: 'System default',
    unnamed: '{kind} {n}',
    noDevices: 'None found',
    doNotDisturb: 'Do not disturb',
    quit: 'Quit Lanline',
    accept: 'Accept',
    decline: 'Decline',
    closeHintTitle: 'Lanline is still running',
    closeHintBody: 'Closing the window keeps Lanline in the tray, so calls and files still reach you. Choose Quit Lanline in the tray menu to quit.',
  },
  ko: {
    tooltip: 'Lanline',
    tooltipInCall: 'Lanline – 통화 중',
    tooltipMuted: 'Lanline – 통화 중, 음소거됨',
    tooltipSharing: 'Lanline – 화면 공유 중',
    tooltipTransfers: 'Lanline – 전송 중: {n}개',
    tooltipDoNotDisturb: 'Lanline – 방해 금지',
    show: 'Lanline 보기',
    hide: 'Lanline 숨기기',
    mute: '마이크 음소거',
    unmute: '마이크 음소거 해제',
    microphone: '마이크',
    camera: '카메라',
    speaker: '스피커',
    stopSharing: '공유 중지',
    transfers: '전송',
    transferMore: '{name} 외 {n}개',
    systemDefault: '시스템 기본값',
    unnamed: '{kind} {n}',
    noDevices: '찾은 장치 없음',
    doNotDisturb: '방해 금지',
    quit: 'Lanline 종료',
    accept: '받기',
    decline: '거절',
    closeHintTitle: 'Lanline이 계속 실행 중입니다',
    closeHintBody: '창을 닫아도 Lanline은 트레이에 남아 전화와 파일을 계속 받습니다. 종료하려면 트레이 메뉴에서 Lanline 종료를 선택하세요.',
  },
};
