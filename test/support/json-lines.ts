/**
 * A child process that speaks one JSON object a line (the lan fixtures): every line it prints is
 * kept with the time it arrived, `waitFor` resolves with the first (already printed or still to come)
 * that matches, and `tell` writes a command line to its stdin.
 */
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface JsonLines<T> {
  process: ChildProcess;
  lines: Array<{ at: number; line: T }>;
  waitFor(match: (line: T) => boolean, timeoutMs: number, what: string): Promise<T>;
  tell(command: object): void;
  stderr(): string;
}

export function jsonLines<T>(child: ChildProcess, label: string): JsonLines<T> {
  const lines: JsonLines<T>['lines'] = [];
  const waiters = new Set<(line: T) => void>();
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout! }).on('line', (text) => {
    const line = JSON.parse(text) as T;
    lines.push({ at: performance.now(), line });
    for (const waiter of waiters) waiter(line);
  });
  return {
    process: child,
    lines,
    stderr: () => stderr,
    tell: (command) => child.stdin!.write(`${JSON.stringify(command)}\n`),
    waitFor(match, timeoutMs, what) {
      const earlier = lines.find((entry) => match(entry.line));
      if (earlier) return Promise.resolve(earlier.line);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`${label}: no ${what} within ${timeoutMs} ms\nstdout:\n${lines.map((entry) => JSON.stringify(entry.line)).join('\n')}\nstderr:\n${stderr.slice(-4000)}`));
        }, timeoutMs);
        const waiter = (line: T) => {
          if (!match(line)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(line);
        };
        waiters.add(waiter);
      });
    },
  };
}
