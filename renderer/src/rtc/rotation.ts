/**
 * Telling trusted peers about a renewed certificate, over the data link the old certificate secures
 * (main checked the link's DTLS fingerprint against the pin before any SDP was applied):
 *   renewing side  -> {t:'rotate', fingerprint:'sha-256 …'}   on the control channel
 *   peer           -> {t:'rotate-ok'}                         once it moved its trust to the new id
 * Peers that miss it see the new id's hello claim the old one, and are asked to compare safety codes.
 */
import type { DataLink } from './data-link';

const REPLY_TIMEOUT_MS = 5_000;

export function announceRotation(link: DataLink, fingerprint: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('The peer did not confirm the new certificate in time.'));
    }, REPLY_TIMEOUT_MS);
    const off = link.onControl((message) => {
      if (message.t !== 'rotate-ok') return;
      clearTimeout(timer);
      off();
      resolve();
    });
    link.sendControl({ t: 'rotate', fingerprint });
  });
}

/** Answers a peer's rotation on every link: `accept` moves the trust in main, then we confirm. */
export function answerRotations(link: DataLink, accept: (peerId: string, fingerprint: string) => Promise<void>): () => void {
  return link.onControl((message) => {
    if (message.t !== 'rotate' || typeof message.fingerprint !== 'string') return;
    accept(link.peerId, message.fingerprint).then(
      () => link.sendControl({ t: 'rotate-ok' }),
      (error: unknown) => console.warn(`certificate rotation of ${link.peerId} refused: ${(error as Error).message}`),
    );
  });
}
