/**
 * `lanline --self-test`: the real app, started hidden, checks itself in a fixed order and prints one
 * JSON report (exit 0 when every check passed, 1 otherwise). The checklist and the report are here
 * (no Electron); electron/main/self-test.ts supplies each check from the running app.
 *
 * Order (issue 13 §6): bridge round trip; settings written and read back; the IndexedDB certificate;
 * tray creation and visibility; notification support; the safeStorage backend; protocol
 * registration; the LAN port and the mDNS socket; the permission decision for media.
 */
import { createSocket } from 'node:dgram';

export const SELF_TEST_ARG = '--self-test';

export const SELF_TEST_CHECKS = ['bridge', 'settings', 'certificate', 'tray', 'notifications', 'safe-storage', 'protocols', 'lan', 'media-permission'] as const;
export type SelfTestCheckName = (typeof SELF_TEST_CHECKS)[number];

/** What a check found: passed or not, and a sentence saying what it saw. */
export interface CheckOutcome {
  ok: boolean;
  detail: string;
}

export type SelfTestChecks = Record<SelfTestCheckName, () => Promise<CheckOutcome> | CheckOutcome>;

export interface SelfTestReport {
  ok: boolean;
  app: { version: string; runtime: string; platform: string };
  checks: { name: SelfTestCheckName; ok: boolean; detail: string }[];
}

/** Runs every check in the fixed order; a check that throws fails with its message, and the others still run. */
export async function runSelfTest(app: SelfTestReport['app'], checks: SelfTestChecks): Promise<SelfTestReport> {
  const results: SelfTestReport['checks'] = [];
  for (const name of SELF_TEST_CHECKS) {
    try {
      const outcome = await checks[name]();
      results.push({ name, ok: outcome.ok, detail: outcome.detail });
    } catch (error) {
      results.push({ name, ok: false, detail: `the check itself failed: ${(error as Error).message ?? String(error)}` });
    }
  }
  return { ok: results.every((result) => result.ok), app, checks: results };
}

export const selfTestExitCode = (report: SelfTestReport): 0 | 1 => (report.ok ? 0 : 1);

/** Resolves with `promise`, or fails the check after `ms` (the app did not answer: it must not hang the test). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms / 1000} s`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * Opens a UDP socket on the mDNS port and joins its IPv4 group, as discovery's does (shared with
 * other responders through SO_REUSEADDR), then closes it.
 */
export function checkMdnsSocket(port = 5353, group = '224.0.0.251'): Promise<CheckOutcome> {
  return new Promise((resolve) => {
    const socket = createSocket({ type: 'udp4', reuseAddr: true });
    const done = (outcome: CheckOutcome) => {
      socket.removeAllListeners('error');
      socket.on('error', () => undefined);
      socket.close();
      resolve(outcome);
    };
    socket.once('error', (error) => done({ ok: false, detail: `the mDNS socket could not be opened: ${error.message}` }));
    socket.bind(port, () => {
      try {
        socket.addMembership(group);
        done({ ok: true, detail: `bound UDP ${port} and joined ${group}` });
      } catch (error) {
        done({ ok: false, detail: `bound UDP ${port} but could not join ${group}: ${(error as Error).message}` });
      }
    });
  });
}
