/**
 * Every fixture under fixtures/ states its own expectation in its first line:
 *   # expect: <CODE> <field path> @<line>
 * (`ok.*` fixtures have no such line and must load). The test fails when the loader's code,
 * path or line for that fixture differ, so moving a check or breaking line tracking shows up.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ScenarioInvalidError, ScenarioSourceError } from './errors.ts';
import { loadScenarioFile } from './loader.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const files = readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.yaml'))
  .sort();

const failing = files.filter((f) => path.basename(f).startsWith('fail.'));
const passing = files.filter((f) => path.basename(f).startsWith('ok.'));

describe('fixtures', () => {
  it('has a fixture for each kind of flaw', () => {
    expect(failing.length).toBeGreaterThanOrEqual(20);
    expect(passing.length).toBeGreaterThanOrEqual(1);
  });

  it.each(failing)('%s fails with the code, path and line it declares', async (name) => {
    const file = path.join(FIXTURES, name);
    const header = /^# expect: (HARN_[A-Z_]+) (\S+) @(\d+)$/m.exec(readFileSync(file, 'utf8'));
    expect(header, `${name} needs a "# expect: CODE path @line" first line`).not.toBeNull();
    const [, code, fieldPath, line] = header!;
    const err = await loadScenarioFile(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err, `${name} loaded but should fail`).toBeDefined();
    expect((err as { code: string }).code).toBe(code);
    if (err instanceof ScenarioInvalidError) {
      const issue = err.issues.find((i) => i.path === fieldPath);
      expect(issue, `no issue at ${fieldPath}; got ${err.issues.map((i) => `${i.path}@${i.line}`).join(', ')}`).toBeDefined();
      expect(issue!.line).toBe(Number(line));
      expect(issue!.file).toBe(file);
      expect(issue!.message.length).toBeGreaterThan(10);
    } else {
      expect(err).toBeInstanceOf(ScenarioSourceError);
      expect((err as ScenarioSourceError).line).toBe(Number(line));
      expect((err as Error).message.startsWith(`${file}:${line}:`)).toBe(true);
    }
  });

  it.each(passing)('%s loads', async (name) => {
    await expect(loadScenarioFile(path.join(FIXTURES, name))).resolves.toMatchObject({ name: expect.any(String) });
  });
});
