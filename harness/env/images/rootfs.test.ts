import { describe, expect, it } from 'vitest';
import { ENTRIES, importClosure, productionPackages, sourceHash } from './rootfs.ts';

describe('local image contents', () => {
  it("follows the entry points' relative imports, and nothing else from the checkout", () => {
    const files = importClosure();
    for (const entry of ENTRIES) expect(files).toContain(entry);
    expect(files).toContain('harness/env/surreal/server.ts');
    expect(files).toContain('harness/env/toxiproxy/server.ts');
    expect(files).toContain('harness/cli/commands/toxiproxy.ts');
    expect(files.filter((f) => f.endsWith('.test.ts'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('harness/runner/'))).toEqual([]);
  });

  it('takes production packages only', () => {
    const packages = productionPackages();
    expect(packages).toContain('node_modules/@surrealdb/node');
    expect(packages).toContain('node_modules/tsx');
    for (const dev of ['node_modules/vitest', 'node_modules/testcontainers', 'node_modules/memlab']) expect(packages).not.toContain(dev);
  });

  it('hashes the sources the same way twice', () => {
    expect(sourceHash()).toMatch(/^[0-9a-f]{16}$/);
    expect(sourceHash()).toBe(sourceHash());
  });
});
