import type { ErrorCode, LanlineErrorData } from '../contract.js';

/** An error a user could act on: a stable code plus a sentence. Crosses the contract as-is. */
export class LanlineError extends Error implements LanlineErrorData {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'LanlineError';
  }

  toJSON(): LanlineErrorData {
    return { code: this.code, message: this.message };
  }
}
