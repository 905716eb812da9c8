/**
 * SurrealDB's HTTP endpoints on the embedded server, spoken raw (fetch), as SurrealDB's HTTP
 * documentation describes them: headers for namespace, database and credentials, CBOR and JSON
 * bodies, and the status codes of a refusal.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { decode, encode } from '@surrealdb/cbor';
import { startSurrealServer, type SurrealServerHandle } from './server.ts';
import { formatOf, toJsonValue } from './http-format.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

const BASIC = `Basic ${Buffer.from('root:secret').toString('base64')}`;
const TARGET = { 'surreal-ns': 'oya', 'surreal-db': 'http' };

async function server(): Promise<{ srv: SurrealServerHandle; base: string }> {
  const srv = await startSurrealServer({ path: 'memory', user: 'root', pass: 'secret' });
  cleanups.push(() => srv.destroy());
  return { srv, base: `http://127.0.0.1:${srv.port}` };
}

async function post(url: string, body: string | Uint8Array, headers: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', headers, body });
}

describe('HTTP API of the embedded server', () => {
  it('answers /health, /status and /version, and 404/405 elsewhere', async () => {
    const { base } = await server();
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/status`)).status).toBe(200);
    expect(await (await fetch(`${base}/version`)).text()).toMatch(/^surrealdb-3\./);
    expect((await fetch(`${base}/nowhere`)).status).toBe(404);
    expect((await fetch(`${base}/sql`)).status).toBe(405); // GET
  });

  it('runs /sql with Basic auth, NS/DB headers and URL variables; refuses bad or missing credentials', async () => {
    const { base } = await server();
    const headers = { ...TARGET, Accept: 'application/json', Authorization: BASIC };
    const res = await post(`${base}/sql?name=Ann`, 'CREATE person:ann SET name = $name, at = d"2024-01-02T03:04:05Z", d = 90m; SELECT * FROM person', headers);
    expect(res.status).toBe(200);
    const results = (await res.json()) as Array<{ status: string; result: unknown }>;
    expect(results.map((r) => r.status)).toEqual(['OK', 'OK']);
    expect(results[1]!.result).toEqual([{ id: 'person:ann', name: 'Ann', at: '2024-01-02T03:04:05Z', d: '1h30m' }]);

    const cbor = await post(`${base}/sql`, 'RETURN person:ann', { ...headers, Accept: 'application/cbor' });
    expect(cbor.headers.get('content-type')).toBe('application/cbor');
    expect((decode(new Uint8Array(await cbor.arrayBuffer())) as Array<{ status: string }>)[0]!.status).toBe('OK');

    expect((await post(`${base}/sql`, 'RETURN 1', { ...headers, Authorization: `Basic ${Buffer.from('root:nope').toString('base64')}` })).status).toBe(401);
    expect((await post(`${base}/sql`, 'RETURN 1', { ...headers, Authorization: 'Bearer not.a.token' })).status).toBe(401);
    expect((await post(`${base}/sql`, 'RETURN 1', { ...TARGET, Accept: 'application/json' })).status).toBe(403);
    expect((await post(`${base}/sql`, 'RETURN 1', { ...headers, Accept: 'text/html' })).status).toBe(406);
  });

  it('signs in on /signin and the token works as Bearer on /sql; /signup creates a record user', async () => {
    const { base } = await server();
    const signin = await post(`${base}/signin`, JSON.stringify({ user: 'root', pass: 'secret' }), { Accept: 'application/json' });
    expect(signin.status).toBe(200);
    const { code, details, token } = (await signin.json()) as { code: number; details: string; token: string };
    expect([code, details]).toEqual([200, 'Authentication succeeded']);
    const viaToken = await post(`${base}/sql`, 'RETURN 7', { ...TARGET, Accept: 'application/json', Authorization: `Bearer ${token}` });
    expect(((await viaToken.json()) as Array<{ result: number }>)[0]!.result).toBe(7);

    const wrong = await post(`${base}/signin`, JSON.stringify({ user: 'root', pass: 'x' }), { Accept: 'application/json' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ code: 401, details: 'Authentication failed' });

    await post(
      `${base}/sql`,
      `DEFINE ACCESS account ON DATABASE TYPE RECORD
      SIGNUP (CREATE user SET email = $email, pass = crypto::argon2::generate($pass))
      SIGNIN (SELECT * FROM user WHERE email = $email AND crypto::argon2::compare(pass, $pass))`,
      { ...TARGET, Authorization: BASIC },
    );
    const account = { ns: 'oya', db: 'http', ac: 'account', email: 'a@b.c', pass: 'pw' };
    const signup = await post(`${base}/signup`, JSON.stringify(account), { Accept: 'application/json' });
    expect(signup.status).toBe(200);
    const users = await post(`${base}/sql`, 'SELECT VALUE email FROM user', { ...TARGET, Accept: 'application/json', Authorization: BASIC });
    expect(((await users.json()) as Array<{ result: string[] }>)[0]!.result).toEqual(['a@b.c']);
    expect((await post(`${base}/signin`, 'not json', {})).status).toBe(400);
  });

  it('serves the RPC protocol on POST /rpc in CBOR and JSON, with RPC errors as 200 {id, error}', async () => {
    const { base } = await server();
    const json = { ...TARGET, 'Content-Type': 'application/json', Accept: 'application/json', Authorization: BASIC };
    const created = await post(`${base}/rpc`, JSON.stringify({ id: 1, method: 'create', params: ['item', { n: 1 }] }), json);
    const createdBody = (await created.json()) as { id: number; result: { id: string; n: number } };
    expect(createdBody.id).toBe(1);
    expect(createdBody.result).toMatchObject({ id: expect.stringMatching(/^item:/), n: 1 });

    const cbor = { ...TARGET, 'Content-Type': 'application/cbor', Accept: 'application/cbor', Authorization: BASIC };
    const selected = await post(`${base}/rpc`, encode({ id: 'x', method: 'query', params: ['SELECT VALUE n FROM item'] }), cbor);
    expect(decode(new Uint8Array(await selected.arrayBuffer()))).toMatchObject({ id: 'x', result: [{ status: 'OK', result: [1] }] });

    const failed = await post(`${base}/rpc`, JSON.stringify({ id: 2, method: 'no_such_method', params: [] }), json);
    expect(failed.status).toBe(200);
    expect(await failed.json()).toMatchObject({ id: 2, error: { message: expect.any(String) } });
    const anonymous = await post(`${base}/rpc`, JSON.stringify({ id: 3, method: 'select', params: ['item'] }), { ...json, Authorization: '' });
    expect(await anonymous.json()).toMatchObject({ id: 3, error: { kind: 'NotAllowed' } });
    const garbage = await post(`${base}/rpc`, '{"id": 4, "method":', json);
    expect(await garbage.json()).toMatchObject({ error: { code: -32700 } });
    expect((await post(`${base}/rpc`, 'x', { ...json, 'Content-Type': 'text/xml' })).status).toBe(415);
  });

  it('exports with GET /export and loads the dump into a fresh server with POST /import', async () => {
    const { base } = await server();
    const headers = { ...TARGET, Authorization: BASIC };
    await post(`${base}/sql`, 'CREATE item:1 SET n = 1; CREATE item:2 SET n = 2dec', headers);
    const exported = await fetch(`${base}/export`, { headers });
    expect(exported.status).toBe(200);
    const dump = await exported.text();
    expect(dump).toMatch(/INSERT \[ \{ id: item:1, n: 1 \}, \{ id: item:2, n: 2dec \} \]/);
    expect((await fetch(`${base}/export`, { headers: TARGET })).status).toBe(403);
    expect((await fetch(`${base}/export`, { headers: { Authorization: BASIC } })).status).toBe(400); // no NS/DB

    const fresh = await server();
    const imported = await post(`${fresh.base}/import`, dump, { ...headers, Accept: 'application/json' });
    expect(imported.status).toBe(200);
    expect(await (await fetch(`${fresh.base}/export`, { headers })).text()).toBe(dump);
    const broken = await post(`${fresh.base}/import`, 'CREATE item:3 SET n = ;', { ...headers, Accept: 'application/json' });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ code: 400, information: expect.stringMatching(/Parse error/) });
  });
});

describe('HTTP record endpoints (/key)', () => {
  it('creates, reads, updates, merges and deletes records by table and by id', async () => {
    const { base } = await server();
    const headers = { ...TARGET, Accept: 'application/json', 'Content-Type': 'application/json', Authorization: BASIC };
    const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; result: unknown }> => {
      const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      if (res.status !== 200) return { status: res.status, result: await res.json() };
      const [statement] = (await res.json()) as [{ status: string; result: unknown }];
      expect(statement.status).toBe('OK');
      return { status: 200, result: statement.result };
    };
    expect(await call('POST', '/key/person/1', { name: 'Ann' })).toEqual({ status: 200, result: [{ id: 'person:1', name: 'Ann' }] });
    expect(await call('POST', '/key/person/tobie', { name: 'Tobie' })).toMatchObject({ result: [{ id: 'person:tobie' }] });
    const random = await call('POST', '/key/person', { name: 'Random' });
    expect((random.result as Array<{ id: string }>)[0]!.id).toMatch(/^person:[a-z0-9]{20}$/);
    expect(await call('GET', '/key/person/1')).toEqual({ status: 200, result: [{ id: 'person:1', name: 'Ann' }] });
    expect((await call('GET', '/key/person?limit=2')).result).toHaveLength(2);
    expect(await call('PATCH', '/key/person/1', { age: 30 })).toEqual({ status: 200, result: [{ id: 'person:1', name: 'Ann', age: 30 }] });
    expect(await call('PUT', '/key/person/1', { name: 'Anne' })).toEqual({ status: 200, result: [{ id: 'person:1', name: 'Anne' }] });
    expect((await call('PATCH', '/key/person', { team: 'x' })).result).toHaveLength(3);
    expect(await call('DELETE', '/key/person/1')).toEqual({ status: 200, result: [{ id: 'person:1', name: 'Anne', team: 'x' }] });
    expect(await call('GET', '/key/person/1')).toEqual({ status: 200, result: [] });
    expect((await call('DELETE', '/key/person')).result).toHaveLength(2);
    expect((await call('GET', '/key/person')).result).toEqual([]);
    expect((await call('GET', '/key/person?limit=-1')).status).toBe(400);
    expect((await call('POST', '/key/person', [1, 2])).status).toBe(400);
    expect((await call('GET', '/key/a/b/c')).status).toBe(404);
    expect((await fetch(`${base}/key/person`, { headers: { ...TARGET, Accept: 'application/json' } })).status).toBe(403);
  });
});

describe('HTTP body formats', () => {
  it('picks the format from Content-Type/Accept, with */* and absence meaning the default', () => {
    expect(formatOf(undefined, 'cbor')).toBe('cbor');
    expect(formatOf('application/json; charset=utf-8', 'cbor')).toBe('json');
    expect(formatOf('text/html, application/cbor;q=0.9', 'json')).toBe('cbor');
    expect(formatOf('*/*', 'json')).toBe('json');
    expect(formatOf('text/plain', 'json')).toBeUndefined();
  });

  it('renders SurrealDB values as SurrealDB writes them in JSON', async () => {
    const { srv } = await server();
    cleanups.push(() => srv.close());
    const rendered = toJsonValue(decode(encode({ none: undefined, big: 2n ** 60n, list: [1, 'a'] })));
    expect(rendered).toEqual({ none: null, big: (2n ** 60n).toString(), list: [1, 'a'] });
    const res = await post(
      `http://127.0.0.1:${srv.port}/sql`,
      "RETURN [u'0190d9df-8f40-7000-8000-000000000000', <duration>'1w2d3h4m5s6ms', d'2024-05-06T07:08:09.123456789Z', " +
        "thing:⟨a b⟩, thing:[1, 'x'], (1.5, 2.5), NONE, 1..=3]",
      { ...TARGET, Accept: 'application/json', Authorization: BASIC },
    );
    const [{ result }] = (await res.json()) as [{ result: unknown[] }];
    expect(result).toEqual([
      '0190d9df-8f40-7000-8000-000000000000',
      '1w2d3h4m5s6ms',
      '2024-05-06T07:08:09.123456789Z',
      'thing:⟨a b⟩',
      'thing:[1,"x"]',
      { type: 'Point', coordinates: [1.5, 2.5] },
      null,
      '1..=3',
    ]);
  });
});
