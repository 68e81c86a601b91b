/**
 * What a call costs each side (issue #4: "CPU and memory of a 2-minute 720p call per side"): two
 * instances in a Lanline video call (camera 1280x720, microphone, the in-call stats panel sampling at
 * 1 Hz), then a raw WebRTC call of the same media between the same two pages for the same time.
 * For each side: CPU used by its Chromium (every process of that browser) and by its host, as a share
 * of one core, and their memory at the end (PSS: shared pages divided among the processes); the ratio app / raw of the Chromium CPU.
 * Prints figures; asserts nothing about them.
 *   LANLINE_CALL_SECONDS=<n>   length of each call (default 120)
 */
import { afterAll, describe, expect, it } from 'vitest';
import { callState, dial, lan, meet } from '../support/calls.js';
import { closeAll, launchInstance, type Instance } from '../support/instances.js';
import { chromiumPid, treeUsage, type Usage } from '../support/proc.js';
import { relayRawSignaling, startRawCall, stopRawCall } from '../support/raw-call.js';

const seconds = Number(process.env.LANLINE_CALL_SECONDS ?? 120);

interface Side {
  name: string;
  chromium: number;
  host: number;
}

const usage = (side: Side) => ({ chromium: treeUsage(side.chromium), host: treeUsage(side.host) });
type Sample = ReturnType<typeof usage>;

/** Runs `seconds` and returns, per side, CPU as % of one core over that time and memory at the end. */
async function measure(sides: Side[]): Promise<{ chromiumCpu: number; hostCpu: number; chromium: Usage; host: Usage }[]> {
  const before: Sample[] = sides.map(usage);
  const started = Date.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
  const wall = (Date.now() - started) / 1_000;
  return sides.map((side, index) => {
    const after = usage(side);
    return {
      chromiumCpu: ((after.chromium.cpu - before[index]!.chromium.cpu) / wall) * 100,
      hostCpu: ((after.host.cpu - before[index]!.host.cpu) / wall) * 100,
      chromium: after.chromium,
      host: after.host,
    };
  });
}

describe('call load benchmark', () => {
  afterAll(closeAll);

  it(`measures a ${seconds} s 720p Lanline call and a raw call of the same media`, { timeout: (seconds * 2 + 120) * 1_000 }, async () => {
    const alice = await launchInstance({ name: 'Alice', extraArgs: lan });
    const bob = await launchInstance({ name: 'Bob', extraArgs: lan });
    await meet(alice, bob);
    const sides = ([[alice, 'Alice'], [bob, 'Bob']] as [Instance, string][]).map(([instance, name]) => ({
      name,
      chromium: chromiumPid(instance.app.userDataDir),
      host: instance.host.process.pid!,
    }));

    await dial(alice, bob, 'Bob', true);
    const prompt = bob.page.getByRole('alertdialog', { name: 'Incoming video call from Alice' });
    await prompt.getByRole('button', { name: 'Accept' }).click();
    await callState(alice, 'Bob').filter({ hasText: 'In call with Bob' }).waitFor({ timeout: 20_000 });
    await callState(bob, 'Alice').filter({ hasText: 'In call with Alice' }).waitFor({ timeout: 20_000 });
    // The picture really flows during the measured time.
    const frames = () => bob.page.locator('[data-stat="framesDecoded"]').first().textContent().then(Number);
    const framesBefore = await frames();
    const app = await measure(sides);
    const framesDuring = (await frames()) - framesBefore;
    expect(framesDuring).toBeGreaterThan(seconds * 5);
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    await bob.page.getByText('No call in progress').waitFor();

    await relayRawSignaling(alice.page, bob.page);
    await startRawCall(alice.page, bob.page);
    const raw = await measure(sides);
    await stopRawCall(alice.page, bob.page);

    const pct = (value: number) => `${value.toFixed(1)} %`.padStart(9);
    const mib = (value: number) => `${value.toFixed(0)} MiB`.padStart(9);
    console.log(
      [
        `call load, ${seconds} s each, 720p camera + microphone, both directions (CPU as % of one core)`,
        `${''.padEnd(8)}${'app Chromium'.padStart(14)}${'app host'.padStart(10)}${'raw Chromium'.padStart(14)}${'ratio'.padStart(7)}${'app PSS'.padStart(11)}${'host PSS'.padStart(10)}${'raw PSS'.padStart(10)}`,
        ...sides.map((side, index) => {
          const a = app[index]!;
          const r = raw[index]!;
          return `${side.name.padEnd(8)}${pct(a.chromiumCpu).padStart(14)}${pct(a.hostCpu).padStart(10)}${pct(r.chromiumCpu).padStart(14)}${(a.chromiumCpu / r.chromiumCpu).toFixed(2).padStart(7)}${mib(a.chromium.rssMiB).padStart(11)}${mib(a.host.rssMiB).padStart(10)}${mib(r.chromium.rssMiB).padStart(10)}`;
        }),
        `frames decoded by Bob during the app call: ${framesDuring}`,
      ].join('\n'),
    );
  });
});
