/**
 * Debian's Avahi as a third-party mDNS browser inside one namespace of a test LAN (netns.ts).
 *
 * avahi-browse talks to avahi-daemon over the D-Bus system bus, so each browser gets a private
 * dbus-daemon (its socket in a temp folder, pointed to by DBUS_SYSTEM_BUS_ADDRESS) and an
 * avahi-daemon that neither drops root nor chroots, browses only `lan0`, publishes nothing and keeps
 * its fixed pid file under a tmpfs mounted over /run in its own mount namespace (`ip netns exec`
 * gives each command one), so it cannot meet the machine's own Avahi or another test's.
 * Needs the Debian packages avahi-daemon, avahi-utils and dbus-daemon.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LanHost } from './netns.js';

export interface ResolvedService {
  interface: string;
  protocol: string;
  name: string;
  type: string;
  domain: string;
  host: string;
  address: string;
  port: number;
  /** TXT strings as key -> value, decoded from avahi's escapes as UTF-8. */
  txt: Record<string, string>;
}

export interface AvahiBrowser {
  /** `avahi-browse -rpt <type>`: the services it resolved, once its cache is exhausted. */
  browse(type: string): Promise<ResolvedService[]>;
  stop(): Promise<void>;
}

/** Reads avahi's escaped string: `\"`, `\\` and `\DDD` (a decimal byte). */
function unescapeBytes(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (char === '\\' && /^\d{3}$/.test(text.slice(i + 1, i + 4))) {
      bytes.push(Number(text.slice(i + 1, i + 4)));
      i += 3;
    } else if (char === '\\' && i + 1 < text.length) {
      bytes.push(...Buffer.from(text[i + 1]!, 'utf8'));
      i += 1;
    } else {
      bytes.push(...Buffer.from(char, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Parses `avahi-browse -p -r` output: the `=` lines (resolved), fields split on unescaped `;`. */
export function parseAvahiBrowse(stdout: string): ResolvedService[] {
  const services: ResolvedService[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('=;')) continue;
    const fields = line.split(/(?<!\\);/);
    const [, iface, protocol, name, type, domain, host, address, port, ...rest] = fields;
    const txtField = rest.join(';');
    const txt: Record<string, string> = {};
    for (const match of txtField.matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
      const entry = unescapeBytes(match[1]!);
      const equals = entry.indexOf('=');
      if (equals > 0) txt[entry.slice(0, equals)] ??= entry.slice(equals + 1);
    }
    services.push({
      interface: iface!,
      protocol: protocol!,
      name: unescapeBytes(name!),
      type: type!,
      domain: domain!,
      host: host!,
      address: address!,
      port: Number(port),
      txt,
    });
  }
  return services;
}

function waitForLine(child: ChildProcess, stream: 'stdout' | 'stderr', pattern: RegExp, what: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => done(new Error(`${what} did not start in ${timeoutMs} ms:\n${seen}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) done(null, match[0]);
    };
    const onExit = (code: number | null) => done(new Error(`${what} exited with ${code}:\n${seen}`));
    const done = (error: Error | null, line = '') => {
      clearTimeout(timer);
      child[stream]!.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(line);
    };
    child[stream]!.on('data', onData);
    child.once('exit', onExit);
    child.once('error', (error) => done(new Error(`${what} could not start: ${error.message} (is it installed?)`)));
  });
}

export async function startAvahi(host: LanHost): Promise<AvahiBrowser> {
  const dir = mkdtempSync(join(tmpdir(), 'lanline-avahi-'));
  const bus = `unix:path=${join(dir, 'bus')}`;
  writeFileSync(
    join(dir, 'bus.conf'),
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>${bus}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
`,
  );
  writeFileSync(
    join(dir, 'avahi-daemon.conf'),
    `[server]
host-name=lanline-avahi-${host.address.replaceAll('.', '-')}
use-ipv4=yes
use-ipv6=no
allow-interfaces=${host.device}
enable-dbus=yes
ratelimit-interval-usec=1000000
ratelimit-burst=1000
[wide-area]
enable-wide-area=no
[publish]
disable-publishing=yes
`,
  );
  const env = { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: bus };
  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const child of children.splice(0).reverse()) {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        continue;
      }
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3_000))]);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // exited on SIGTERM
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const dbus = host.spawn('dbus-daemon', [`--config-file=${join(dir, 'bus.conf')}`, '--nofork', '--print-address']);
    children.push(dbus);
    await waitForLine(dbus, 'stdout', /^unix:.*$/m, 'dbus-daemon');
    const avahi = host.spawn(
      'sh',
      ['-c', `mount -t tmpfs tmpfs /run && exec avahi-daemon --no-drop-root --no-chroot --no-rlimits --no-proc-title -f '${join(dir, 'avahi-daemon.conf')}'`],
      { env },
    );
    children.push(avahi);
    await waitForLine(avahi, 'stderr', /Server startup complete\..*$/m, 'avahi-daemon');
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    async browse(type) {
      const result = await host.run('avahi-browse', ['--resolve', '--parsable', '--terminate', type], { env, timeoutMs: 15_000 });
      if (result.code !== 0) throw new Error(`avahi-browse failed (${result.code}): ${result.stderr.trim()}`);
      return parseAvahiBrowse(result.stdout);
    },
    stop,
  };
}
