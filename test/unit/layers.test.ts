/**
 * The dependency rule of DESIGN §2, checked on the tree: electron/core never imports Electron,
 * renderer/src/rtc never imports Vue or Pinia, and the renderer takes only types from electron/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf } from '../support/imports.js';
import { repoRoot } from '../support/host.js';

function filesUnder(dir: string): string[] {
  return readdirSync(join(repoRoot, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|vue|mts)$/.test(entry.name))
    .map((entry) => relative(repoRoot, join(entry.parentPath, entry.name)));
}

type Rule = (file: string, specifier: string, typeOnly: boolean) => string | null;

function breaches(dirs: string[], rule: Rule, read = (file: string) => readFileSync(join(repoRoot, file), 'utf8')): string[] {
  return dirs.flatMap(filesUnder).flatMap((file) =>
    importsOf(read(file))
      .map((ref) => {
        const why = rule(file, ref.specifier, ref.typeOnly);
        return why && `${file}:${ref.line} ${why}`;
      })
      .filter((line): line is string => Boolean(line)),
  );
}

const lands = (file: string, specifier: string) => relative(repoRoot, resolve(repoRoot, dirname(file), specifier));

const coreRule: Rule = (file, specifier) => {
  if (specifier === 'electron' || specifier.startsWith('electron/')) return "imports 'electron'";
  if (specifier.startsWith('.') && /^electron\/(main|host|preload)\//.test(lands(file, specifier))) return `imports the adapter ${specifier}`;
  return null;
};
const rtcRule: Rule = (file, specifier) => {
  if (['vue', 'pinia', 'vue-i18n'].includes(specifier)) return `imports ${specifier}`;
  if (specifier.startsWith('.') && /^renderer\/src\/(stores|views|components)\//.test(lands(file, specifier))) return `imports UI code ${specifier}`;
  return null;
};
const rendererRule: Rule = (file, specifier, typeOnly) => {
  if (specifier === 'electron' || specifier.startsWith('node:')) return `imports ${specifier}`;
  if (!specifier.startsWith('.')) return null;
  const target = lands(file, specifier);
  if (!target.startsWith('electron/')) return null;
  if (!/^electron\/contract(\.js|\.ts)?$/.test(target)) return `imports ${target}; only types from electron/contract.ts may cross`;
  return typeOnly ? null : 'imports values from electron/contract.ts; use `import type`';
};

describe('layer rules', () => {
  it('electron/core imports neither Electron nor its adapters', () => {
    expect(breaches(['electron/core'], coreRule)).toEqual([]);
  });

  it('renderer/src/rtc imports no Vue, Pinia or UI code', () => {
    expect(breaches(['renderer/src/rtc'], rtcRule)).toEqual([]);
  });

  it('the renderer imports only types from electron/contract.ts and nothing else of electron/', () => {
    expect(breaches(['renderer/src'], rendererRule)).toEqual([]);
  });

  it('the checks catch each kind of breach', () => {
    const fake = (source: string) => () => source;
    expect(breaches(['electron/core'], coreRule, fake("import { app } from 'electron';"))).not.toEqual([]);
    expect(breaches(['electron/core'], coreRule, fake("const { app } = require('electron');"))).not.toEqual([]);
    expect(breaches(['electron/core'], coreRule, fake("import { x } from '../main/ipc.js';"))).not.toEqual([]);
    expect(breaches(['renderer/src'], rtcRule, fake("import { ref } from 'vue';"))).not.toEqual([]);
    expect(breaches(['renderer/src/bridge'], rendererRule, fake("import { requests } from '../../../electron/contract';"))).not.toEqual([]);
    expect(breaches(['renderer/src/bridge'], rendererRule, fake("import type { Settings } from '../../../electron/core/index';"))).not.toEqual([]);
    expect(breaches(['renderer/src/bridge'], rendererRule, fake("import type { Settings } from '../../../electron/contract';"))).toEqual([]);
    expect(breaches(['renderer/src/bridge'], rendererRule, fake("import { type Settings } from '../../../electron/contract';"))).toEqual([]);
  });
});
