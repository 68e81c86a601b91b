/**
 * A real SIP gateway for interop tests, made of Debian packages, started once per test file:
 *
 *   browser (JsSIP / Lanline) --ws--> kamailio (registrar + proxy) --udp--> baresip "phone" (auto-answers)
 *                                         |                         |-udp--> baresip "busy"  (rejects 486)
 *                                         |                         \-udp--> baresip "early" (183, answers later)
 *                                     rtpengine (WebRTC ICE/DTLS-SRTP/rtcp-mux <-> plain RTP/AVP)
 *
 * Everything runs in a fresh network namespace that has only `lo` (netns.ts createLoopbackNamespace),
 * on fixed ports of 127.0.0.1 there; a Chromium and a Lanline host join it with `netns: lab.netns`
 * (browser.ts LaunchOptions, host.ts HostOptions), so the page reaches kamailio and the host on
 * 127.0.0.1. Where namespaces are refused (not root, not Linux), or with `{ netns: false }` or
 * LANLINE_SIP_LAB_NETNS=0, the lab runs on the machine's own 127.0.0.1 with free ports (`netns` is then
 * null). Nothing is written outside a temp folder, and stop() kills every process and removes the
 * namespace and the folder.
 *
 * Events: `phone.events` holds every ctrl_tcp event; `waitFor(pred, { since })` looks at events from
 * index `since` on (all of them by default), so take `const since = lab.phone.mark()` before acting.
 * Numbers: `phone.number` ('1000') rings the phone, which answers at once and plays a 440 Hz tone;
 * `busyNumber` ('1001') rings the busy phone, which answers 486; `early.number` ('1002') rings the early
 * phone: 183 with SDP, a 425 Hz ringback from the gateway, the answer `earlyAnswerMs` (5 s) later;
 * `unknownNumber` ('1999') gets 404.
 * `gateway` holds kamailio.cfg's own log lines (REGISTERs taken or challenged, "no registration for …");
 * `restartGateway({ downMs })` kills kamailio (WebSockets drop, registrations are lost) and starts it
 * again, the phones registered anew.
 * Users: any name but phone/busy/early registers with `account(name)` (one password for all, per lab).
 *
 *   const lab = await startSipLab();
 *   const app = await launchBrowser({ netns: lab.netns ?? undefined });
 *   // register lab.account('alice') over lab.wsUrl, dial lab.phone.number ('1000') ...
 *   await lab.phone.waitFor((e) => e.type === 'CALL_ESTABLISHED');
 *   expect(lab.phone.dtmfDigits()).toBe('159#');
 *   await lab.stop();
 *
 * Pieces and the choices that make them work together:
 * - rtpengine (userspace only: `table = -1`), ng control on UDP; started and waited for before kamailio,
 *   which otherwise marks it dead. Browser legs get `ICE=force UDP/TLS/RTP/SAVPF rtcp-mux-require`,
 *   phone legs `ICE=remove RTP/AVP rtcp-mux-demux` (test/interop/fixtures/kamailio.cfg).
 * - kamailio: test/interop/fixtures/kamailio.cfg, its @@PLACEHOLDERS@@ filled into a temp copy. SIP over
 *   WebSocket (plain ws) and UDP, in-memory registrar (save/lookup "location": the REGISTER reply lists
 *   the contacts, without which JsSIP ignores it), digest auth with one password for every user
 *   (`password`), the dial plan `phone.number` -> phone, `busyNumber` -> busy, anything else -> 404.
 * - baresip 1.0 (phone and busy): own config dir, `net_interface 127.0.0.1`, ausine as the source (a
 *   440 Hz tone) and aubridge as a silent player, ctrl_tcp for events and commands (netstring JSON).
 *   The phone speaks PCMU only by default: with opus, Chromium's RTCDTMFSender against a far end that
 *   offers only telephone-event/8000 (as baresip does) sends 100-120 ms digits as end packets only (the
 *   phone reports CALL_DTMF_END but never a digit start); 400 ms digits do arrive. `phoneCodecs` changes it. The busy phone answers nothing: the lab rejects each incoming call
 *   through ctrl_tcp, so the caller hears 180 then a real 486 from a real UA.
 * - Early media: baresip 1.0's answermode=early sends its 183 with SDP but no RTP before the 200, so the
 *   ringback comes from rtpengine's media player ("play media" over ng, sent by the lab once kamailio
 *   logged the 183). Two things make a browser hear it: the player starts only after the browser leg's
 *   DTLS-SRTP is up (started before, rtpengine logs "SRTP output wanted, but no crypto suite was
 *   negotiated" and sends the player's RTP unencrypted to the browser), and
 *   kamailio strips the phone's a=ssrc from its SDP (else the browser routes only that SSRC to the
 *   track and the player's SSRC plays nowhere).
 * - restartGateway: baresip 1.0 has no command to register again; each phone's UA is deleted (uadel,
 *   its unregistration awaited in kamailio's log, as the new Contact may be the same) and made anew (uanew).
 * - In a namespace, the vitest process reaches ctrl_tcp through a tiny Node relay started inside it
 *   (`ip netns exec <ns> node -e …`) whose stdin/stdout are the TCP stream.
 *
 * Debian packages: kamailio kamailio-websocket-modules rtpengine-daemon baresip-core (and iproute2).
 * sipLabAvailable() names what is missing.
 */
import { execFile, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createLoopbackNamespace, namespacesAvailable, type LoopbackNamespace, type RunResult } from './netns.js';

export const kamailioPath = process.env.KAMAILIO_PATH ?? '/usr/sbin/kamailio';
export const rtpenginePath = process.env.RTPENGINE_PATH ?? '/usr/bin/rtpengine';
export const baresipPath = process.env.BARESIP_PATH ?? '/usr/bin/baresip';
const kamailioModuleDirs = ['/usr/lib/x86_64-linux-gnu/kamailio/modules', '/usr/lib/aarch64-linux-gnu/kamailio/modules', '/usr/lib/kamailio/modules'];
const baresipModuleDir = '/usr/lib/baresip/modules';
const kamailioTemplate = join(import.meta.dirname, '..', 'interop', 'fixtures', 'kamailio.cfg');

/** The Debian packages the lab runs, for an error message or an apt line. */
export const sipLabPackages = ['kamailio', 'kamailio-websocket-modules', 'rtpengine-daemon', 'baresip-core', 'iproute2'];

export interface BaresipEvent {
  /** e.g. REGISTER_OK, CALL_INCOMING, CALL_RINGING, CALL_ESTABLISHED, CALL_DTMF_START, CALL_DTMF_END, CALL_CLOSED */
  type: string;
  class?: string;
  accountaor?: string;
  direction?: 'incoming' | 'outgoing';
  peeruri?: string;
  id?: string;
  /** CALL_DTMF_START: the digit; CALL_CLOSED: the reason (e.g. "486 Rejected", "Connection reset by peer") */
  param?: string;
  /** Date.now() when the lab read it. */
  at: number;
  [key: string]: unknown;
}

export interface RtpStats {
  /** RTP packets the phone received from the other side (its RTCP member table, `rcvd`). */
  packetsReceived: number;
  /** RTP packets the phone sent. */
  packetsSent: number;
  /** The raw `audio_debug` text, for failure messages. */
  raw: string;
}

export interface WaitOptions {
  timeoutMs?: number;
  /** Only events at or after this index (from mark()); 0, all events so far, when absent. */
  since?: number;
}

/** One baresip UA, driven and observed through ctrl_tcp. */
export interface Baresip {
  /** Its user at the gateway: 'phone' or 'busy'. */
  user: string;
  /** sip:<user>@<domain>, reachable from a browser as is. */
  uri: string;
  /** What a person types on a dial pad to reach it. */
  number: string;
  /** Every ctrl_tcp event so far, oldest first. */
  events: BaresipEvent[];
  /** The index the next event will get: pass it as `since` to wait only for what happens next. */
  mark(): number;
  waitFor(predicate: (event: BaresipEvent) => boolean, options?: WaitOptions | number): Promise<BaresipEvent>;
  /** The digits reported by CALL_DTMF_START (RFC 4733 telephone-events received), in order. */
  dtmfDigits(since?: number): string;
  /** Sends a ctrl_tcp command (a menu command: dial, hangup, accept, audio_debug, reginfo, …); resolves with its text. */
  command(command: string, params?: string): Promise<string>;
  /** Calls a SIP URI (e.g. lab.account('alice').uri) through the gateway. */
  dial(uri: string): Promise<void>;
  /** Hangs up the current call (or rejects a ringing one with 486). */
  hangup(): Promise<void>;
  /** Answers a ringing call (the phone auto-answers; this is for completeness). */
  accept(): Promise<void>;
  /** RTP counters of the current call, null when there is none. */
  rtpStats(): Promise<RtpStats | null>;
}

export interface SipAccount {
  /** sip:<user>@<domain> */
  uri: string;
  authUser: string;
  password: string;
  /** The gateway's WebSocket URL (same as lab.wsUrl). */
  wsUrl: string;
}

export interface SipLab {
  /** The namespace everything runs in; null when the lab fell back to the machine's own loopback. */
  netns: string | null;
  /** The SIP domain and the address everything listens on: '127.0.0.1'. */
  domain: string;
  /** ws://127.0.0.1:<port>, SIP over WebSocket (RFC 7118, subprotocol "sip"). */
  wsUrl: string;
  /** kamailio's UDP SIP port. */
  sipPort: number;
  /** The digest password of every user of this lab. */
  password: string;
  /** Credentials for a browser-side user (any name but 'phone', 'busy' and 'early'). */
  account(user: string): SipAccount;
  phone: Baresip;
  busy: Baresip;
  /**
   * The early-media phone (`early.number`, '1002'): it rings (180) and sends 183 Session Progress with
   * SDP; the gateway (rtpengine, told by the lab) then plays a 425 Hz ringback to the caller, until the
   * phone answers `earlyAnswerMs` after its 183 and its own 440 Hz tone follows.
   */
  early: Baresip;
  /** How long the early phone plays early media before it answers (SipLabOptions.earlyAnswerMs). */
  earlyAnswerMs: number;
  /** A number the dial plan sends to the busy phone (486). */
  busyNumber: string;
  /** A number nobody has (404). */
  unknownNumber: string;
  /**
   * Kills kamailio (its WebSocket connections drop, its in-memory registrations are lost), waits `downMs`,
   * starts it again with the same configuration and ports, and resolves once it found rtpengine again and
   * the lab's phones registered again. rtpengine and the baresips keep running. Calls through kamailio end.
   */
  restartGateway(options?: { downMs?: number }): Promise<void>;
  /**
   * The lines kamailio.cfg logs itself (xlog): "REGISTER of <aor> saved (…; Contact: …;expires=N)" for
   * every REGISTER taken (expires=0: an unregistration), "no registration for <uri>", "in-dialog <method>
   * from …", "early media: 183 to <caller> (call-id …, from-tag …, caller over WebSocket|UDP)"; kept
   * across restarts. Take `mark()` before acting.
   */
  gateway: {
    lines: string[];
    mark(): number;
    /** Resolves with the first line at or after `since` that matches. */
    waitFor(pattern: RegExp, options?: WaitOptions): Promise<string>;
  };
  /** Starts a long-running command where the lab runs (its namespace, or plain), in its own process group; stop() kills it. */
  spawn(command: string, args?: string[], options?: SpawnOptions): ChildProcess;
  /** Runs a command where the lab runs, to its end. Never rejects; look at `code`. */
  run(command: string, args?: string[], options?: { timeoutMs?: number }): Promise<RunResult>;
  /** The recent output of rtpengine, kamailio and both baresips, for failure messages. */
  logs(): string;
  /** Ends every process, removes the namespace and the temp folder; safe to call twice. */
  stop(): Promise<void>;
}

export interface SipLabOptions {
  /**
   * Run in a fresh namespace (default: when this machine allows it, unless LANLINE_SIP_LAB_NETNS=0), or
   * on the machine's 127.0.0.1 with free ports (false).
   */
  netns?: boolean;
  /** The phone's codecs, baresip's `audio_codecs` (default 'PCMU'; see the header on opus and DTMF). */
  phoneCodecs?: string;
  /** After how many ms the early phone answers a call it plays early media to (default 5000; negative: never, answer with `early.accept()`). */
  earlyAnswerMs?: number;
  /** kamailio's log level (debug=…), 2 by default; 3 logs every request. */
  kamailioDebug?: number;
}

/** null when everything the lab runs is installed, else what is missing and how to install it. */
export function sipLabAvailable(): string | null {
  const missing: string[] = [];
  if (process.platform !== 'linux') return `the SIP lab needs Linux (Debian packages ${sipLabPackages.join(' ')}), this is ${process.platform}`;
  if (!existsSync(rtpenginePath)) missing.push(`${rtpenginePath} (rtpengine-daemon)`);
  if (!existsSync(kamailioPath)) missing.push(`${kamailioPath} (kamailio)`);
  const moduleDir = kamailioModuleDirs.find((dir) => existsSync(join(dir, 'tm.so')));
  if (!moduleDir) missing.push('kamailio modules (kamailio)');
  else if (!existsSync(join(moduleDir, 'websocket.so'))) missing.push(`${join(moduleDir, 'websocket.so')} (kamailio-websocket-modules)`);
  if (!existsSync(baresipPath)) missing.push(`${baresipPath} (baresip-core)`);
  for (const module of ['ctrl_tcp', 'ausine', 'aubridge', 'g711', 'opus', 'account', 'menu']) {
    if (!existsSync(join(baresipModuleDir, `${module}.so`))) missing.push(`${join(baresipModuleDir, `${module}.so`)} (baresip-core)`);
  }
  if (!['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].some((path) => existsSync(path))) missing.push('ip (iproute2)');
  if (!missing.length) return null;
  return `the SIP lab is missing ${missing.join(', ')}; apt-get install ${sipLabPackages.join(' ')}`;
}

// ---------------------------------------------------------------------------------------------------
// Processes and their output

const LOG_LINES = 300;

class Log {
  readonly lines: string[] = [];
  #partial = '';
  #all = '';
  #waiters = new Set<() => void>();
  /** Called with each complete line (colour codes removed). */
  readonly onLine = new Set<(line: string) => void>();

  constructor(public name: string) {}

  push(chunk: string): void {
    this.#all = (this.#all + chunk).slice(-200_000);
    const text = this.#partial + chunk;
    const parts = text.split('\n');
    this.#partial = parts.pop() ?? '';
    for (const raw of parts) {
      const line = raw.replace(/\x1b\[[0-9;]*m/g, '');
      this.lines.push(line);
      for (const listener of this.onLine) listener(line);
    }
    if (this.lines.length > LOG_LINES) this.lines.splice(0, this.lines.length - LOG_LINES);
    for (const wake of this.#waiters) wake();
  }

  text(): string {
    return this.#all;
  }

  /** Resolves when the output so far matches. */
  async waitFor(pattern: RegExp, timeoutMs: number, failed: () => string | null): Promise<void> {
    if (pattern.test(this.#all)) return;
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (pattern.test(this.#all)) {
          done();
          resolve();
          return;
        }
        const failure = failed();
        if (failure) {
          done();
          reject(new Error(failure));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.name}: no output matching ${pattern} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
    });
  }

  /** Wakes waiters without new output (e.g. the process exited). */
  poke(): void {
    for (const wake of this.#waiters) wake();
  }

  tail(count = 60): string {
    const partial = this.#partial ? [this.#partial] : [];
    return [...this.lines, ...partial].slice(-count).join('\n');
  }
}

interface Proc {
  name: string;
  child: ChildProcess;
  log: Log;
  exited: Promise<void>;
  /** e.g. "exited with code 1", null while running */
  exit(): string | null;
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopProc(proc: Proc, graceMs = 5_000): Promise<void> {
  const pid = proc.child.pid;
  if (pid === undefined) return;
  if (groupAlive(pid)) {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      // gone meanwhile
    }
  }
  // baresip unregisters on the first SIGTERM and quits at once on a second one.
  const started = Date.now();
  let again = false;
  while (groupAlive(pid) && Date.now() < started + graceMs) {
    if (!again && Date.now() > started + 2_000) {
      again = true;
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        // gone meanwhile
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (groupAlive(pid)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  await Promise.race([proc.exited, new Promise((resolve) => setTimeout(resolve, 2_000))]);
}

// ---------------------------------------------------------------------------------------------------
// Ports

async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function udpPortFree(port: number): Promise<boolean> {
  const socket = createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, '127.0.0.1', resolve);
    });
    return true;
  } catch {
    return false;
  } finally {
    socket.close();
  }
}

/** A port free on 127.0.0.1 for both TCP and UDP (SIP stacks bind both). */
async function freeTcpUdpPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = await freeTcpPort();
    if (await udpPortFree(port)) return port;
  }
  throw new Error('no port free for both TCP and UDP on 127.0.0.1');
}

interface Ports {
  sip: number;
  ws: number;
  ng: number;
  rtp: [number, number];
  phone: { sip: number; ctrl: number; rtp: [number, number] };
  busy: { sip: number; ctrl: number; rtp: [number, number] };
  early: { sip: number; ctrl: number; rtp: [number, number] };
}

async function choosePorts(inNamespace: boolean): Promise<Ports> {
  // In a namespace of its own the lab owns every port: fixed ones make logs easy to read.
  if (inNamespace) {
    return {
      sip: 5060,
      ws: 8080,
      ng: 2223,
      rtp: [30000, 30999],
      phone: { sip: 5070, ctrl: 4444, rtp: [31000, 31099] },
      busy: { sip: 5072, ctrl: 4445, rtp: [31100, 31199] },
      early: { sip: 5074, ctrl: 4446, rtp: [31200, 31299] },
    };
  }
  const base = 20_000 + 2 * Math.floor(Math.random() * 14_000);
  return {
    sip: await freeTcpUdpPort(),
    ws: await freeTcpPort(),
    ng: await freeTcpUdpPort(),
    rtp: [base, base + 999],
    phone: { sip: await freeTcpUdpPort(), ctrl: await freeTcpPort(), rtp: [base + 1000, base + 1099] },
    busy: { sip: await freeTcpUdpPort(), ctrl: await freeTcpPort(), rtp: [base + 1100, base + 1199] },
    early: { sip: await freeTcpUdpPort(), ctrl: await freeTcpPort(), rtp: [base + 1200, base + 1299] },
  };
}

// ---------------------------------------------------------------------------------------------------
// ctrl_tcp: netstring-framed JSON, commands `{command, params, token}`, replies `{response, ok, data, token}`,
// events `{event: true, type, …}`.

interface CtrlLink {
  write(data: Buffer): void;
  onData(listener: (chunk: Buffer) => void): void;
  onClose(listener: (why: string) => void): void;
  close(): Promise<void>;
}

/** Sends argv[2] to rtpengine's ng port argv[1] and prints the reply. */
const NG_CLIENT = `
const socket = require('dgram').createSocket('udp4');
socket.on('message', (reply) => { process.stdout.write(String(reply)); process.exit(0); });
socket.send(Buffer.from(process.argv[2]), Number(process.argv[1]), '127.0.0.1');
setTimeout(() => { process.stderr.write('no reply'); process.exit(1); }, 3000);
`;

const RELAY = `
const socket = require('net').connect(Number(process.argv[1]), '127.0.0.1');
socket.on('connect', () => process.stderr.write('relay connected\\n'));
socket.on('error', (error) => { process.stderr.write('relay: ' + error.message + '\\n'); process.exit(1); });
socket.on('close', () => process.exit(0));
process.stdin.on('end', () => socket.end());
process.stdin.pipe(socket);
socket.pipe(process.stdout);
`;

async function openCtrlLink(port: number, spawnHere: SipLab['spawn'] | null, log: Log): Promise<CtrlLink> {
  if (!spawnHere) {
    const socket: Socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return {
      write: (data) => socket.write(data),
      onData: (listener) => socket.on('data', listener),
      onClose: (listener) => socket.on('close', () => listener('ctrl_tcp connection closed')),
      close: async () => {
        socket.destroy();
      },
    };
  }
  const child = spawnHere(process.execPath, ['-e', RELAY, String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stderr!.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await log.waitFor(/relay connected/, 10_000, () => (child.exitCode !== null ? `ctrl_tcp relay exited with ${child.exitCode}: ${log.tail(5)}` : null));
  return {
    write: (data) => child.stdin!.write(data),
    onData: (listener) => child.stdout!.on('data', listener),
    onClose: (listener) => child.once('exit', (code) => listener(`ctrl_tcp relay exited with ${code}`)),
    close: async () => {
      child.stdin!.end();
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 1_000))]);
      if (child.exitCode === null && child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    },
  };
}

class Ctrl {
  readonly events: BaresipEvent[] = [];
  #buffer = Buffer.alloc(0);
  #token = 0;
  #pending = new Map<string, { resolve: (data: string) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  #waiters = new Set<() => void>();
  #closed: string | null = null;
  readonly listeners = new Set<(event: BaresipEvent) => void>();

  constructor(
    readonly link: CtrlLink,
    readonly name: string,
  ) {
    link.onData((chunk) => this.#receive(chunk));
    link.onClose((why) => {
      this.#closed = why;
      for (const { reject, timer } of this.#pending.values()) {
        clearTimeout(timer);
        reject(new Error(`${name}: ${why}`));
      }
      this.#pending.clear();
      for (const wake of this.#waiters) wake();
    });
  }

  #receive(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      const colon = this.#buffer.indexOf(0x3a);
      if (colon < 0) return;
      const length = Number(this.#buffer.subarray(0, colon).toString());
      if (!Number.isInteger(length)) {
        this.#buffer = Buffer.alloc(0);
        return;
      }
      if (this.#buffer.length < colon + 1 + length + 1) return;
      const payload = this.#buffer.subarray(colon + 1, colon + 1 + length).toString();
      this.#buffer = this.#buffer.subarray(colon + 1 + length + 1);
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(payload) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (message.response) {
        const token = String(message.token ?? '');
        const pending = this.#pending.get(token);
        if (!pending) continue;
        this.#pending.delete(token);
        clearTimeout(pending.timer);
        const data = String(message.data ?? '').replace(/\x1b\[[0-9;]*m/g, '');
        if (message.ok) pending.resolve(data);
        else pending.reject(new Error(`${this.name}: command failed: ${data}`));
      } else if (message.event) {
        const event = { ...message, type: String(message.type), at: Date.now() } as BaresipEvent;
        this.events.push(event);
        for (const listener of this.listeners) listener(event);
        for (const wake of this.#waiters) wake();
      }
    }
  }

  command(command: string, params = '', timeoutMs = 10_000): Promise<string> {
    if (this.#closed) return Promise.reject(new Error(`${this.name}: ${this.#closed}`));
    const token = `lab${++this.#token}`;
    const json = JSON.stringify({ command, params, token });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(token);
        reject(new Error(`${this.name}: no reply to "${command}" within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(token, { resolve, reject, timer });
      this.link.write(Buffer.from(`${Buffer.byteLength(json)}:${json},`));
    });
  }

  waitFor(predicate: (event: BaresipEvent) => boolean, since: number, timeoutMs: number, describe: () => string): Promise<BaresipEvent> {
    const find = () => this.events.slice(since).find(predicate);
    const found = find();
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const check = () => {
        const event = find();
        if (event) {
          done();
          resolve(event);
        } else if (this.#closed) {
          done();
          reject(new Error(`${this.name}: ${this.#closed} while waiting for an event\n${describe()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.name}: no matching event within ${timeoutMs} ms\n${describe()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
    });
  }
}

function parseAudioDebug(raw: string): RtpStats | null {
  if (!/Audio stream/.test(raw)) return null;
  const sent = /TX: packets=(\d+)/.exec(raw);
  const received = [...raw.matchAll(/\brcvd=(\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0);
  return { packetsReceived: received, packetsSent: sent ? Number(sent[1]) : 0, raw };
}

// ---------------------------------------------------------------------------------------------------

function rtpengineConfig(ports: Ports): string {
  return [
    '[rtpengine]',
    'table = -1',
    'interface = 127.0.0.1',
    `listen-ng = 127.0.0.1:${ports.ng}`,
    `port-min = ${ports.rtp[0]}`,
    `port-max = ${ports.rtp[1]}`,
    'log-level = 6',
    'delete-delay = 0',
    'timeout = 60',
    '',
  ].join('\n');
}

function baresipConfig(sip: number, ctrl: number, rtp: [number, number]): string {
  return [
    'poll_method		epoll',
    `sip_listen		127.0.0.1:${sip}`,
    'net_interface		127.0.0.1',
    'call_local_timeout	120',
    'call_max_calls		4',
    // A 440 Hz tone as the microphone, a player that plays to nowhere; both work headless.
    'audio_source		ausine,440',
    'audio_player		aubridge,nil',
    'audio_alert		aubridge,nil',
    'ausrc_srate		48000',
    'auplay_srate		48000',
    'ausrc_channels		2',
    'auplay_channels	2',
    'audio_level		no',
    'audio_buffer		20-160',
    `rtp_ports		${rtp[0]}-${rtp[1]}`,
    'rtp_tos		0',
    'rtcp_mux		no',
    'jitter_buffer_delay	5-10',
    'rtp_stats		yes',
    'statmode_default	off',
    `module_path		${baresipModuleDir}`,
    'module			g711.so',
    'module			opus.so',
    'module			ausine.so',
    'module			aubridge.so',
    'module_tmp		account.so',
    'module_app		menu.so',
    'module_app		ctrl_tcp.so',
    `ctrl_tcp_listen	127.0.0.1:${ctrl}`,
    'opus_bitrate		28000',
    '',
  ].join('\n');
}

/** A WAV file (8 kHz, 16-bit mono PCM) of a steady tone: the ringback the gateway plays as early media. */
function toneWav(frequency: number, seconds: number): Buffer {
  const rate = 8_000;
  const samples = rate * seconds;
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write('RIFF', 0);
  wav.writeUInt32LE(36 + samples * 2, 4);
  wav.write('WAVEfmt ', 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36);
  wav.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i += 1) wav.writeInt16LE(Math.round(8_000 * Math.sin((2 * Math.PI * frequency * i) / rate)), 44 + i * 2);
  return wav;
}

function fillTemplate(template: string, values: Record<string, string | number>): string {
  // Comments (lines starting with # but not #! directives) may name placeholders; they stay as they are.
  return template
    .split('\n')
    .map((line) =>
      /^\s*#(?!!)/.test(line)
        ? line
        : line.replace(/@@([A-Z_]+)@@/g, (match, name: string) => {
            if (!(name in values)) throw new Error(`kamailio.cfg: no value for ${match}`);
            return String(values[name]);
          }),
    )
    .join('\n');
}

export async function startSipLab(options: SipLabOptions = {}): Promise<SipLab> {
  const missing = sipLabAvailable();
  if (missing) throw new Error(missing);

  let namespace: LoopbackNamespace | null = null;
  const wantNamespace = options.netns ?? process.env.LANLINE_SIP_LAB_NETNS !== '0';
  if (wantNamespace) {
    const available = await namespacesAvailable();
    if (available.ok) namespace = await createLoopbackNamespace('sip');
    else if (options.netns === true) throw new Error(available.reason);
  }
  const scratch = mkdtempSync(join(tmpdir(), 'lanline-sip-lab-'));
  const procs: Proc[] = [];
  const logs: Log[] = [];
  const ctrls: Ctrl[] = [];
  const plainChildren = new Set<ChildProcess>();
  let stopped = false;

  const spawnHere = (command: string, args: string[] = [], spawnOptions: SpawnOptions = {}): ChildProcess => {
    if (namespace) return namespace.spawn(command, args, spawnOptions);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...spawnOptions, detached: true });
    plainChildren.add(child);
    return child;
  };
  const runHere = (command: string, args: string[] = [], runOptions: { timeoutMs?: number } = {}): Promise<RunResult> => {
    if (namespace) return namespace.run(command, args, runOptions);
    return new Promise((resolve) => {
      execFile(command, args, { timeout: runOptions.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
      });
    });
  };

  const start = (name: string, command: string, args: string[], cwd?: string): Proc => {
    const log = new Log(name);
    logs.push(log);
    const child = spawnHere(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (chunk: Buffer) => log.push(chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => log.push(chunk.toString()));
    let exitText: string | null = null;
    const exited = new Promise<void>((resolve) => {
      child.once('error', (error) => {
        exitText = `could not start: ${error.message}`;
        log.poke();
        resolve();
      });
      child.once('exit', (code, signal) => {
        exitText = `exited with ${signal ?? `code ${code}`}`;
        log.poke();
        resolve();
      });
    });
    const proc: Proc = { name, child, log, exited, exit: () => exitText };
    procs.push(proc);
    return proc;
  };

  /** Sends one command over rtpengine's ng control protocol (bencode over UDP) from where the lab runs. */
  const rtpengineCommand = async (port: number, command: Record<string, string>): Promise<void> => {
    const encode = (text: string) => `${Buffer.byteLength(text)}:${text}`;
    const body = `d${Object.keys(command)
      .sort()
      .map((key) => encode(key) + encode(command[key]!))
      .join('')}e`;
    const result = await runHere(process.execPath, ['-e', NG_CLIENT, String(port), `${randomBytes(6).toString('hex')} ${body}`], { timeoutMs: 5_000 });
    if (result.code !== 0 || !/6:result2:ok/.test(result.stdout)) throw new Error(`rtpengine ${command.command}: ${result.stdout.trim() || result.stderr.trim() || `exit ${result.code}`}`);
  };

  const allLogs = () => logs.map((log) => `----- ${log.name} -----\n${log.tail()}`).join('\n');

  /** Waits until 127.0.0.1:<port> listens (tcp) or is bound (udp) where the lab runs. */
  const waitListening = async (proc: Proc, protocol: 'tcp' | 'udp', port: number, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const result = await runHere('ss', ['-H', '-n', protocol === 'tcp' ? '-lt' : '-lu']);
      if (result.code === 0 && result.stdout.split('\n').some((line) => line.includes(`127.0.0.1:${port} `))) return;
      if (proc.exit()) throw new Error(`${proc.name} ${proc.exit()} before listening on ${protocol} ${port}\n${proc.log.tail()}`);
      if (Date.now() > deadline) throw new Error(`${proc.name} did not listen on ${protocol} 127.0.0.1:${port} within ${timeoutMs} ms\n${proc.log.tail()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(ctrls.map((ctrl) => ctrl.link.close().catch(() => undefined)));
    // baresip first (it unregisters and hangs up), then kamailio, then rtpengine.
    for (const group of [procs.filter((proc) => proc.name.startsWith('baresip')), procs.filter((proc) => proc.name === 'kamailio'), procs.filter((proc) => !proc.name.startsWith('baresip') && proc.name !== 'kamailio')]) {
      await Promise.all(group.map((proc) => stopProc(proc)));
    }
    for (const child of plainChildren) {
      if (child.pid !== undefined && groupAlive(child.pid)) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    await namespace?.destroy();
    rmSync(scratch, { recursive: true, force: true });
  };

  try {
    const ports = await choosePorts(namespace !== null);
    const password = `lab-${randomBytes(4).toString('hex')}`;
    const domain = '127.0.0.1';
    const phoneNumber = '1000';
    const busyNumber = '1001';
    const unknownNumber = '1999';
    const earlyNumber = '1002';
    const earlyAnswerMs = options.earlyAnswerMs ?? 5_000;
    /** The early phone, once started. */
    let early: Baresip | null = null;
    /**
     * kamailio relayed the early phone's 183: rtpengine plays the ringback to the caller (once a browser's
     * DTLS-SRTP is up, or it would get plain RTP), and the phone answers earlyAnswerMs after the 183.
     */
    const onEarlyMedia = async (callId: string, fromTag: string, webrtc: boolean) => {
      const phone = early;
      if (phone && earlyAnswerMs >= 0) setTimeout(() => void phone.accept().catch(() => undefined), earlyAnswerMs);
      try {
        if (webrtc) {
          const escaped = callId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          await rtpengine.log.waitFor(new RegExp(`\\[${escaped} port \\d+\\]: \\[crypto\\] DTLS-SRTP successfully negotiated`), 10_000, () => null);
        }
        await rtpengineCommand(ports.ng, { command: 'play media', 'call-id': callId, 'from-tag': fromTag, file: ringbackFile });
      } catch (error) {
        rtpengine.log.push(`lab: no ringback for call ${callId}: ${(error as Error).message}\n`);
      }
    };
    const gatewayLines: string[] = [];
    const gatewayWaiters = new Set<() => void>();
    const ringbackFile = join(scratch, 'ringback.wav');
    writeFileSync(ringbackFile, toneWav(425, 20));

    // 1. rtpengine, and only once it answers on its control port, kamailio.
    const rtpengineConf = join(scratch, 'rtpengine.conf');
    writeFileSync(rtpengineConf, rtpengineConfig(ports));
    const rtpengine = start('rtpengine', rtpenginePath, [`--config-file=${rtpengineConf}`, '--config-section=rtpengine', '--foreground', '--log-stderr'], scratch);
    await rtpengine.log.waitFor(/Startup complete/, 15_000, () => (rtpengine.exit() ? `rtpengine ${rtpengine.exit()}\n${rtpengine.log.tail()}` : null));
    await waitListening(rtpengine, 'udp', ports.ng);

    // 2. kamailio.
    const kamailioDir = join(scratch, 'kamailio');
    mkdirSync(kamailioDir);
    const kamailioCfg = join(kamailioDir, 'kamailio.cfg');
    let cfg = fillTemplate(readFileSync(kamailioTemplate, 'utf8'), {
      ADDRESS: domain,
      SIP_PORT: ports.sip,
      WS_PORT: ports.ws,
      NG_SOCKET: `udp:127.0.0.1:${ports.ng}`,
      PASSWORD: password,
      PHONE_NUMBER: phoneNumber,
      BUSY_NUMBER: busyNumber,
      EARLY_NUMBER: earlyNumber,
    });
    if (options.kamailioDebug !== undefined) cfg = cfg.replace(/^debug=\d+$/m, `debug=${options.kamailioDebug}`);
    writeFileSync(kamailioCfg, cfg);
    /** Starts kamailio (again, after restartGateway stopped it) and waits until it found rtpengine and listens. */
    const startKamailio = async (): Promise<Proc> => {
      const proc = start('kamailio', kamailioPath, ['-f', kamailioCfg, '-DD', '-E', '-Y', kamailioDir, '-P', join(kamailioDir, 'kamailio.pid'), '-w', kamailioDir], kamailioDir);
      proc.log.onLine.add((line) => {
        if (!line.includes('<script>: ')) return;
        gatewayLines.push(line);
        for (const wake of gatewayWaiters) wake();
        const ringback = /early media: 183 to \S+ \(call-id (\S+), from-tag (\S+), caller over (\S+)\)/.exec(line);
        if (ringback) void onEarlyMedia(ringback[1]!, ringback[2]!, ringback[3] === 'WebSocket');
      });
      await proc.log.waitFor(/rtpengine instance <[^>]+> found, support for it enabled/, 15_000, () => {
        if (proc.exit()) return `kamailio ${proc.exit()}\n${proc.log.tail()}`;
        if (/rtpengine instance <[^>]+> (?:not found|disabled)|support for it disabled/.test(proc.log.text())) return `kamailio cannot reach rtpengine\n${proc.log.tail()}\n${rtpengine.log.tail()}`;
        return null;
      });
      await waitListening(proc, 'udp', ports.sip);
      await waitListening(proc, 'tcp', ports.ws);
      return proc;
    };
    let kamailio = await startKamailio();
    const gateway: SipLab['gateway'] = {
      lines: gatewayLines,
      mark: () => gatewayLines.length,
      waitFor: (pattern, { timeoutMs = 15_000, since = 0 } = {}) =>
        new Promise((resolve, reject) => {
          const check = () => {
            const line = gatewayLines.slice(since).find((candidate) => pattern.test(candidate));
            if (line === undefined) return false;
            clearTimeout(timer);
            gatewayWaiters.delete(check);
            resolve(line);
            return true;
          };
          const timer = setTimeout(() => {
            gatewayWaiters.delete(check);
            reject(new Error(`kamailio logged no line matching ${pattern} within ${timeoutMs} ms\n${allLogs()}`));
          }, timeoutMs);
          if (!check()) gatewayWaiters.add(check);
        }),
    };
    /** Resolves at kamailio's next output line that matches. */
    const kamailioLine = (pattern: RegExp, timeoutMs: number): Promise<string> =>
      new Promise((resolve, reject) => {
        const log = kamailio.log;
        const timer = setTimeout(() => {
          log.onLine.delete(listener);
          reject(new Error(`kamailio: no line matching ${pattern} within ${timeoutMs} ms\n${log.tail()}`));
        }, timeoutMs);
        const listener = (line: string) => {
          if (!pattern.test(line)) return;
          clearTimeout(timer);
          log.onLine.delete(listener);
          resolve(line);
        };
        log.onLine.add(listener);
      });

    // 3. the phones.
    const phoneCodecs = options.phoneCodecs ?? 'PCMU';
    /** Each phone, and how to make it register again (restartGateway: kamailio forgot every registration). */
    const phones: { self: Baresip; reregister: () => Promise<void> }[] = [];
    const startBaresip = async (user: string, number: string, own: Ports['phone'], answermode: 'auto' | 'manual' | 'early', onEvent?: (event: BaresipEvent, self: Baresip) => void): Promise<Baresip> => {
      const dir = join(scratch, `baresip-${user}`);
      mkdirSync(dir);
      writeFileSync(join(dir, 'config'), baresipConfig(own.sip, own.ctrl, own.rtp));
      const accountLine = `<sip:${user}@${domain}>;auth_pass=${password};answermode=${answermode};audio_codecs=${phoneCodecs};outbound="sip:127.0.0.1:${ports.sip};transport=udp";regint=3600`;
      writeFileSync(join(dir, 'accounts'), `${accountLine}\n`);
      writeFileSync(join(dir, 'contacts'), '');
      const proc = start(`baresip-${user}`, baresipPath, ['-f', dir], dir);
      await waitListening(proc, 'tcp', own.ctrl);
      const relayLog = new Log(`ctrl_tcp relay (${user})`);
      logs.push(relayLog);
      const ctrl = new Ctrl(await openCtrlLink(own.ctrl, namespace ? spawnHere : null, relayLog), `baresip ${user}`);
      ctrls.push(ctrl);
      // Registered once reginfo says OK (REGISTER_OK may have come before ctrl_tcp was connected).
      const deadline = Date.now() + 15_000;
      for (;;) {
        const info = await ctrl.command('reginfo');
        if (/\bOK\b/.test(info)) break;
        if (Date.now() > deadline) throw new Error(`baresip ${user} did not register within 15 s: ${info}\n${proc.log.tail()}\n${kamailio.log.tail()}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      if (onEvent) ctrl.listeners.add((event) => onEvent(event, self));
      const describe = () => `${user}'s events: ${ctrl.events.map((event) => `${event.type}${event.param ? `(${event.param})` : ''}`).join(' ')}\n${allLogs()}`;
      const self: Baresip = {
        user,
        uri: `sip:${user}@${domain}`,
        number,
        events: ctrl.events,
        mark: () => ctrl.events.length,
        waitFor: (predicate, waitOptions) => {
          const { timeoutMs = 15_000, since = 0 } = typeof waitOptions === 'number' ? { timeoutMs: waitOptions } : (waitOptions ?? {});
          return ctrl.waitFor(predicate, since, timeoutMs, describe);
        },
        dtmfDigits: (since = 0) =>
          ctrl.events
            .slice(since)
            .filter((event) => event.type === 'CALL_DTMF_START')
            .map((event) => String(event.param ?? ''))
            .join(''),
        command: (command, params) => ctrl.command(command, params),
        dial: async (uri) => {
          try {
            await ctrl.command('dial', uri);
          } catch (error) {
            // baresip 1.0 has once refused a dial right after a call had closed ("Cannot allocate
            // memory", in 1 of many CI runs); the far end is the lab's phone, not what a test checks,
            // so one more try a second later. A second refusal fails the test with both reasons.
            await new Promise((resolve) => setTimeout(resolve, 1_000));
            await ctrl.command('dial', uri).catch((again: Error) => {
              throw new Error(`${(error as Error).message}; again a second later: ${again.message}`);
            });
          }
        },
        hangup: async () => {
          await ctrl.command('hangup');
        },
        accept: async () => {
          await ctrl.command('accept');
        },
        rtpStats: async () => parseAudioDebug(await ctrl.command('audio_debug')),
      };
      phones.push({
        self,
        reregister: async () => {
          // baresip 1.0 has no "register again" command: the UA is deleted (it unregisters) and made anew.
          // Its new REGISTER may carry the same Contact, so it waits until the unregistration was taken.
          const since = ctrl.events.length;
          const unregistered = kamailioLine(new RegExp(`REGISTER of ${self.uri.replace(/[.]/g, '\\.')} saved .*;expires=0\\)`), 10_000);
          await ctrl.command('uadel', self.uri);
          await unregistered;
          await ctrl.command('uanew', accountLine);
          await ctrl.waitFor((event) => event.type === 'REGISTER_OK', since, 15_000, describe);
        },
      });
      return self;
    };
    const phone = await startBaresip('phone', phoneNumber, ports.phone, 'auto');
    // The busy phone rings (180), then turns the call down as a person on another call would: 486.
    const busy = await startBaresip('busy', busyNumber, ports.busy, 'manual', (event, self) => {
      if (event.type === 'CALL_INCOMING') void self.hangup().catch(() => undefined);
    });
    // The early phone: baresip's answermode=early sends 180, then 183 Session Progress with its SDP (but,
    // in baresip 1.0, no RTP before it answers: its audio source starts with the 200). On that 183 the lab
    // has rtpengine play a ringback tone to the caller (early media from the gateway, as phone networks
    // do: onEarlyMedia), and earlyAnswerMs later it answers (200 OK; kamailio stops the ringback).
    early = await startBaresip('early', earlyNumber, ports.early, 'early');

    let restarts = 0;
    const restartGateway = async ({ downMs = 0 }: { downMs?: number } = {}): Promise<void> => {
      if (stopped) throw new Error('the SIP lab is stopped');
      restarts += 1;
      kamailio.log.name = `kamailio (until restart ${restarts})`;
      await stopProc(kamailio);
      await new Promise((resolve) => setTimeout(resolve, downMs));
      kamailio = await startKamailio();
      // Its registrar was in memory: the phones register again (a browser's JsSIP does so by itself once its WebSocket is back).
      await Promise.all(phones.map((phone) => phone.reregister()));
    };

    return {
      netns: namespace?.netns ?? null,
      domain,
      wsUrl: `ws://127.0.0.1:${ports.ws}`,
      sipPort: ports.sip,
      password,
      account: (user) => {
        if (user === 'phone' || user === 'busy' || user === 'early') throw new Error(`'${user}' is one of the lab's own phones`);
        return { uri: `sip:${user}@${domain}`, authUser: user, password, wsUrl: `ws://127.0.0.1:${ports.ws}` };
      },
      phone,
      busy,
      early,
      busyNumber,
      unknownNumber,
      earlyAnswerMs,
      restartGateway,
      gateway,
      spawn: spawnHere,
      run: runHere,
      logs: allLogs,
      stop,
    };
  } catch (error) {
    const text = allLogs();
    await stop();
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`the SIP lab did not start: ${message}\n${text}`);
  }
}
