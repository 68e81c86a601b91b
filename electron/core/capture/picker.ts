/**
 * One question at a time to the renderer's screen-source picker: main's display-media handler calls
 * `ask` with the sources, the renderer is told (`captureSources` event, again on each refresh with the
 * same request id) and answers with `chooseCaptureSource`. A new question cancels an unanswered one;
 * no answer within two minutes is a cancel, as is closing the picker.
 */
import type { CaptureSource } from '../../contract.js';
import { LanlineError } from '../errors.js';
import type { EventHub } from '../events.js';

export interface CaptureChoice {
  source: CaptureSource;
  /** The user asked for the system's sound too (only offered where it is supported). */
  audio: boolean;
}

const ANSWER_TIMEOUT_MS = 120_000;

export class CapturePicker {
  private pending: {
    requestId: string;
    sources: CaptureSource[];
    audio: boolean;
    resolve: (choice: CaptureChoice | null) => void;
    timer: ReturnType<typeof setTimeout>;
  } | null = null;
  private count = 0;

  constructor(
    private readonly events: EventHub,
    private readonly timeoutMs = ANSWER_TIMEOUT_MS,
  ) {}

  /** The id of the question still waiting for an answer, if any (the adapter refreshes its sources). */
  get waiting(): string | null {
    return this.pending?.requestId ?? null;
  }

  ask(sources: CaptureSource[], audio: boolean): Promise<CaptureChoice | null> {
    this.settle(null);
    this.count += 1;
    const requestId = `capture-${this.count}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.settle(null), this.timeoutMs);
      this.pending = { requestId, sources, audio, resolve, timer };
      this.events.emit('captureSources', { requestId, sources, audio });
    });
  }

  /** New thumbnails (or windows that came or went) for the question still open. */
  refresh(requestId: string, sources: CaptureSource[]): void {
    if (this.pending?.requestId !== requestId) return;
    this.pending.sources = sources;
    this.events.emit('captureSources', { requestId, sources, audio: this.pending.audio });
  }

  choose(requestId: string, sourceId: string | null, audio: boolean): void {
    if (this.pending?.requestId !== requestId) throw new LanlineError('not-found', 'This screen picker was already closed; choose "Share screen" again.');
    if (sourceId === null) return this.settle(null);
    const source = this.pending.sources.find((candidate) => candidate.id === sourceId);
    if (!source) throw new LanlineError('invalid', 'That screen or window is no longer there; choose another one.');
    this.settle({ source, audio: audio && this.pending.audio });
  }

  private settle(choice: CaptureChoice | null): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    clearTimeout(pending.timer);
    pending.resolve(choice);
  }
}
