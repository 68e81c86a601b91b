/**
 * Discovery as a user sees it, over several rounds: two instances stay up (Ana, Ben) while a third
 * starts with a fresh profile, appears on their lists, pins them, quits (SIGTERM) and leaves their
 * lists. Whole instances in network namespaces (test/support/lan-app.ts); each time is taken from the
 * spawn of the newcomer's host (or the signal) to the moment each observer's list changed. Prints
 * min / median / max; the targets (DESIGN §5) are 2 s to appear and 2 s to leave after a quit.
 *   LANLINE_BENCH_ROUNDS=<n>   rounds (default 5)
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createAppLan, shownAs, shownPinned, type AppLan, type LanApp } from '../support/lan-app.js';
import { namespacesAvailable } from '../support/netns.js';

const available = await namespacesAvailable();
if (!available.ok) console.warn(`discovery benchmark skipped: ${available.reason}`);

const rounds = Number(process.env.LANLINE_BENCH_ROUNDS ?? 5);

const LABEL_WIDTH = 46;
const header = (title: string) => `${title.padEnd(LABEL_WIDTH)}${['min', 'median', 'max'].map((cell) => cell.padStart(8)).join('')}`;

function row(label: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  const cells = [sorted[0]!, median, sorted.at(-1)!].map((ms) => String(Math.round(ms)).padStart(8));
  return `${label.padEnd(LABEL_WIDTH)}${cells.join('')}`;
}

describe.skipIf(!available.ok)('discovery benchmark', () => {
  let network: AppLan | undefined;
  let observers: LanApp[];

  beforeAll(async () => {
    network = await createAppLan(3);
    observers = [await network.launch(0, 'Ana'), await network.launch(1, 'Ben')];
    await Promise.all([shownAs(observers[0]!, 'Ben', 'Online', 15_000), shownAs(observers[1]!, 'Ana', 'Online', 15_000)]);
  });

  afterAll(async () => {
    await network?.destroy();
  });

  it(`a newcomer appears and, after quitting, leaves: ${rounds} rounds`, async () => {
    const fromSpawn: number[] = [];
    const fromLoad: number[] = [];
    const leave: number[] = [];
    for (let round = 1; round <= rounds; round += 1) {
      const newcomer = await network!.launch(2, `Cho ${round}`);
      for (const at of await Promise.all(observers.map((observer) => shownAs(observer, newcomer.name, 'Online', 15_000)))) {
        fromSpawn.push(at - newcomer.spawnedAt);
        fromLoad.push(at - newcomer.loadStartedAt);
      }
      // Quit only once first contact is over, as a person would after the app had settled.
      await Promise.all(observers.map((observer) => shownPinned(observer, newcomer.name, 10_000, 'Nearby')));
      const signalledAt = Date.now();
      const quitting = newcomer.stop('SIGTERM');
      for (const at of await Promise.all(observers.map((observer) => shownAs(observer, newcomer.name, 'Offline', 20_000)))) leave.push(at - signalledAt);
      await quitting;
    }
    console.log(
      [
        header(`discovery, ${rounds} rounds x ${observers.length} observers (ms)`),
        row('appears, from the host\u2019s spawn (target 2000)', fromSpawn),
        row('appears, from the page\u2019s load', fromLoad),
        row('leaves, from the quit (SIGTERM; target 2000)', leave),
      ].join('\n'),
    );
  });
});
