/**
 * Registers Lanline as the default application for the schemes core/protocols.ts plans: lanline:
 * always, tel: and sip: only with the user's consent (settings.phoneLinks), re-planned when it changes.
 */
import { app } from 'electron';
import type { Core } from '../core/index.js';
import { protocolPlan } from '../core/protocols.js';

// In development (electron .) the executable needs the app's path to start the right app.
const path = (): string | undefined => (process.defaultApp ? process.execPath : undefined);
const args = (): string[] | undefined => (process.defaultApp ? [app.getAppPath()] : undefined);

export function applyProtocolPlan(core: Core): () => void {
  const apply = (phoneLinks: boolean) => {
    for (const step of protocolPlan(phoneLinks, (scheme) => app.isDefaultProtocolClient(scheme, path(), args()))) {
      const done = step.action === 'register' ? app.setAsDefaultProtocolClient(step.scheme, path(), args()) : app.removeAsDefaultProtocolClient(step.scheme, path(), args());
      if (!done) core.log.warn(`could not ${step.action} Lanline as the ${step.scheme}: handler`);
    }
  };
  let last = core.settings.get().phoneLinks;
  apply(last);
  return core.events.on('settingsChanged', ({ phoneLinks }) => {
    if (phoneLinks === last) return;
    last = phoneLinks;
    apply(phoneLinks);
  });
}
