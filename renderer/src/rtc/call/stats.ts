/**
 * The in-call statistics: `summarizeStats` turns two getStats() reports one second apart into the
 * figures the stats panel shows (pure, so it is unit-tested with plain objects; the quality word is
 * quality.ts's); `StatsSampler` takes
 * the reports at 1 Hz while a call runs, and stops with it (no timer while idle).
 */
export interface CallStats {
  at: number;
  rttMs: number | null;
  jitterMs: number | null;
  lossPercent: number | null;
  bitrateInKbps: number | null;
  bitrateOutKbps: number | null;
  width: number | null;
  height: number | null;
  fps: number | null;
  codecs: string;
  /** Candidate types of the selected pair: host, srflx, prflx, relay. */
  localCandidate: string | null;
  remoteCandidate: string | null;
  framesDecoded: number;
  audioEnergy: number;
  bytesReceived: number;
  bytesSent: number;
}

type Entry = Record<string, unknown> & { id: string; type: string; timestamp: number };

const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

export function summarizeStats(report: Iterable<Entry>, previous: Iterable<Entry> | null): CallStats {
  const entries = [...report];
  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  const before = new Map([...(previous ?? [])].map((entry) => [entry.id, entry]));
  const of = (type: string, kind?: string) => entries.filter((entry) => entry.type === type && (!kind || entry.kind === kind));

  const transport = of('transport')[0];
  const pairId = (transport?.selectedCandidatePairId as string | undefined) ?? of('candidate-pair').find((pair) => pair.nominated && pair.state === 'succeeded')?.id;
  const pair = pairId ? byId.get(pairId) : undefined;
  const local = pair ? byId.get(pair.localCandidateId as string) : undefined;
  const remote = pair ? byId.get(pair.remoteCandidateId as string) : undefined;

  const inbound = of('inbound-rtp');
  const outbound = of('outbound-rtp');
  const audioIn = of('inbound-rtp', 'audio')[0];
  const videoIn = of('inbound-rtp', 'video')[0];
  const sum = (list: Entry[], key: string) => list.reduce((total, entry) => total + (num(entry[key]) ?? 0), 0);
  const delta = (list: Entry[], key: string) =>
    list.reduce((total, entry) => {
      const old = before.get(entry.id);
      return total + (old ? (num(entry[key]) ?? 0) - (num(old[key]) ?? 0) : 0);
    }, 0);
  const seconds = (() => {
    const sample = [...inbound, ...outbound].find((entry) => before.has(entry.id));
    return sample ? (sample.timestamp - before.get(sample.id)!.timestamp) / 1000 : 0;
  })();
  const rate = (list: Entry[]) => (seconds > 0 ? Math.round((delta(list, 'bytesSent') + delta(list, 'bytesReceived')) * 8 / seconds / 1000) : null);

  const lost = delta(inbound, 'packetsLost');
  const received = delta(inbound, 'packetsReceived');
  const rtt = num(pair?.currentRoundTripTime);
  const jitter = num(audioIn?.jitter) ?? num(videoIn?.jitter);
  const lossPercent = previous && lost + received > 0 ? Math.round((Math.max(0, lost) / (lost + received)) * 1000) / 10 : previous ? 0 : null;
  const codecs = [...new Set([...inbound, ...outbound].map((entry) => byId.get(entry.codecId as string)?.mimeType).filter((mime): mime is string => typeof mime === 'string'))]
    .map((mime) => mime.replace(/^(audio|video)\//, ''))
    .join(', ');
  return {
    at: entries[0]?.timestamp ?? Date.now(),
    rttMs: rtt === null ? null : Math.round(rtt * 1000),
    jitterMs: jitter === null ? null : Math.round(jitter * 1000),
    lossPercent,
    bitrateInKbps: rate(inbound),
    bitrateOutKbps: rate(outbound),
    width: num(videoIn?.frameWidth),
    height: num(videoIn?.frameHeight),
    fps: num(videoIn?.framesPerSecond),
    codecs,
    localCandidate: (local?.candidateType as string | undefined) ?? null,
    remoteCandidate: (remote?.candidateType as string | undefined) ?? null,
    framesDecoded: sum(of('inbound-rtp', 'video'), 'framesDecoded'),
    audioEnergy: Math.round(sum(of('inbound-rtp', 'audio'), 'totalAudioEnergy') * 1e6) / 1e6,
    bytesReceived: sum(inbound, 'bytesReceived'),
    bytesSent: sum(outbound, 'bytesSent'),
  };
}

export class StatsSampler {
  private timer: ReturnType<typeof setInterval> | null = null;
  private previous: Entry[] | null = null;

  constructor(
    private readonly pc: RTCPeerConnection,
    private readonly listener: (stats: CallStats) => void,
    private readonly intervalMs = 1_000,
  ) {}

  /** Samples every `intervalMs` from now; the first sample too comes after one interval, not while the other side may still be connecting. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async sample(): Promise<void> {
    if (this.pc.connectionState === 'closed') return this.stop();
    const report = [...(await this.pc.getStats()).values()] as Entry[];
    this.listener(summarizeStats(report, this.previous));
    this.previous = report;
  }
}
