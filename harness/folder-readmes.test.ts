/**
 * Every folder of system/ and harness/ that holds code has a README.md whose top says, in three
 * lines, what the folder owns, what it may import and who calls it:
 *
 *   # title
 *
 *   - **Owns:** …
 *   - **May import:** …
 *   - **Called by:** …
 *
 * and the "May import" line is kept true: each repository folder (or, at the top of system/, each
 * file) that the folder's non-test code imports must be named there in backticks. Imports are read
 * with TypeScript's pre-processor (static, type-only, re-exports, dynamic `import()`), as in
 * system/layering.test.ts. A new cross-folder import means updating that line, which is the point:
 * the line is the folder's contract, reviewed with the import.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CODE = /\.(ts|mts|mjs|cjs)$/;
/** Generated (the worker bundle) or installed: not the folder's own code. */
const SKIPPED_DIRS = new Set(['node_modules', 'dist']);
/** Tests, their helpers, fixtures and benchmarks may reach further than the code they test. */
const isTestCode = (file: string): boolean => /\.test\.ts$|\.test-helper\.ts$|\/test-helpers\.ts$|\/test-[\w-]+\.ts$|\.bench\.ts$|(^|\/)fixtures\//.test(file);
const norm = (path: string): string => path.split(sep).join('/');

/** Repository-relative folders under `top` that hold code files directly, `top` included. */
function codeFolders(top: string): string[] {
  const out: string[] = [];
  const visit = (dir: string) => {
    const entries = readdirSync(join(ROOT, dir), { withFileTypes: true });
    if (entries.some((e) => e.isFile() && CODE.test(e.name))) out.push(dir);
    for (const e of entries) if (e.isDirectory() && !SKIPPED_DIRS.has(e.name)) visit(`${dir}/${e.name}`);
  };
  visit(top);
  return out;
}

/** What a cross-folder import is named by: its folder, or the file itself at the top of system/. */
function importedUnit(target: string): string {
  const folder = dirname(target);
  return folder === 'system' ? target : folder;
}

/** The units the non-test code of `folder` imports from other folders. */
function importsOf(folder: string): Set<string> {
  const units = new Set<string>();
  for (const entry of readdirSync(join(ROOT, folder), { withFileTypes: true })) {
    const file = `${folder}/${entry.name}`;
    if (!entry.isFile() || !CODE.test(entry.name) || isTestCode(file)) continue;
    const info = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true);
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) continue;
      let target = norm(relative(ROOT, resolve(ROOT, folder, fileName)));
      if (!CODE.test(target)) target = `${target}/index.ts`;
      if (dirname(target) !== folder) units.add(importedUnit(target));
    }
  }
  return units;
}

const LINES = [/^- \*\*Owns:\*\* \S/, /^- \*\*May import:\*\* \S/, /^- \*\*Called by:\*\* \S/] as const;

/** The three lines after the title, or why they are not there. */
function contractOf(folder: string): { owns: string; mayImport: string; calledBy: string } | string {
  const path = join(ROOT, folder, 'README.md');
  if (!existsSync(path)) return 'no README.md';
  const lines = readFileSync(path, 'utf8').split('\n');
  if (!lines[0]?.startsWith('# ') || lines[1] !== '') return 'README.md does not start with "# title" and a blank line';
  const [owns, mayImport, calledBy] = [lines[2] ?? '', lines[3] ?? '', lines[4] ?? ''];
  const bad = [owns, mayImport, calledBy].findIndex((line, i) => !LINES[i]!.test(line));
  if (bad >= 0) return `README.md line ${bad + 3} is not "${['- **Owns:** …', '- **May import:** …', '- **Called by:** …'][bad]!}"`;
  return { owns, mayImport, calledBy };
}

/** Backticked repository paths on a line (`system/errors.ts`, `harness/report/html`). */
const namedPaths = (line: string): Set<string> => new Set([...line.matchAll(/`((?:system|harness)(?:\/[\w.-]+)*)\/?`/g)].map((m) => m[1]!));

describe('folder READMEs', () => {
  const folders = [...codeFolders('system'), ...codeFolders('harness')];

  it('every folder of system/ and harness/ that holds code starts its README with Owns / May import / Called by', () => {
    const problems = folders.flatMap((folder) => {
      const contract = contractOf(folder);
      return typeof contract === 'string' ? [`${folder}: ${contract}`] : [];
    });
    expect(problems).toEqual([]);
  });

  it("names every folder a folder's non-test code imports on its May import line", () => {
    const missing = folders.flatMap((folder) => {
      const contract = contractOf(folder);
      if (typeof contract === 'string') return [];
      const named = namedPaths(contract.mayImport);
      return [...importsOf(folder)]
        .filter((unit) => !named.has(unit))
        .sort()
        .map((unit) => `${folder}/README.md: May import does not name \`${unit}\``);
    });
    expect(missing).toEqual([]);
  });

  it('walks real folders and reads real imports (cannot pass vacuously)', () => {
    expect(folders).toEqual(expect.arrayContaining(['system', 'system/runtime', 'harness/report/html', 'harness/cli/commands']));
    expect(folders.some((f) => f.includes('/dist') || f.includes('node_modules'))).toBe(false);
    expect([...importsOf('system/runtime')]).toEqual(expect.arrayContaining(['system/errors.ts', 'system/events', 'system/actors']));
    expect([...importsOf('harness/report')]).toEqual(expect.arrayContaining(['harness/report/html']));
    const named = namedPaths('- **May import:** `system/errors.ts`, `harness/report/html/` and harness/x');
    expect(named).toEqual(new Set(['system/errors.ts', 'harness/report/html']));
  });
});
