/**
 * The stock `surrealdb` SDK against the embedded server over both of SurrealDB's RPC transports,
 * `ws://…/rpc` and `http://…/rpc`, doing what SurrealDB's documentation shows an application doing:
 * connect, sign in, use, CRUD, queries, relations, errors, and an export/import round trip.
 * Written from the SDK and HTTP API documentation; the live-query case (ws only: the HTTP
 * protocol has no notifications) is live-query.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RecordId, Surreal, Table } from 'surrealdb';
import { sdkWebSocket } from './websocket.ts';
import { startSurrealServer, type SurrealServerHandle } from './server.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

const ROOT = { username: 'root', password: 'secret' };

async function server(): Promise<SurrealServerHandle> {
  const srv = await startSurrealServer({ path: 'memory', user: ROOT.username, pass: ROOT.password });
  cleanups.push(() => srv.destroy());
  return srv;
}

type Protocol = 'ws' | 'http';

/** A connected SDK client; signed in as root and using oya/sdk unless told otherwise. */
async function client(srv: SurrealServerHandle, protocol: Protocol, opts: { signin?: boolean } = {}): Promise<Surreal> {
  const db = protocol === 'ws' ? new Surreal({ websocketImpl: sdkWebSocket }) : new Surreal();
  cleanups.push(() => db.close());
  await db.connect(`${protocol}://127.0.0.1:${srv.port}/rpc`, { reconnect: false });
  if (opts.signin !== false) await db.signin(ROOT);
  await db.use({ namespace: 'oya', database: 'sdk' });
  return db;
}

async function rejection(promise: PromiseLike<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe.each<Protocol>(['ws', 'http'])('stock SDK over %s', (protocol) => {
  it('connects, reports the engine version and signs in as root with a token', async () => {
    const srv = await server();
    const db = new Surreal(protocol === 'ws' ? { websocketImpl: sdkWebSocket } : {});
    cleanups.push(() => db.close());
    await db.connect(`${protocol}://127.0.0.1:${srv.port}/rpc`, { reconnect: false });
    expect((await db.version()).version).toMatch(/^surrealdb-3\./);
    const tokens = await db.signin(ROOT);
    const access = typeof tokens === 'string' ? tokens : (tokens as { access: string }).access;
    expect(access.split('.')).toHaveLength(3); // a JWT
    await db.use({ namespace: 'oya', database: 'sdk' });
    const [[answer]] = await db.query<[[number]]>('RETURN [1 + 1]');
    expect(answer).toBe(2);
  });

  it('refuses a wrong password and queries before sign-in', async () => {
    const srv = await server();
    const db = await client(srv, protocol, { signin: false });
    expect((await rejection(db.signin({ ...ROOT, password: 'wrong' }))).message).toMatch(/authentication/i);
    expect((await rejection(db.query('SELECT * FROM person'))).message).toMatch(/Not enough permissions|IAM/);
  });

  it('creates, selects, updates, merges, upserts and deletes records', async () => {
    const srv = await server();
    const db = await client(srv, protocol);
    const tobie = new RecordId('person', 'tobie');
    expect(await db.create(tobie).content({ name: 'Tobie', langs: ['rust'] })).toEqual({ id: tobie, name: 'Tobie', langs: ['rust'] });
    expect(await db.select(tobie)).toEqual({ id: tobie, name: 'Tobie', langs: ['rust'] });
    expect(await db.update(tobie).content({ name: 'Tobie M.' })).toEqual({ id: tobie, name: 'Tobie M.' });
    expect(await db.update(tobie).merge({ company: 'SurrealDB' })).toEqual({ id: tobie, name: 'Tobie M.', company: 'SurrealDB' });
    const jaime = new RecordId('person', 'jaime');
    expect(await db.upsert(jaime).content({ name: 'Jaime' })).toEqual({ id: jaime, name: 'Jaime' });
    expect(await db.select(new Table('person'))).toHaveLength(2);
    expect(await db.delete(tobie)).toEqual({ id: tobie, name: 'Tobie M.', company: 'SurrealDB' });
    expect(await db.select(tobie)).toBeUndefined();
    expect(await db.select(new Table('person'))).toEqual([{ id: jaime, name: 'Jaime' }]);
  });

  it('runs multi-statement queries with variables', async () => {
    const srv = await server();
    const db = await client(srv, protocol);
    const [created, found, count] = await db.query<[unknown[], Array<{ name: string }>, number]>(
      'CREATE person:a SET age = $age, name = $name; SELECT name FROM person WHERE age > $min; RETURN count(SELECT * FROM person)',
      { age: 42, name: 'Ann', min: 18 },
    );
    expect(created).toHaveLength(1);
    expect(found).toEqual([{ name: 'Ann' }]);
    expect(count).toBe(1);
  });

  it('relates records and traverses the relation', async () => {
    const srv = await server();
    const db = await client(srv, protocol);
    const ann = new RecordId('person', 'ann');
    const book = new RecordId('book', 'surreal');
    await db.create(ann).content({ name: 'Ann' });
    await db.create(book).content({ title: 'Surreal' });
    const edge = (await db.relate(ann, new Table('wrote'), book, { year: 2024 })) as { in: RecordId; out: RecordId; year: number };
    expect(edge).toMatchObject({ in: ann, out: book, year: 2024 });
    const [titles] = await db.query<[string[]]>('SELECT VALUE ->wrote->book.title FROM ONLY person:ann');
    expect(titles).toEqual(['Surreal']);
  });

  it('reports errors with the SDK error classes a SurrealDB server produces', async () => {
    const srv = await server();
    const db = await client(srv, protocol);
    await db.query('DEFINE TABLE ev SCHEMAFULL; DEFINE FIELD n ON ev TYPE int');
    const thrown = await rejection(db.query('THROW "boom"'));
    expect(thrown.constructor.name).toBe('ThrownError');
    expect(thrown.message).toMatch(/boom/);
    await db.create(new RecordId('ev', 1)).content({ n: 1 });
    expect((await rejection(db.create(new RecordId('ev', 1)).content({ n: 2 }))).message).toMatch(/already exists/);
    expect((await rejection(db.create(new RecordId('ev', 2)).content({ n: 'x' }))).message).toMatch(/int/);
    expect((await rejection(db.query('SELEC nonsense'))).message).toMatch(/Parse error|Unexpected/);
  });

  it('exports a database that, imported into a fresh server, exports the same and holds the same records', async () => {
    const source = await client(await server(), protocol);
    await source.query(`
      DEFINE TABLE person SCHEMAFULL; DEFINE FIELD name ON person TYPE string; DEFINE FIELD born ON person TYPE datetime;
      DEFINE FUNCTION fn::greet($n: string) { RETURN "hi " + $n };
      CREATE person:ann SET name = 'Ann', born = d'1990-01-02T03:04:05.123456Z';
      CREATE person:bob SET name = 'Bob', born = d'2001-12-31T00:00:00Z';
      CREATE book:one SET title = 'One', price = 12.5dec, tags = ['a', 'b'], author = person:ann;
      RELATE person:ann->wrote->book:one SET year = 2024;
    `);
    const dump = await source.export();
    expect(dump).toMatch(/DEFINE TABLE person/);
    expect(dump).toMatch(/DEFINE FUNCTION fn::greet/);

    const target = await client(await server(), protocol);
    await target.import(dump);
    expect(await target.export()).toBe(dump);
    const snapshot = 'SELECT * FROM person, book, wrote ORDER BY id';
    expect(await target.query(snapshot)).toEqual(await source.query(snapshot));
    const [greeting] = await target.query<[string]>('RETURN fn::greet("Ann")');
    expect(greeting).toBe('hi Ann');
  });

  it('keeps variables per session, and a forked session starts signed out with its own (ws; the SDK forks no sessions over http)', async () => {
    const srv = await server();
    const db = await client(srv, protocol);
    await db.set('greeting', 'hello');
    const [[greeting, ns]] = await db.query<[[string, string]]>('RETURN [$greeting, session::ns()]');
    expect([greeting, ns]).toEqual(['hello', 'oya']);
    if (protocol === 'ws') {
      const forked = await db.newSession();
      await forked.use({ namespace: 'other', database: 'sdk' });
      expect((await rejection(forked.query('RETURN session::ns()'))).message).toMatch(/Not enough permissions/);
      await forked.signin(ROOT);
      const [[forkedGreeting, forkedNs]] = await forked.query<[[unknown, string]]>('RETURN [$greeting, session::ns()]');
      expect([forkedGreeting ?? null, forkedNs]).toEqual([null, 'other']);
    }
    await db.unset('greeting');
    const [[after]] = await db.query<[[unknown]]>('RETURN [$greeting]');
    expect(after ?? null).toBeNull();
  });

  it('authenticates a second client with the token of the first, and invalidate signs it out', async () => {
    const srv = await server();
    const first = await client(srv, protocol, { signin: false });
    const tokens = await first.signin(ROOT);
    const second = await client(srv, protocol, { signin: false });
    await second.authenticate(tokens);
    await second.create(new RecordId('item', 1)).content({ v: 1 });
    expect(await second.select(new RecordId('item', 1))).toEqual({ id: new RecordId('item', 1), v: 1 });
    await second.invalidate();
    expect((await rejection(second.select(new RecordId('item', 1)))).message).toMatch(/Not enough permissions|IAM/);
  });

  it('inserts many records at once and reads them back in order', async () => {
    const srv = await server();
    const db = await client(srv, protocol);
    const rows = Array.from({ length: 50 }, (_, i) => ({ id: new RecordId('row', i), i }));
    expect(await db.insert(new Table('row'), rows)).toHaveLength(50);
    const [sum] = await db.query<[number]>('RETURN math::sum(SELECT VALUE i FROM row)');
    expect(sum).toBe((49 * 50) / 2);
  });

  it('exports only the tables asked for', async () => {
    const db = await client(await server(), protocol);
    await db.query('CREATE a:1 SET v = 1; CREATE b:1 SET v = 2');
    const dump = await db.export({ tables: ['a'], functions: false });
    expect(dump).toMatch(/TABLE DATA: a/);
    expect(dump).not.toMatch(/TABLE DATA: b/);
  });
});
