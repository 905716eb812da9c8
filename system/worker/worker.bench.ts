/**
 * Benchmarks of one warm worker, for `npm run bench` (contract: system/bench/types.ts).
 *
 * One case: prompt_async sent → `session.idle` received over SSE for a 1-step bead, which
 * includes dispatch and the step's fsync'd side effect. Target p99 ≤ 25 ms: the project's
 * dispatch target (Hatchet's published figure), here with one durable write added.
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

  async function runOne(): Promise<void> {
    await worker.client.promptAsync(sessionID, { beadId: `bench-${n++}`, input: { steps: 1 }, seed: n });
    for (;;) {
      const event = await sub.next();
      if (event === undefined) throw new Error('event stream closed');
      if (event.type === 'session.idle') return;
      if (event.type === 'session.error') throw new Error(event.properties.error.message);
    }
  }

  return {
    name: 'worker',
    cases: [{ name: 'worker: 1-step bead, prompt → session.idle (fsync)', fn: runOne, target: { p99Ms: 25 } }],
    async close() {
      sub.close();
      await worker.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
