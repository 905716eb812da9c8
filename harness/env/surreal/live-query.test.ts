/**
 * Live queries notify every action to their owner from the moment `live` returns, in the order
 * the writes were made. Before the fix, CREATE/UPDATE/DELETE made right after subscribing were
 * lost now and then (SurrealDB forwards each statement's notifications from its own tokio task,
 * which raced each other and the statement's answer; see native-engine.ts and engine-host.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RecordId, Surreal, Table } from 'surrealdb';
import { sdkWebSocket } from './websocket.ts';
import { decode, encode } from '@surrealdb/cbor';
import { WebSocket as WsClient } from 'ws';
import { startSurrealServer } from './server.ts';

const ROUNDS = 25;
/** Generous: on an idle machine all three arrive within a few ms. */
const NOTIFICATION_BOUND_MS = 10_000;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

async function waitFor(condition: () => boolean, boundMs: number): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('live queries on the embedded server', () => {
  it(`sees CREATE, UPDATE, DELETE made right after subscribing, in order, ${ROUNDS} times (stock SDK over ws)`, async () => {
    const srv = await startSurrealServer({ path: 'memory' });
    cleanups.push(() => srv.destroy());
    const db = new Surreal({ websocketImpl: sdkWebSocket });
    cleanups.push(() => db.close());
    await db.connect(srv.url, { reconnect: false });
    await db.use({ namespace: 'test', database: 'live' });
    await db.query('DEFINE TABLE item');

    const failures: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const seen: Array<[string, unknown]> = [];
      const live = await db.live(new Table('item'));
      live.subscribe((msg) => seen.push([msg.action, (msg.value as { n?: number }).n]));
      const id = new RecordId('item', `r${round}`);
      await db.create(id).content({ n: 1 });
      await db.update(id).content({ n: 2 });
      await db.delete(id);
      await waitFor(() => seen.length >= 3, NOTIFICATION_BOUND_MS);
      const got = JSON.stringify(seen);
      if (
        got !==
        JSON.stringify([
          ['CREATE', 1],
          ['UPDATE', 2],
          ['DELETE', 2],
        ])
      )
        failures.push(`round ${round}: ${got}`);
      await live.kill();
    }
    expect(failures).toEqual([]);
  });

  it('leaves no TOKIO_WORKER_THREADS behind for child processes (an orchestrator has its own engine)', async () => {
    const before = process.env.TOKIO_WORKER_THREADS;
    const srv = await startSurrealServer({ path: 'memory' });
    cleanups.push(() => srv.destroy());
    expect(process.env.TOKIO_WORKER_THREADS).toBe(before);
  });

  it("sends each write's notification before the write's answer (raw CBOR client)", async () => {
    const srv = await startSurrealServer({ path: 'memory' });
    cleanups.push(() => srv.destroy());
    const ws = new WsClient(srv.url, 'cbor');
    cleanups.push(async () => ws.close());
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const frames: string[] = []; // 'answer:<id>' or 'notify:<action>', in arrival order
    const waiting = new Map<string, (result: unknown) => void>();
    ws.on('message', (data: Buffer) => {
      const frame = decode(new Uint8Array(data)) as { id?: string; result: { action?: string } };
      if (frame.id === undefined) return void frames.push(`notify:${frame.result.action}`);
      frames.push(`answer:${frame.id}`);
      waiting.get(frame.id)?.(frame.result);
    });
    let next = 0;
    const call = (method: string, params: unknown[]): Promise<unknown> =>
      new Promise((resolve) => {
        const id = `${method}-${next++}`;
        waiting.set(id, resolve);
        ws.send(encode({ id, method, params }));
      });
    await call('use', ['test', 'raw']);
    await call('query', ['DEFINE TABLE item']);
    for (let round = 0; round < ROUNDS; round++) {
      const [live] = (await call('query', ['LIVE SELECT * FROM item'])) as [{ result: unknown }];
      const liveId = live.result;
      frames.length = 0;
      await call('query', [`CREATE item:r${round} SET n = 1`]);
      await call('query', [`UPDATE item:r${round} SET n = 2`]);
      await call('query', [`DELETE item:r${round}`]);
      const [c, u, d] = [next - 3, next - 2, next - 1];
      expect(frames, `round ${round}`).toEqual([
        'notify:CREATE',
        `answer:query-${c}`,
        'notify:UPDATE',
        `answer:query-${u}`,
        'notify:DELETE',
        `answer:query-${d}`,
      ]);
      await call('kill', [liveId]);
    }
  });

  it(`delivers another connection's writes to the watcher in write order, ${ROUNDS} rounds (raw watcher, SDK writer)`, async () => {
    const srv = await startSurrealServer({ path: 'memory' });
    cleanups.push(() => srv.destroy());
    const watcher = new WsClient(srv.url, 'cbor');
    cleanups.push(async () => watcher.close());
    await new Promise((resolve, reject) => watcher.once('open', resolve).once('error', reject));
    const seen: string[] = [];
    const waiting = new Map<string, () => void>();
    watcher.on('message', (data: Buffer) => {
      const frame = decode(new Uint8Array(data)) as { id?: string; result: { action?: string; result?: { n?: number } } };
      if (frame.id === undefined) seen.push(`${frame.result.action}:${frame.result.result?.n}`);
      else waiting.get(frame.id)?.();
    });
    const watch = (id: string, method: string, params: unknown[]): Promise<void> =>
      new Promise((resolve) => {
        waiting.set(id, resolve);
        watcher.send(encode({ id, method, params }));
      });
    await watch('use', 'use', ['test', 'watch']);
    await watch('define', 'query', ['DEFINE TABLE item; LIVE SELECT * FROM item']);

    const writer = new Surreal({ websocketImpl: sdkWebSocket });
    cleanups.push(() => writer.close());
    await writer.connect(srv.url, { reconnect: false });
    await writer.use({ namespace: 'test', database: 'watch' });
    const expected: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const id = new RecordId('item', round);
      await writer.create(id).content({ n: round });
      await writer.update(id).content({ n: round + 1000 });
      await writer.delete(id);
      expected.push(`CREATE:${round}`, `UPDATE:${round + 1000}`, `DELETE:${round + 1000}`);
    }
    await waitFor(() => seen.length >= expected.length, NOTIFICATION_BOUND_MS);
    expect(seen).toEqual(expected);
  });
});
