import type { ErrorCode, LanlineErrorData } from '../../../electron/contract.js';

/** What every failed request rejects with, whichever bridge carried it. */
export class LanlineError extends Error implements LanlineErrorData {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'LanlineError';
  }

  static from(reason: unknown): LanlineError {
    if (reason instanceof LanlineError) return reason;
    if (reason && typeof reason === 'object' && 'code' in reason && 'message' in reason) {
      const { code, message } = reason as LanlineErrorData;
      return new LanlineError(code, String(message));
    }
    return new LanlineError('internal', reason instanceof Error ? reason.message : String(reason));
  }
}
