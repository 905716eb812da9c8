/**
 * The one call a `kind: leak` scenario run needs: sample the system under test, take the three heap
 * snapshots memlab wants, analyse them, attribute the clusters, and evaluate the gates.
 *
 * Snapshot timing: baseline at `warmupMs` (after warm-up, so caches filled during warm-up are not
 * counted as leaks), target half way between warm-up and `durationMs`, final at `finish()`. memlab
 * then reports objects allocated between baseline and target that are still alive at final — i.e.
 * growth that survived half of the soak. All three must come from the same orchestrator process:
 * heap node ids are only comparable within one process, so a restart in between makes the memlab
 * part inconclusive (reported in `problems`), while the RSS and heap-slope gates still run.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { attributeClusters, leakVerdict, type AttributionOptions, type LeakVerdict } from './attribution.ts';
import { LeakGateInputError } from './errors.ts';
import { evaluateLeakGates, type LeakGateOptions, type LeakGateReport } from './gates.ts';
import { connectInspector, discoverInspectorUrl } from './inspector.ts';
import { findNodeLeaks, type LeakFilterCallback } from './memlab-analysis.ts';
import { startProcessSampler, type LeakSample, type ProcessSampler, type ProcessSamplerOptions } from './sampler.ts';
import { takeHeapSnapshot, type HeapSnapshotFile } from './snapshot.ts';

/** Options for {@link startLeakWatch}. */
export interface LeakWatchOptions extends Omit<ProcessSamplerOptions, 'onSample'> {
  /** Directory for snapshot files (created if missing). */
  snapshotDir: string;
  /** Warm-up; the baseline snapshot is taken at this time and gates ignore earlier samples. */
  warmupMs: number;
  /** Planned soak length; the target snapshot is taken half way after warm-up. Without it, call `snapshot('target')` yourself. */
  durationMs?: number;
  /** Gate thresholds (warm-up comes from `warmupMs`). */
  gates?: Omit<LeakGateOptions, 'warmupMs'>;
  attribution?: AttributionOptions;
  leakFilter?: LeakFilterCallback;
  /** Keep snapshot files after `close()` (for a failed run's artefacts). @default false */
  keepSnapshots?: boolean;
  onSample?: (sample: LeakSample) => void;
}

/** What `finish()` returns; JSON-serialisable for the scenario report. */
export interface LeakWatchReport {
  series: LeakSample[];
  snapshots: WatchedSnapshot[];
  /** Undefined when memlab did not run (missing snapshot, orchestrator restarted). */
  verdict?: LeakVerdict;
  gates: LeakGateReport;
  problems: string[];
}

/** A snapshot taken by the watch: `pid` it came from, `atMs` when it finished on the sampler's time base. */
export type WatchedSnapshot = HeapSnapshotFile & { pid: number; atMs: number };

/** RSS reaches its new, higher plateau within this long after a snapshot (on the fixture: within 0.5–1.5 s). */
const RSS_SETTLE_AFTER_SNAPSHOT_MS = 2_000;

/** A running leak watch. `close()` stops everything and removes snapshots (unless kept); `destroy()` too, at once. */
export interface LeakWatch {
  readonly sampler: ProcessSampler;
  /** Takes a labelled snapshot now (`baseline`, `target`, `final` feed memlab; other labels are kept as extras). */
  snapshot(label: string): Promise<WatchedSnapshot>;
  /** Final snapshot, memlab, attribution, gates. Sampling stops. */
  finish(): Promise<LeakWatchReport>;
  close(): Promise<void>;
  destroy(): void;
}

/** Starts sampling now and schedules the baseline (and target) snapshots. */
export async function startLeakWatch(options: LeakWatchOptions): Promise<LeakWatch> {
  if (!(options.warmupMs >= 0) || (options.durationMs !== undefined && !(options.durationMs > options.warmupMs))) {
    throw new LeakGateInputError(`leak watch needs 0 <= warmupMs < durationMs, got warmupMs=${options.warmupMs} durationMs=${options.durationMs}`, {
      warmupMs: options.warmupMs,
      durationMs: options.durationMs,
    });
  }
  await mkdir(options.snapshotDir, { recursive: true });
  const firstPid = options.pids().orchestrator;
  const sampler = startProcessSampler(options);
  const snapshots: Array<WatchedSnapshot> = [];
  const problems: string[] = [];
  const timers: NodeJS.Timeout[] = [];
  let chain: Promise<unknown> = Promise.resolve();

  const snapshot = (label: string): Promise<WatchedSnapshot> => {
    // One snapshot at a time: two in parallel would double the pause in the target.
    const run = chain.then(async () => {
      const pid = options.pids().orchestrator;
      const url = options.inspectorUrl !== undefined && pid === firstPid ? options.inspectorUrl : await discoverInspectorUrl(pid);
      const session = await connectInspector(url);
      try {
        const file = await takeHeapSnapshot(session, join(options.snapshotDir, `${label}-${pid}-${Date.now()}.heapsnapshot`), label);
        const entry = { ...file, pid, atMs: sampler.elapsedMs() };
        snapshots.push(entry);
        return entry;
      } finally {
        await session.close();
      }
    });
    chain = run.catch(() => undefined);
    return run;
  };
  const scheduled = (label: string, atMs: number): void => {
    timers.push(setTimeout(() => void snapshot(label).catch((err: Error) => problems.push(`${label} snapshot: ${err.message}`)), atMs));
  };
  scheduled('baseline', options.warmupMs);
  if (options.durationMs !== undefined) scheduled('target', options.warmupMs + (options.durationMs - options.warmupMs) / 2);

  let finished: Promise<LeakWatchReport> | undefined;
  const finish = (): Promise<LeakWatchReport> => {
    finished ??= (async () => {
      for (const t of timers) clearTimeout(t);
      await chain;
      // Stop sampling first: writing a snapshot inflates the target's RSS for a moment, and that
      // spike would be counted by the rss.cv gate.
      const series = await sampler.stop();
      await snapshot('final').catch((err: Error) => problems.push(`final snapshot: ${err.message}`));
      problems.push(...sampler.problems);
      const verdict = await analyse(snapshots, options, problems);
      const lastInRun = snapshots.filter((s) => s.label !== 'final').at(-1);
      const rssFromMs = lastInRun === undefined ? undefined : lastInRun.atMs + RSS_SETTLE_AFTER_SNAPSHOT_MS;
      const gates = evaluateLeakGates(series, verdict, {
        ...options.gates,
        warmupMs: options.warmupMs,
        ...(rssFromMs === undefined ? {} : { rssFromMs }),
      });
      const report: LeakWatchReport = { series, snapshots: [...snapshots], gates, problems };
      if (verdict !== undefined) report.verdict = verdict;
      return report;
    })();
    return finished;
  };

  let closing: Promise<void> | undefined;
  const removeSnapshots = async (): Promise<void> => {
    if (options.keepSnapshots) return;
    await Promise.all(snapshots.map((s) => rm(s.path, { force: true })));
  };
  return {
    sampler,
    snapshot,
    finish,
    close() {
      closing ??= (async () => {
        for (const t of timers) clearTimeout(t);
        await sampler.close();
        await chain;
        await finished?.catch(() => undefined);
        await removeSnapshots();
      })();
      return closing;
    },
    destroy() {
      for (const t of timers) clearTimeout(t);
      sampler.destroy();
      void chain.then(removeSnapshots);
    },
  };
}

async function analyse(
  snapshots: ReadonlyArray<WatchedSnapshot>,
  options: LeakWatchOptions,
  problems: string[],
): Promise<LeakVerdict | undefined> {
  const byLabel = (label: string) => snapshots.find((s) => s.label === label);
  const [baseline, target, final] = [byLabel('baseline'), byLabel('target'), byLabel('final')];
  if (!baseline || !target || !final) {
    problems.push(`memlab skipped: need baseline, target and final snapshots, have ${snapshots.map((s) => s.label).join(', ') || 'none'}`);
    return undefined;
  }
  if (new Set([baseline.pid, target.pid, final.pid]).size !== 1) {
    problems.push(`memlab skipped: snapshots come from different orchestrator processes (${baseline.pid}, ${target.pid}, ${final.pid})`);
    return undefined;
  }
  try {
    const clusters = await findNodeLeaks({
      baseline: baseline.path,
      target: target.path,
      final: final.path,
      ...(options.leakFilter ? { leakFilter: options.leakFilter } : {}),
    });
    return leakVerdict(attributeClusters(clusters, options.attribution));
  } catch (err) {
    problems.push(`memlab failed: ${(err as Error).message}`);
    return undefined;
  }
}
