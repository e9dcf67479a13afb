/**
 * The layers of src/ hold (docs/architecture.md): errors and package facts at
 * the bottom, then data, then rules and plan, then engine, then report, the
 * CLI on top. No file imports from a layer above its own, and only the Arquero
 * executor imports Arquero. Imports are read with TypeScript's own scanner,
 * so that `export … from` and `import()` count too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');

/** Layer of a file under src/, by its first folder; files directly in src/ are the bottom. */
const LAYERS: Record<string, number> = { '': 0, data: 1, rules: 2, plan: 2, engine: 3, report: 4, cli: 5 };

function layerOf(file: string): number {
  const rel = relative(SRC, file);
  const top = rel.includes('/') ? rel.slice(0, rel.indexOf('/')) : '';
  if (!(top in LAYERS)) throw new Error(`src/${rel}: folder ${top}/ has no layer; add it to LAYERS and to docs/architecture.md`);
  return LAYERS[top];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
}

/** Every module a file imports or re-exports, static or dynamic. */
function importsOf(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
}

const files = sourceFiles(SRC);

describe('the layers of src/', () => {
  it('finds the source files and their imports', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(importsOf(join(SRC, 'cli/audit.ts'))).toContain('../report/build.js');
  });

  it('no file imports from a layer above its own', () => {
    const upward: string[] = [];
    for (const file of files) {
      for (const spec of importsOf(file)) {
        if (!spec.startsWith('.')) continue;
        const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
        if (!target.startsWith(SRC + '/')) {
          upward.push(`src/${relative(SRC, file)} imports ${spec}, outside src/`);
          continue;
        }
        if (layerOf(target) > layerOf(file)) upward.push(`src/${relative(SRC, file)} imports ${spec} from a higher layer`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('only the Arquero executor imports Arquero', () => {
    const outside = files.filter((f) => !relative(SRC, f).startsWith('engine/arquero/') && importsOf(f).some((s) => s === 'arquero' || s.startsWith('arquero/')));
    expect(outside.map((f) => `src/${relative(SRC, f)}`)).toEqual([]);
    expect(importsOf(join(SRC, 'engine/arquero/executor.ts'))).toContain('arquero');
  });

  it('the test itself would see an upward import', () => {
    // A report file importing the CLI is the kind of import the check above must catch.
    const report = join(SRC, 'report/build.ts');
    expect(layerOf(resolve(dirname(report), '../cli/audit.ts'))).toBeGreaterThan(layerOf(report));
    expect(ts.preProcessFile("export { x } from '../cli/a.js'; const m = import('../cli/b.js');", true, true).importedFiles.map((f) => f.fileName)).toEqual([
      '../cli/a.js',
      '../cli/b.js',
    ]);
  });
});
