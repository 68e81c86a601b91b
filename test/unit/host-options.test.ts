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
    });
  });

  it('defaults to any free port and no overrides', () => {
    const options = parseHostOptions([]);
    expect(options.port).toBe(0);
    expect(options).not.toHaveProperty('lang');
    expect(options).not.toHaveProperty('lanPort');
  });

  it('refuses bad values with a sentence naming the option', () => {
    expect(() => parseHostOptions(['--port', '70000'])).toThrow('--port must be a whole number from 0 to 65535');
    expect(() => parseHostOptions(['--lan-port', '-1'])).toThrow('--lan-port');
    expect(() => parseHostOptions(['--lang', 'fr'])).toThrow('--lang must be one of en, ko');
    expect(() => parseHostOptions(['--name', '  '])).toThrow('--name must not be empty');
    expect(() => parseHostOptions(['--colour', 'red'])).toThrow(/colour/);
  });
});
