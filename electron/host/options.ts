import { parseArgs } from 'node:util';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { Language } from '../contract.js';

export interface HostOptions {
  dataDir: string;
  port: number;
  name?: string;
  lang?: 'en' | 'ko';
}

export const USAGE = 'usage: npm run host -- [--data <dir>] [--port <n>] [--name <display name>] [--lang <en|ko>]';

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
    },
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a whole number from 0 to 65535, not ${values.port}`);
  let lang: HostOptions['lang'];
  if (values.lang !== undefined) {
    const parsed = Language.safeParse(values.lang);
    if (!parsed.success) throw new Error(`--lang must be one of ${Language.options.join(', ')}, not ${values.lang}`);
    lang = parsed.data;
  }
  if (values.name !== undefined && !values.name.trim()) throw new Error('--name must not be empty');
  return {
    dataDir: resolve(values.data ?? join(homedir(), '.lanline-host')),
    port,
    ...(values.name !== undefined && { name: values.name.trim() }),
    ...(lang && { lang }),
  };
}
