/**
 * `npm run bench` — the micro-benchmarks of Oya's hot paths, with tinybench.
 *
 * This is a benchmark, not a test: it prints numbers and writes reports/bench/latest.json; it
 * never fails on a slow machine. Each row shows how the measured p99 compares with the project's
 * target and the seed plan's floor (../shared/seed-stream-f.md), so a reader sees at once where we
 * stand. Flags: `--time <ms>` per case (default 1500), `--filter <substring>`.
 *
 * Suites are discovered from a fixed list below (one per module that owns a hot path); a suite
 * whose module is not present is skipped with a note rather than failing the run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arch, cpus, platform } from 'node:os';
import { parseArgs } from 'node:util';
import { Bench } from 'tinybench';
import type { BenchCase, BenchSuite } from './types.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const SUITES: Record<string, () => Promise<{ benchmarks(): Promise<BenchSuite> }>> = {
  events: () => import('../events/events.bench.ts'),
  actors: () => import('../actors/actors.bench.ts'),
  scheduler: () => import('../scheduler/scheduler.bench.ts'),
  worker: () => import('../worker/worker.bench.ts'),
  toxiproxy: () => import('../../harness/env/toxiproxy/proxy.bench.ts'),
};

export interface BenchRow {
  suite: string;
  name: string;
  samples: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  opsPerSec: number;
  targetP99Ms?: number;
  floorMs?: number;
  /** "target" met the aim, "floor" only the seed's floor, "missed" neither, "-" no target. */
  verdict: 'target' | 'floor' | 'missed' | '-';
}

function verdictOf(c: BenchCase, p99: number): BenchRow['verdict'] {
  if (!c.target) return '-';
  if (p99 <= c.target.p99Ms) return 'target';
  if (c.target.floorMs !== undefined && p99 <= c.target.floorMs) return 'floor';
  return 'missed';
}

async function runSuite(suiteName: string, suite: BenchSuite, timeMs: number, filter: string | undefined): Promise<BenchRow[]> {
  const bench = new Bench({ time: timeMs, warmupTime: Math.min(300, timeMs / 4), throws: true });
  const cases = suite.cases.filter((c) => !filter || `${suiteName} ${c.name}`.includes(filter));
  for (const c of cases) bench.add(c.name, c.fn as () => unknown);
  await bench.run();
  return bench.tasks.map((task, i) => {
    const c = cases[i]!;
    const r = task.result;
    if (r.state !== 'completed') {
      throw new Error(`benchmark "${c.name}" did not complete: ${r.state === 'errored' ? r.error.message : r.state}`);
    }
    const row: BenchRow = {
      suite: suiteName,
      name: c.name,
      samples: r.latency.samplesCount,
      meanMs: r.latency.mean,
      p50Ms: r.latency.p50,
      p99Ms: r.latency.p99,
      maxMs: r.latency.max,
      opsPerSec: r.throughput.mean,
      verdict: verdictOf(c, r.latency.p99),
    };
    if (c.target) {
      row.targetP99Ms = c.target.p99Ms;
      if (c.target.floorMs !== undefined) row.floorMs = c.target.floorMs;
    }
    return row;
  });
}

const fmt = (ms: number): string => (ms < 1 ? `${(ms * 1000).toFixed(1)} us` : `${ms.toFixed(3)} ms`);

function printTable(rows: BenchRow[]): void {
  const header = ['suite', 'case', 'mean', 'p50', 'p99', 'ops/s', 'target p99', 'floor', 'verdict'];
  const body = rows.map((r) => [
    r.suite,
    r.name,
    fmt(r.meanMs),
    fmt(r.p50Ms),
    fmt(r.p99Ms),
    Math.round(r.opsPerSec).toLocaleString('en-US'),
    r.targetP99Ms === undefined ? '-' : fmt(r.targetP99Ms),
    r.floorMs === undefined ? '-' : fmt(r.floorMs),
    r.verdict,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  process.stdout.write([line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n') + '\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { time: { type: 'string', default: '1500' }, filter: { type: 'string' }, out: { type: 'string' } },
    strict: true,
  });
  const timeMs = Number(values.time);
  if (!Number.isFinite(timeMs) || timeMs <= 0) throw new Error(`--time must be a positive number of milliseconds, got "${values.time}"`);
  const rows: BenchRow[] = [];
  const skipped: string[] = [];
  for (const [name, load] of Object.entries(SUITES)) {
    let mod: { benchmarks(): Promise<BenchSuite> };
    try {
      mod = await load();
    } catch (err) {
      skipped.push(`${name}: ${(err as Error).message.split('\n')[0]}`);
      continue;
    }
    const suite = await mod.benchmarks();
    try {
      rows.push(...(await runSuite(name, suite, timeMs, values.filter)));
    } finally {
      await suite.close();
    }
  }
  printTable(rows);
  for (const s of skipped) process.stdout.write(`skipped suite ${s}\n`);
  const out = values.out ?? join(ROOT, 'reports', 'bench', 'latest.json');
  mkdirSync(dirname(out), { recursive: true });
  const journal = {
    at: new Date().toISOString(),
    node: process.version,
    platform: `${platform()}-${arch()}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    timePerCaseMs: timeMs,
    rows,
    skipped,
  };
  writeFileSync(out, JSON.stringify(journal, null, 2) + '\n');
  process.stdout.write(`wrote ${out}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
