/** `oya run` end to end: a passing scenario exits 0, a failed gate exits 1 and prints it, and both write journals. */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { command } from './run.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oya-run-cli-it-'));
  await mkdir(join(dir, 'scenarios', 'integration'), { recursive: true });
});
afterAll(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

const scenario = (name: string, threshold: string) => `
name: ${name}
kind: integration
system: { workers: 1, agent: { steps: 2, stepTime: 20ms } }
workload:
  - beads: 1
thresholds:
  latency.max: "${threshold}"
timeouts: { drain: 30s, total: 1m }
`;

describe('oya run (end to end)', () => {
  it('exits 0 when every gate passes and 1 when one fails, listing the failed gate', async () => {
    const ok = join(dir, 'scenarios', 'integration', 'cli-pass.yaml');
    const bad = join(dir, 'scenarios', 'integration', 'cli-fail.yaml');
    await writeFile(ok, scenario('cli-pass', '< 1m'));
    await writeFile(bad, scenario('cli-fail', '< 1ms'));
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    const reports = join(dir, 'reports');
    expect(await command.run([ok, '--report-dir', reports])).toBe(0);
    expect(await command.run([bad, '--report-dir', reports])).toBe(1);
    vi.restoreAllMocks();
    const text = out.join('');
    expect(text).toMatch(/^PASS {2}cli-pass/m);
    expect(text).toMatch(/^FAIL {2}cli-fail/m);
    expect(text).toMatch(/✗ latency\.max: expected latency\.max < 1ms, actual \d/);
    expect(existsSync(join(reports, 'integration', 'cli-pass.json'))).toBe(true);
    expect(existsSync(join(reports, 'integration', 'cli-fail.json'))).toBe(true);
    // Reports after every run: the summary table, each page, the index and JUnit over both journals.
    expect(text).toMatch(/✓ PASS {2}integration\/cli-pass/);
    expect(text).toMatch(/✗ FAIL {2}integration\/cli-fail/);
    expect(existsSync(join(reports, 'integration', 'cli-pass.html'))).toBe(true);
    expect(existsSync(join(reports, 'index.html'))).toBe(true);
    expect((await readFile(join(reports, 'junit.xml'), 'utf8')).match(/<testcase /g)).toHaveLength(2);
  }, 240_000);
});
