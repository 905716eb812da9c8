import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { buildJournal } from '../../report/html/journal-fixture.test-helper.ts';
import { refreshReports } from '../../report/refresh.ts';
import type { Journal } from '../../report/journal.ts';
import { readTrend } from '../../report/trends/trend-store.ts';
import { command, expandScenarioPaths, loadLine, reportRun } from './run.ts';

const dirs: string[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'oya-run-cli-'));
  dirs.push(dir);
  return dir;
}

describe('oya run', () => {
  it('exits 2 for an invalid scenario without starting anything, naming the file and field', async () => {
    const dir = await tempDir();
    const file = join(dir, 'broken.yaml');
    await writeFile(file, 'name: broken\nkind: integration\nworkload:\n  - beads: 1\n    rate: fast\n');
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (stderr.push(String(chunk)), true));
    expect(await command.run([file, '--report-dir', dir])).toBe(2);
    expect(stderr.join('')).toMatch(/broken\.yaml:\d+:\d+ workload\[0\]\.rate/);
  });

  it('exits 2 for a missing file', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await command.run(['/nonexistent/oya-scenario.yaml'])).toBe(2);
  });

  it('refuses bad usage with a CliUsageError (exit 2 via the dispatcher)', async () => {
    await expect(command.run([])).rejects.toMatchObject({ code: 'HARN_CLI_USAGE' });
    await expect(command.run(['x.yaml', '--profile', 'nightly'])).rejects.toMatchObject({ code: 'HARN_CLI_USAGE' });
    await expect(command.run(['x.yaml', '--bogus'])).rejects.toMatchObject({ code: 'HARN_CLI_USAGE' });
  });

  it('expands a directory into its YAML files, sorted', async () => {
    const dir = await tempDir();
    await Promise.all(['b.yaml', 'a.yaml', 'notes.txt'].map((n) => writeFile(join(dir, n), '')));
    expect(await expandScenarioPaths([dir, 'x.yaml'])).toEqual([join(dir, 'a.yaml'), join(dir, 'b.yaml'), 'x.yaml']);
  });

  it('refreshes every page, index.html and junit.xml over all journals present, skipping a broken one', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'load'));
    await mkdir(join(dir, 'chaos'));
    await writeFile(join(dir, 'load', 'burst.json'), JSON.stringify(buildJournal({ name: 'burst', kind: 'load', faults: [], violations: false, beads: 30 })));
    await writeFile(join(dir, 'chaos', 'db-outage.json'), JSON.stringify(buildJournal()));
    await writeFile(join(dir, 'chaos', 'half-written.json'), '{"scenario": {"na');
    const { index, junit } = await refreshReports(dir);
    expect(await readFile(index, 'utf8')).toMatch(/burst[\s\S]*db-outage|db-outage[\s\S]*burst/);
    expect(existsSync(join(dir, 'load', 'burst.html'))).toBe(true);
    expect(existsSync(join(dir, 'chaos', 'db-outage.html'))).toBe(true);
    const xml = await readFile(junit, 'utf8');
    expect(xml.match(/<testcase /g)).toHaveLength(2);
    expect(xml).toMatch(/<testsuite name="load" tests="1"/);
  });

  it('serializes refreshes that overlap (concurrent runs finishing together)', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'load'));
    await writeFile(join(dir, 'load', 'burst.json'), JSON.stringify(buildJournal({ name: 'burst', kind: 'load', faults: [], violations: false, beads: 30 })));
    const results = await Promise.all([refreshReports(dir), refreshReports(dir), refreshReports(dir)]);
    expect(results.map((r) => r.junit)).toEqual(Array(3).fill(join(dir, 'junit.xml')));
    expect((await readFile(join(dir, 'junit.xml'), 'utf8')).match(/<testcase /g)).toHaveLength(1);
  });

  it('after a run, adds it to its trend under reports/history/ and refreshes the index with it', async () => {
    const dir = await tempDir();
    const journal = buildJournal({ name: 'burst', kind: 'load', faults: [], violations: false, beads: 30 }) as unknown as Journal;
    await mkdir(join(dir, 'load'));
    await writeFile(join(dir, 'load', 'burst.json'), JSON.stringify(journal));
    let printed = '';
    const stream = { write: (s: string) => ((printed += s), true) };
    await reportRun(journal, { reportDir: dir, stream });
    await reportRun(journal, { reportDir: dir, stream }); // reported twice: still one run
    expect(printed).toContain('burst');
    const kept = await readTrend(dir, { kind: 'load', name: 'burst' });
    expect(kept.map((r) => r.startedAt)).toEqual([journal.startedAt]);
    expect(await readFile(join(dir, 'index.html'), 'utf8')).toContain('data-scenario="burst"');
  });

  it('prints the load line (beads/min, fairness, CPU, RSS) only for runs that measured load', () => {
    const load = { beadsPerMinute: 3694.2, fairness: { workflows: 10, ratio: 1.061, maxMeanWaitMs: 980, medianMeanWaitMs: 923, worstWorkflow: 'batch-7' }, cpu: { mean: 0.26, max: 0.35, samples: 20 }, rss: { max: 174 * 1024 * 1024, last: 1 } };
    expect(loadLine({ metrics: { load } })).toBe('load        3,694 beads/min  fairness 1.06 (10 workflows, worst mean wait 980ms vs median 923ms)  cpu 0.26 mean / 0.35 max cores  rss max 174 MB');
    expect(loadLine({ metrics: {} })).toBeUndefined();
    expect(loadLine({ metrics: { load: { ...load, cpuMsPerBead: { orchestrator: 1.234, db: 0.5 } } } })).toMatch(/rss max 174 MB {2}cpu-ms\/bead orchestrator 1\.23 db 0\.50$/);
  });
});
