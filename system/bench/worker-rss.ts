/**
 * Worker memory: starts N real worker processes (system/worker/process.ts, exactly as the pool
 * does, with its V8 flags), runs one 5-step session on each, reads each process's memory from
 * /proc, then runs `beads` more short sessions on each (over one event stream, as the
 * orchestrator's worker link does) and reads it again, so growth over a worker's life shows.
 *
 *   npx tsx system/bench/worker-rss.ts [workers=5] [beads=0]
 *
 * Prints one JSON line: per phase (`first` after the first session, `after` after the beads)
 * the min/median/max of
 * - rssMiB: VmRSS, what `ps` shows; about 36 MiB of it are pages of the node binary itself,
 *   file-backed and shared by every worker on the machine;
 * - anonMiB: RssAnon, the worker's own heap, stacks and buffers;
 * - pssMiB: Pss from smaps_rollup, the shared pages divided among the processes that map them:
 *   what each worker of a pool really adds.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkerClient } from '../worker/client.ts';
import { workerEntry } from '../worker/bundle.ts';
import { startWorker, type WorkerHandle } from '../worker/process.ts';

const count = Number(process.argv[2] ?? 5);
const beads = Number(process.argv[3] ?? 0);
const dir = await mkdtemp(join(tmpdir(), 'oya-worker-rss-'));
const workers: WorkerHandle[] = [];
try {
  const startMs: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    workers.push(await startWorker({ id: `rss-${i}`, sideEffectsDir: dir }));
    startMs.push(performance.now() - t0);
  }
  await Promise.all(workers.map((worker, i) => runSessions(worker, i, 1, 5)));
  const first = await memoryOf(workers);
  const t0 = performance.now();
  if (beads > 0) await Promise.all(workers.map((worker, i) => runSessions(worker, i, beads, 2)));
  const perBeadMs = beads > 0 ? round((performance.now() - t0) / beads) : undefined;
  const after = beads > 0 ? { after: await memoryOf(workers), beadsPerWorker: beads, wallMsPerBead: perBeadMs } : {};
  console.log(JSON.stringify({ workers: count, entry: workerEntry().kind, execArgv: workerEntry().execArgv, first, ...after, startMs: stats(startMs) }));
} finally {
  await Promise.all(workers.map((w) => w.stop()));
  await rm(dir, { recursive: true, force: true });
}

/** `sessions` sessions of `steps` instant steps on one worker, one after the other, over one stream. */
async function runSessions(worker: WorkerHandle, index: number, sessions: number, steps: number): Promise<void> {
  const sub = await worker.client.subscribe();
  try {
    for (let s = 0; s < sessions; s++) {
      const sessionID = await worker.client.createSession();
      await worker.client.promptAsync(sessionID, { beadId: `rss-bead-${index}-${s}`, input: { steps, stepTime: 0 }, seed: s });
      const outcome = await WorkerClient.waitForSessionEnd(sub, sessionID);
      if (outcome.kind !== 'idle') throw new Error(`session on ${worker.id} ended ${outcome.kind}`);
    }
  } finally {
    sub.close();
  }
}

async function memoryOf(handles: WorkerHandle[]): Promise<{ rssMiB: Stats; anonMiB: Stats; pssMiB: Stats }> {
  const kib = (text: string, field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(text)![1]) / 1024;
  const read = await Promise.all(
    handles.map(async (w) => ({ status: await readFile(`/proc/${w.pid}/status`, 'utf8'), rollup: await readFile(`/proc/${w.pid}/smaps_rollup`, 'utf8') })),
  );
  return {
    rssMiB: stats(read.map((r) => kib(r.status, 'VmRSS'))),
    anonMiB: stats(read.map((r) => kib(r.status, 'RssAnon'))),
    pssMiB: stats(read.map((r) => kib(r.rollup, 'Pss'))),
  };
}

interface Stats {
  min: number;
  median: number;
  max: number;
}

function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  return { min: round(s[0]!), median: round(s[Math.floor(s.length / 2)]!), max: round(s.at(-1)!) };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
