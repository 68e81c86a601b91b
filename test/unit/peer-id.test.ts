import { describe, expect, it } from 'vitest';
import { PeerId } from '../../electron/contract.js';
import { LanlineError } from '../../electron/core/errors.js';
import { fingerprintBytes, fingerprintFromPeerId, parsePeerId, peerIdFromFingerprint } from '../../electron/core/identity/peer-id.js';
import { randomFingerprint } from '../support/lan.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
// Syncthing's own test vector (lib/protocol/deviceid_test.go): the same bytes give the same id.
const SYNCTHING_FINGERPRINT = 'sha-256 7F:7C:87:23:EC:CA:5B:4D:22:06:1C:49:81:B3:4C:34:D8:65:EC:37:6B:E1:EB:74:33:08:73:C9:A6:F9:B2:05';
const SYNCTHING_ID = 'P56IOI7-MZJNU2Y-IQGDREY-DM2MGTI-MGL3BXN-PQ6W5BM-TBBZ4TJ-XZWICQ2';

function typo(thrown: () => unknown): LanlineError {
  try {
    thrown();
  } catch (error) {
    expect(error).toBeInstanceOf(LanlineError);
    return error as LanlineError;
  }
  throw new Error('expected a LanlineError');
}

describe('peer id', () => {
  it('is derived from the fingerprint as Syncthing derives a device id from the same bytes', () => {
    expect(peerIdFromFingerprint(SYNCTHING_FINGERPRINT)).toBe(SYNCTHING_ID);
  });

  it('has the contract form for any fingerprint and leads back to it', () => {
    for (let i = 0; i < 50; i += 1) {
      const fingerprint = randomFingerprint();
      const id = peerIdFromFingerprint(fingerprint);
      expect(PeerId.safeParse(id).success).toBe(true);
      expect(fingerprintFromPeerId(id)).toBe(fingerprint);
      expect(fingerprintBytes(fingerprint)).toHaveLength(32);
    }
  });

  it('catches every single-character substitution with a check character', () => {
    const samples = [SYNCTHING_ID, ...Array.from({ length: 4 }, () => peerIdFromFingerprint(randomFingerprint()))];
    let caught = 0;
    for (const id of samples) {
      const compact = id.replace(/-/g, '');
      for (let position = 0; position < compact.length; position += 1) {
        for (const replacement of ALPHABET) {
          if (replacement === compact[position]) continue;
          const changed = compact.slice(0, position) + replacement + compact.slice(position + 1);
          expect(typo(() => parsePeerId(changed)).message).toMatch(/typo/);
          caught += 1;
        }
      }
    }
    expect(caught).toBe(samples.length * 56 * 31);
  });

  it('names the groups where the typo is', () => {
    const compact = SYNCTHING_ID.replace(/-/g, '');
    const changed = compact.slice(0, 20) + (compact[20] === 'A' ? 'B' : 'A') + compact.slice(21);
    expect(typo(() => parsePeerId(changed)).message).toBe('This peer id has a typo in groups 3-4; compare them with the id shown on the other device.');
  });

  it('reads an id typed in any case, with spaces and missing or extra dashes', () => {
    for (const typed of [
      SYNCTHING_ID.toLowerCase(),
      SYNCTHING_ID.replace(/-/g, ''),
      SYNCTHING_ID.replace(/-/g, ' '),
      `  ${SYNCTHING_ID.replace(/-/g, ' - ')}  `,
      'P56IOI7MZJNU2Y--IQGDREYDM2MGTI-MGL3BXNPQ6W5BM TBBZ4TJ-XZWICQ2',
      'p56ioi7mzjnu2yiqgdreydm2mgtimgl3bxnpq6w5bmtbbz4tjxzwicq2',
      // 0, 1 and 8 read as the letters O, I and B.
      'P561017MZJNU2YIQGDREYDM2MGTIMGL3BXNPQ6W5BMT88Z4TJXZWICQ2',
    ]) {
      expect(parsePeerId(typed)).toBe(SYNCTHING_ID);
    }
  });

  it('refuses an id of the wrong length or with characters outside the alphabet', () => {
    expect(typo(() => parsePeerId(SYNCTHING_ID.slice(0, -1))).message).toMatch(/typo.*56 .*has 55/);
    expect(typo(() => parsePeerId(`${SYNCTHING_ID}A`)).message).toMatch(/has 57/);
    expect(typo(() => parsePeerId('')).message).toMatch(/has 0/);
    // Syncthing's old 52-character form has no check characters to catch typos: not accepted.
    expect(typo(() => parsePeerId('P56IOI7MZJNU2IQGDREYDM2MGTMGL3BXNPQ6W5BTBBZ4TJXZWICQ')).message).toMatch(/has 52/);
    expect(typo(() => parsePeerId(SYNCTHING_ID.replace('P', '9'))).code).toBe('invalid');
    expect(typo(() => parsePeerId(SYNCTHING_ID.replace('P', 'é'))).message).toMatch(/only letters A-Z and digits 2-7/);
  });

  it('refuses a malformed fingerprint', () => {
    expect(typo(() => peerIdFromFingerprint('sha-256 AB:CD')).code).toBe('invalid');
    expect(typo(() => peerIdFromFingerprint(SYNCTHING_FINGERPRINT.toLowerCase())).code).toBe('invalid');
  });
});
