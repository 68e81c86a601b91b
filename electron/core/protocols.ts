/**
 * Which link schemes Lanline is the system's default application for (pure; electron/main/protocols.ts
 * carries the plan out with app.setAsDefaultProtocolClient / removeAsDefaultProtocolClient).
 *
 * `lanline:` is Lanline's own and always registered. `tel:` and `sip:`/`sips:` belong to whatever
 * phone application the user chose: Lanline takes them only when the user said so in Settings
 * (`settings.phoneLinks`, off by default), and gives them back when the user changes their mind, but
 * only where it is the default (it never removes another application's registration).
 */
import { LINK_SCHEMES } from './links.js';

export const OWN_SCHEME = 'lanline';
export const PHONE_SCHEMES = LINK_SCHEMES.filter((scheme) => scheme !== OWN_SCHEME);

export type ProtocolStep = { scheme: string; action: 'register' | 'unregister' };

export function protocolPlan(phoneLinks: boolean, isDefault: (scheme: string) => boolean): ProtocolStep[] {
  const steps: ProtocolStep[] = [{ scheme: OWN_SCHEME, action: 'register' }];
  for (const scheme of PHONE_SCHEMES) {
    if (phoneLinks) steps.push({ scheme, action: 'register' });
    else if (isDefault(scheme)) steps.push({ scheme, action: 'unregister' });
  }
  return steps;
}
