import type en from './en';

const ko: typeof en = {
  app: { title: 'Lanline', disconnected: 'Lanline이 앱 프로세스와의 연결을 잃었습니다. 계속하려면 Lanline을 다시 시작하세요.', startFailed: 'Lanline을 시작할 수 없습니다: {message}' },
  nav: { label: '주 메뉴', peers: '사용자', call: '통화', files: '파일', dialpad: '다이얼 패드', settings: '설정' },
  peers: {
    title: '같은 네트워크의 사용자',
    you: '나',
    peerId: '내 ID',
    peerIdPending: '신원 인증서가 만들어지면 ID가 표시됩니다.',
    empty: '이 네트워크에서 Lanline을 실행 중인 다른 사용자를 아직 찾지 못했습니다.',
  },
  call: { title: '통화', idle: '진행 중인 통화가 없습니다. 사용자 화면에서 통화할 사람을 고르세요.' },
  files: { title: '파일', empty: '아직 전송한 파일이 없습니다. 보내거나 받은 파일이 여기에 표시됩니다.' },
  dialpad: {
    title: '다이얼 패드',
    number: '번호',
    call: '전화 걸기',
    backspace: '마지막 숫자 지우기',
    clear: '번호 지우기',
    noAccount: '전화를 걸려면 설정에서 SIP 계정을 추가하세요.',
    key: '숫자 {key}',
  },
  settings: {
    title: '설정',
    displayName: '표시 이름',
    language: '언어',
    theme: '테마',
    themes: { system: '시스템 설정 따르기', light: '밝게', dark: '어둡게' },
    downloadDir: '다운로드 폴더',
    lanPort: 'LAN 시그널링 포트',
    notifications: '알림 표시',
    save: '저장',
    saved: '설정을 저장했습니다.',
    about: 'Lanline {version} ({runtime}, {platform})',
  },
  languages: { en: 'English', ko: '한국어' },
};

export default ko;
