// Builds the three bundles the app needs (and the host that serves the renderer to a browser):
//   out/renderer  Vite (Vue)          out/main/index.cjs     esbuild, Electron main
//   out/preload/index.cjs  esbuild    out/host/index.js      esbuild, plain Node
import { build as esbuild } from 'esbuild';
import { build as vite } from 'vite';

const node = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning' };

await Promise.all([
  vite({ configFile: 'renderer/vite.config.ts', logLevel: 'warn' }),
  esbuild({ ...node, entryPoints: ['electron/main/index.ts'], outfile: 'out/main/index.cjs', format: 'cjs', external: ['electron', 'bufferutil', 'utf-8-validate'] }),
  // A sandboxed preload may require only 'electron' and a few built-ins: everything else is bundled in.
  esbuild({ ...node, entryPoints: ['electron/preload/index.ts'], outfile: 'out/preload/index.cjs', format: 'cjs', external: ['electron'] }),
  esbuild({ ...node, entryPoints: ['electron/host/index.ts'], outfile: 'out/host/index.js', format: 'esm', packages: 'external' }),
]);
console.log('built out/renderer, out/main, out/preload, out/host');
