import { safeStorage } from 'electron';
import { sealingUsable, type SecretCodec } from '../core/calls/secrets.js';

/** What safeStorage offers here (core decides; basic_text on Linux counts as none). */
export const safeStorageState = () =>
  sealingUsable(process.platform, safeStorage.isEncryptionAvailable(), process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : null);

/** Seals secrets with the OS keychain's key; core refuses to store one when this is unavailable. */
export const safeStorageCodec: SecretCodec = {
  available: () => safeStorageState().usable,
  // What was sealed before (even with basic_text) can still be read, so nothing is lost.
  canOpen: () => safeStorage.isEncryptionAvailable(),
  encrypt: (text) => safeStorage.encryptString(text),
  decrypt: (sealed) => safeStorage.decryptString(sealed),
};
