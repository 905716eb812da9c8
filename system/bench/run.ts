/**
 * `npm run bench` — the micro-benchmarks of Oya's hot paths, with tinybench.
 *
 * This is a benchmark, not a test: it prints numbers and writes reports/bench/latest.json; it
 * never fails on a slow machine. Each row shows how the measured p99 compares with the project's
 * target and the floor the project started from (each case's `target.floorMs`; the table in
 * system/bench/README.md), so a reader sees at once where we
 * stand. Suites that measure throughputs (BenchSuite.throughput) get a second table: units/s
 * against their target, and the ratio to the result they are compared with (measured in the same
 * run, in alternation, so the ratio holds on a busy machine). The load average at the start and end of the run is printed
 * and journalled, since p99s on a shared machine mean little without it.
 * Flags: `--time <ms>` per case (default 1500), `--filter <substring>`, `--suite name=module.bench.ts` (repeatable).
 *
 * Suites are discovered from a fixed list below (one per module that owns a hot path); a suite
 * whose module is not present is skipped with a note rather than failing the run. Suites from
 * outside system/ come in by `--suite name=path` (package.json adds the harness's Toxiproxy
 * one): system/ imports nothing from harness/ (system/layering.test.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { arch, cpus, loadavg, platform } from 'node:os';
import { parseArgs } from 'node:util';
import { Bench } from 'tinybench';
import type { BenchCase, BenchSuite, ThroughputResult } from './types.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const SUITES: Record<string, () => Promise<{ benchmarks(): Promise<BenchSuite> }>> = {
  events: () => import('../events/events.bench.ts'),
  actors: () => import('../actors/actors.bench.ts'),
  scheduler: () => import('../scheduler/scheduler.bench.ts'),
  worker: () => import('../worker/worker.bench.ts'),
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
  for (const c of cases) bench.add(c.name, c.fn);
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

/** One measured throughput, with its ratio and verdict (the journal's `throughput` rows). */
export interface ThroughputRow extends ThroughputResult {
  suite: string;
  /** perSec / the `versus` result's perSec. */
  ratio?: number;
  /** "target" met every target given, "missed" not, "-" none given. */
  verdict: 'target' | 'missed' | '-';
}

function throughputRows(suite: string, results: ThroughputResult[]): ThroughputRow[] {
  return results.map((t) => {
    const base = results.find((r) => r.name === t.versus);
    const ratio = base === undefined ? undefined : t.perSec / base.perSec;
    const checks: boolean[] = [];
    if (t.minPerSec !== undefined) checks.push(t.perSec >= t.minPerSec);
    if (t.minRatio !== undefined) checks.push(ratio !== undefined && ratio >= t.minRatio);
    const verdict = checks.length === 0 ? '-' : checks.every(Boolean) ? 'target' : 'missed';
    return { suite, ...t, ...(ratio === undefined ? {} : { ratio }), verdict };
  });
}

const fmt = (ms: number): string => (ms < 1 ? `${(ms * 1000).toFixed(1)} us` : `${ms.toFixed(3)} ms`);

function printThroughput(rows: ThroughputRow[]): void {
  if (rows.length === 0) return;
  const int = (n: number): string => Math.round(n).toLocaleString('en-US');
  const header = ['suite', 'throughput', 'per second', 'target', 'vs', 'ratio', 'target ratio', 'verdict'];
  const body = rows.map((t) => [
    t.suite,
    t.name,
    `${int(t.perSec)} ${t.unit}`,
    t.minPerSec === undefined ? '-' : `>= ${int(t.minPerSec)}`,
    t.versus ?? '-',
    t.ratio === undefined ? '-' : `${t.ratio.toFixed(1)}x`,
    t.minRatio === undefined ? '-' : `>= ${t.minRatio}x`,
    t.verdict,
  ]);
  writeRows(header, body);
}

function writeRows(header: string[], body: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  process.stdout.write([line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n') + '\n');
}

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
  writeRows(header, body);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { time: { type: 'string', default: '1500' }, filter: { type: 'string' }, out: { type: 'string' }, suite: { type: 'string', multiple: true } },
    strict: true,
  });
  const suites = { ...SUITES };
  for (const spec of values.suite ?? []) {
    const match = /^([\w-]+)=(.+\.ts)$/.exec(spec);
    if (!match) throw new Error(`--suite must be name=path/to/module.bench.ts, got "${spec}"`);
    const path = join(process.cwd(), match[2]!);
    suites[match[1]!] = () => import(pathToFileURL(path).href) as Promise<{ benchmarks(): Promise<BenchSuite> }>;
  }
  const timeMs = Number(values.time);
  if (!Number.isFinite(timeMs) || timeMs <= 0) throw new Error(`--time must be a positive number of milliseconds, got "${values.time}"`);
  const rows: BenchRow[] = [];
  const throughput: ThroughputRow[] = [];
  const skipped: string[] = [];
  const loadBefore = loadavg();
  for (const [name, load] of Object.entries(suites)) {
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
      throughput.push(...throughputRows(name, suite.throughput?.() ?? []));
    } finally {
      await suite.close();
    }
  }
  const loadAfter = loadavg();
  printTable(rows);
  printThroughput(throughput);
  const fmtLoad = (l: number[]): string => l.map((n) => n.toFixed(2)).join(' ');
  process.stdout.write(`load average (1/5/15 min): ${fmtLoad(loadBefore)} at start, ${fmtLoad(loadAfter)} at end, ${cpus().length} cpus\n`);
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
    loadAverage: { start: loadBefore, end: loadAfter },
    rows,
    throughput,
    skipped,
  };
  writeFileSync(out, JSON.stringify(journal, null, 2) + '\n');
  process.stdout.write(`wrote ${out}\n`);
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  })
  // The embedded SurrealDB engine keeps a native handle alive after close() (system/events/README.md,
  // known limits): without an explicit exit `npm run bench` printed its table and then never ended.
  .finally(() => process.exit());
