import { describe, expect, it } from 'vitest';
import { decidePermission, isAppUrl, originOf } from '../../electron/core/permissions.js';

const appOrigin = 'app://lanline';
const ask = (permission: string, requestingUrl = 'app://lanline/index.html', mediaTypes?: string[]) => decidePermission({ permission, requestingUrl, appOrigin, mediaTypes });

describe('permission policy', () => {
  it('grants camera, microphone, screen capture and speaker choice to the app itself', () => {
    expect(ask('media', undefined, ['audio', 'video'])).toBe(true);
    expect(ask('media')).toBe(true);
    expect(ask('display-capture')).toBe(true);
    expect(ask('speaker-selection')).toBe(true);
  });

  it('denies everything else, even to the app', () => {
    for (const permission of ['geolocation', 'notifications', 'clipboard-read', 'midiSysex', 'openExternal', 'hid', 'usb', 'serial', 'fileSystem', 'pointerLock', 'unknown']) {
      expect(ask(permission), permission).toBe(false);
    }
  });

  it('denies media to any other origin', () => {
    for (const url of ['https://evil.example/', 'app://lanline.evil/', 'file:///etc/passwd', 'http://127.0.0.1:3000/', 'not a url', '']) {
      expect(ask('media', url), url).toBe(false);
      expect(ask('display-capture', url), url).toBe(false);
    }
  });

  it('denies a media request for kinds other than audio and video', () => {
    expect(ask('media', undefined, ['audio', 'screen'])).toBe(false);
  });

  it('reads the origin of custom schemes', () => {
    expect(originOf('app://lanline/a/b?c')).toBe('app://lanline');
    expect(isAppUrl('app://lanline/index.html', appOrigin)).toBe(true);
    expect(isAppUrl('app://other/index.html', appOrigin)).toBe(false);
  });
});
