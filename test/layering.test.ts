// Keeps the pipeline's layering: src/ → ir/ → passes/, schedules/, codegen/. Scans the import
// statements of every .ts file under ir/, passes/, schedules/ and codegen/ (static, re-exports,
// side-effect, dynamic and `import type` alike: a type import is still an edge) and lists each
// edge into a layer the importing layer may not see. src/, test/ and benchmarks/ may import anything.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Project folders each checked layer may import from (itself included). */
const ALLOWED: Record<string, string[]> = {
  ir: ['ir'],
  passes: ['ir', 'passes'],
  schedules: ['ir', 'schedules'],
  codegen: ['ir', 'codegen'],
};

/** Top-level project folders an import can land in; anything else is a package or node: builtin. */
const LAYERS = ['src', 'ir', 'passes', 'schedules', 'codegen', 'runtime-c', 'benchmarks', 'examples', 'test'];

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.isFile() && e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Module specifiers of a file: `from '…'`, `import '…'`, `import('…')` (comments skipped). */
export function importsOf(src: string): string[] {
  const code = src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const re = /\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/gm;
  return [...code.matchAll(re)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/** The project folder a relative specifier of `file` resolves into, or undefined. */
function layerOf(file: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const top = path.relative(ROOT, path.resolve(path.dirname(file), spec)).split(path.sep)[0];
  return LAYERS.includes(top) ? top : undefined;
}

/** Every forbidden edge as 'file → specifier (from → to)'. */
function forbiddenEdges(): string[] {
  const bad: string[] = [];
  for (const [from, allowed] of Object.entries(ALLOWED))
    for (const file of tsFiles(path.join(ROOT, from)))
      for (const spec of importsOf(fs.readFileSync(file, 'utf8'))) {
        const to = layerOf(file, spec);
        if (to && !allowed.includes(to)) bad.push(`${path.relative(ROOT, file)} → ${spec} (${from} → ${to})`);
      }
  return bad;
}

describe('layering', () => {
  it('finds import edges of every form', () => {
    const src = [
      "import { a } from '../x.js';",
      "import type { B } from './b.js';",
      "export { c } from '../../c.js';",
      "import './side.js';",
      "const d = await import('../d.js');",
      "// import { no } from '../commented.js';",
      "import {\n  e,\n  f,\n} from './multi.js';",
    ].join('\n');
    expect(importsOf(src)).toEqual(['../x.js', './b.js', '../../c.js', './side.js', '../d.js', './multi.js']);
  });

  it('ir/, passes/, schedules/ and codegen/ import only the layers below them', () => {
    expect(forbiddenEdges()).toEqual([]);
  });
});
