/**
 * The one call a `kind: leak` scenario run needs: sample the system under test, take the heap
 * snapshots memlab wants, analyse them, attribute the clusters, and evaluate the gates.
 *
 * Where the snapshots go, and why: a heap snapshot pauses the target for seconds and leaves its
 * RSS a step higher (the writer's buffers stay with the allocator) — on a one-hour soak the two
 * in-run snapshots doubled the RSS the gates then judged. So the run is split: the JUDGED window
 * (warm-up → half way to `durationMs`), where no snapshot is taken and both memory
 * gates read every sample; then the SNAPSHOT PHASE (the second half, the load still running), with
 * `baseline` at its start, `target` and `target2` at its thirds, and `final` at `finish()`.
 * memlab runs over (baseline, target, final) and (target, target2, final); a cluster counts only
 * if its path grew in both intervals (growth.ts), so code loaded once is not a leak. All snapshots
 * must come from one orchestrator process (heap node ids are per process); a restart in between
 * makes the memlab part inconclusive (reported in `problems`), while the gates still run.
 * Without `durationMs` the caller takes snapshots; the gates then judge up to the first one.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { attributeClusters, leakVerdict, type AttributionOptions, type LeakVerdict } from './attribution.ts';
import { LeakGateInputError } from './errors.ts';
import { evaluateLeakGates, type LeakGateOptions, type LeakGateReport } from './gates.ts';
import { connectInspector, discoverInspectorUrl } from './inspector.ts';
import { clustersGrowingAcross } from './growth.ts';
import { findNodeLeaks, type LeakFilterCallback } from './memlab-analysis.ts';
import { startProcessSampler, type LeakSample, type ProcessSampler, type ProcessSamplerOptions } from './sampler.ts';
import { takeHeapSnapshot, type HeapSnapshotFile } from './snapshot.ts';

/** Options for {@link startLeakWatch}. */
export interface LeakWatchOptions extends Omit<ProcessSamplerOptions, 'onSample'> {
  /** Directory for snapshot files (created if missing). */
  snapshotDir: string;
  /** Warm-up; the baseline snapshot is taken at this time and gates ignore earlier samples. */
  warmupMs: number;
  /** Planned soak length; the snapshot phase is its second half (see snapshotSchedule). Without it, call `snapshot('target')` yourself. */
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
export type WatchedSnapshot = HeapSnapshotFile & { pid: number; atMs: number; startedAtMs: number };

/** Where the snapshot phase starts, as a share of the way from warm-up to `durationMs`. */
export const SNAPSHOT_PHASE_AT = 1 / 2;

/** When each snapshot of a planned soak is taken (ms on the sampler's clock), and where the judged window ends. */
export function snapshotSchedule(warmupMs: number, durationMs: number): { untilMs: number; baseline: number; target: number; target2: number } {
  const start = warmupMs + (durationMs - warmupMs) * SNAPSHOT_PHASE_AT;
  const third = (durationMs - start) / 3;
  return { untilMs: start, baseline: start, target: start + third, target2: start + 2 * third };
}

/** A running leak watch. `close()` stops everything and removes snapshots (unless kept); `destroy()` too, at once. */
export interface LeakWatch {
  readonly sampler: ProcessSampler;
  /** Takes a labelled snapshot now (`baseline`, `target`, `final` feed memlab; other labels are kept as extras). */
  snapshot(label: string): Promise<WatchedSnapshot>;
  /**
   * Sampling stops and the final snapshot is taken: call it when the load ends. Cheap for this
   * process; memlab waits for finish(), which may come once the system under test is idle.
   */
  stop(): Promise<void>;
  /** stop() if not done yet, then memlab, attribution, gates. memlab's parse blocks this process's event loop for seconds. */
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
      const startedAtMs = sampler.elapsedMs();
      const url = options.inspectorUrl !== undefined && pid === firstPid ? options.inspectorUrl : await discoverInspectorUrl(pid);
      const session = await connectInspector(url);
      try {
        const file = await takeHeapSnapshot(session, join(options.snapshotDir, `${label}-${pid}-${Date.now()}.heapsnapshot`), label);
        const entry = { ...file, pid, atMs: sampler.elapsedMs(), startedAtMs };
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
    const failed = (err: unknown) => problems.push(`${label} snapshot: ${err instanceof Error ? err.message : String(err)}`);
    timers.push(setTimeout(() => void snapshot(label).catch(failed), atMs));
  };
  const plan = options.durationMs === undefined ? undefined : snapshotSchedule(options.warmupMs, options.durationMs);
  if (plan) {
    scheduled('baseline', plan.baseline);
    scheduled('target', plan.target);
    scheduled('target2', plan.target2);
  }

  let stopped: Promise<LeakSample[]> | undefined;
  const stop = (): Promise<LeakSample[]> => {
    stopped ??= (async () => {
      for (const t of timers) clearTimeout(t);
      await chain;
      const series = await sampler.stop();
      await snapshot('final').catch((err: unknown) => problems.push(`final snapshot: ${err instanceof Error ? err.message : String(err)}`));
      problems.push(...sampler.problems);
      return series;
    })();
    return stopped;
  };
  let finished: Promise<LeakWatchReport> | undefined;
  const finish = (): Promise<LeakWatchReport> => {
    finished ??= (async () => {
      const series = await stop();
      const verdict = await analyse(snapshots, options, problems);
      // The judged window ends where snapshots begin (planned, or the first one the caller took).
      const untilMs = plan?.untilMs ?? snapshots.filter((s) => s.label !== 'final').at(0)?.startedAtMs;
      const gates = evaluateLeakGates(series, verdict, {
        ...options.gates,
        warmupMs: options.warmupMs,
        ...(untilMs === undefined ? {} : { untilMs }),
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
    async stop() {
      await stop();
    },
    finish,
    close() {
      closing ??= (async () => {
        for (const t of timers) clearTimeout(t);
        await sampler.close();
        await chain;
        await stopped?.catch(() => undefined);
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

async function analyse(snapshots: ReadonlyArray<WatchedSnapshot>, options: LeakWatchOptions, problems: string[]): Promise<LeakVerdict | undefined> {
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
  const target2 = byLabel('target2');
  try {
    const pass = async (from: WatchedSnapshot, to: WatchedSnapshot) =>
      attributeClusters(
        await findNodeLeaks({ baseline: from.path, target: to.path, final: final.path, ...(options.leakFilter ? { leakFilter: options.leakFilter } : {}) }),
        options.attribution,
      );
    const first = await pass(baseline, target);
    if (!target2 || target2.pid !== final.pid) {
      problems.push('growth rule skipped: no target2 snapshot, so every memlab cluster of the one interval counts');
      return leakVerdict(first);
    }
    const second = await pass(target, target2);
    const grown = clustersGrowingAcross([first, second]);
    const counts = `${first.length} cluster(s) in the first, ${second.length} in the second, ${grown.length} in both`;
    return { ...leakVerdict(grown), rule: `grew in 2 of 2 snapshot intervals (${counts})` };
  } catch (err) {
    problems.push(`memlab failed: ${(err as Error).message}`);
    return undefined;
  }
}
