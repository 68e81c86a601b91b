import { parseArgs } from 'node:util';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { Language } from '../contract.js';

export interface HostOptions {
  dataDir: string;
  port: number;
  name?: string;
  lang?: 'en' | 'ko';
  /** LAN signaling port; overrides the setting for this run (0 = any free port). */
  lanPort?: number;
  /** A lanline:, tel: or sip: link to open once the page is ready, as if the OS had started the app with it. */
  link?: string;
  /** false: no mDNS at all (`--no-discovery`); peers are added by address. */
  discovery: boolean;
  /** Confine discovery and the LAN signaling port to this network interface (`--lan-interface`). */
  lanInterface?: string;
}

export const USAGE =
  'usage: npm run host -- [--data <dir>] [--port <n>] [--name <display name>] [--lang <en|ko>] [--lan-port <n>] [--lan-interface <name> | --no-discovery] [--link <lanline:|tel:|sip: link>]';

/** Linux allows 15 bytes (IFNAMSIZ); Windows' friendly names are longer and may hold spaces. */
const INTERFACE_NAME = /^[\p{L}\p{N} ._:@()-]{1,64}$/u;

/** Parses the host's command line; throws an Error whose message is fit to print. */
export function parseHostOptions(argv: string[]): HostOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      data: { type: 'string' },
      port: { type: 'string' },
      name: { type: 'string' },
      lang: { type: 'string' },
      'lan-port': { type: 'string' },
      link: { type: 'string' },
      'lan-interface': { type: 'string' },
      'no-discovery': { type: 'boolean' },
    },
  });
  const port = portOption('--port', values.port) ?? 0;
  const lanPort = portOption('--lan-port', values['lan-port']);
  let lang: HostOptions['lang'];
  if (values.lang !== undefined) {
    const parsed = Language.safeParse(values.lang);
    if (!parsed.success) throw new Error(`--lang must be one of ${Language.options.join(', ')}, not ${values.lang}`);
    lang = parsed.data;
  }
  if (values.name !== undefined && !values.name.trim()) throw new Error('--name must not be empty');
  const lanInterface = values['lan-interface'];
  if (lanInterface !== undefined && !INTERFACE_NAME.test(lanInterface)) throw new Error(`--lan-interface must name a network interface (as \`ip link\` lists it), not ${JSON.stringify(lanInterface.slice(0, 80))}`);
  if (lanInterface !== undefined && values['no-discovery']) throw new Error('--lan-interface and --no-discovery exclude each other: choose where to look for peers, or not to look');
  return {
    dataDir: resolve(values.data ?? join(homedir(), '.lanline-host')),
    port,
    ...(values.name !== undefined && { name: values.name.trim() }),
    ...(lang && { lang }),
    ...(lanPort !== undefined && { lanPort }),
    ...(values.link !== undefined && { link: values.link }),
    discovery: !values['no-discovery'],
    ...(lanInterface !== undefined && { lanInterface }),
  };
}

function portOption(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new Error(`${flag} must be a whole number from 0 to 65535, not ${value}`);
  return port;
}
