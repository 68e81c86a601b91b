/**
 * Whether the SIP account's gateway connection is one the user agreed to (issue 14 §7). A `wss://`
 * gateway is encrypted. A `ws://` one is not: anyone on the network path reads the registration
 * (user, digest answers) and the calls' signaling, so it needs the user's explicit confirmation
 * (`sip.unencrypted`, a checkbox in Settings). Core refuses to save an enabled ws:// account without
 * it, and keeps the password from the user agent of such an account (one stored before this rule).
 */
import type { SipAccount } from '../../contract.js';

export const isUnencryptedGateway = (wsUrl: string): boolean => /^ws:\/\//i.test(wsUrl.trim());

/** Why this account may not connect as it is, or null when it may. */
export function sipTransportProblem(account: Pick<SipAccount, 'enabled' | 'wsUrl' | 'unencrypted'>): string | null {
  if (!account.enabled || !isUnencryptedGateway(account.wsUrl) || account.unencrypted) return null;
  return `The gateway ${account.wsUrl.trim()} is not encrypted (ws://): anyone on the network could read the sign-in and the calls' signaling. Use a wss:// address, or confirm that this connection is unencrypted.`;
}
