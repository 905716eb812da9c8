/**
 * One run of one scenario reduced to the few numbers its trend needs: latency percentiles,
 * throughput, verdict, when and at which commit. Records are read from journals only, through
 * the HTML report's tolerant journal reader, so an errored run still leaves a point (its verdict)
 * and a missing metric stays missing instead of becoming a zero that would fake a 100 % drop.
 */
import { asJournalView } from '../html/journal-view.ts';
import type { Verdict } from '../journal.ts';

/** A run's point on its scenario's trend. */
export interface TrendRecord {
  /** The run's start (ISO text): orders the points, and identifies the run (with the scenario). */
  startedAt: string;
  verdict: Verdict;
  /** End-to-end latency percentiles in microseconds (the metrics' unit); absent when nothing completed. */
  latencyUs?: { p50: number; p95: number; p99: number };
  /** Completions per minute over the run. */
  throughputPerMinute?: number;
  /** The checkout's commit the run was made from, when the journal knows it. */
  gitSha?: string;
  durationMs?: number;
}

/** Which scenario run a trend belongs to: the journal's kind (lane) and run name. */
export interface TrendKey {
  kind: string;
  name: string;
}

/** The map key of a scenario's trend: `<kind>/<name>`. */
export function trendKeyText(key: TrendKey): string {
  return `${key.kind}/${key.name}`;
}

/**
 * The trend record of a journal (parsed JSON or a view), with its key; undefined for a journal
 * with no start time (it could not be ordered against other runs).
 */
export function trendRecordOf(journal: unknown): { key: TrendKey; record: TrendRecord } | undefined {
  const view = asJournalView(journal);
  const startedAt = view.startedAt === undefined ? undefined : new Date(view.startedAt);
  if (startedAt === undefined || Number.isNaN(startedAt.getTime())) return undefined;
  const latency = view.metrics?.metrics.endToEnd?.summary;
  const perMinute = view.metrics?.throughput.perMinute;
  const record: TrendRecord = {
    startedAt: startedAt.toISOString(),
    verdict: view.verdict,
    ...(latency && latency.count > 0 ? { latencyUs: { p50: latency.p50, p95: latency.p95, p99: latency.p99 } } : {}),
    // A run with no completions has throughput 0 AND no latency: keep the 0 only when something ran.
    ...(perMinute !== undefined && Number.isFinite(perMinute) && latency && latency.count > 0 ? { throughputPerMinute: perMinute } : {}),
    ...(view.gitSha ? { gitSha: view.gitSha } : {}),
    ...(view.durationMs !== undefined ? { durationMs: view.durationMs } : {}),
  };
  return { key: { kind: view.scenario.kind, name: view.scenario.name }, record };
}
