/**
 * The orchestrator sampler: about once a second during a run, the orchestrator's RSS and CPU (from
 * /proc, through the leak toolkit's reader: no cooperation needed, so it reads even while the API
 * is too busy to answer), the database server's CPU, the whole machine's CPU, and from GET
 * /metrics the V8 heap, the bead counters (progress) and the event-store append latency (where a
 * slow run spends its time). measure.ts turns the samples into the journal's load summary.
 */
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { readProcessStat } from '../leak/proc.ts';
import type { ApiClient } from './api-client.ts';
import { childPids, sleep } from '../../system/util/index.ts';

/** One reading of the orchestrator: memory (GET /metrics, else /proc), CPU (/proc), beads done (GET /metrics). */
export interface MemorySample {
  t: number;
  rss?: number;
  heap?: number;
  /** CPU used since the previous sample, in cores (1 = one core busy the whole interval). */
  cpu?: number;
  /** The orchestrator's total CPU time so far (s), from /proc/<pid>/stat. */
  cpuSeconds?: number;
  /** The orchestrator process read (a restart is a new pid: a new segment of the series). */
  pid?: number;
  /** Beads finished so far by this process (succeeded + failed + cancelled counters). */
  done?: number;
  /** Of those, failed for good. */
  failed?: number;
  /** Event appends so far and their summed latency (s), every status: where a slow run spends its time. */
  appends?: number;
  appendSeconds?: number;
  /** CPU of the database server process since the previous sample, in cores (local environment only). */
  dbCpu?: number;
  /** The database server's total CPU time so far (s), and its pid (a restarted server starts again from zero). */
  dbCpuSeconds?: number;
  dbPid?: number;
  /**
   * Total CPU time so far (s) of the orchestrator's child processes alive now (its workers), from
   * /proc (system/util's `childPids`, main thread only). A worker that exited takes its CPU time with it, so only the
   * growth between two samples means anything (measure.ts counts the increases).
   */
  workersCpuSeconds?: number;
  /** The whole machine's busy CPU since the previous sample, in cores (/proc/stat): is the box itself saturated? */
  machineCpu?: number;
}

/** Options of {@link startMemorySampler}. */
export interface MemorySamplerOptions {
  /** The orchestrator's pid now (follows restarts), for CPU and RSS from /proc. */
  pid?: () => number | undefined;
  /** The database server's pid now, when it is a local process (its CPU, from /proc). */
  dbPid?: () => number | undefined;
  /** Called after each sample (progress reports). */
  onSample?: (sample: MemorySample) => void;
}

/**
 * Samples the orchestrator every periodMs until stopped: RSS and heap from GET /metrics, CPU
 * (and RSS when /metrics is down) from /proc through the leak toolkit's reader, and the bead
 * counters for progress. /proc needs no cooperation from the process, so CPU is read even while
 * the API is too busy to answer. (The leak toolkit's startProcessSampler also reads the V8 heap
 * through an inspector, which load runs do not start; its /proc reader is what is shared.)
 */
export function startMemorySampler(
  api: ApiClient,
  now: () => number,
  periodMs = 1000,
  options: MemorySamplerOptions = {},
): { samples: MemorySample[]; stop(): Promise<void> } {
  const samples: MemorySample[] = [];
  const stopper = new AbortController();
  let previousCpu: { t: number; pid: number; seconds: number } | undefined;
  let previousDb: { t: number; pid: number; seconds: number } | undefined;
  let previousMachine: { busy: number; total: number } | undefined;
  const loop = (async () => {
    while (!stopper.signal.aborted) {
      const sample: MemorySample = { t: 0 };
      const pid = options.pid?.();
      if (pid !== undefined) {
        try {
          const proc = await readProcessStat(pid);
          // The rate is clocked on performance.now(): the scenario clock's zero moves once set-up ends.
          const at = performance.now();
          sample.pid = pid;
          sample.rss = proc.rssBytes;
          sample.cpuSeconds = proc.cpuSeconds;
          // A restarted orchestrator starts its CPU time from zero: no rate across the restart.
          if (previousCpu?.pid === pid && at > previousCpu.t) sample.cpu = (proc.cpuSeconds - previousCpu.seconds) / ((at - previousCpu.t) / 1000);
          previousCpu = { t: at, pid, seconds: proc.cpuSeconds };
          sample.workersCpuSeconds = await childrenCpuSeconds(pid);
        } catch {
          // between restarts: no /proc reading
        }
      }
      const dbPid = options.dbPid?.();
      if (dbPid !== undefined) {
        try {
          const proc = await readProcessStat(dbPid);
          const at = performance.now();
          sample.dbPid = dbPid;
          sample.dbCpuSeconds = proc.cpuSeconds;
          if (previousDb?.pid === dbPid && at > previousDb.t) sample.dbCpu = (proc.cpuSeconds - previousDb.seconds) / ((at - previousDb.t) / 1000);
          previousDb = { t: at, pid: dbPid, seconds: proc.cpuSeconds };
        } catch {
          // the DB is down (a fault) or remote
        }
      }
      const machine = await readMachineCpu();
      if (machine && previousMachine && machine.total > previousMachine.total) {
        sample.machineCpu = ((machine.busy - previousMachine.busy) / (machine.total - previousMachine.total)) * cpus().length;
      }
      previousMachine = machine ?? previousMachine;
      try {
        const res = await api.metrics();
        if (res.status === 200 && typeof res.body === 'string') {
          const rss = promValue(res.body, 'process_resident_memory_bytes');
          const heap = promValue(res.body, 'nodejs_heap_size_used_bytes');
          if (rss !== undefined) sample.rss = rss;
          if (heap !== undefined) sample.heap = heap;
          const counters = ['oya_beads_succeeded_total', 'oya_beads_failed_total', 'oya_beads_cancelled_total'].map((n) => promValue(res.body as string, n));
          if (counters.every((c) => c !== undefined)) {
            sample.done = counters.reduce((a, b) => a + b, 0);
            sample.failed = counters[1];
          }
          const appends = promSum(res.body, 'oya_event_append_duration_seconds_count');
          if (appends !== undefined) {
            sample.appends = appends;
            sample.appendSeconds = promSum(res.body, 'oya_event_append_duration_seconds_sum') ?? 0;
          }
        }
      } catch {
        // down (a fault): no /metrics sample
      }
      if (Object.keys(sample).length > 1) {
        // Stamped once read, on the scenario clock (a sample begun during set-up lands after zero moved).
        sample.t = now();
        samples.push(sample);
        options.onSample?.(sample);
      }
      await sleep(periodMs, stopper.signal);
    }
  })();
  return {
    samples,
    async stop() {
      stopper.abort();
      await loop;
    },
  };
}

/** Summed CPU time (s) of `pid`'s living children forked by its main thread (its workers, not tsx's esbuild service); 0 once `pid` is gone. */
async function childrenCpuSeconds(pid: number): Promise<number> {
  let total = 0;
  for (const child of childPids(pid, { mainThreadOnly: true })) {
    try {
      total += (await readProcessStat(child)).cpuSeconds;
    } catch {
      // exited between the two reads
    }
  }
  return total;
}

/** /proc/stat's first line: busy and total jiffies over all cores, or undefined off Linux. */
async function readMachineCpu(): Promise<{ busy: number; total: number } | undefined> {
  try {
    const line = (await readFile('/proc/stat', 'utf8')).split('\n', 1)[0]!;
    const [, ...fields] = line.trim().split(/\s+/);
    const values = fields.map(Number);
    const total = values.reduce((a, b) => a + b, 0);
    // idle + iowait are not busy.
    return { busy: total - (values[3] ?? 0) - (values[4] ?? 0), total };
  } catch {
    return undefined;
  }
}

/** The sum of every labelled series of a Prometheus sample `name` (e.g. a histogram's `_count` per status), or undefined. */
export function promSum(text: string, name: string): number | undefined {
  const matches = [...text.matchAll(new RegExp(`^(?:[a-zA-Z0-9_:]*_)?${name}(?:\\{[^}]*\\})?\\s+([0-9.eE+-]+)`, 'gm'))];
  return matches.length === 0 ? undefined : matches.reduce((sum, m) => sum + Number(m[1]), 0);
}

/** The value of a Prometheus sample `name`, with any prefix (the runtime uses `oya_process_`). */
export function promValue(text: string, name: string): number | undefined {
  const match = new RegExp(`^(?:[a-zA-Z0-9_:]*_)?${name}(?:\\{[^}]*\\})?\\s+([0-9.eE+-]+)`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}
