import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openEventStore, projectBead, applyEvent, type EventStore, type BeadState, type EventRecord } from './index.ts';
import { beadEventArb } from './test-arbitraries.ts';

// One in-memory store for the file; every run uses fresh stream names and keys (a run counter).
let store: EventStore;
let run = 0;
// Closed by the hook's teardown, so only once it opened.
beforeAll(async () => {
  store = await openEventStore({ url: 'mem://' });
  return () => store.close();
});

const queued = { type: 'BeadQueued' as const, data: {} };

describe('event store properties (mem://)', () => {
  it('any interleaving of retried appends gives exactly one record per key, and every retry sees the original', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 2 })), { minLength: 1, maxLength: 40 }), async (calls) => {
        const r = run++;
        // Call i appends key k to stream s; the same key always goes to the same stream (retries).
        const results = await Promise.all(calls.map(([k]) => store.append(`bead:idem${r}-${k % 3}`, queued, { idempotencyKey: `idem${r}-key${k}` })));
        const byKey = new Map<string, EventRecord>();
        for (const result of results) {
          expect(result.status).toBe('committed');
          if (result.status !== 'committed') continue;
          const seen = byKey.get(result.record.idempotencyKey);
          if (seen !== undefined) expect(result.record).toEqual(seen);
          byKey.set(result.record.idempotencyKey, result.record);
        }
        const stored = (await Promise.all([0, 1, 2].map((s) => store.read(`bead:idem${r}-${s}`)))).flat();
        expect(stored.map((e) => e.idempotencyKey).sort()).toEqual([...byKey.keys()].sort());
      }),
      { numRuns: 30 },
    );
  });

  it('sequences stay gapless from 1 under concurrent appends to the same and different streams; positions are unique', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 60 }), async (streams) => {
        const r = run++;
        const results = await Promise.all(streams.map((s, i) => store.append(`bead:gap${r}-${s}`, queued, { idempotencyKey: `gap${r}-${i}` })));
        const positions = results.map((res) => (res.status === 'committed' ? res.record.position : -1));
        expect(new Set(positions).size).toBe(streams.length);
        for (const s of new Set(streams)) {
          const events = await store.read(`bead:gap${r}-${s}`);
          expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
          expect(events.length).toBe(streams.filter((x) => x === s).length);
          // Within a stream, positions grow with seq: the global order agrees with each stream's order.
          expect(events.map((e) => e.position)).toEqual([...events.map((e) => e.position)].sort((a, b) => a - b));
        }
      }),
      { numRuns: 30 },
    );
  });

  it('replaying a stored stream gives the same projection as folding each append as it happened, and as a rebuild', async () => {
    const streams: Map<string, BeadState | undefined> = new Map();
    await fc.assert(
      fc.asyncProperty(fc.array(beadEventArb('x'), { maxLength: 25 }), async (events) => {
        const beadId = `replay${run++}`;
        let incremental: BeadState | undefined;
        const submitted = { type: 'BeadSubmitted' as const, data: { beadId, priority: 1, maxAttempts: 2 } };
        for (const [i, event] of [submitted, ...events].entries()) {
          const result = await store.append(`bead:${beadId}`, event, { idempotencyKey: `${beadId}-${i}` });
          if (result.status === 'committed') incremental = applyEvent(incremental, result.record);
        }
        const replayed = projectBead(await store.read(`bead:${beadId}`));
        expect(replayed).toEqual(incremental);
        streams.set(beadId, replayed);
      }),
      { numRuns: 25 },
    );
    const rebuilt = await store.rebuildProjections();
    for (const [beadId, state] of streams) expect(rebuilt.get(beadId)).toEqual(state);
  });
});
