/**
 * Benchmarks of one warm worker, for `npm run bench` (contract: system/bench/types.ts).
 *
 * "dispatch" is prompt_async sent → `step.started` received over SSE (the project's dispatch
 * latency target is p99 ≤ 25 ms, Hatchet's published figure); "1-step bead" adds one step with
 * its fsync'd side effect and `session.idle`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchSuite } from '../bench/types.ts';
import { startWorker } from './process.ts';

/** Opens one worker with one session and an open event stream. */
export async function benchmarks(): Promise<BenchSuite> {
  const dir = await mkdtemp(join(tmpdir(), 'oya-worker-bench-'));
  const worker = await startWorker({ id: 'bench', sideEffectsDir: dir });
  const sub = await worker.client.subscribe();
  const sessionID = await worker.client.createSession();
  let n = 0;

  async function runOne(until: 'step.started' | 'session.idle'): Promise<void> {
    await worker.client.promptAsync(sessionID, { beadId: `bench-${n++}`, input: { steps: 1 }, seed: n });
    let reached = false;
    for (;;) {
      const event = await sub.next();
      if (event?.type === until) reached = true;
      // Always drain to session.idle so the session is free for the next iteration.
      if (event?.type === 'session.idle' || event === undefined) break;
    }
    if (!reached) throw new Error(`no ${until} event`);
  }

  return {
    name: 'worker',
    cases: [
      { name: 'worker: 1-step bead, prompt → session.idle (fsync)', fn: () => runOne('session.idle'), target: { p99Ms: 25 } },
    ],
    async close() {
      sub.close();
      await worker.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
