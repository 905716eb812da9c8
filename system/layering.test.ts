/**
 * system/ stands on its own: no module of the orchestrator imports anything from harness/ (the
 * harness tests the system, never the reverse), so system/ runs, ships and is reviewed alone.
 * Tests and their helpers are exempt: the harness is the orchestrator's test tool (its SurrealDB
 * server, its Toxiproxy), and a test may use it. Imports are read with TypeScript's own
 * pre-processor, so static, type-only, re-exports and dynamic `import('…')` all count.
 *
 * The other way round, harness/ uses system/ as a client would: through each part's index.ts (or
 * a top-level module such as system/errors.ts), so a part's files can move without the harness noticing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SYSTEM = join(ROOT, 'system');
const HARNESS = join(ROOT, 'harness');

const isTestCode = (file: string): boolean => /\.test\.ts$|\.test-helper\.ts$|[/]test-helpers\.ts$|[/]fixtures[/]/.test(file);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|mts)$/.test(e.name) && !e.parentPath.includes('node_modules') && !e.parentPath.includes('/dist'))
    .map((e) => join(e.parentPath, e.name));
}

/** Every relative import of `file` that exists at run time (type-only imports and exports erased), resolved. */
function runtimeImportsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8').replace(/^(import|export) type [^;]*;/gms, '');
  const info = ts.preProcessFile(source, true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((s) => s.startsWith('.'))
    .map((s) => resolve(dirname(file), s));
}

/** One module cycle among `files` (as paths relative to the root), or undefined. Iterative DFS. */
function findImportCycle(files: readonly string[]): string[] | undefined {
  const known = new Set(files);
  const edges = new Map(files.map((f) => [f, runtimeImportsOf(f).filter((t) => known.has(t))]));
  const state = new Map<string, 'open' | 'done'>();
  for (const start of files) {
    if (state.has(start)) continue;
    const stack: { file: string; next: number }[] = [{ file: start, next: 0 }];
    state.set(start, 'open');
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const targets = edges.get(top.file)!;
      if (top.next === targets.length) {
        state.set(top.file, 'done');
        stack.pop();
        continue;
      }
      const target = targets[top.next++]!;
      if (state.get(target) === 'open') {
        const from = stack.findIndex((s) => s.file === target);
        return [...stack.slice(from).map((s) => relative(ROOT, s.file)), relative(ROOT, target)];
      }
      if (!state.has(target)) {
        state.set(target, 'open');
        stack.push({ file: target, next: 0 });
      }
    }
  }
  return undefined;
}

/** Every relative import of `file`, resolved to an absolute path. */
export function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((s) => s.startsWith('.'))
    .map((s) => resolve(dirname(file), s));
}

describe('layering', () => {
  it('no system/ module imports from harness/', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(SYSTEM).filter((f) => !isTestCode(f))) {
      for (const target of importsOf(file)) {
        if (target.startsWith(HARNESS + '/')) offenders.push(`${relative(ROOT, file)} → ${relative(ROOT, target)}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("harness/ reaches system/ only through its public faces: a top-level module or a part's index.ts", () => {
    // Each exception says why it is not behind an index.ts.
    const allowed = new Map([['system/bench/types.ts', 'the benchmark contract (types only) that a harness suite implements']]);
    const offenders: string[] = [];
    for (const file of sourceFiles(HARNESS).filter((f) => !isTestCode(f))) {
      for (const target of importsOf(file)) {
        if (!target.startsWith(SYSTEM + '/')) continue;
        const rel = relative(ROOT, target);
        const publicFace = /^system\/[^/]+\.ts$/.test(rel) || /^system\/[^/]+\/index\.ts$/.test(rel);
        if (!publicFace && !allowed.has(rel)) offenders.push(`${relative(ROOT, file)} → ${rel}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('no module of system/ or harness/ imports itself back at run time (type-only imports aside)', () => {
    // An ESM cycle makes evaluation order decide whether a binding is initialised yet.
    const files = [...sourceFiles(SYSTEM), ...sourceFiles(HARNESS)].filter((f) => !isTestCode(f));
    expect(findImportCycle(files)).toBeUndefined();
    const planted = [join(HARNESS, 'runner', 'faults', 'plan.ts'), join(HARNESS, 'runner', 'faults', 'registry.ts')];
    expect(findImportCycle(planted)).toBeUndefined(); // the walk itself: a two-file chain is no cycle
  });

  it('sees static, type-only, re-exported and dynamic imports (the walk cannot pass vacuously)', () => {
    const probe = join(SYSTEM, 'main.ts');
    expect(importsOf(probe).map((t) => relative(ROOT, t))).toEqual(
      expect.arrayContaining(['system/errors.ts', 'system/runtime/config.ts', 'system/runtime/orchestrator.ts']),
    );
    const source = "import type { A } from '../harness/a.ts';\nexport * from '../harness/b.ts';\nconst c = await import('../harness/c.ts');";
    const info = ts.preProcessFile(source, true, true);
    expect(info.importedFiles.map((f) => f.fileName)).toEqual(['../harness/a.ts', '../harness/b.ts', '../harness/c.ts']);
    expect(sourceFiles(SYSTEM).length).toBeGreaterThan(50);
  });
});
