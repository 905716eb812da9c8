import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildJournal } from '../../report/html/journal-fixture.test-helper.ts';
import { findAll, parseXml } from '../../report/junit/xml-check.test-helper.ts';
import { appendTrend, readTrend } from '../../report/trends/trend-store.ts';
import { command, runReport } from './report.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'oya-report-cli-'));
  dirs.push(dir);
  return dir;
}
const capture = () => {
  const text = { stdout: '', stderr: '' };
  return { text, out: { stdout: { write: (s: string) => (text.stdout += s) }, stderr: { write: (s: string) => (text.stderr += s) } } };
};

/** A fixture journal of `name`, started `minutes` after the fixture's start. */
function journal(name: string, kind: string, minutes = 0, extra: Parameters<typeof buildJournal>[0] = {}): Record<string, unknown> {
  const j = buildJournal({ name, kind, faults: [], violations: false, beads: 20, ...extra });
  j.startedAt = new Date(Date.parse(j.startedAt as string) + minutes * 60_000).toISOString();
  return j;
}

/** Writes journals into `<dir>/<kind>/<name>.json` the way the runner does, with a log beside each. */
async function shard(dir: string, journals: Record<string, unknown>[], options: { history?: boolean } = {}): Promise<string> {
  for (const j of journals) {
    const { name, kind } = j.scenario as { name: string; kind: string };
    await mkdir(join(dir, kind), { recursive: true });
    await writeFile(join(dir, kind, `${name}.json`), JSON.stringify(j));
    await writeFile(join(dir, kind, `${name}.orchestrator.log`), `log of ${name} ${String(j.startedAt)}\n`);
    if (options.history ?? true) await appendTrend(dir, j);
  }
  return dir;
}

describe('oya report', () => {
  it('renders the journals of --report-dir, index and junit.xml, and exits 0', async () => {
    const dir = await tempDir();
    await shard(dir, [journal('steady', 'load')]);
    const { text, out } = capture();
    expect(await runReport(['--report-dir', dir], out)).toBe(0);
    expect(text.stdout).toContain(join(dir, 'load', 'steady.html'));
    expect(text.stdout).toContain(join(dir, 'junit.xml'));
    expect(await readFile(join(dir, 'index.html'), 'utf8')).toContain('href="load/steady.html"');
  });

  it('exits 2 for a missing directory and throws a usage error for unknown flags', async () => {
    const dir = await tempDir();
    const { text, out } = capture();
    expect(await runReport([`--report-dir=${join(dir, 'missing')}`], out)).toBe(2);
    expect(text.stderr).toContain('does not exist');
    await expect(runReport(['--bogus'], out)).rejects.toMatchObject({ code: 'HARN_CLI_USAGE' });
    await expect(runReport(['--merge'], out)).rejects.toMatchObject({ code: 'HARN_CLI_USAGE' });
    await expect(runReport(['--merge', '--report-dir', dir], out)).rejects.toMatchObject({ code: 'HARN_CLI_USAGE' });
    expect(command.name).toBe('report');
  });

  it('--merge joins three shards into one index, one junit.xml and one history', async () => {
    const root = await tempDir();
    // Shard 3 kept no history (a fresh CI machine): its journals still add their own runs.
    const a = await shard(join(root, 'shard-1'), [
      journal('db-outage', 'chaos', 0, { faults: [['db.outage', 2000, 4000]], violations: true }),
      journal('single-bead', 'integration'),
    ]);
    const b = await shard(join(root, 'shard-2'), [journal('db-kill', 'chaos'), journal('steady', 'load')]);
    const c = await shard(join(root, 'shard-3'), [journal('leaky', 'leak')], { history: false });
    // An earlier run of steady in shard 2's history: the merged trend has both points.
    await appendTrend(b, journal('steady', 'load', -60));
    const merged = join(root, 'merged');
    const { text, out } = capture();
    expect(await runReport(['--report-dir', merged, '--merge', a, b, '--merge', c], out)).toBe(0);
    expect(text.stdout).toContain('merged 3 report directories');
    expect(text.stdout).toContain('5 journals');
    expect(text.stderr).toBe('');

    const index = await readFile(join(merged, 'index.html'), 'utf8');
    const rows = [...index.matchAll(/<tr class="row [^"]*" data-scenario="([^"]+)" data-verdict="(\w+)"/g)].map((m) => `${m[1]}:${m[2]}`);
    expect(rows).toEqual(['db-outage:fail', 'single-bead:pass', 'db-kill:pass', 'steady:pass', 'leaky:pass']);
    expect(/data-scenario="steady".*?<svg class="spark spark-p99"/s.test(index)).toBe(true);

    const junit = parseXml(await readFile(join(merged, 'junit.xml'), 'utf8'));
    expect(junit.attrs).toMatchObject({ tests: '5', failures: '1', errors: '0' });
    expect(
      findAll(junit, 'testsuite')
        .map((s) => s.attrs.name)
        .sort(),
    ).toEqual(['chaos', 'integration', 'leak', 'load']);

    expect(await readTrend(merged, { kind: 'load', name: 'steady' })).toHaveLength(2);
    expect(await readTrend(merged, { kind: 'leak', name: 'leaky' })).toHaveLength(1);
    expect((await readdir(join(merged, 'chaos'))).sort()).toEqual([
      'db-kill.html',
      'db-kill.json',
      'db-kill.orchestrator.log',
      'db-outage.html',
      'db-outage.json',
      'db-outage.orchestrator.log',
    ]);

    // Merging the same shards again changes nothing: every run is kept once.
    const again = capture();
    expect(await runReport(['--report-dir', merged, '--merge', a, b, c], again.out)).toBe(0);
    expect(await readTrend(merged, { kind: 'load', name: 'steady' })).toHaveLength(2);
    expect(again.text.stdout).toContain('5 seen twice, kept once');
  });

  it('--merge keeps the later of two runs of one scenario and says so; a missing shard exits 2', async () => {
    const root = await tempDir();
    const early = await shard(join(root, 'early'), [journal('db-kill', 'chaos', 0)]);
    const late = await shard(join(root, 'late'), [journal('db-kill', 'chaos', 30)]);
    const empty = join(root, 'empty');
    await mkdir(empty);
    const merged = join(root, 'merged');
    const { text, out } = capture();
    expect(await runReport(['--report-dir', merged, '--merge', late, early, empty], out)).toBe(0);
    expect(text.stderr).toContain(`two runs of chaos/db-kill.json: kept the later one from ${late}, dropped ${early}`);
    expect(text.stderr).toContain(`no journals in ${empty}`);
    const kept = JSON.parse(await readFile(join(merged, 'chaos', 'db-kill.json'), 'utf8')) as { startedAt: string };
    expect(kept.startedAt).toBe(journal('db-kill', 'chaos', 30).startedAt);
    expect(await readFile(join(merged, 'chaos', 'db-kill.orchestrator.log'), 'utf8')).toContain(kept.startedAt);
    expect(await readTrend(merged, { kind: 'chaos', name: 'db-kill' })).toHaveLength(2);

    const missing = capture();
    expect(await runReport(['--report-dir', join(root, 'other'), '--merge', join(root, 'nope')], missing.out)).toBe(2);
    expect(missing.text.stderr).toContain('does not exist');
    expect(existsSync(join(root, 'other'))).toBe(false);
  });
});
