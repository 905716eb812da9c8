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
}

/**
 * A throughput a suite measured itself, e.g. inside a case that runs two write paths in
 * alternation so that their ratio is not skewed by the load changing between two cases.
 */
export interface ThroughputResult {
  name: string;
  /** What is counted, e.g. "events". */
  unit: string;
  perSec: number;
  /** Target: at least this many units/s. */
  minPerSec?: number;
  /** Another result of the same suite this one must beat by `minRatio`. */
  versus?: string;
  minRatio?: number;
}

export interface BenchSuite {
  name: string;
  cases: BenchCase[];
  /** Throughputs measured during the cases; read after they ran, before close(). */
  throughput?(): ThroughputResult[];
  close(): Promise<void>;
}
