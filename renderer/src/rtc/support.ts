/**
 * What this browser can do for Lanline's media and data paths, checked once at start. The app shows
 * a warning instead of failing later inside a call when a piece is missing.
 */
export interface RtcSupport {
  peerConnection: boolean;
  dataChannel: boolean;
  mediaDevices: boolean;
  displayMedia: boolean;
  insertableStreams: boolean;
}

export function detectRtcSupport(scope: typeof globalThis = globalThis): RtcSupport {
  const pc = scope.RTCPeerConnection;
  const devices = scope.navigator?.mediaDevices;
  return {
    peerConnection: typeof pc === 'function',
    dataChannel: typeof pc === 'function' && typeof pc.prototype.createDataChannel === 'function',
    mediaDevices: typeof devices?.getUserMedia === 'function',
    displayMedia: typeof devices?.getDisplayMedia === 'function',
    insertableStreams: typeof scope.RTCRtpSender === 'function' && 'createEncodedStreams' in scope.RTCRtpSender.prototype,
  };
}

export function missingRtcFeatures(support: RtcSupport): string[] {
  return (Object.keys(support) as (keyof RtcSupport)[]).filter((key) => key !== 'insertableStreams' && !support[key]);
}
