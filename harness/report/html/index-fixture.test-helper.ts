/**
 * A report directory shaped like the whole suite's, for the index's browser test: one journal
 * per scenario file of scenarios/ with its real name and description (the local lanes, the
 * containers lane's chaos runs, a few extra seeds), built with the real-parts journal fixture,
 * a few failures among them, and a kept history of earlier runs per scenario so every row has
 * its sparklines and its change since the last run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { trendRecordOf, type TrendRecord } from '../trends/trend-record.ts';
import { writeTrend } from '../trends/trend-store.ts';
import { buildJournal } from './journal-fixture.test-helper.ts';
import { writeReports } from './write-reports.ts';

const SCENARIOS = fileURLToPath(new URL('../../../scenarios/', import.meta.url));
/** Container-only faults: the local chaos lane skips these files. */
const CONTAINERS_ONLY = new Set(['db-partition', 'db-pause']);
/** Runs that fail or error in the fixture, so the test can look for them. */
export const FIXTURE_FAILURES: Readonly<Record<string, 'fail' | 'error'>> = {
  'db-outage-orchestrator-kill': 'fail',
  saturation: 'fail',
  'db-pause.containers': 'error',
};
/** Earlier runs kept per scenario. */
const PAST_RUNS = 7;

interface FixtureRun {
  name: string;
  kind: string;
  description: string;
  env: 'local' | 'containers';
  file: string;
}

function scenarioRuns(): FixtureRun[] {
  const runs: FixtureRun[] = [];
  for (const kind of ['integration', 'chaos', 'load', 'leak']) {
    for (const file of readdirSync(join(SCENARIOS, kind))
      .filter((f) => f.endsWith('.yaml'))
      .sort()) {
      const doc = parse(readFileSync(join(SCENARIOS, kind, file), 'utf8')) as { name: string; description?: string };
      const base = { kind, description: doc.description ?? '', file: `scenarios/${kind}/${file}` };
      if (!(kind === 'chaos' && CONTAINERS_ONLY.has(doc.name))) runs.push({ ...base, name: doc.name, env: 'local' });
      if (kind === 'chaos') runs.push({ ...base, name: `${doc.name}.containers`, env: 'containers' });
    }
  }
  // The chaos lane runs a few scenarios with extra seeds.
  for (const name of ['db-kill', 'orchestrator-kill']) {
    const run = runs.find((r) => r.name === name)!;
    runs.push({ ...run, name: `${name}-seed2` }, { ...run, name: `${name}-seed3` });
  }
  return runs;
}

/**
 * Writes the fixture into `reportDir` (journals, history, pages, index). Returns how many runs
 * it wrote.
 */
export async function writeSuiteFixture(reportDir: string): Promise<number> {
  const runs = scenarioRuns();
  let seed = 1;
  for (const run of runs) {
    const outcome = FIXTURE_FAILURES[run.name];
    const journal = outcome === 'error' ? erroredJournal(run) : judgedJournal(run, seed++, outcome === 'fail');
    journal.environment = { kind: run.env };
    (journal.scenario as { file: string }).file = run.file;
    await mkdir(join(reportDir, run.kind), { recursive: true });
    await writeFile(join(reportDir, run.kind, `${run.name}.json`), JSON.stringify(journal));
    await writeTrend(reportDir, { kind: run.kind, name: run.name }, pastRuns(journal, seed));
  }
  await writeReports(reportDir);
  return runs.length;
}

/** A run the harness could not judge: the environment did not come up. */
function erroredJournal(run: FixtureRun): Record<string, unknown> {
  return {
    version: 1,
    scenario: { name: run.name, kind: run.kind, file: run.file, description: run.description, resolved: {} },
    verdict: 'error',
    startedAt: '2026-11-26T17:00:00.000Z',
    endedAt: '2026-11-26T17:00:09.000Z',
    durationMs: 9000,
    error: { code: 'HARN_ENV_START', message: 'docker pause: the container did not answer within 5 s', phase: 'environment' },
    phases: [],
    faults: [],
    gates: [],
    teardown: [],
    artifacts: {},
  };
}

/** A judged run of the real-parts fixture, its size varied by seed; `failing` plants violations. */
function judgedJournal(run: FixtureRun, seed: number, failing: boolean): Record<string, unknown> {
  return buildJournal({
    name: run.name,
    kind: run.kind,
    description: run.description,
    beads: 16 + (seed % 9) * 2,
    rate: 1 + (seed % 4) * 0.5,
    seed,
    violations: failing,
    thresholds: { 'latency.p99': '< 10s', 'throughput.mean': '>= 30/m' },
    faults:
      run.kind === 'chaos'
        ? [
            ['db.outage', 3000, 6000],
            ['orchestrator.kill', 4000, 4000],
          ]
        : [],
  });
}

/** Earlier runs of a journal's scenario: its own numbers, drifting and with a spike, one per day. */
function pastRuns(journal: Record<string, unknown>, seed: number): TrendRecord[] {
  const own = trendRecordOf(journal)!.record;
  const start = Date.parse(own.startedAt);
  return Array.from({ length: PAST_RUNS }, (_, i) => {
    const drift = 1 + 0.25 * Math.sin(seed * 1.7 + i) + (i === 3 ? 0.6 : 0);
    return {
      startedAt: new Date(start - (PAST_RUNS - i) * 86_400_000).toISOString(),
      verdict: 'pass' as const,
      // An errored run has no numbers of its own: its past runs get typical ones.
      latencyUs: { p50: (own.latencyUs?.p50 ?? 400_000) * drift, p95: (own.latencyUs?.p95 ?? 900_000) * drift, p99: (own.latencyUs?.p99 ?? 1_200_000) * drift },
      throughputPerMinute: (own.throughputPerMinute ?? 120) / drift,
    };
  });
}
