/**
 * The call quality indicator: one word from the sampled stats, the way users read signal bars.
 * Thresholds follow the ITU-T G.114 / E-model rules of thumb: mouth-to-ear delay under ~150 ms is
 * good, over ~300 ms hurts; a few percent of packet loss is audible, ten percent breaks speech.
 */
export type Quality = 'good' | 'fair' | 'poor' | 'unknown';

export interface QualityInput {
  /** Round-trip time of the selected candidate pair, ms. */
  rttMs: number | null;
  /** Inbound audio jitter, ms. */
  jitterMs: number | null;
  /** Inbound packets lost in the last sample, percent. */
  lossPercent: number | null;
}

export function callQuality({ rttMs, jitterMs, lossPercent }: QualityInput): Quality {
  if (rttMs === null && jitterMs === null && lossPercent === null) return 'unknown';
  const rtt = rttMs ?? 0;
  const jitter = jitterMs ?? 0;
  const loss = lossPercent ?? 0;
  if (rtt > 400 || jitter > 60 || loss > 8) return 'poor';
  if (rtt > 200 || jitter > 30 || loss > 2) return 'fair';
  return 'good';
}
