import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/host.js';

const assets = join(repoRoot, 'out', 'renderer', 'assets');

describe('renderer bundle', () => {
  it('stays under 400 KiB gzipped (DESIGN §5, idle cost)', () => {
    expect(existsSync(assets), 'out/renderer is missing: run `npm run build` (npm test does)').toBe(true);
    const files = readdirSync(assets).filter((name) => /\.(js|css)$/.test(name));
    const gzipped = files.reduce((total, name) => total + gzipSync(readFileSync(join(assets, name))).length, 0);
    console.log(`renderer bundle: ${(gzipped / 1024).toFixed(1)} KiB gzipped in ${files.length} files`);
    expect(gzipped).toBeLessThan(400 * 1024);
  });
});
