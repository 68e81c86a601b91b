/**
 * This side's microphone and camera for a call. Mute disables the audio track (the peer receives
 * silence, nothing is renegotiated); camera off stops the video track, so the camera light goes off,
 * and the senders send nothing (replaceTrack(null)); camera on or a device switch opens a new track
 * and swaps it into every sender. Whoever owns the calls listens to `onTrack` to do the swapping.
 *
 * Two stages: `start` returns at once with an empty `stream` (its id is what the senders announce as
 * msid) while getUserMedia runs, so a call can negotiate meanwhile; the first tracks are added and
 * reported through `onTrack` as they open, and `ready` settles then (rejects when not even a
 * microphone could be opened). `open` is both stages in one.
 */
export type MediaKind = 'audio' | 'video';

export interface LocalMediaOptions {
  audioDeviceId?: string | null;
  videoDeviceId?: string | null;
  mediaDevices?: MediaDevices;
  /**
   * Open the devices once this settles (the call's connection is up), at most `AFTER_MAX_MS` later.
   * A camera starting takes both cores of a small machine for a moment: opened during the set-up it
   * slowed the set-up by more than it gained (call-setup benchmark), and a call answered by a person
   * rings far longer than the wait, so the caller still sees itself while it rings.
   */
  after?: Promise<unknown>;
}

export const AFTER_MAX_MS = 300;

const constraint = (deviceId: string | null | undefined, video: boolean): MediaTrackConstraints | boolean => {
  const base: MediaTrackConstraints = video ? { width: { ideal: 1280 }, height: { ideal: 720 } } : {};
  return deviceId ? { ...base, deviceId: { exact: deviceId } } : video ? base : true;
};

export class LocalMedia {
  readonly stream = new MediaStream();
  muted = false;
  held = false;
  /** Settles once the first getUserMedia did: resolved with the tracks in `stream`, rejected with no microphone. */
  readonly ready: Promise<void>;
  private readonly trackListeners = new Set<(kind: MediaKind, track: MediaStreamTrack | null) => void>();
  private readonly devices: MediaDevices;
  private stopped = false;
  /** Camera turned off (or on) before the first tracks opened: honoured when they arrive. */
  private cameraWanted = true;

  private constructor(private readonly options: LocalMediaOptions, video: boolean) {
    this.devices = options.mediaDevices ?? navigator.mediaDevices;
    this.ready = this.acquire(video);
    this.ready.catch(() => undefined); // whoever waits on it handles the failure
  }

  /**
   * Starts opening the microphone, and the camera when `video`; returns at once (see `ready`).
   * A missing camera leaves an audio-only call; no microphone at all rejects `ready`.
   */
  static start(video: boolean, options: LocalMediaOptions = {}): LocalMedia {
    return new LocalMedia(options, video);
  }

  /** `start` and wait for the tracks. */
  static async open(video: boolean, options: LocalMediaOptions = {}): Promise<LocalMedia> {
    const media = LocalMedia.start(video, options);
    await media.ready;
    return media;
  }

  private async acquire(video: boolean): Promise<void> {
    const options = this.options;
    const open = (withVideo: boolean, exact: boolean) =>
      this.devices.getUserMedia({
        audio: constraint(exact ? options.audioDeviceId : null, false),
        video: withVideo ? constraint(exact ? options.videoDeviceId : null, true) : false,
      });
    if (options.after) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([options.after.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, AFTER_MAX_MS)))]);
      clearTimeout(timer);
      if (this.stopped) return;
    }
    let stream: MediaStream;
    try {
      stream = await open(video, true);
    } catch {
      // The chosen device is gone or busy: the default one; then without a camera.
      stream = await open(video, false).catch(() => open(false, false));
    }
    if (this.stopped) {
      // The call ended while the devices opened: release them at once (camera light off).
      stream.getTracks().forEach((track) => track.stop());
      return;
    }
    for (const track of stream.getTracks()) {
      if (track.kind === 'video' && !this.cameraWanted) {
        track.stop();
        continue;
      }
      if (track.kind === 'video') track.contentHint = 'motion';
      this.stream.addTrack(track);
    }
    this.applyEnabled();
    if (this.audio) this.emit('audio', this.audio);
    if (this.video) this.emit('video', this.video);
  }

  get audio(): MediaStreamTrack | null {
    return this.stream.getAudioTracks()[0] ?? null;
  }

  get video(): MediaStreamTrack | null {
    return this.stream.getVideoTracks()[0] ?? null;
  }

  onTrack(listener: (kind: MediaKind, track: MediaStreamTrack | null) => void): () => void {
    this.trackListeners.add(listener);
    return () => this.trackListeners.delete(listener);
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
    this.applyEnabled();
  }

  /** Hold: nothing is sent, neither sound nor picture, until resumed. */
  setHeld(held: boolean): void {
    this.held = held;
    this.applyEnabled();
  }

  async setCamera(on: boolean, deviceId?: string | null): Promise<void> {
    this.cameraWanted = on;
    await this.ready.catch(() => undefined);
    if (this.stopped || this.cameraWanted !== on) return;
    if (!on) {
      const track = this.video;
      if (!track) return;
      track.stop();
      this.stream.removeTrack(track);
      this.emit('video', null);
      return;
    }
    if (this.video) return;
    await this.openTrack('video', deviceId ?? this.options.videoDeviceId ?? null);
  }

  /** Switches to another device (null: the system default) without dropping the call. */
  async useDevice(kind: MediaKind, deviceId: string | null): Promise<void> {
    if (kind === 'video') this.options.videoDeviceId = deviceId;
    else this.options.audioDeviceId = deviceId;
    await this.ready.catch(() => undefined);
    if (this.stopped) return;
    if (kind === 'video' && !this.video) return; // used the next time the camera is turned on
    await this.openTrack(kind, deviceId);
  }

  /** The id of the device a track of that kind is reading now. */
  deviceInUse(kind: MediaKind): string | null {
    const track = kind === 'audio' ? this.audio : this.video;
    return track?.getSettings().deviceId ?? null;
  }

  stop(): void {
    this.stopped = true;
    this.stream.getTracks().forEach((track) => {
      track.stop();
      this.stream.removeTrack(track);
    });
    this.trackListeners.clear();
  }

  private async openTrack(kind: MediaKind, deviceId: string | null): Promise<void> {
    const stream = await this.devices.getUserMedia({ [kind]: constraint(deviceId, kind === 'video') });
    const track = kind === 'audio' ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
    if (!track) throw new Error(`No ${kind} track.`);
    if (this.stopped) {
      track.stop();
      return;
    }
    if (kind === 'video') track.contentHint = 'motion';
    const old = kind === 'audio' ? this.audio : this.video;
    if (old) {
      this.stream.removeTrack(old);
      old.stop();
    }
    this.stream.addTrack(track);
    this.applyEnabled();
    this.emit(kind, track);
  }

  private applyEnabled(): void {
    if (this.audio) this.audio.enabled = !this.muted && !this.held;
    if (this.video) this.video.enabled = !this.held;
  }

  private emit(kind: MediaKind, track: MediaStreamTrack | null): void {
    this.trackListeners.forEach((listener) => listener(kind, track));
  }
}
