import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Log {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

type Sink = (line: string) => void;

/**
 * Plain-text log lines `ISO-time LEVEL message`. Callers pass messages that never contain SDP
 * private material, passwords or file contents (DESIGN §6); this writer does not inspect them.
 */
export function createLog(sinks: Sink[]): Log {
  const write = (level: string, message: string) => {
    const line = `${new Date().toISOString()} ${level} ${message}\n`;
    for (const sink of sinks) sink(line);
  };
  return {
    info: (m) => write('INFO', m),
    warn: (m) => write('WARN', m),
    error: (m, e) => write('ERROR', e === undefined ? m : `${m}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
  };
}

export function fileSink(path: string): Sink {
  mkdirSync(dirname(path), { recursive: true });
  return (line) => {
    try {
      appendFileSync(path, line);
    } catch {
      // A log that cannot be written must not take the app down.
    }
  };
}

export const stderrSink: Sink = (line) => process.stderr.write(line);

/** For unit tests: keeps the lines it was given. */
export function memoryLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  return { lines, ...createLog([(l) => lines.push(l.trimEnd())]) };
}
