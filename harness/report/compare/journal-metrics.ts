/**
 * The numbers a comparison needs, read out of run journals: the encoded HDR histogram of each
 * latency metric and the throughput counters. Several journals per side are merged by adding
 * their histograms (HDR histograms merge exactly), so "three runs of main vs three runs of the
 * branch" compares distributions, not averages of percentiles.
 *
 * Percentiles always come from DECODED histograms, never from the journal's `summary` numbers:
 * a merged side has no stored summary, and decoding one run keeps single and merged sides equal.
 */
import { readFile } from 'node:fs/promises';
import { decodeHistogram, mergeEncoded, type LatencySummary } from '../../metrics/histogram.ts';
import type { RunMetricsJson } from '../../metrics/run-metrics.ts';
import type { RunJournal } from '../journal.ts';
import { isJsonObject, toJournalView, type JournalView } from '../html/journal-view.ts';
import { CompareJournalInvalidError, CompareJournalUnreadableError } from './errors.ts';

/**
 * A journal as the runner writes it, the parsed JSON of one (read tolerantly), or a bare
 * `RunMetrics.toJSON()` (so the runner can gate before its journal exists).
 */
export type JournalInput = RunJournal | RunMetricsJson | Readonly<Record<string, unknown>>;

/** The latency metrics a comparison covers, by their user-facing name → the RunMetrics key. */
export const COMPARED_METRICS = {
  /** End-to-end: intended send → durable completion. */
  latency: 'endToEnd',
  /** End-to-end minus agent time. */
  overhead: 'overhead',
  /** Ready → running on a worker. */
  dispatch: 'dispatch',
  /** Fault healed → steady state again. */
  recovery: 'recovery',
} as const;
export type ComparedMetric = keyof typeof COMPARED_METRICS;

/** The merged numbers of one side (one or more runs). Latencies in microseconds. */
export interface SideMetrics {
  /** Where each journal came from (file paths, or `journal[i]`). */
  sources: string[];
  /** Per metric, the summary of the merged histogram; undefined when no run recorded it. */
  summaries: Record<ComparedMetric, LatencySummary | undefined>;
  /** Completions per second over the runs' summed durations; undefined without throughput data. */
  throughputPerSecond: number | undefined;
  completions: number;
}

/** A journal read from disk, with the path to name in messages. */
export interface LoadedJournal {
  source: string;
  journal: Readonly<Record<string, unknown>>;
}

/**
 * Reads and validates a journal file: JSON, a scenario identity and verdict, and histograms that
 * decode. Throws HARN_COMPARE_JOURNAL_UNREADABLE / HARN_COMPARE_JOURNAL_INVALID naming the file.
 */
export async function loadJournalFile(file: string): Promise<LoadedJournal> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CompareJournalUnreadableError(file, code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message, err);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CompareJournalInvalidError(file, `not JSON (${(err as Error).message})`, err);
  }
  const view = viewOf(raw as JournalInput, file);
  for (const metric of Object.keys(COMPARED_METRICS) as ComparedMetric[]) {
    const encoded = histogramOf(view, metric);
    if (encoded === undefined) continue;
    try {
      decodeHistogram(encoded).destroy();
    } catch (err) {
      throw new CompareJournalInvalidError(file, `the ${metric} histogram does not decode (${(err as Error).message})`, err);
    }
  }
  return { source: file, journal: raw as Record<string, unknown> };
}

/** The page model of a journal; an unreadable shape becomes HARN_COMPARE_JOURNAL_INVALID. */
export function viewOf(journal: JournalInput, source: string): JournalView {
  try {
    // A bare RunMetricsJson has no identity or verdict: give it a placeholder one to read it.
    if (isRunMetricsJson(journal)) return toJournalView({ scenario: { name: source, kind: 'run' }, verdict: 'pass', metrics: journal }, source);
    return toJournalView(journal, source);
  } catch (err) {
    throw new CompareJournalInvalidError(source, (err as { details?: { reason?: string } }).details?.reason ?? (err as Error).message, err);
  }
}

function isRunMetricsJson(value: unknown): value is RunMetricsJson {
  // (An array never qualifies: it has no `metrics` field, so excluding arrays up front changes nothing.)
  return isJsonObject(value) && value.scenario === undefined && isJsonObject(value.metrics) && value.metrics.endToEnd !== undefined;
}

/** The encoded histogram of `metric` in a journal, if it recorded one. */
function histogramOf(view: JournalView, metric: ComparedMetric): string | undefined {
  const recorded = (view.metrics?.metrics as Record<string, { histogram?: unknown }> | undefined)?.[COMPARED_METRICS[metric]];
  return typeof recorded?.histogram === 'string' && recorded.histogram.length > 0 ? recorded.histogram : undefined;
}

/**
 * Merges the runs of one side. `sources` names each journal in errors (default `journal[i]`).
 * Runs without a metric simply do not contribute to it; an empty merge is `undefined`.
 */
export function mergeSide(journals: readonly JournalInput[], sources?: readonly string[]): SideMetrics {
  const names = journals.map((_, i) => sources?.[i] ?? `journal[${i}]`);
  const views = journals.map((j, i) => viewOf(j, names[i]!));
  const summaries = {} as Record<ComparedMetric, LatencySummary | undefined>;
  for (const metric of Object.keys(COMPARED_METRICS) as ComparedMetric[]) {
    const encoded = views.map((v) => histogramOf(v, metric)).filter((h): h is string => h !== undefined);
    const merged = encoded.length === 0 ? undefined : mergeEncoded(encoded).summary;
    summaries[metric] = merged === undefined || merged.count === 0 ? undefined : merged;
  }
  let completions = 0;
  let durationMs = 0;
  for (const view of views) {
    const t = view.metrics?.throughput;
    if (t === undefined || !(t.durationMs > 0)) continue;
    completions += t.completions;
    durationMs += t.durationMs;
  }
  return {
    sources: names,
    summaries,
    throughputPerSecond: durationMs > 0 ? (completions * 1000) / durationMs : undefined,
    completions,
  };
}
