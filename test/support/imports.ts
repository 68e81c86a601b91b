/** Reads the import statements of a TypeScript or Vue file, for the layer rules. */
export interface ImportRef {
  specifier: string;
  typeOnly: boolean;
  line: number;
}

const STATIC = /^\s*(import|export)\s+(type\s+)?([\s\S]*?)\s+from\s+['"]([^'"]+)['"]/gm;
const BARE = /^\s*import\s+['"]([^'"]+)['"]/gm;
const DYNAMIC = /\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

export function importsOf(source: string): ImportRef[] {
  const lineAt = (index: number) => source.slice(0, index).split('\n').length;
  const found: ImportRef[] = [];
  for (const match of source.matchAll(STATIC)) {
    const clause = match[3] ?? '';
    // `import { type A, type B } from` is type-only too; a single value name makes it a value import.
    const braced = /^\{([\s\S]*)\}$/.exec(clause.trim());
    const allTypeMembers = braced !== null && braced[1]!.split(',').map((part) => part.trim()).filter(Boolean).every((part) => part.startsWith('type '));
    found.push({ specifier: match[4]!, typeOnly: Boolean(match[2]) || allTypeMembers, line: lineAt(match.index) });
  }
  for (const match of source.matchAll(BARE)) found.push({ specifier: match[1]!, typeOnly: false, line: lineAt(match.index) });
  for (const match of source.matchAll(DYNAMIC)) found.push({ specifier: match[1]!, typeOnly: false, line: lineAt(match.index) });
  return found;
}
