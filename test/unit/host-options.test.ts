import { describe, expect, it } from 'vitest';
import { parseHostOptions } from '../../electron/host/options.js';

describe('host command line', () => {
  it('reads every option', () => {
    expect(parseHostOptions(['--data', '/tmp/x', '--port', '8080', '--name', ' Alice ', '--lang', 'ko', '--lan-port', '0'])).toEqual({
      dataDir: '/tmp/x',
      port: 8080,
      name: 'Alice',
      lang: 'ko',
      lanPort: 0,
      discovery: true,
    });
    expect(parseHostOptions(['--lan-interface', 'lan0'])).toMatchObject({ discovery: true, lanInterface: 'lan0' });
    expect(parseHostOptions(['--no-discovery'])).toMatchObject({ discovery: false });
    expect(parseHostOptions(['--no-discovery'])).not.toHaveProperty('lanInterface');
  });

  it('defaults to any free port and no overrides', () => {
    const options = parseHostOptions([]);
    expect(options.port).toBe(0);
    expect(options).not.toHaveProperty('lang');
    expect(options).not.toHaveProperty('lanPort');
    expect(options.discovery).toBe(true);
  });

  it('refuses bad values with a sentence naming the option', () => {
    expect(() => parseHostOptions(['--port', '70000'])).toThrow('--port must be a whole number from 0 to 65535');
    expect(() => parseHostOptions(['--lan-port', '-1'])).toThrow('--lan-port');
    expect(() => parseHostOptions(['--lang', 'fr'])).toThrow('--lang must be one of en, ko');
    expect(() => parseHostOptions(['--name', '  '])).toThrow('--name must not be empty');
    expect(() => parseHostOptions(['--colour', 'red'])).toThrow(/colour/);
    expect(() => parseHostOptions(['--lan-interface', 'eth0/../x'])).toThrow('--lan-interface must name a network interface');
    expect(() => parseHostOptions(['--lan-interface', ''])).toThrow('--lan-interface must name a network interface');
    expect(() => parseHostOptions(['--lan-interface', 'eth0', '--no-discovery'])).toThrow('--lan-interface and --no-discovery exclude each other');
  });
});
