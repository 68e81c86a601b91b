/**
 * A raw WebRTC call between two pages, for benchmarks to compare Lanline with: getUserMedia (audio +
 * 720p video) in both pages, one RTCPeerConnection each, offer/answer and trickled candidates relayed
 * by the test process. Nothing of Lanline takes part.
 */
import type { Page } from 'playwright-core';

type RawWindow = { raw?: { pc: RTCPeerConnection; connected: Promise<number> }; rawSignal: (message: string) => void };

/** Lets each page hand its signaling messages to the test, which applies them in the other page. Once per pair. */
export async function relayRawSignaling(a: Page, b: Page): Promise<void> {
  for (const [from, to] of [[a, b], [b, a]] as const) {
    await from.exposeFunction('rawSignal', (message: string) =>
      to.evaluate(async (text) => {
        const scope = window as unknown as RawWindow;
        const pc = scope.raw!.pc;
        const { description, candidate } = JSON.parse(text) as { description?: RTCSessionDescriptionInit; candidate?: RTCIceCandidateInit | null };
        if (description) {
          await pc.setRemoteDescription(description);
          if (description.type === 'offer') {
            await pc.setLocalDescription();
            void scope.rawSignal(JSON.stringify({ description: pc.localDescription }));
          }
        } else if (candidate) await pc.addIceCandidate(candidate).catch(() => undefined);
      }, message),
    );
  }
}

/** Opens the media and the connection in both pages and connects them; resolves once both are connected. */
export async function startRawCall(a: Page, b: Page): Promise<void> {
  const setup = (page: Page) =>
    page.evaluate(async () => {
      const scope = window as unknown as RawWindow;
      scope.raw?.pc.close();
      document.getElementById('raw-video')?.remove();
      document.getElementById('raw-audio')?.remove();
      const pc = new RTCPeerConnection();
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: { ideal: 1280 }, height: { ideal: 720 } } });
      stream.getTracks().forEach((track) => pc.addTrack(track, stream));
      // Played like the app plays a call: the picture in a <video>, the sound in an <audio>.
      const video = Object.assign(document.createElement('video'), { id: 'raw-video', muted: true, autoplay: true, playsInline: true });
      const audio = Object.assign(document.createElement('audio'), { id: 'raw-audio', autoplay: true });
      document.body.append(video, audio);
      pc.ontrack = ({ streams }) => {
        video.srcObject = streams[0] ?? null;
        audio.srcObject = streams[0] ?? null;
      };
      const connected = new Promise<number>((resolve) => pc.addEventListener('connectionstatechange', () => pc.connectionState === 'connected' && resolve(Date.now())));
      pc.onicecandidate = ({ candidate }) => void scope.rawSignal(JSON.stringify({ candidate }));
      scope.raw = { pc, connected };
    });
  await Promise.all([setup(a), setup(b)]);
  await a.evaluate(async () => {
    const scope = window as unknown as RawWindow;
    await scope.raw!.pc.setLocalDescription();
    void scope.rawSignal(JSON.stringify({ description: scope.raw!.pc.localDescription }));
  });
  await Promise.all([a, b].map((page) => page.evaluate(() => (window as unknown as RawWindow).raw!.connected)));
}

/** Closes the raw call in both pages and stops its media. */
export async function stopRawCall(a: Page, b: Page): Promise<void> {
  await Promise.all(
    [a, b].map((page) =>
      page.evaluate(() => {
        const scope = window as unknown as RawWindow;
        const video = document.getElementById('raw-video') as HTMLVideoElement | null;
        scope.raw?.pc.getSenders().forEach((sender) => sender.track?.stop());
        scope.raw?.pc.close();
        video?.remove();
        document.getElementById('raw-audio')?.remove();
        delete scope.raw;
      }),
    ),
  );
}
