import { safeStorage } from 'electron';
import type { SecretCodec } from '../core/calls/secrets.js';

/** Seals secrets with the OS keychain's key; core refuses to store one when this is unavailable. */
export const safeStorageCodec: SecretCodec = {
  available: () => safeStorage.isEncryptionAvailable(),
  encrypt: (text) => safeStorage.encryptString(text),
  decrypt: (sealed) => safeStorage.decryptString(sealed),
};
