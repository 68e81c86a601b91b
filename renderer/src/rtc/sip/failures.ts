/**
 * Why a SIP call or registration failed, as a reason key the UI words (pure).
 *
 * Input is what JsSIP reports: a final response's status code (RFC 3261 §21, `message.status_code` or
 * `response.status_code`) and/or an end cause (`JsSIP.C.causes`, e.g. 'Busy', 'Connection Error').
 * The code is the more precise of the two, so it wins when it is a failure (3xx-6xx); causes without a
 * code (transport, timers, media) map on their own. The reason keys are the message keys under
 * `phone.failure` and `phone.registration` in the i18n files.
 */

export type CallFailure =
  | 'busy'
  | 'notFound'
  | 'declined'
  | 'noAnswer'
  | 'unavailable'
  | 'unauthorized'
  | 'cancelled'
  | 'incompatible'
  | 'addressIncomplete'
  | 'redirected'
  | 'connection'
  | 'timeout'
  | 'media'
  | 'mediaDenied'
  /** The call ended normally (a BYE from either side): not an error to show. */
  | 'ended'
  /** A failure response with no more specific key; `code` holds it. */
  | 'failed'
  /** A failure without a response code (internal, dialog, missing ACK, unknown cause). */
  | 'error';

export type RegistrationFailure = 'credentials' | 'notFound' | 'unavailable' | 'connection' | 'timeout' | 'failed' | 'error';

export interface FailureInput {
  /** The SIP status code of the final response, when there was one. */
  code?: number | null;
  /** JsSIP's cause string. */
  cause?: string | null;
}

export interface Failure<K extends string> {
  key: K;
  /** The SIP status code behind it (for `failed` always set). */
  code: number | null;
}

/** JsSIP.C.causes (jssip/lib/Constants.js) by value, so this module needs no JsSIP import. */
export const JSSIP_CAUSES = {
  CONNECTION_ERROR: 'Connection Error',
  REQUEST_TIMEOUT: 'Request Timeout',
  SIP_FAILURE_CODE: 'SIP Failure Code',
  INTERNAL_ERROR: 'Internal Error',
  BUSY: 'Busy',
  REJECTED: 'Rejected',
  REDIRECTED: 'Redirected',
  UNAVAILABLE: 'Unavailable',
  NOT_FOUND: 'Not Found',
  ADDRESS_INCOMPLETE: 'Address Incomplete',
  INCOMPATIBLE_SDP: 'Incompatible SDP',
  MISSING_SDP: 'Missing SDP',
  AUTHENTICATION_ERROR: 'Authentication Error',
  BYE: 'Terminated',
  WEBRTC_ERROR: 'WebRTC Error',
  CANCELED: 'Canceled',
  NO_ANSWER: 'No Answer',
  EXPIRES: 'Expires',
  NO_ACK: 'No ACK',
  DIALOG_ERROR: 'Dialog Error',
  USER_DENIED_MEDIA_ACCESS: 'User Denied Media Access',
  BAD_MEDIA_DESCRIPTION: 'Bad Media Description',
  RTP_TIMEOUT: 'RTP Timeout',
} as const;

const CALL_CODES: Record<number, CallFailure> = {
  401: 'unauthorized',
  403: 'unauthorized',
  407: 'unauthorized',
  404: 'notFound',
  410: 'notFound',
  604: 'notFound',
  408: 'noAnswer',
  480: 'noAnswer',
  484: 'addressIncomplete',
  486: 'busy',
  600: 'busy',
  487: 'cancelled',
  488: 'incompatible',
  606: 'incompatible',
  503: 'unavailable',
  603: 'declined',
};

const CALL_CAUSES: Record<string, CallFailure> = {
  [JSSIP_CAUSES.CONNECTION_ERROR]: 'connection',
  [JSSIP_CAUSES.REQUEST_TIMEOUT]: 'timeout',
  [JSSIP_CAUSES.BUSY]: 'busy',
  [JSSIP_CAUSES.REJECTED]: 'declined',
  [JSSIP_CAUSES.REDIRECTED]: 'redirected',
  [JSSIP_CAUSES.UNAVAILABLE]: 'unavailable',
  [JSSIP_CAUSES.NOT_FOUND]: 'notFound',
  [JSSIP_CAUSES.ADDRESS_INCOMPLETE]: 'addressIncomplete',
  [JSSIP_CAUSES.INCOMPATIBLE_SDP]: 'incompatible',
  [JSSIP_CAUSES.MISSING_SDP]: 'incompatible',
  [JSSIP_CAUSES.BAD_MEDIA_DESCRIPTION]: 'incompatible',
  [JSSIP_CAUSES.AUTHENTICATION_ERROR]: 'unauthorized',
  [JSSIP_CAUSES.BYE]: 'ended',
  [JSSIP_CAUSES.WEBRTC_ERROR]: 'media',
  [JSSIP_CAUSES.RTP_TIMEOUT]: 'media',
  [JSSIP_CAUSES.CANCELED]: 'cancelled',
  [JSSIP_CAUSES.NO_ANSWER]: 'noAnswer',
  [JSSIP_CAUSES.EXPIRES]: 'noAnswer',
  [JSSIP_CAUSES.USER_DENIED_MEDIA_ACCESS]: 'mediaDenied',
};

const failureCode = (code: number | null | undefined): number | null =>
  typeof code === 'number' && Number.isInteger(code) && code >= 300 && code <= 699 ? code : null;

/** The reason a call failed or ended: by status code first, then by JsSIP cause. */
export function callFailure({ code, cause }: FailureInput): Failure<CallFailure> {
  const status = failureCode(code);
  if (status !== null) {
    if (CALL_CODES[status]) return { key: CALL_CODES[status], code: status };
    if (status < 400) return { key: 'redirected', code: status };
    return { key: 'failed', code: status };
  }
  const key = cause ? CALL_CAUSES[cause] : undefined;
  return { key: key ?? 'error', code: null };
}

const REGISTRATION_CODES: Record<number, RegistrationFailure> = {
  401: 'credentials',
  403: 'credentials',
  407: 'credentials',
  404: 'notFound',
  604: 'notFound',
  408: 'timeout',
  480: 'unavailable',
  503: 'unavailable',
};

const REGISTRATION_CAUSES: Record<string, RegistrationFailure> = {
  [JSSIP_CAUSES.AUTHENTICATION_ERROR]: 'credentials',
  [JSSIP_CAUSES.REJECTED]: 'credentials',
  [JSSIP_CAUSES.NOT_FOUND]: 'notFound',
  [JSSIP_CAUSES.UNAVAILABLE]: 'unavailable',
  [JSSIP_CAUSES.CONNECTION_ERROR]: 'connection',
  [JSSIP_CAUSES.REQUEST_TIMEOUT]: 'timeout',
};

/** The reason a REGISTER failed (JsSIP `registrationFailed`: `{ response, cause }`). */
export function registrationFailure({ code, cause }: FailureInput): Failure<RegistrationFailure> {
  const status = failureCode(code);
  if (status !== null) return { key: REGISTRATION_CODES[status] ?? 'failed', code: status };
  const key = cause ? REGISTRATION_CAUSES[cause] : undefined;
  return { key: key ?? 'error', code: null };
}
