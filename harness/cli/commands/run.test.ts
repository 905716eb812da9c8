import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { buildJournal } from '../../report/html/journal-fixture.test-helper.ts';
import { refreshReports } from '../../report/refresh.ts';
import { command, expandScenarioPaths } from './run.ts';

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
});
