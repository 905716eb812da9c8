/**
 * The contract between a module's benchmarks and `npm run bench` (system/bench/run.ts).
 *
 * A module exports `benchmarks(): Promise<BenchSuite>` from `<module>.bench.ts`. The runner opens
 * each suite, runs every case with tinybench, prints one table and writes reports/bench/latest.json,
 * then calls `close()` (always, also when a case throws).
 */
export interface BenchCase {
  /** Row name in the table, e.g. "event append (fsync)". */
  name: string;
  /** One iteration. Awaited when it returns a promise. */
  fn: () => unknown;
  /** Targets in milliseconds for the p99 of one iteration: the project's aim and the seed's floor. */
  target?: { p99Ms: number; floorMs?: number };
  /**
   * A throughput case: one iteration does `per` units of work (e.g. 512 events), so the runner
   * prints units/s (`per` / mean iteration time) in a second table. `minPerSec` is the target;
   * `versus` names another case of the same suite, measured in the same run, whose units/s this
   * one must beat by `minRatio`.
   */
  throughput?: { per: number; unit: string; minPerSec?: number; versus?: string; minRatio?: number };
}

export interface BenchSuite {
  name: string;
  cases: BenchCase[];
  close(): Promise<void>;
}
