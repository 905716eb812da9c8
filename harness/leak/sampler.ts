/**
 * A periodic sampler of the system under test: RSS and CPU of the orchestrator and every worker
 * (from /proc), plus the orchestrator's V8 heap (through its inspector, see inspector.ts for why).
 *
 * The pid set is a function so it follows restarts: when the orchestrator's pid changes, the
 * sampler drops its inspector session and finds the new process's inspector from its pid. A worker
 * that vanished between listing and reading is skipped (pools respawn workers; that is not an error).
 */
import { connectInspector, discoverInspectorUrl, type InspectorSession } from './inspector.ts';
import { readProcessStat, type ProcessStat } from './proc.ts';
import { readHeapUsed } from './snapshot.ts';

/** The processes to sample right now. */
export interface SampledPids {
  orchestrator: number;
  workers: number[];
}

/** A source of "now" in milliseconds; injected so tests and replays control time. */
export interface Clock {
  now(): number;
}

/** One sample. `t` is ms since the sampler started (by its clock). */
export interface LeakSample {
  t: number;
  /** Orchestrator RSS, bytes. */
  rssBytes: number;
  /** Orchestrator V8 heap used, bytes; null when its inspector was unreachable for this sample. */
  heapUsedBytes: number | null;
  /** Orchestrator CPU time (user + system) since it started, seconds. */
  cpuSeconds: number;
  /** Sum of worker RSS, bytes (only workers alive at sampling time). */
  workersRssBytes: number;
  workers: ProcessStat[];
}

/** Options for {@link startProcessSampler}. */
export interface ProcessSamplerOptions {
  pids: () => SampledPids;
  /** Sampling period. @default 10_000 (ms) */
  intervalMs?: number;
  /** @default Date.now */
  clock?: Clock;
  /** Inspector URL of the orchestrator running at start; otherwise (and after a restart) it is discovered from the pid (needs `--inspect=127.0.0.1:0`). */
  inspectorUrl?: string;
  /** Run a full GC in the target before reading its heap: turns the GC sawtooth into the live-set line the slope gate needs. @default true */
  gcBeforeHeapSample?: boolean;
  /** Called after each sample (for live reports). */
  onSample?: (sample: LeakSample) => void;
}

/** A running sampler. `close()`/`stop()` finish the sample in flight; `destroy()` drops it. Both are idempotent. */
export interface ProcessSampler {
  /** Samples so far (the same array grows; copy it to keep a snapshot). */
  readonly series: readonly LeakSample[];
  /** Non-fatal problems seen while sampling (a missed heap read, an orchestrator between restarts). */
  readonly problems: readonly string[];
  /** Milliseconds since the sampler started, on its clock (the time base of `LeakSample.t`). */
  elapsedMs(): number;
  /** Takes one sample now, outside the schedule. */
  sampleNow(): Promise<LeakSample | undefined>;
  /** Stops sampling and returns the series. */
  stop(): Promise<LeakSample[]>;
  close(): Promise<void>;
  destroy(): void;
}

/** Starts sampling at once (first sample at t≈0), then every `intervalMs`. */
export function startProcessSampler(options: ProcessSamplerOptions): ProcessSampler {
  const intervalMs = options.intervalMs ?? 10_000;
  const clock = options.clock ?? { now: Date.now };
  const gcFirst = options.gcBeforeHeapSample ?? true;
  const t0 = clock.now();
  const series: LeakSample[] = [];
  const problems: string[] = [];
  let session: { pid: number; session: InspectorSession } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<LeakSample | undefined> = Promise.resolve(undefined);
  let stopped = false;
  // A given inspectorUrl belongs to the first orchestrator; after a restart we discover the new one.
  const firstPid = options.pids().orchestrator;

  const inspectorFor = async (pid: number): Promise<InspectorSession> => {
    if (session?.pid === pid) return session.session;
    session?.session.destroy();
    session = undefined;
    const url = options.inspectorUrl !== undefined && pid === firstPid ? options.inspectorUrl : await discoverInspectorUrl(pid);
    session = { pid, session: await connectInspector(url) };
    return session.session;
  };

  const takeSample = async (): Promise<LeakSample | undefined> => {
    const { orchestrator, workers } = options.pids();
    let main: ProcessStat;
    try {
      main = await readProcessStat(orchestrator);
    } catch (err) {
      problems.push(`t=${clock.now() - t0}ms orchestrator ${orchestrator}: ${(err as Error).message}`);
      return undefined;
    }
    let heapUsedBytes: number | null = null;
    try {
      heapUsedBytes = (await readHeapUsed(await inspectorFor(orchestrator), gcFirst)).usedSize;
    } catch (err) {
      problems.push(`t=${clock.now() - t0}ms heap of ${orchestrator}: ${(err as Error).message}`);
      session?.session.destroy();
      session = undefined;
    }
    const workerStats = (await Promise.allSettled(workers.map(readProcessStat))).flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const sample: LeakSample = {
      t: clock.now() - t0,
      rssBytes: main.rssBytes,
      heapUsedBytes,
      cpuSeconds: main.cpuSeconds,
      workersRssBytes: workerStats.reduce((sum, w) => sum + w.rssBytes, 0),
      workers: workerStats,
    };
    if (stopped) return undefined;
    series.push(sample);
    options.onSample?.(sample);
    return sample;
  };

  const sampleNow = (): Promise<LeakSample | undefined> => {
    // One sample at a time: a slow GC in the target must not make samples overlap.
    inFlight = inFlight.then(takeSample, takeSample);
    return inFlight;
  };

  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => void sampleNow().finally(schedule), intervalMs);
  };
  void sampleNow().finally(schedule);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearTimeout(timer);
      await inFlight.catch(() => undefined);
      stopped = true;
      clearTimeout(timer);
      await session?.session.close();
      session = undefined;
    })();
    return closing;
  };

  return {
    series,
    problems,
    elapsedMs: () => clock.now() - t0,
    sampleNow,
    async stop() {
      await close();
      return [...series];
    },
    close,
    destroy() {
      stopped = true;
      clearTimeout(timer);
      session?.session.destroy();
      session = undefined;
    },
  };
}
