/**
 * Benchmarks of the event store's hot paths, for `npm run bench` (see system/bench/types.ts).
 * Fresh stores on the engine a new data directory opens with (rocksdb, engine.ts; one fdatasync per
 * commit) in a temp dir, removed by close().
 *
 * Throughput is measured by one case that runs two write paths in alternation, each iteration
 * one round of both, so load changing during the run affects both alike and the ratio holds on a
 * busy machine too:
 * - the store itself, BATCH appends issued at once (the writer groups them into bulk
 *   transactions of up to ResolvedEventStoreOptions.maxBulkBatch: 256 on rocksdb, bulk.ts);
 * - the OLD per-event template (below, a frozen copy: the write path before the bulk one) on a
 *   raw connection to another fresh dir on the same engine, in transactions of 64 (its batch limit),
 *   without the store's validation and queueing, so the ratio errs in the old path's favour.
 * Both commit with a sync per commit (the engines' default); every store append must come back committed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Surreal } from 'surrealdb';
import { createNodeEngines } from '@surrealdb/node';
import type { BenchSuite, ThroughputResult } from '../bench/types.ts';
import { openEventStore } from './index.ts';
import { DEFINE_SCHEMA } from './schema.ts';
import { embeddedUrlFor } from './engine.ts';

/** Appends per throughput iteration: MAX_BULK_BATCH (one bulk batch on surrealkv, two on rocksdb). */
const BATCH = 512;
/** The old writer's group-commit limit. */
const OLD_BATCH = 64;

export async function benchmarks(): Promise<BenchSuite> {
  const dir = await mkdtemp(join(tmpdir(), 'oya-events-bench-'));
  // The engine a new data directory opens with (the store's and the old template's), named in the rows.
  const engine = embeddedUrlFor(join(dir, 'db')).split('://')[0]!;
  const store = await openEventStore({ dataDir: join(dir, 'db'), pingIntervalMs: 60_000 });
  const old = new Surreal({ engines: createNodeEngines() });
  // The same engine as the store's (engine.ts), so the pair compares write paths, not engines.
  await old.connect(embeddedUrlFor(join(dir, 'old')), { namespace: 'oya', database: 'oya', reconnect: false, versionCheck: false });
  await old.query(DEFINE_SCHEMA).collect();
  const oldQuery = oldTemplate(OLD_BATCH);
  let appends = 0;
  let checkpoints = 0;
  let batched = 0;
  let oldEvents = 0;
  // Time spent in each path by the paired case, and how many rounds it ran.
  const paired = { rounds: 0, storeMs: 0, oldMs: 0 };
  const storeName = `batched appends (store, ${BATCH} at once, fsync)`;
  const oldName = `OLD per-event template (${OLD_BATCH}/tx, fsync)`;
  const storeBatch = async (): Promise<void> => {
    const results = await Promise.all(
      Array.from({ length: BATCH }, () => {
        const i = batched++;
        return store.append(`bead:bulk-${i % 64}`, { type: 'BeadQueued', data: { i } }, { idempotencyKey: `bench-bulk-${i}` });
      }),
    );
    if (results.some((r) => r.status !== 'committed')) throw new Error('a batched append was not committed');
  };
  const oldBatch = async (): Promise<void> => {
    for (let t = 0; t < BATCH / OLD_BATCH; t++) {
      const bindings: Record<string, unknown> = {};
      for (let i = 0; i < OLD_BATCH; i++) {
        const n = oldEvents++;
        bindings[`e${i}`] = { stream: `bead:bulk-${n % 64}`, type: 'BeadQueued', data: { i: n }, key: `old-${n}`, at: new Date().toISOString() };
      }
      await old.query(oldQuery, bindings).collect();
    }
  };
  // The original of the retried append: committed once, then retried on every iteration.
  await store.append('bead:bench-retry', { type: 'BeadQueued', data: {} }, { idempotencyKey: 'bench-retry' });

  return {
    name: 'events',
    cases: [
      {
        name: `event append (fsync, ${engine})`,
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
      {
        name: `${BATCH} events: store batched, then OLD template (paired)`,
        fn: async () => {
          const started = performance.now();
          await storeBatch();
          const middle = performance.now();
          await oldBatch();
          paired.storeMs += middle - started;
          paired.oldMs += performance.now() - middle;
          paired.rounds++;
        },
      },
    ],
    throughput(): ThroughputResult[] {
      if (paired.rounds === 0) return [];
      const events = paired.rounds * BATCH;
      return [
        { name: storeName, unit: 'events', perSec: (events * 1000) / paired.storeMs, minPerSec: 10_000, versus: oldName, minRatio: 5 },
        { name: oldName, unit: 'events', perSec: (events * 1000) / paired.oldMs },
      ];
    },
    async close() {
      await store.close();
      await old.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The OLD per-event template, frozen as it was before the bulk write path (2026-12-05): per event
 * an idempotency lookup, two head UPSERTs (a `stream_head` record per stream, `log_head`), a CREATE
 * returning the record and a checkpoint-head branch, all decoded back, in one transaction of
 * `count`. Its descendant, the careful path (schema.ts appendBatchQuery), has changed since (no
 * `stream_head`); the bench compares with what the store replaced.
 */
function oldTemplate(count: number): string {
  const one = (i: number): string => `LET $x${i} = (SELECT * OMIT id FROM event WHERE idempotencyKey = $e${i}.key LIMIT 1)[0];
LET $r${i} = IF $x${i} != NONE { { existing: true, record: $x${i} } } ELSE {
  LET $head = UPSERT ONLY type::record('stream_head', $e${i}.stream) SET seq += 1 RETURN AFTER;
  LET $log = UPSERT ONLY log_head:global SET position += 1 RETURN AFTER;
  LET $record = CREATE ONLY event CONTENT {
    stream: $e${i}.stream, seq: $head.seq, position: $log.position,
    type: $e${i}.type, data: $e${i}.data, idempotencyKey: $e${i}.key, at: $e${i}.at
  } RETURN AFTER;
  IF $e${i}.type = 'StepCheckpointed' { UPSERT type::record('checkpoint_head', $e${i}.stream) CONTENT { event: $record.id } };
  { existing: false, record: $record }
};`;
  const body = Array.from({ length: count }, (_, i) => one(i)).join('\n');
  return `BEGIN;\n${body}\nRETURN [${Array.from({ length: count }, (_, i) => `$r${i}`).join(', ')}];\nCOMMIT;`;
}
