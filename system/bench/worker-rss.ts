/**
 * Worker memory: starts N real worker processes (system/worker/process.ts, exactly as the pool
 * does, with its V8 flags) and, beside them, one bare `node -e "setInterval(()=>{},1000)"`;
 * reads every process's memory from /proc when the workers are idle (ready, no session yet),
 * after one 5-step session on each, then after `beads` more short sessions on each (over one
 * event stream, as the orchestrator's worker link does), so growth over a worker's life shows.
 *
 *   npx tsx system/bench/worker-rss.ts [workers=5] [beads=0]
 *
 * Prints one JSON line: per phase (`idle`, `first` after the first session, `after` after the
 * beads) the bare process's numbers (`bare`), `overBareMiB` (worker median RSS minus the bare
 * process's RSS, read in the same instant: the machine is shared and noisy, so compare this and
 * `ratio`, not absolute MiB, across runs) and the workers' min/median/max of
 * - rssMiB: VmRSS, what `ps` shows; about 36 MiB of it are pages of the node binary itself,
 *   file-backed and shared by every worker on the machine;
 * - anonMiB: RssAnon, the worker's own heap, stacks and buffers;
 * - pssMiB: Pss from smaps_rollup, the shared pages divided among the processes that map them:
 *   what each worker of a pool really adds.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
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
// The baseline: a bare Node process, no flags, no modules, read at the same moments as the workers.
const bare = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { stdio: 'ignore' });
try {
  const startMs: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    workers.push(await startWorker({ id: `rss-${i}`, sideEffectsDir: dir }));
    startMs.push(performance.now() - t0);
  }
  await new Promise((resolve) => setTimeout(resolve, 1000)); // let start-up garbage and the first heartbeat settle
  const idle = await phase(workers);
  await Promise.all(workers.map((worker, i) => runSessions(worker, i, 1, 5)));
  const first = await phase(workers);
  const t0 = performance.now();
  if (beads > 0) await Promise.all(workers.map((worker, i) => runSessions(worker, i, beads, 2)));
  const perBeadMs = beads > 0 ? round((performance.now() - t0) / beads) : undefined;
  const after = beads > 0 ? { after: await phase(workers), beadsPerWorker: beads, wallMsPerBead: perBeadMs } : {};
  const loadavg = (await readFile('/proc/loadavg', 'utf8')).split(' ')[0];
  const { kind: entry, execArgv } = workerEntry();
  console.log(JSON.stringify({ workers: count, entry, execArgv, loadavg, idle, first, ...after, startMs: stats(startMs) }));
} finally {
  await Promise.all(workers.map((w) => w.stop()));
  if (bare.exitCode === null && bare.signalCode === null) {
    bare.kill('SIGKILL');
    await once(bare, 'exit');
  }
  await rm(dir, { recursive: true, force: true });
}

/** The workers' memory and the bare process's, read together. */
async function phase(handles: WorkerHandle[]): Promise<object> {
  const [workerMemory, bareMemory] = await Promise.all([memoryOf(handles.map((w) => w.pid)), memoryOf([bare.pid!])]);
  const bareRss = bareMemory.rssMiB.median;
  return {
    bare: { rssMiB: bareRss, anonMiB: bareMemory.anonMiB.median, pssMiB: bareMemory.pssMiB.median },
    overBareMiB: round(workerMemory.rssMiB.median - bareRss),
    ratio: Math.round((workerMemory.rssMiB.median / bareRss) * 1000) / 1000,
    ...workerMemory,
  };
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

async function memoryOf(pids: number[]): Promise<{ rssMiB: Stats; anonMiB: Stats; pssMiB: Stats }> {
  const kib = (text: string, field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(text)![1]) / 1024;
  const read = await Promise.all(
    pids.map(async (pid) => ({ status: await readFile(`/proc/${pid}/status`, 'utf8'), rollup: await readFile(`/proc/${pid}/smaps_rollup`, 'utf8') })),
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
