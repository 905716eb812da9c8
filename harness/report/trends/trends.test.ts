import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildJournal } from '../html/journal-fixture.test-helper.ts';
import { changeSinceLastRun, describeChanges, formatPercentChange } from './trend-change.ts';
import { trendRecordOf, type TrendRecord } from './trend-record.ts';
import { appendTrend, mergeTrendRecords, readAllTrends, readTrend, trendFilePath, TREND_RUNS_KEPT } from './trend-store.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'oya-trends-'));
  dirs.push(dir);
  return dir;
}

/** A fixture journal started `minutes` after the fixture's own start. */
function journalAt(minutes: number, options: Parameters<typeof buildJournal>[0] = {}): Record<string, unknown> {
  const journal = buildJournal({ beads: 30, faults: [], violations: false, ...options });
  journal.startedAt = new Date(Date.parse(journal.startedAt as string) + minutes * 60_000).toISOString();
  return journal;
}

const record = (startedAt: string, p99?: number, perMinute?: number): TrendRecord => ({
  startedAt,
  verdict: 'pass',
  ...(p99 === undefined ? {} : { latencyUs: { p50: p99 / 2, p95: p99 * 0.9, p99 } }),
  ...(perMinute === undefined ? {} : { throughputPerMinute: perMinute }),
});

describe('trend records', () => {
  it("reads p50/p95/p99, throughput, verdict, time and commit from a journal's metrics", () => {
    const journal = buildJournal({ beads: 40, faults: [], violations: false });
    const point = trendRecordOf(journal)!;
    const summary = (journal.metrics as { metrics: { endToEnd: { summary: Record<string, number> } } }).metrics.endToEnd.summary;
    expect(point.key).toEqual({ kind: 'chaos', name: 'db-outage' });
    expect(point.record).toMatchObject({
      startedAt: journal.startedAt,
      verdict: journal.verdict,
      latencyUs: { p50: summary.p50, p95: summary.p95, p99: summary.p99 },
      gitSha: journal.gitSha,
    });
    expect(point.record.throughputPerMinute).toBeGreaterThan(0);
  });

  it('keeps an errored run without metrics as a point with no numbers, never as zeros', () => {
    const point = trendRecordOf({ scenario: { name: 'boom', kind: 'integration' }, verdict: 'error', startedAt: '2026-12-01T10:00:00.000Z', gates: [] })!;
    expect(point.record).toEqual({ startedAt: '2026-12-01T10:00:00.000Z', verdict: 'error' });
    expect(trendRecordOf({ scenario: { name: 'x', kind: 'chaos' }, verdict: 'pass' })).toBeUndefined();
  });
});

describe('trend store (reports/history/)', () => {
  it('appends each run once, oldest first, and keeps only the newest runs', async () => {
    const dir = await tempDir();
    for (let i = 0; i < TREND_RUNS_KEPT + 5; i++) await appendTrend(dir, journalAt(i));
    await appendTrend(dir, journalAt(TREND_RUNS_KEPT + 4)); // the same run reported again
    const kept = await readTrend(dir, { kind: 'chaos', name: 'db-outage' });
    expect(kept).toHaveLength(TREND_RUNS_KEPT);
    expect(kept[0]!.startedAt).toBe(journalAt(5).startedAt);
    expect(kept.at(-1)!.startedAt).toBe(journalAt(TREND_RUNS_KEPT + 4).startedAt);
    expect(await readdir(join(dir, 'history', 'chaos'))).toEqual(['db-outage.json']);
  });

  it('keeps a hostile scenario name inside the history folder', async () => {
    const dir = await tempDir();
    const path = await appendTrend(dir, journalAt(0, { name: '../../escape' }));
    expect(path).toBe(trendFilePath(dir, { kind: 'chaos', name: '../../escape' }));
    expect(path!.startsWith(join(dir, 'history', 'chaos') + '/')).toBe(true);
    expect((await readAllTrends(dir)).get('chaos/../../escape')).toHaveLength(1);
  });

  it('starts afresh from a history file that does not parse, instead of failing the run', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'history', 'chaos'), { recursive: true });
    await writeFile(join(dir, 'history', 'chaos', 'db-outage.json'), '{"version": 1, "runs": [');
    await appendTrend(dir, journalAt(0));
    expect(await readTrend(dir, { kind: 'chaos', name: 'db-outage' })).toHaveLength(1);
    expect(JSON.parse(await readFile(join(dir, 'history', 'chaos', 'db-outage.json'), 'utf8'))).toMatchObject({ version: 1, kind: 'chaos', name: 'db-outage' });
  });

  it('merges two lists of one scenario by run, the added record winning a clash', () => {
    const merged = mergeTrendRecords([record('2026-01-02', 1), record('2026-01-01', 2)], [record('2026-01-02', 9), record('2026-01-03', 3)], 2);
    expect(merged.map((r) => [r.startedAt, r.latencyUs!.p99])).toEqual([
      ['2026-01-02', 9],
      ['2026-01-03', 3],
    ]);
  });
});

describe('change since the last run, in words', () => {
  it('says "p99 +38 % vs last run" and "throughput −12 % vs last run"', () => {
    const runs = [record('a', 1_000_000, 250), record('b', 1_380_000, 220)];
    expect(describeChanges(runs)).toBe('p99 +38 % vs last run, throughput −12 % vs last run');
    expect(changeSinceLastRun(runs, 'p99')).toMatchObject({ direction: 'worse', text: 'p99 +38 %' });
    expect(changeSinceLastRun(runs, 'throughput')).toMatchObject({ direction: 'worse', text: 'throughput −12 %' });
  });

  it('calls a faster, busier run better and a small move the same', () => {
    expect(changeSinceLastRun([record('a', 2000), record('b', 1000)], 'p99')!.direction).toBe('better');
    expect(changeSinceLastRun([record('a', undefined, 100), record('b', undefined, 150)], 'throughput')!.direction).toBe('better');
    expect(changeSinceLastRun([record('a', 1000), record('b', 1050)], 'p99')).toMatchObject({ direction: 'same', text: 'p99 +5 %' });
  });

  it('says nothing without a previous run, or when either run lacks the number', () => {
    expect(describeChanges([record('a', 1000, 10)])).toBeUndefined();
    expect(changeSinceLastRun([{ startedAt: 'a', verdict: 'error' }, record('b', 1000)], 'p99')).toBeUndefined();
    expect(changeSinceLastRun([record('a', 0), record('b', 1000)], 'p99')).toBeUndefined();
  });

  it('writes percentages with a real minus sign and ±0 for no change', () => {
    expect([formatPercentChange(0.384), formatPercentChange(-0.12), formatPercentChange(0.004)]).toEqual(['+38 %', '−12 %', '±0 %']);
  });
});
