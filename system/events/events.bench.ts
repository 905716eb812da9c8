/**
 * Benchmarks of the event store's hot paths, for `npm run bench` (see system/bench/types.ts).
 * A fresh surrealkv store (fsync on every commit) in a temp dir, removed by close().
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchSuite } from '../bench/types.ts';
import { openEventStore } from './index.ts';

export async function benchmarks(): Promise<BenchSuite> {
  const dir = await mkdtemp(join(tmpdir(), 'oya-events-bench-'));
  const store = await openEventStore({ dataDir: join(dir, 'db'), pingIntervalMs: 60_000 });
  let appends = 0;
  let checkpoints = 0;
  // The original of the retried append: committed once, then retried on every iteration.
  await store.append('bead:bench-retry', { type: 'BeadQueued', data: {} }, { idempotencyKey: 'bench-retry' });

  return {
    name: 'events',
    cases: [
      {
        name: 'event append (fsync, surrealkv)',
        target: { p99Ms: 2, floorMs: 3 },
        fn: () => {
          const i = appends++;
          return store.append(`bead:bench-${i % 16}`, { type: 'BeadQueued', data: { i } }, { idempotencyKey: `bench-append-${i}` });
        },
      },
      {
        name: 'idempotency check (retried append)',
        target: { p99Ms: 0.2, floorMs: 1 },
        fn: () => store.append('bead:bench-retry', { type: 'BeadQueued', data: {} }, { idempotencyKey: 'bench-retry' }),
      },
      {
        name: 'checkpoint save+load',
        target: { p99Ms: 5, floorMs: 100 },
        fn: async () => {
          const step = checkpoints++;
          await store.saveCheckpoint('bench-cp', { step, state: { step, files: ['a.ts', 'b.ts'], notes: 'x'.repeat(200) } });
          const loaded = await store.loadCheckpoint('bench-cp');
          if (loaded?.step !== step) throw new Error(`checkpoint ${step} read back as ${loaded?.step}`);
        },
      },
    ],
    async close() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
