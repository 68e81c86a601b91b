import { describe, expect, it } from 'vitest';
import { checkMdnsSocket, runSelfTest, SELF_TEST_CHECKS, selfTestExitCode, within, type SelfTestChecks } from '../../electron/core/self-test.js';

const app = { version: '0.1.0', runtime: 'electron', platform: 'linux' };
const passing = (): SelfTestChecks => Object.fromEntries(SELF_TEST_CHECKS.map((name) => [name, () => ({ ok: true, detail: `${name} fine` })])) as SelfTestChecks;

describe('lanline --self-test report', () => {
  it('runs the checks in the order of the issue and passes when all pass', async () => {
    const order: string[] = [];
    const checks = Object.fromEntries(SELF_TEST_CHECKS.map((name) => [name, async () => (order.push(name), { ok: true, detail: 'ok' })])) as SelfTestChecks;
    const report = await runSelfTest(app, checks);
    expect(order).toEqual(['bridge', 'settings', 'certificate', 'tray', 'notifications', 'safe-storage', 'protocols', 'lan', 'media-permission']);
    expect(report.ok).toBe(true);
    expect(selfTestExitCode(report)).toBe(0);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('a failing or throwing check fails the report with its reason, and the later checks still run', async () => {
    const checks = passing();
    checks.tray = () => ({ ok: false, detail: 'no StatusNotifier watcher' });
    checks.settings = () => {
      throw new Error('EACCES: permission denied');
    };
    const report = await runSelfTest(app, checks);
    expect(report.ok).toBe(false);
    expect(selfTestExitCode(report)).toBe(1);
    expect(report.checks.find((check) => check.name === 'settings')).toEqual({ name: 'settings', ok: false, detail: expect.stringMatching(/EACCES/) });
    expect(report.checks.find((check) => check.name === 'tray')?.detail).toBe('no StatusNotifier watcher');
    expect(report.checks.at(-1)).toEqual({ name: 'media-permission', ok: true, detail: 'media-permission fine' });
  });

  it('a check that never answers fails instead of hanging', async () => {
    await expect(within(new Promise(() => undefined), 50, 'the renderer saying it is ready')).rejects.toThrow(/within 0.05 s/);
  });

  it('opens a real multicast socket (on an unused port here, as 5353 may be taken without SO_REUSEPORT)', async () => {
    const outcome = await checkMdnsSocket(0);
    expect(outcome).toEqual({ ok: true, detail: expect.stringMatching(/joined 224.0.0.251/) });
  });
});
