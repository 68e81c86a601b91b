import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { callFailure, JSSIP_CAUSES, registrationFailure, type CallFailure, type RegistrationFailure } from '../../renderer/src/rtc/sip/failures.js';
import en from '../../renderer/src/i18n/en.js';

const key = (code: number | null, cause: string | null = null) => callFailure({ code, cause }).key;

describe('why a SIP call failed', () => {
  it('words the final responses people meet at a gateway', () => {
    expect(key(486)).toBe('busy');
    expect(key(600)).toBe('busy');
    expect(key(404)).toBe('notFound');
    expect(key(604)).toBe('notFound');
    expect(key(603)).toBe('declined');
    expect(key(408)).toBe('noAnswer');
    expect(key(480)).toBe('noAnswer');
    expect(key(503)).toBe('unavailable');
    expect(key(401)).toBe('unauthorized');
    expect(key(403)).toBe('unauthorized');
    expect(key(407)).toBe('unauthorized');
    expect(key(487)).toBe('cancelled');
    expect(key(488)).toBe('incompatible');
    expect(key(606)).toBe('incompatible');
    expect(key(484)).toBe('addressIncomplete');
  });

  it('keeps the code of any other failure response', () => {
    expect(callFailure({ code: 500 })).toEqual({ key: 'failed', code: 500 });
    expect(callFailure({ code: 415, cause: 'SIP Failure Code' })).toEqual({ key: 'failed', code: 415 });
    expect(callFailure({ code: 699 })).toEqual({ key: 'failed', code: 699 });
    expect(callFailure({ code: 302, cause: 'Redirected' })).toEqual({ key: 'redirected', code: 302 });
  });

  it('prefers the status code to JsSIP’s coarser cause', () => {
    // JsSIP files 403 under 'Rejected' and 408/480 under 'Unavailable'.
    expect(callFailure({ code: 403, cause: 'Rejected' })).toEqual({ key: 'unauthorized', code: 403 });
    expect(callFailure({ code: 603, cause: 'Rejected' })).toEqual({ key: 'declined', code: 603 });
    expect(callFailure({ code: 408, cause: 'Unavailable' })).toEqual({ key: 'noAnswer', code: 408 });
  });

  it('maps JsSIP causes that come without a code', () => {
    expect(key(null, 'Connection Error')).toBe('connection');
    expect(key(null, 'Request Timeout')).toBe('timeout');
    expect(key(null, 'Busy')).toBe('busy');
    expect(key(null, 'Rejected')).toBe('declined');
    expect(key(null, 'Not Found')).toBe('notFound');
    expect(key(null, 'Unavailable')).toBe('unavailable');
    expect(key(null, 'Address Incomplete')).toBe('addressIncomplete');
    expect(key(null, 'Canceled')).toBe('cancelled');
    expect(key(null, 'No Answer')).toBe('noAnswer');
    expect(key(null, 'Expires')).toBe('noAnswer');
    expect(key(null, 'WebRTC Error')).toBe('media');
    expect(key(null, 'RTP Timeout')).toBe('media');
    expect(key(null, 'User Denied Media Access')).toBe('mediaDenied');
    expect(key(null, 'Authentication Error')).toBe('unauthorized');
    expect(key(null, 'Incompatible SDP')).toBe('incompatible');
    expect(key(null, 'Terminated')).toBe('ended');
    expect(key(null, 'Internal Error')).toBe('error');
    expect(key(null, 'Something new')).toBe('error');
    expect(key(null, null)).toBe('error');
  });

  it('ignores codes that are not failures', () => {
    expect(callFailure({ code: 200, cause: 'Terminated' })).toEqual({ key: 'ended', code: null });
    expect(callFailure({ code: 180 })).toEqual({ key: 'error', code: null });
    expect(callFailure({ code: Number.NaN, cause: 'Busy' })).toEqual({ key: 'busy', code: null });
  });

  it('knows every cause of the installed JsSIP', () => {
    // Read from the package so an upgrade that adds or renames a cause shows up here.
    const require = createRequire(import.meta.url);
    const constants = readFileSync(require.resolve('jssip/lib/Constants.js'), 'utf8');
    const block = /causes:\s*\{([\s\S]*?)\}/.exec(constants)?.[1] ?? '';
    const installed = Object.fromEntries([...block.matchAll(/(\w+):\s*'([^']+)'/g)].map((match) => [match[1], match[2]]));
    expect(Object.keys(installed).length).toBeGreaterThan(15);
    expect(installed).toEqual({ ...JSSIP_CAUSES });
  });
});

describe('why a registration failed', () => {
  it('tells wrong credentials from an unknown account, an unavailable server and a dead connection', () => {
    expect(registrationFailure({ code: 401, cause: 'Authentication Error' })).toEqual({ key: 'credentials', code: 401 });
    expect(registrationFailure({ code: 403, cause: 'Rejected' })).toEqual({ key: 'credentials', code: 403 });
    expect(registrationFailure({ code: 407 })).toEqual({ key: 'credentials', code: 407 });
    expect(registrationFailure({ code: 404, cause: 'Not Found' })).toEqual({ key: 'notFound', code: 404 });
    expect(registrationFailure({ code: 503 })).toEqual({ key: 'unavailable', code: 503 });
    expect(registrationFailure({ code: 408 })).toEqual({ key: 'timeout', code: 408 });
    expect(registrationFailure({ cause: 'Connection Error' })).toEqual({ key: 'connection', code: null });
    expect(registrationFailure({ cause: 'Request Timeout' })).toEqual({ key: 'timeout', code: null });
    expect(registrationFailure({ cause: 'Authentication Error' })).toEqual({ key: 'credentials', code: null });
    expect(registrationFailure({ code: 500, cause: 'SIP Failure Code' })).toEqual({ key: 'failed', code: 500 });
    expect(registrationFailure({ cause: 'Internal Error' })).toEqual({ key: 'error', code: null });
  });
});

describe('the words for each reason', () => {
  it('has a message for every key, in English and Korean alike (ko is typed after en)', () => {
    // Type-checked: a reason key without a message fails `npm run typecheck`.
    const call: Record<CallFailure, string> = en.phone.failure;
    const registration: Record<RegistrationFailure, string> = en.phone.registration;
    const callKeys = ['busy', 'notFound', 'declined', 'noAnswer', 'unavailable', 'unauthorized', 'cancelled', 'incompatible', 'addressIncomplete', 'redirected', 'connection', 'timeout', 'media', 'mediaDenied', 'ended', 'failed', 'error'];
    expect(Object.keys(call).sort()).toEqual([...callKeys].sort());
    expect(Object.keys(registration).sort()).toEqual(['connection', 'credentials', 'error', 'failed', 'notFound', 'timeout', 'unavailable']);
    expect(en.phone.failure.failed).toContain('{code}');
  });
});
