import { afterEach, describe, expect, it } from 'vitest';
import { RecordId, Surreal, Table } from 'surrealdb';
import { createNodeEngines } from '@surrealdb/node';
import { WebSocket, request } from 'undici';
import { sdkWebSocket } from './websocket.ts';
import { decode, encode } from '@surrealdb/cbor';
import { startSurrealServer, type SurrealServerHandle } from './server.ts';
import { nativeEngineVersion } from './native-engine.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

async function server(opts: Parameters<typeof startSurrealServer>[0] = {}): Promise<SurrealServerHandle> {
  const srv = await startSurrealServer(opts);
  cleanups.push(() => srv.destroy());
  return srv;
}

async function client(url: string, ns = 'test', db = 'test'): Promise<Surreal> {
  const sdb = new Surreal({ websocketImpl: sdkWebSocket });
  cleanups.push(() => sdb.close());
  await sdb.connect(url, { reconnect: false });
  await sdb.use({ namespace: ns, database: db });
  return sdb;
}

async function errorOf(p: PromiseLike<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('embedded SurrealDB server', () => {
  it('gives the stock SDK over ws the same results and errors as the in-process engine', async () => {
    const srv = await server();
    const remote = await client(srv.url);
    const local = new Surreal({ engines: createNodeEngines() });
    cleanups.push(() => local.close());
    await local.connect('mem://');
    await local.use({ namespace: 'test', database: 'test' });

    for (const db of [remote, local]) {
      await db.query('DEFINE TABLE ev SCHEMAFULL; DEFINE FIELD n ON ev TYPE int; DEFINE FIELD at ON ev TYPE datetime');
    }
    const run = async (db: Surreal) => {
      const created = await db.create(new RecordId('ev', 'a')).content({ n: 1, at: new Date('2024-01-02T03:04:05Z') });
      const selected = await db.select(new RecordId('ev', 'a'));
      const [rows] = await db.query<[unknown[]]>('SELECT n, at FROM ev WHERE n = $n', { n: 1 });
      const typeErr = await errorOf(db.create(new RecordId('ev', 'b')).content({ n: 'not an int' }));
      const thrown = await errorOf(db.query('THROW "boom"'));
      const duplicate = await errorOf(db.create(new RecordId('ev', 'a')).content({ n: 2, at: new Date() }));
      return { created, selected, rows, errors: [typeErr, thrown, duplicate].map((e) => [e.constructor.name, e.message]) };
    };
    expect(await run(remote)).toEqual(await run(local));
  });

  it('keeps namespace, database and LET variables per connection', async () => {
    const srv = await server();
    const a = await client(srv.url, 'ns_a', 'db_a');
    const b = await client(srv.url, 'ns_b', 'db_b');
    await a.set('secret', 'from-a');
    await a.create(new RecordId('thing', 1)).content({ owner: 'a' });

    const [[nsA, dbA, varA]] = await a.query<[[string, string, unknown]]>('RETURN [session::ns(), session::db(), $secret]');
    const [[nsB, dbB, varB]] = await b.query<[[string, string, unknown]]>('RETURN [session::ns(), session::db(), $secret]');
    expect([nsA, dbA, varA]).toEqual(['ns_a', 'db_a', 'from-a']);
    expect([nsB, dbB, varB ?? null]).toEqual(['ns_b', 'db_b', null]);
    expect((await errorOf(b.select(new RecordId('thing', 1)))).message).toMatch(/table 'thing' does not exist/);

    // Sessions a client forks are its own too, and invisible to other connections.
    const forked = await a.newSession();
    await forked.use({ namespace: 'ns_fork', database: 'db_fork' });
    const [[nsFork]] = await forked.query<[[string]]>('RETURN [session::ns()]');
    const [[nsAgain]] = await a.query<[[string]]>('RETURN [session::ns()]');
    expect([nsFork, nsAgain]).toEqual(['ns_fork', 'ns_a']);
    expect(await b.sessions()).toEqual([]);
  });

  it('delivers live-query notifications only to the connection that opened the query', async () => {
    const srv = await server();
    const watcher = await client(srv.url);
    const other = await client(srv.url);
    await watcher.query('DEFINE TABLE feed');
    const live = await watcher.live(new Table('feed'));
    const seen: unknown[] = [];
    const stop = live.subscribe((msg) => seen.push([msg.action, msg.value]));
    cleanups.push(async () => stop());
    let strayFrames = 0;
    // A raw socket on the same server must not receive the watcher's notifications.
    const raw = new WebSocket(srv.url, 'cbor');
    raw.binaryType = 'arraybuffer';
    cleanups.push(async () => raw.close());
    raw.addEventListener('message', () => {
      strayFrames += 1;
    });
    await new Promise((resolve) => raw.addEventListener('open', resolve));

    await other.create(new RecordId('feed', 1)).content({ v: 1 });
    await expect.poll(() => seen.length, { timeout: 5000 }).toBe(1);
    expect(seen[0]).toEqual(['CREATE', { id: new RecordId('feed', 1), v: 1 }]);
    expect(strayFrames).toBe(0);
  });

  it('speaks the JSON subprotocol in text frames, notifications included, and refuses unknown subprotocols', async () => {
    const srv = await server();
    const { WebSocket: WsClient } = await import('ws');
    const ws = new WsClient(srv.url, 'json');
    cleanups.push(async () => ws.close());
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    expect(ws.protocol).toBe('json');
    const frames: Array<Record<string, unknown>> = [];
    ws.on('message', (data, isBinary) => {
      expect(isBinary).toBe(false);
      const text = Array.isArray(data) ? Buffer.concat(data).toString() : Buffer.from(new Uint8Array(data)).toString();
      frames.push(JSON.parse(text) as Record<string, unknown>);
    });
    const answer = async (id: number): Promise<Record<string, unknown>> => {
      await expect.poll(() => frames.find((f) => f.id === id), { timeout: 5000 }).toBeDefined();
      return frames.find((f) => f.id === id)!;
    };
    ws.send(JSON.stringify({ id: 1, method: 'use', params: ['test', 'json'] }));
    await answer(1);
    ws.send(JSON.stringify({ id: 2, method: 'query', params: ['DEFINE TABLE ev; LIVE SELECT * FROM ev'] }));
    await answer(2);
    ws.send(JSON.stringify({ id: 3, method: 'create', params: ['ev', { at: '2024-01-01' }] }));
    expect(await answer(3)).toMatchObject({ result: { at: '2024-01-01', id: expect.stringMatching(/^ev:/) } });
    const notification = frames.find((f) => f.id === undefined);
    expect(notification).toMatchObject({ result: { action: 'CREATE', record: expect.stringMatching(/^ev:/) } });
    ws.send('{"id": 4, ');
    await expect.poll(() => frames.some((f) => (f.error as { code?: number } | undefined)?.code === -32700), { timeout: 5000 }).toBe(true);

    const refused = new WsClient(srv.url, 'msgpack');
    const status = await new Promise<number>((resolve) => {
      refused.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)).once('error', () => resolve(-1));
    });
    expect(status).toBe(400);
  });

  it('answers /health and /version like surreal start', async () => {
    const srv = await server();
    const base = `http://127.0.0.1:${srv.port}`;
    const health = await request(`${base}/health`);
    expect(health.statusCode).toBe(200);
    await health.body.dump();
    const version = await request(`${base}/version`);
    expect(await version.body.text()).toBe(`surrealdb-${nativeEngineVersion()}`);
    const missing = await request(`${base}/nope`);
    expect(missing.statusCode).toBe(404);
    await missing.body.dump();
  });

  it('survives a client that disconnects mid-query and a malformed frame', async () => {
    const srv = await server();
    const raw = new WebSocket(srv.url, 'cbor');
    raw.binaryType = 'arraybuffer';
    await new Promise((resolve) => raw.addEventListener('open', resolve));
    const replies: unknown[] = [];
    raw.addEventListener('message', (e) => replies.push(decode(new Uint8Array(e.data as ArrayBuffer))));
    raw.send(Uint8Array.from([0xa1, 0x62, 0x69])); // truncated map
    await expect.poll(() => replies.length).toBe(1);
    expect(replies[0]).toMatchObject({ error: { code: -32700 } });
    raw.send(encode({ id: 'slow', method: 'query', params: ['USE NS t DB t; SLEEP 500ms; CREATE left:1 SET done = true'] }));
    raw.close(); // gone before the answer

    const survivor = await client(srv.url, 't', 't');
    // The abandoned query still runs to completion on the server.
    await expect
      .poll(() => survivor.select(new RecordId('left', 1)).catch(() => undefined), { timeout: 10_000, interval: 100 })
      .toEqual({ id: new RecordId('left', 1), done: true });
    expect(await survivor.query('RETURN 1')).toEqual([1]);
  });

  it('requires sign-in when started with credentials', async () => {
    const srv = await server({ user: 'root', pass: 'secret' });
    const sdb = new Surreal({ websocketImpl: sdkWebSocket });
    cleanups.push(() => sdb.close());
    await sdb.connect(srv.url, { reconnect: false });
    await sdb.use({ namespace: 'a', database: 'b' });
    expect((await errorOf(sdb.query('RETURN 1'))).message).toMatch(/Not enough permissions/);
    expect((await errorOf(sdb.signin({ username: 'root', password: 'wrong' }))).message).toMatch(/authentication/);
    await sdb.signin({ username: 'root', password: 'secret' });
    expect(await sdb.query('RETURN 1')).toEqual([1]);
    await sdb.invalidate();
    expect((await errorOf(sdb.query('RETURN 1'))).message).toMatch(/Not enough permissions/);
  });

  it('closes idempotently and frees the data directory for a restart', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dir = await mkdtemp(path.join(tmpdir(), 'oya-surreal-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    // surrealkv explicitly: a freed RocksDB datastore (the default for a new path) keeps its LOCK in
    // this process ("lock hold by current process", README.md "Engine"), so only surrealkv reopens in-process.
    const first = await startSurrealServer({ path: `surrealkv://${dir}` });
    cleanups.push(() => first.destroy());
    const db1 = await client(first.url);
    await db1.create(new RecordId('kept', 1)).content({ v: 1 });
    await Promise.all([first.close(), first.close()]);
    const second = await server({ path: `surrealkv://${dir}` });
    const db2 = await client(second.url);
    expect(await db2.select(new RecordId('kept', 1))).toEqual({ id: new RecordId('kept', 1), v: 1 });
  });
});

describe('embedded SurrealDB server shutdown', () => {
  it('answers a request in flight before close() completes', async () => {
    const srv = await startSurrealServer();
    cleanups.push(() => srv.destroy());
    const db = await client(srv.url);
    // SDK queries are lazy: .then() sends it now.
    const slow = db.query<[undefined, number]>('SLEEP 300ms; RETURN 42').then((r) => r);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await srv.close();
    expect(await slow).toEqual([undefined, 42]); // SLEEP returns NONE
  });
});
