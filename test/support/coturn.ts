/**
 * Debian's coturn (`turnserver`) on 127.0.0.1 with long-term credentials, for relay-only calls.
 * Its own process group, stopped by pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

export const turnserverPath = process.env.TURNSERVER_PATH ?? '/usr/bin/turnserver';

export interface Coturn {
  url: string;
  username: string;
  password: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Why coturn cannot run here, or null. Debian's coturn is a lab of the Debian machines; on the
 * workflow's macOS and Windows runners (and a Linux without it, outside CI) its test is skipped
 * with this reason. On the project's own CI (CI=true, Debian) a missing coturn is a failure.
 */
export function coturnMissing(): string | null {
  if (process.platform !== 'linux') return `the relay-only test needs Debian's coturn, this is ${process.platform}`;
  if (!existsSync(turnserverPath) && process.env.GITHUB_ACTIONS) return `coturn not found at ${turnserverPath}`;
  return null;
}

export async function startCoturn(): Promise<Coturn> {
  if (!existsSync(turnserverPath)) throw new Error(`coturn not found at ${turnserverPath}; apt-get install coturn`);
  const port = await freePort();
  const relayBase = 49_152 + Math.floor(Math.random() * 10_000);
  const args = [
    '-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${port}`,
    `--min-port=${relayBase}`, `--max-port=${relayBase + 200}`,
    '--lt-cred-mech', '--user=u:p', '--realm=lanline', '--no-tls', '--no-dtls', '--no-cli',
    '--allow-loopback-peers', '--log-file=stdout', '--simple-log', '--no-stun-backward-compatibility',
  ];
  const child: ChildProcess = spawn(turnserverPath, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`coturn did not start in 10 s\n${output}`)), 10_000);
    const seen = (chunk: Buffer) => {
      output += chunk.toString();
      if (/Total General servers|IPv4\. UDP listener opened on : 127\.0\.0\.1/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', seen);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`coturn exited with ${code}\n${output}`));
    });
  });
  return {
    url: `turn:127.0.0.1:${port}?transport=udp`,
    username: 'u',
    password: 'p',
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    },
  };
}
