import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Surreal } from 'surrealdb';
import { createNodeEngines } from '@surrealdb/node';
import { openEventStore, type EventStore, type NewEvent } from './index.ts';
import { appendBatchQuery, DEFINE_SCHEMA, MAX_BULK_BATCH } from './schema.ts';

const submitted = (beadId: string): NewEvent<'BeadSubmitted'> => ({ type: 'BeadSubmitted', data: { beadId, priority: 2, maxAttempts: 3 } });

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'oya-events-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }));
  return dir;
}

describe('event store on mem://', () => {
  let store: EventStore;
  // Closed by the hook's teardown, so only once it opened.
  beforeAll(async () => {
    store = await openEventStore({ url: 'mem://' });
    return () => store.close();
  });

  it('numbers each stream from 1 without gaps and keeps a global position', async () => {
    await store.append('bead:s1', submitted('s1'), { idempotencyKey: 's1-1' });
    await store.append('bead:s2', submitted('s2'), { idempotencyKey: 's2-1' });
    await store.append('bead:s1', { type: 'BeadQueued', data: {} }, { idempotencyKey: 's1-2' });
    const s1 = await store.read('bead:s1');
    expect(s1.map((e) => e.seq)).toEqual([1, 2]);
    expect(s1.map((e) => e.type)).toEqual(['BeadSubmitted', 'BeadQueued']);
    expect((await store.read('bead:s1', 2)).map((e) => e.idempotencyKey)).toEqual(['s1-2']);
    const positions = [s1[0]!.position, (await store.read('bead:s2'))[0]!.position, s1[1]!.position];
    expect(positions[1]).toBe(positions[0]! + 1);
    expect(positions[2]).toBe(positions[1]! + 1);
  });

  it('returns the ORIGINAL record to a retried append, even with different data', async () => {
    const first = await store.append('bead:r1', submitted('r1'), { idempotencyKey: 'r1-submit' });
    const changed = { type: 'BeadSubmitted' as const, data: { beadId: 'r1', priority: 4, maxAttempts: 9 } };
    const again = await store.append('bead:r1', changed, { idempotencyKey: 'r1-submit' });
    expect(first.status).toBe('committed');
    expect(again).toEqual(first);
    expect(await store.read('bead:r1')).toHaveLength(1);
  });

  it('refuses a key reused for another stream or type (ORCH_IDEMPOTENCY_CONFLICT)', async () => {
    await store.append('bead:c1', submitted('c1'), { idempotencyKey: 'c1-key' });
    await expect(store.append('bead:c2', submitted('c2'), { idempotencyKey: 'c1-key' })).rejects.toMatchObject({ code: 'ORCH_IDEMPOTENCY_CONFLICT' });
    await expect(store.append('bead:c1', { type: 'BeadQueued', data: {} }, { idempotencyKey: 'c1-key' })).rejects.toMatchObject({
      code: 'ORCH_IDEMPOTENCY_CONFLICT',
    });
    expect(await store.read('bead:c2')).toEqual([]);
  });

  it('pages through the global log with an opaque cursor, in append order', async () => {
    for (let i = 0; i < 5; i++) await store.append(`bead:p${i}`, submitted(`p${i}`), { idempotencyKey: `page-${i}` });
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await store.readAll({ afterCursor: cursor, limit: 3 });
      seen.push(...page.events.map((e) => e.idempotencyKey));
      if (page.events.length === 0) break;
      expect(page.events.map((e) => e.position)).toEqual(page.events.map((_, i) => page.events[0]!.position + i));
      cursor = page.nextCursor;
    }
    const ours = seen.filter((k) => k.startsWith('page-'));
    expect(ours).toEqual(['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
    await expect(store.readAll({ afterCursor: 'nope' })).rejects.toMatchObject({ code: 'ORCH_EVENT_INVALID' });
  });

  it('saves checkpoints as StepCheckpointed events and loads the newest', async () => {
    expect(await store.loadCheckpoint('cp')).toBeUndefined();
    await store.append('bead:cp', submitted('cp'), { idempotencyKey: 'cp-0' });
    await store.saveCheckpoint('cp', { step: 0, state: { files: ['a'] } });
    await store.saveCheckpoint('cp', { step: 1, state: { files: ['a', 'b'] } });
    const retried = await store.saveCheckpoint('cp', { step: 1, state: { other: true } });
    expect(retried.status === 'committed' && retried.record.seq).toBe(3);
    expect(await store.loadCheckpoint('cp')).toMatchObject({ beadId: 'cp', step: 1, state: { files: ['a', 'b'] }, source: 'db' });
    const states = await store.rebuildProjections();
    expect(states.get('cp')).toMatchObject({ lastCheckpointStep: 1, lastSeq: 3, status: 'submitted' });
  });

  it('group commit: concurrent appends share a transaction, yet a refused entry fails alone', async () => {
    const uncached = await openEventStore({ url: 'mem://', idempotencyCacheSize: 0 });
    onTestFinished(() => uncached.close());
    await uncached.append('bead:g1', submitted('g1'), { idempotencyKey: 'g-taken' });
    const results = await Promise.allSettled([
      uncached.append('bead:g2', submitted('g2'), { idempotencyKey: 'g-a' }),
      uncached.append('bead:g3', submitted('g3'), { idempotencyKey: 'g-taken' }),
      uncached.append('bead:g2', { type: 'BeadQueued', data: {} }, { idempotencyKey: 'g-b' }),
      uncached.append('bead:g2', { type: 'BeadQueued', data: {} }, { idempotencyKey: 'g-b' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'ORCH_IDEMPOTENCY_CONFLICT' });
    expect((results[3] as PromiseFulfilledResult<unknown>).value).toEqual((results[2] as PromiseFulfilledResult<unknown>).value);
    expect((await uncached.read('bead:g2')).map((e) => [e.seq, e.idempotencyKey])).toEqual([
      [1, 'g-a'],
      [2, 'g-b'],
    ]);
    expect(await uncached.read('bead:g3')).toEqual([]);
  });

  it('bulk path: a key the memory forgot but the DB has trips the unique index; the batch falls back to the careful path, counted', async () => {
    const uncached = await openEventStore({ url: 'mem://', idempotencyCacheSize: 0 });
    onTestFinished(() => uncached.close());
    const original = await uncached.append('bead:f1', submitted('f1'), { idempotencyKey: 'f-1' });
    expect(uncached.health().writes).toMatchObject({ bulkCommits: 1, bulkEvents: 1, fallbacks: 0 });
    // One batch: two new events around a retry the LRU cannot answer (size 0).
    const results = await Promise.all([
      uncached.append('bead:f1', { type: 'BeadQueued', data: {} }, { idempotencyKey: 'f-2' }),
      uncached.append('bead:f1', submitted('f1'), { idempotencyKey: 'f-1' }),
      uncached.append('bead:f2', submitted('f2'), { idempotencyKey: 'f-3' }),
    ]);
    expect(results[1]).toEqual(original);
    expect(uncached.health().writes).toMatchObject({ fallbacks: 1, fallbackEvents: 3 });
    expect((await uncached.read('bead:f1')).map((e) => [e.seq, e.idempotencyKey])).toEqual([
      [1, 'f-1'],
      [2, 'f-2'],
    ]);
    // The careful path moved the DB's heads behind the memory's back: the next bulk batch reloads them.
    const next = await uncached.append('bead:f1', { type: 'BeadQueued', data: {} }, { idempotencyKey: 'f-4' });
    expect(next.status === 'committed' && [next.record.seq, next.record.position]).toEqual([3, 4]);
    expect(uncached.health().writes).toMatchObject({ bulkCommits: 2, fallbacks: 1 });
    const all = await uncached.readAll();
    expect(all.events.map((e) => e.position)).toEqual([1, 2, 3, 4]);
  });

  it("bulk path: a fallback batch larger than the careful template's 64 is committed in chunks, in order, each key once", async () => {
    const uncached = await openEventStore({ url: 'mem://', idempotencyCacheSize: 0 });
    onTestFinished(() => uncached.close());
    const original = await uncached.append('bead:big', submitted('big'), { idempotencyKey: 'big-0' });
    const results = await Promise.all([
      ...Array.from({ length: 150 }, (_, i) => uncached.append('bead:big', { type: 'BeadQueued', data: { i } }, { idempotencyKey: `big-${i + 1}` })),
      uncached.append('bead:big', submitted('big'), { idempotencyKey: 'big-0' }),
    ]);
    expect(results[150]).toEqual(original);
    expect(uncached.health().writes).toMatchObject({ fallbacks: 1, fallbackEvents: 151 });
    expect((await uncached.read('bead:big')).map((e) => e.idempotencyKey)).toEqual(Array.from({ length: 151 }, (_, i) => `big-${i}`));
    expect(results.slice(0, 150).map((r) => r.status === 'committed' && r.record.seq)).toEqual(Array.from({ length: 150 }, (_, i) => i + 2));
  });

  it('bulk path: a stream evicted from the in-memory heads is not assumed new; the guard refuses, the writer reloads its head', async () => {
    // The smallest map allowed (one bulk batch's streams), and more other streams than it holds.
    const small = await openEventStore({ url: 'mem://', streamHeadCacheSize: MAX_BULK_BATCH });
    onTestFinished(() => small.close());
    await small.append('bead:e0', submitted('e0'), { idempotencyKey: 'e0-1' });
    const others = MAX_BULK_BATCH + 44;
    await Promise.all(Array.from({ length: others }, (_, i) => small.append(`bead:x${i}`, submitted(`x${i}`), { idempotencyKey: `x${i}` })));
    const retries = small.health().writes.staleRetries;
    const again = await small.append('bead:e0', { type: 'BeadQueued', data: {} }, { idempotencyKey: 'e0-2' });
    expect(again.status === 'committed' && [again.record.seq, again.record.position]).toEqual([2, others + 2]);
    expect(small.health().writes.staleRetries).toBe(retries + 1);
    expect(small.health().writes.fallbacks).toBe(0);
    expect((await small.read('bead:e0')).map((e) => e.seq)).toEqual([1, 2]);
    await expect(openEventStore({ url: 'mem://', streamHeadCacheSize: 10 })).rejects.toMatchObject({
      code: 'ORCH_EVENT_STORE_CONFIG_INVALID',
      details: { field: 'streamHeadCacheSize' },
    });
  });

  it('bulk path: batches resolve in order and their records match what the DB stored, checkpoint heads included', async () => {
    const fresh = await openEventStore({ url: 'mem://' });
    onTestFinished(() => fresh.close());
    const order: number[] = [];
    // More appends than 2 bulk batches hold: the second and third are built while the first commits.
    const results = await Promise.all(
      Array.from({ length: 2 * MAX_BULK_BATCH + 88 }, (_, i) =>
        (i % 50 === 7
          ? fresh.saveCheckpoint(`o${i % 5}`, { step: i, state: { i } })
          : fresh.append(`bead:o${i % 5}`, { type: 'BeadQueued', data: { i } }, { idempotencyKey: `o-${i}` })
        ).then((r) => {
          order.push(i);
          return r;
        }),
      ),
    );
    expect(order).toEqual(order.slice().sort((a, b) => a - b));
    expect(fresh.health().writes.bulkCommits).toBeGreaterThanOrEqual(3);
    const acked = results.map((r) => (r.status === 'committed' ? r.record : undefined));
    expect(acked.map((r) => r?.position)).toEqual(acked.map((_, i) => i + 1));
    const first = await fresh.readAll({ limit: 1000 });
    const rest = await fresh.readAll({ afterCursor: first.nextCursor, limit: 1000 });
    expect([...first.events, ...rest.events]).toEqual(acked);
    for (let b = 0; b < 5; b++) {
      const steps = acked.filter((r) => r!.stream === `bead:o${b}` && r!.type === 'StepCheckpointed').map((r) => (r!.data as { step: number }).step);
      expect((await fresh.loadCheckpoint(`o${b}`))?.step).toBe(steps.at(-1));
    }
  });

  describe('bad input is refused whole, with a stable code, and writes nothing', () => {
    /** An append of `event` to bead:bad under `key`; the event is not one the types allow. */
    const bad = (event: unknown, key: string) => (): Promise<unknown> => store.append('bead:bad', event as NewEvent, { idempotencyKey: key });
    const cases: [string, () => Promise<unknown>, string][] = [
      ['unknown type', bad({ type: 'BeadExploded', data: {} }, 'bad-1'), 'ORCH_EVENT_INVALID'],
      ['workflow event on a bead stream', bad({ type: 'WorkflowSucceeded', data: {} }, 'bad-2'), 'ORCH_EVENT_INVALID'],
      ['data failing the schema', bad({ type: 'BeadStarted', data: { attempt: 0, workerId: '' } }, 'bad-3'), 'ORCH_EVENT_INVALID'],
      ['a BigInt', bad({ type: 'BeadQueued', data: { n: 1n } }, 'bad-4'), 'ORCH_EVENT_INVALID'],
      ['a function', bad({ type: 'BeadQueued', data: { f: () => 1 } }, 'bad-5'), 'ORCH_EVENT_INVALID'],
      [
        'a cycle',
        () => {
          const d: Record<string, unknown> = {};
          d.self = d;
          return bad({ type: 'BeadQueued', data: d }, 'bad-6')();
        },
        'ORCH_EVENT_INVALID',
      ],
      ['NaN', bad({ type: 'BeadQueued', data: { x: Number.NaN } }, 'bad-7'), 'ORCH_EVENT_INVALID'],
      ['a Date object', bad({ type: 'BeadQueued', data: { d: new Date() } }, 'bad-8'), 'ORCH_EVENT_INVALID'],
      ['an integer beyond 2^53', bad({ type: 'BeadQueued', data: { big: 2 ** 60 } }, 'bad-11'), 'ORCH_EVENT_INVALID'],
      ['more than 1 MiB', bad({ type: 'BeadQueued', data: { blob: 'x'.repeat(1024 * 1024) } }, 'bad-12'), 'ORCH_EVENT_INVALID'],
      ['not an object', bad('BeadQueued', 'bad-13'), 'ORCH_EVENT_INVALID'],
      [
        'missing stream',
        () => store.append(undefined as unknown as string, { type: 'BeadQueued', data: {} }, { idempotencyKey: 'bad-9' }),
        'ORCH_STREAM_INVALID',
      ],
      ['stream of no family', () => store.append('job:1', { type: 'BeadQueued', data: {} }, { idempotencyKey: 'bad-10' }), 'ORCH_STREAM_INVALID'],
      ['empty key', () => store.append('bead:bad', { type: 'BeadQueued', data: {} }, { idempotencyKey: '' }), 'ORCH_IDEMPOTENCY_KEY_INVALID'],
      ['missing key', () => store.append('bead:bad', { type: 'BeadQueued', data: {} }, {} as { idempotencyKey: string }), 'ORCH_IDEMPOTENCY_KEY_INVALID'],
      ['key with a newline', () => store.append('bead:bad', { type: 'BeadQueued', data: {} }, { idempotencyKey: 'a\nb' }), 'ORCH_IDEMPOTENCY_KEY_INVALID'],
      ['key too long', () => store.append('bead:bad', { type: 'BeadQueued', data: {} }, { idempotencyKey: 'k'.repeat(257) }), 'ORCH_IDEMPOTENCY_KEY_INVALID'],
    ];
    it.each(cases)('%s', async (_name, call, code) => {
      await expect(call()).rejects.toMatchObject({ code });
      expect(await store.read('bead:bad')).toEqual([]);
    });
  });
});

describe('event store on surrealkv (the default engine)', () => {
  it('keeps the unique index as the authority: with no cache a retry still returns the original', async () => {
    const dir = await tempDir();
    const store = await openEventStore({ dataDir: join(dir, 'db'), idempotencyCacheSize: 0 });
    onTestFinished(() => store.close());
    const original = await store.append('bead:k', submitted('k'), { idempotencyKey: 'k-submit' });
    const retried = await store.append('bead:k', submitted('k'), { idempotencyKey: 'k-submit' });
    expect(retried).toEqual(original);
    const next = await store.append('bead:k', { type: 'BeadQueued', data: {} }, { idempotencyKey: 'k-queued' });
    expect(next.status === 'committed' && next.record.seq).toBe(2);
    expect(await store.read('bead:k')).toHaveLength(2);
  });

  it('defines UNIQUE indexes in SurrealDB itself: a raw duplicate key or (stream, seq) is refused', async () => {
    const db = new Surreal({ engines: createNodeEngines() });
    await db.connect('mem://', { namespace: 'oya', database: 'oya' });
    onTestFinished(() => db.close().then(() => undefined));
    await db.query(DEFINE_SCHEMA).collect();
    await db.query(appendBatchQuery(1), { e0: { stream: 'bead:u', type: 'BeadQueued', data: {}, key: 'u-1', at: 'x' } }).collect();
    const row = { stream: 'bead:other', seq: 1, position: 99, type: 'BeadQueued', data: {}, at: 'x' };
    await expect(db.query('CREATE event CONTENT $row', { row: { ...row, idempotencyKey: 'u-1' } }).collect()).rejects.toThrow(/event_idempotency_key/);
    await expect(db.query('CREATE event CONTENT $row', { row: { ...row, stream: 'bead:u', idempotencyKey: 'fresh' } }).collect()).rejects.toThrow(
      /event_stream_seq/,
    );
    await expect(db.query('CREATE event CONTENT $row', { row: { ...row, position: 1, idempotencyKey: 'fresh2', seq: 5 } }).collect()).rejects.toThrow(
      /event_position/,
    );
  });

  it('refuses options that cannot work (ORCH_EVENT_STORE_CONFIG_INVALID) and a second opener of a locked dir (ORCH_DB_UNAVAILABLE)', async () => {
    await expect(openEventStore({})).rejects.toMatchObject({ code: 'ORCH_EVENT_STORE_CONFIG_INVALID' });
    await expect(openEventStore({ url: 'ws://127.0.0.1:1/rpc' })).rejects.toMatchObject({
      code: 'ORCH_EVENT_STORE_CONFIG_INVALID',
      details: { field: 'outboxPath' },
    });
    await expect(openEventStore({ url: 'mem://', timeoutMs: 0 })).rejects.toMatchObject({
      code: 'ORCH_EVENT_STORE_CONFIG_INVALID',
      details: { field: 'timeoutMs' },
    });
    const dir = await tempDir();
    const store = await openEventStore({ dataDir: join(dir, 'db') });
    onTestFinished(() => store.close());
    await expect(openEventStore({ dataDir: join(dir, 'db'), outboxPath: join(dir, 'other.jsonl'), connectTimeoutMs: 1000 })).rejects.toMatchObject({
      code: 'ORCH_DB_UNAVAILABLE',
    });
    await Promise.all([store.close(), store.close()]);
    store.destroy();
    await expect(store.append('bead:z', submitted('z'), { idempotencyKey: 'z' })).rejects.toMatchObject({ code: 'ORCH_EVENT_STORE_CLOSED' });
    await expect(store.read('bead:z')).rejects.toMatchObject({ code: 'ORCH_EVENT_STORE_CLOSED' });
  });
});
