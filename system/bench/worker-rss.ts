/**
 * Worker memory: starts N real worker processes (system/worker/process.ts, exactly as the pool
 * does), runs one 5-step session on each, then reads each process's resident set (VmRSS) from
 * /proc. Prints one JSON line: `{ workers, entry, rssMiB: { min, median, max }, startMs: {...} }`.
 *
 *   npx tsx system/bench/worker-rss.ts [workers=5]
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkerClient } from '../worker/client.ts';
import { workerEntry } from '../worker/bundle.ts';
import { startWorker, type WorkerHandle } from '../worker/process.ts';

const count = Number(process.argv[2] ?? 5);
const dir = await mkdtemp(join(tmpdir(), 'oya-worker-rss-'));
const workers: WorkerHandle[] = [];
try {
  const startMs: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    workers.push(await startWorker({ id: `rss-${i}`, sideEffectsDir: dir }));
    startMs.push(performance.now() - t0);
  }
  await Promise.all(
    workers.map(async (worker, i) => {
      const sub = await worker.client.subscribe();
      const sessionID = await worker.client.createSession();
      await worker.client.promptAsync(sessionID, { beadId: `rss-bead-${i}`, input: { steps: 5 }, seed: i });
      const outcome = await WorkerClient.waitForSessionEnd(sub, sessionID);
      sub.close();
      if (outcome.kind !== 'idle') throw new Error(`session on ${worker.id} ended ${outcome.kind}`);
    }),
  );
  const rss = await Promise.all(workers.map(async (w) => Number(/VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${w.pid}/status`, 'utf8'))![1]) / 1024));
  const stats = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return { min: round(s[0]!), median: round(s[Math.floor(s.length / 2)]!), max: round(s.at(-1)!) };
  };
  console.log(JSON.stringify({ workers: count, entry: workerEntry().kind, rssMiB: stats(rss), startMs: stats(startMs) }));
} finally {
  await Promise.all(workers.map((w) => w.stop()));
  await rm(dir, { recursive: true, force: true });
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
