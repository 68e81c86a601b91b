/**
 * The safety code two people read to each other to confirm that each side pinned the other's real
 * certificate (no one in the middle). Both sides compute it from the same two fingerprints, so it is
 * the same on both screens, whichever side asks.
 *
 * Definition (for a second implementation):
 *   input   = "lanline-safety-code-v1\n" + the two fingerprints ("sha-256 AB:…", upper-case hex)
 *             sorted as ASCII strings and joined with "\n"
 *   block i = SHA-256(input + "\n" + i)  for i = 0, 1, 2…  (i in decimal)
 *   read the blocks as one stream of 3-byte big-endian numbers; drop any n ≥ 16 700 000 (the largest
 *   multiple of 100 000 below 2^24, so no group is more likely than another); the first four kept
 *   numbers, each taken mod 100 000 and written as 5 digits, are the code: "NNNNN NNNNN NNNNN NNNNN".
 */
import { createHash } from 'node:crypto';
import { Fingerprint, type Fingerprint as FingerprintValue } from '../../contract.js';
import { LanlineError } from '../errors.js';

const DOMAIN = 'lanline-safety-code-v1';
const GROUPS = 4;
const GROUP_RANGE = 100_000;
const LIMIT = Math.floor(2 ** 24 / GROUP_RANGE) * GROUP_RANGE;

export function safetyCode(a: FingerprintValue, b: FingerprintValue): string {
  for (const fingerprint of [a, b]) {
    if (!Fingerprint.safeParse(fingerprint).success) {
      throw new LanlineError('invalid', 'A safety code needs two certificate fingerprints ("sha-256 " and 32 hex bytes).');
    }
  }
  const input = `${DOMAIN}\n${[a, b].sort().join('\n')}`;
  const groups: string[] = [];
  // Ten 3-byte numbers per block and a 0.46 % chance to drop each: one block nearly always suffices.
  for (let block = 0; groups.length < GROUPS; block += 1) {
    const digest = createHash('sha256').update(`${input}\n${block}`).digest();
    for (let offset = 0; offset + 3 <= digest.length && groups.length < GROUPS; offset += 3) {
      const value = digest.readUIntBE(offset, 3);
      if (value < LIMIT) groups.push(String(value % GROUP_RANGE).padStart(5, '0'));
    }
  }
  return groups.join(' ');
}
