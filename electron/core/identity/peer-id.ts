/**
 * Peer ids: the SHA-256 certificate fingerprint written so that people can read it to each other.
 *
 * On the wire and on screen (the same algorithm as Syncthing device ids, so an id computed by a
 * Syncthing library from the same certificate is identical):
 *   1. the 32 fingerprint bytes in RFC 4648 base32 (A-Z 2-7), padding dropped: 52 characters;
 *   2. four groups of 13, each followed by one check character (Syncthing's Luhn mod 32: factors
 *      1, 2, 1, 2… from the left, each product folded as `p / 32 + p % 32`, the check character is
 *      `(32 - sum % 32) % 32`): 56 characters;
 *   3. shown as 8 groups of 7 joined by '-':  P56IOI7-MZJNU2Y-IQGDREY-DM2MGTI-MGL3BXN-PQ6W5BM-TBBZ4TJ-XZWICQ2
 *
 * Every single-character substitution changes the check character of its group, so a typo in an id
 * typed by hand is caught before anything is looked up.
 */
import { Fingerprint, type Fingerprint as FingerprintValue, type PeerId as PeerIdValue } from '../../contract.js';
import { LanlineError } from '../errors.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const FINGERPRINT_BYTES = 32;
const BASE32_LENGTH = 52;
const GROUP = 13;
const ID_LENGTH = BASE32_LENGTH + BASE32_LENGTH / GROUP;

/** The 32 bytes behind `sha-256 AB:CD:…`. */
export function fingerprintBytes(fingerprint: FingerprintValue): Uint8Array {
  if (!Fingerprint.safeParse(fingerprint).success) {
    throw new LanlineError('invalid', 'A certificate fingerprint must be "sha-256 " followed by 32 colon-separated hex bytes.');
  }
  return Uint8Array.from(fingerprint.slice('sha-256 '.length).split(':'), (hex) => parseInt(hex, 16));
}

export function fingerprintFromBytes(bytes: Uint8Array): FingerprintValue {
  if (bytes.length !== FINGERPRINT_BYTES) throw new RangeError(`a SHA-256 fingerprint has 32 bytes, not ${bytes.length}`);
  return `sha-256 ${Array.from(bytes, (byte) => byte.toString(16).toUpperCase().padStart(2, '0')).join(':')}`;
}

function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** Decodes unpadded base32; null when the trailing bits (beyond the last whole byte) are not zero. */
function unbase32(text: string): Uint8Array | null {
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of text) {
    buffer = (buffer << 5) | ALPHABET.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 255);
    }
    buffer &= (1 << bits) - 1;
  }
  return buffer === 0 ? Uint8Array.from(bytes) : null;
}

function checkCharacter(group: string): string {
  let factor = 1;
  let sum = 0;
  for (const char of group) {
    const product = factor * ALPHABET.indexOf(char);
    factor = factor === 2 ? 1 : 2;
    sum += Math.floor(product / 32) + (product % 32);
  }
  return ALPHABET[(32 - (sum % 32)) % 32]!;
}

function display(id56: string): PeerIdValue {
  return id56.match(/.{7}/g)!.join('-');
}

export function peerIdFromFingerprint(fingerprint: FingerprintValue): PeerIdValue {
  const encoded = base32(fingerprintBytes(fingerprint));
  let id = '';
  for (let start = 0; start < BASE32_LENGTH; start += GROUP) {
    const group = encoded.slice(start, start + GROUP);
    id += group + checkCharacter(group);
  }
  return display(id);
}

/**
 * Reads a peer id as a person typed or pasted it: any case, spaces or dashes anywhere, and the
 * digits 0, 1 and 8 taken for the letters O, I and B they are often mistaken for. Returns the
 * canonical form; throws LanlineError 'invalid' for a wrong length or a failed check character.
 */
export function parsePeerId(text: string): PeerIdValue {
  const compact = text
    .toUpperCase()
    .replace(/[\s-]+/g, '')
    .replace(/0/g, 'O')
    .replace(/1/g, 'I')
    .replace(/8/g, 'B');
  if (/[^A-Z2-7]/.test(compact)) {
    throw new LanlineError('invalid', 'This peer id has a typo: it may contain only letters A-Z and digits 2-7.');
  }
  if (compact.length !== ID_LENGTH) {
    throw new LanlineError('invalid', `This peer id has a typo: it should have 56 letters and digits (8 groups of 7), but has ${compact.length}.`);
  }
  for (let index = 0; index < ID_LENGTH / (GROUP + 1); index += 1) {
    const chunk = compact.slice(index * (GROUP + 1), (index + 1) * (GROUP + 1));
    if (checkCharacter(chunk.slice(0, GROUP)) !== chunk[GROUP]) {
      // Check group k covers characters 14k..14k+13, i.e. display groups 2k+1 and 2k+2 (1-based).
      throw new LanlineError('invalid', `This peer id has a typo in groups ${2 * index + 1}-${2 * index + 2}; compare them with the id shown on the other device.`);
    }
  }
  // Four valid check characters with nonzero padding bits means several typos that happen to balance.
  if (unbase32(stripChecks(compact)) === null) {
    throw new LanlineError('invalid', 'This peer id has a typo in its last group; compare it with the id shown on the other device.');
  }
  return display(compact);
}

function stripChecks(id56: string): string {
  let data = '';
  for (let start = 0; start < ID_LENGTH; start += GROUP + 1) data += id56.slice(start, start + GROUP);
  return data;
}

/** The fingerprint a (well-formed) peer id stands for; the inverse of peerIdFromFingerprint. */
export function fingerprintFromPeerId(id: PeerIdValue): FingerprintValue {
  const canonical = parsePeerId(id);
  return fingerprintFromBytes(unbase32(stripChecks(canonical.replace(/-/g, '')))!);
}
