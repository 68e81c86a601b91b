import type { Session } from 'electron';
import { decidePermission } from '../core/permissions.js';
import { APP_ORIGIN } from './paths.js';

/** Grants media and display capture to the app's own frames only; the rules live in core. */
export function applyPermissionPolicy(session: Session): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? details.mediaTypes : undefined;
    callback(decidePermission({ permission, requestingUrl: details.requestingUrl, appOrigin: APP_ORIGIN, mediaTypes }));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    decidePermission({
      permission,
      requestingUrl: details.requestingUrl ?? requestingOrigin,
      appOrigin: APP_ORIGIN,
      mediaTypes: details.mediaType ? [details.mediaType] : undefined,
    }),
  );
}
