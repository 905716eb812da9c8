/**
 * system/ stands on its own: no module of the orchestrator imports anything from harness/ (the
 * harness tests the system, never the reverse), so system/ runs, ships and is reviewed alone.
 * Tests and their helpers are exempt: the harness is the orchestrator's test tool (its SurrealDB
 * server, its Toxiproxy), and a test may use it. Imports are read with TypeScript's own
 * pre-processor, so static, type-only, re-exports and dynamic `import('…')` all count.
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

/** Every relative import of `file`, resolved to an absolute path. */
export function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((f) => f.fileName).filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s));
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
