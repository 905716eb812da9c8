/**
 * Conformance of the HTTP API with Toxiproxy 2.12, ported from api_test.go and the node client's
 * own specs (Shopify/toxiproxy README "HTTP API"). Runs against the embedded server, or a real one when TOXIPROXY_URL is
 * set. Raw HTTP checks exact bytes; toxiproxy-node-client checks what our harness actually uses.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, createProxy, defer, http, openBackend, portOf, startUpstream, tryConnect, uniqueName, type Backend } from './backend.ts';

let backend: Backend;
beforeAll(async () => {
  backend = await openBackend();
  return () => backend.close();
});
afterEach(cleanup);

const PROXY_JSON = /^\{"name":"[^"]+","listen":"[^"]+","upstream":"[^"]+","enabled":(true|false),"Logger":\{\},"toxics":\[.*\]\}$/;
const json = (name: string, listen: string, upstream: string, extra: Record<string, unknown> = {}) => JSON.stringify({ name, listen, upstream, ...extra });

/** The JSON shapes Toxiproxy answers with, as far as these tests read them. */
interface ProxyJson {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicJson[];
}
interface ToxicJson {
  name: string;
  type: string;
  stream: string;
  toxicity: number;
  attributes: Record<string, number>;
}
interface ErrorJson {
  error: string;
  status: number;
}

async function post(path: string, body: unknown, method = 'POST') {
  return http(backend, method, path, typeof body === 'string' ? body : JSON.stringify(body));
}

async function newProxyRaw(extra: Record<string, unknown> = {}) {
  const name = uniqueName('raw');
  const res = await post('/proxies', { name, listen: '127.0.0.1:0', upstream: '127.0.0.1:1', ...extra });
  defer(() => http(backend, 'DELETE', `/proxies/${name}`));
  return { name, res };
}

describe('shared behaviour of all routes', () => {
  it('answers /version with exact JSON text and a 20-character request id', async () => {
    const res = await http(backend, 'GET', '/version');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/^\{"version": "[^"]+"\}\n$/);
    if (backend.embedded) expect(res.text).toBe('{"version": "2.12.0"}\n');
    expect(res.headers.get('content-type')).toBe('application/json;charset=utf-8');
    expect(res.headers.get('x-toxiproxy-request-id')).toMatch(/^[0-9a-v]{20}$/);
    const other = await http(backend, 'GET', '/version');
    expect(other.headers.get('x-toxiproxy-request-id')).not.toBe(res.headers.get('x-toxiproxy-request-id'));
  });

  it('blocks browser user agents with 403 and lets others through', async () => {
    const blocked = await http(backend, 'GET', '/proxies', undefined, { 'User-Agent': 'Mozilla/5.0 (X11)' });
    expect(blocked.status).toBe(403);
    expect(blocked.text).toBe('User agent not allowed\n');
    expect(blocked.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const wget = await http(backend, 'GET', '/proxies', undefined, { 'User-Agent': 'Wget/2.1' });
    expect(wget.status).toBe(200);
  });

  it('answers unknown paths 404 and wrong methods 405, without a request id', async () => {
    const missing = await http(backend, 'GET', '/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.text).toBe('404 page not found\n');
    expect(missing.headers.get('x-toxiproxy-request-id')).toBeNull();
    expect((await http(backend, 'GET', '/proxies/')).status).toBe(404);
    const wrong = await http(backend, 'DELETE', '/version');
    expect(wrong.status).toBe(405);
    expect(wrong.text).toBe('');
    expect(wrong.headers.get('x-toxiproxy-request-id')).toBeNull();
  });

  it('lists no proxies as {} on a fresh server', async () => {
    if (!backend.embedded) return; // a shared real server may hold other proxies
    const res = await http(backend, 'GET', '/proxies');
    expect(res.text).toBe('{}');
  });
});

describe('proxies', () => {
  it('rejects a blank name or upstream with Go-shaped error bodies', async () => {
    const noName = await post('/proxies', { name: '', upstream: 'x:1' });
    expect(noName.status).toBe(400);
    expect(noName.text).toBe('{"error":"missing required field: name","status":400}\n');
    expect(noName.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(noName.headers.get('x-content-type-options')).toBe('nosniff');
    const noUpstream = await post('/proxies', { name: uniqueName('x') });
    expect(noUpstream.text).toBe('{"error":"missing required field: upstream","status":400}\n');
    const empty = await http(backend, 'POST', '/proxies', '');
    expect(empty.status).toBe(400);
    expect(empty.text).toBe('{"error":"bad request body: EOF","status":400}\n');
  });

  it('creates with 201, normalises listen to the bound address and keeps key order', async () => {
    const name = uniqueName('create');
    const res = await post('/proxies', { NAME: name, listen: 'localhost:0', upstream: 'example.invalid:9', extra: true });
    defer(() => http(backend, 'DELETE', `/proxies/${name}`));
    expect(res.status).toBe(201);
    expect(res.text).toMatch(PROXY_JSON);
    const body = JSON.parse(res.text) as ProxyJson;
    expect(body).toMatchObject({ name, upstream: 'example.invalid:9', enabled: true, toxics: [] });
    expect(body.listen).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(portOf(body.listen)).toBeGreaterThan(0);
    expect(await tryConnect(portOf(body.listen))).toBe('connected');
    const got = await http(backend, 'GET', `/proxies/${name}`);
    expect(got.status).toBe(200);
    expect(got.text).toBe(res.text);
    const list = JSON.parse((await http(backend, 'GET', '/proxies')).text) as Record<string, ProxyJson>;
    expect(list[name]).toEqual(body);
  });

  it('keeps a disabled proxy listen verbatim and closed, then enables and disables it', async () => {
    const free = await startUpstream('sink');
    const port = free.port;
    await free.close(); // a port that was free a moment ago
    const name = uniqueName('disabled');
    const created = await post('/proxies', { name, listen: `localhost:${port}`, upstream: '127.0.0.1:1', enabled: false });
    defer(() => http(backend, 'DELETE', `/proxies/${name}`));
    expect(JSON.parse(created.text)).toMatchObject({ listen: `localhost:${port}`, enabled: false });
    expect(await tryConnect(port)).toBe('ECONNREFUSED');
    const enabled = JSON.parse((await post(`/proxies/${name}`, { enabled: true }, 'PATCH')).text);
    expect(enabled).toMatchObject({ listen: `127.0.0.1:${port}`, enabled: true });
    expect(await tryConnect(port)).toBe('connected');
    const disabled = JSON.parse((await post(`/proxies/${name}`, { enabled: false })).text);
    expect(disabled).toMatchObject({ listen: `127.0.0.1:${port}`, enabled: false });
    expect(await tryConnect(port)).toBe('ECONNREFUSED');
  });

  it('deletes with 204 and answers a second delete with 404', async () => {
    const { name, res } = await newProxyRaw();
    const port = portOf((JSON.parse(res.text) as ProxyJson).listen);
    const del = await http(backend, 'DELETE', `/proxies/${name}`);
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expect(await tryConnect(port)).toBe('ECONNREFUSED');
    const again = await http(backend, 'DELETE', `/proxies/${name}`);
    expect(again.status).toBe(404);
    expect(again.text).toBe('{"error":"proxy not found","status":404}\n');
  });

  it('answers 500 with Go bind text on a port conflict, and does not add the proxy', async () => {
    const { res } = await newProxyRaw();
    const { listen } = JSON.parse(res.text) as ProxyJson;
    const name = uniqueName('conflict');
    const clash = await post('/proxies', { name, listen, upstream: '127.0.0.1:1' });
    defer(() => http(backend, 'DELETE', `/proxies/${name}`));
    expect(clash.status).toBe(500);
    expect(JSON.parse(clash.text)).toEqual({ error: `listen tcp ${listen}: bind: address already in use`, status: 500 });
    expect((await http(backend, 'GET', `/proxies/${name}`)).status).toBe(404);
  });

  it('answers 409 to a duplicate name (node client message)', async () => {
    const proxy = await createProxy(backend, 1, 'dup');
    await expect(backend.client.createProxy({ name: proxy.name, listen: '127.0.0.1:0', upstream: '127.0.0.1:1' })).rejects.toThrow(
      'Request failed with status code 409',
    );
    const raw = await post('/proxies', { name: proxy.name, listen: '127.0.0.1:0', upstream: 'a:1' });
    expect(raw.text).toBe('{"error":"proxy already exists","status":409}\n');
  });

  it('updates through the node client: disable, then a new upstream and enabled again', async () => {
    const proxy = await createProxy(backend, 1, 'update');
    const off = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    expect(off.enabled).toBe(false);
    const on = await off.update({ enabled: true, listen: proxy.listen, upstream: 'somehost:12345' });
    expect(on.toJson()).toEqual({ name: proxy.name, listen: proxy.listen, upstream: 'somehost:12345', enabled: true });
    expect((await backend.client.get(proxy.name)).upstream).toBe('somehost:12345');
  });

  it('rejects a type mismatch in the body with 400', async () => {
    const name = uniqueName('badtype');
    const res = await post('/proxies', `{"name":"${name}","upstream":"a:1","enabled":"yes"}`);
    expect(res.status).toBe(400);
    expect((JSON.parse(res.text) as ErrorJson).error).toMatch(/^bad request body: json: cannot unmarshal string into Go struct field .*enabled of type bool$/);
  });
});

describe('toxics', () => {
  it('adds a named toxic with 200 and reads it back in Go key order', async () => {
    const proxy = await createProxy(backend, 1, 'tox');
    const foobar = { name: 'foobar', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 100, jitter: 10 } };
    const res = await post(`/proxies/${proxy.name}/toxics`, foobar);
    expect(res.status).toBe(200);
    expect(res.text).toBe('{"attributes":{"latency":100,"jitter":10},"name":"foobar","type":"latency","stream":"downstream","toxicity":1}');
    expect((await http(backend, 'GET', `/proxies/${proxy.name}/toxics/foobar`)).text).toBe(res.text);
    expect((await http(backend, 'GET', `/proxies/${proxy.name}/toxics`)).text).toBe(`[${res.text}]`);
    expect((JSON.parse((await http(backend, 'GET', `/proxies/${proxy.name}`)).text) as ProxyJson).toxics).toEqual([JSON.parse(res.text) as ToxicJson]);
  });

  it('applies defaults: stream downstream, toxicity 1, zeroed attributes, name <type>_<stream>', async () => {
    const proxy = await createProxy(backend, 1, 'defaults');
    const noop = JSON.parse((await post(`/proxies/${proxy.name}/toxics`, { type: 'noop' })).text);
    expect(noop).toEqual({ attributes: {}, name: 'noop_downstream', type: 'noop', stream: 'downstream', toxicity: 1 });
    const up = JSON.parse((await post(`/proxies/${proxy.name}/toxics`, { type: 'latency', stream: 'upstream' })).text);
    expect(up).toEqual({ attributes: { latency: 0, jitter: 0 }, name: 'latency_upstream', type: 'latency', stream: 'upstream', toxicity: 1 });
    const down = JSON.parse((await post(`/proxies/${proxy.name}/toxics`, { type: 'latency' })).text) as ToxicJson;
    expect(down.name).toBe('latency_downstream');
    const shouty = JSON.parse((await post(`/proxies/${proxy.name}/toxics`, { name: 's', type: 'slicer', stream: 'UPSTREAM', toxicity: 0.2 })).text);
    expect(shouty).toEqual({ attributes: { average_size: 0, size_variation: 0, delay: 0 }, name: 's', type: 'slicer', stream: 'UPSTREAM', toxicity: 0.2 });
    const list = (JSON.parse((await http(backend, 'GET', `/proxies/${proxy.name}/toxics`)).text) as ToxicJson[]).map((t) => t.name);
    expect(list).toEqual(['latency_upstream', 's', 'noop_downstream', 'latency_downstream']);
  });

  it('rejects name clashes across streams, bad streams, bad types and bad bodies', async () => {
    const proxy = await createProxy(backend, 1, 'reject');
    const path = `/proxies/${proxy.name}/toxics`;
    await post(path, { name: 'same', type: 'latency', stream: 'upstream' });
    const clash = await post(path, { name: 'same', type: 'bandwidth', stream: 'downstream' });
    expect(clash.status).toBe(409);
    expect(clash.text).toBe('{"error":"toxic already exists","status":409}\n');
    const stream = await post(path, { type: 'latency', stream: 'walrustream' });
    expect(stream.text).toBe('{"error":"stream was invalid, can be either upstream or downstream","status":400}\n');
    expect((await post(path, { type: 'latency', stream: '' })).status).toBe(400);
    const down = await post(path, { type: 'down' });
    expect(down.text).toBe('{"error":"invalid toxic type","status":400}\n');
    expect((await post(path, {})).text).toBe('{"error":"invalid toxic type","status":400}\n');
    const float = await post(path, { name: 'f', type: 'latency', attributes: { latency: 1.5 } });
    expect(float.status).toBe(400);
    expect((JSON.parse(float.text) as ErrorJson).error).toMatch(
      /^bad request body: json: cannot unmarshal number 1\.5 into Go struct field .*latency of type int64$/,
    );
    expect((await post(path, { name: 's', type: 'latency', attributes: { latency: '100' } })).status).toBe(400);
    expect((await http(backend, 'POST', path, '')).text).toBe('{"error":"bad request body: EOF","status":400}\n');
    const missing = await http(backend, 'GET', `${path}/nope`);
    expect(missing.text).toBe('{"error":"toxic not found","status":404}\n');
    expect((await http(backend, 'GET', `/proxies/${uniqueName('none')}/toxics`)).status).toBe(404);
    await expect(proxy.addToxic({ name: 'same', type: 'latency', stream: 'upstream', toxicity: 1, attributes: {} })).rejects.toThrow(
      'Request failed with status code 409',
    );
    await expect(proxy.getToxic('nope')).rejects.toThrow('Request failed with status code 404');
  });

  it('updates as a partial merge (PATCH and POST) and removes with 204', async () => {
    const proxy = await createProxy(backend, 1, 'merge');
    const path = `/proxies/${proxy.name}/toxics`;
    await post(path, { name: 'lat', type: 'latency', attributes: { latency: 100, jitter: 10 } });
    const patched = JSON.parse((await post(`${path}/lat`, { toxicity: 0.5, attributes: { latency: 1000 } }, 'PATCH')).text);
    expect(patched).toEqual({ attributes: { latency: 1000, jitter: 10 }, name: 'lat', type: 'latency', stream: 'downstream', toxicity: 0.5 });
    const again = JSON.parse((await post(`${path}/lat`, { name: 'ignored', type: 'bandwidth', attributes: { jitter: 3 } })).text);
    expect(again).toEqual({ attributes: { latency: 1000, jitter: 3 }, name: 'lat', type: 'latency', stream: 'downstream', toxicity: 0.5 });
    const del = await http(backend, 'DELETE', `${path}/lat`);
    expect(del.status).toBe(204);
    expect((await http(backend, 'GET', path)).text).toBe('[]');
    expect((await http(backend, 'DELETE', `${path}/lat`)).status).toBe(404);
  });

  it('echoes the attributes of every toxic type through the node client', async () => {
    const proxy = await createProxy(backend, 1, 'types');
    const cases: Array<[string, Record<string, number>]> = [
      ['latency', { latency: 12345, jitter: 42 }],
      ['bandwidth', { rate: 1000 }],
      ['slow_close', { delay: 100 }],
      ['timeout', { timeout: 300 }],
      ['reset_peer', { timeout: 10 }],
      ['slicer', { average_size: 64, size_variation: 8, delay: 50 }],
      ['limit_data', { bytes: 1024 }],
    ];
    for (const [type, attributes] of cases) {
      const toxic = await proxy.addToxic({ name: `t_${type}`, type: type as 'latency', stream: 'upstream', toxicity: 1, attributes });
      expect(toxic.attributes).toEqual(attributes);
      expect((await proxy.getToxic(`t_${type}`)).toJson()).toEqual({ name: `t_${type}`, type, stream: 'upstream', toxicity: 1, attributes });
    }
    const updated = await (
      await proxy.getToxic('t_latency')
    ).update({ name: 't_latency', type: 'latency', stream: 'upstream', toxicity: 1, attributes: { latency: 1, jitter: 2 } });
    expect(updated.attributes).toEqual({ latency: 1, jitter: 2 });
    await updated.remove();
    await expect(proxy.getToxic('t_latency')).rejects.toThrow('404');
  });
});

describe('/reset and /populate', () => {
  it('reset removes toxics and re-enables proxies, answering 204', async () => {
    const a = await createProxy(backend, 1, 'resetA');
    const b = await createProxy(backend, 1, 'resetB');
    await post(`/proxies/${a.name}/toxics`, { type: 'latency', attributes: { latency: 100, jitter: 10 } });
    await b.update({ enabled: false, listen: b.listen, upstream: b.upstream });
    const res = await http(backend, 'POST', '/reset');
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(JSON.parse((await http(backend, 'GET', `/proxies/${a.name}`)).text)).toMatchObject({ enabled: true, toxics: [] });
    expect((await backend.client.get(b.name)).enabled).toBe(true);
    expect(await tryConnect(portOf(b.listen))).toBe('connected');
    await backend.client.reset();
  });

  it('populates in input order with 201; enabled defaults to true; disabled entries stay closed', async () => {
    const [n1, n2] = [uniqueName('pop'), uniqueName('pop')];
    defer(() => http(backend, 'DELETE', `/proxies/${n1}`));
    defer(() => http(backend, 'DELETE', `/proxies/${n2}`));
    const res = await post('/populate', `[${json(n2, '127.0.0.1:0', 'a:1')},${json(n1, 'localhost:0', 'b:2', { enabled: false })}]`);
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/json');
    const { proxies } = JSON.parse(res.text) as { proxies: ProxyJson[] };
    expect(proxies.map((p: { name: string }) => p.name)).toEqual([n2, n1]);
    expect(proxies[0]).toMatchObject({ enabled: true, toxics: [] });
    expect(proxies[1]).toMatchObject({ enabled: false, listen: 'localhost:0' });
    expect(await tryConnect(portOf(proxies[0]!.listen))).toBe('connected');
  });

  it('keeps an identical existing proxy (and its toxics) and replaces a changed one', async () => {
    const [keep, change] = [uniqueName('keep'), uniqueName('change')];
    defer(() => http(backend, 'DELETE', `/proxies/${keep}`));
    defer(() => http(backend, 'DELETE', `/proxies/${change}`));
    const populate = [
      { name: keep, listen: '127.0.0.1:0', upstream: 'a:1' },
      { name: change, listen: '127.0.0.1:0', upstream: 'a:1' },
    ];
    const first = (JSON.parse((await post('/populate', populate)).text) as { proxies: ProxyJson[] }).proxies;
    await post(`/proxies/${keep}/toxics`, { type: 'noop' });
    const keepListen = first[0]!.listen;
    const second = (
      JSON.parse(
        (
          await post('/populate', [
            { name: keep, listen: `localhost:${portOf(keepListen)}`, upstream: 'a:1' },
            { name: change, listen: first[1]!.listen, upstream: 'b:2' },
          ])
        ).text,
      ) as { proxies: ProxyJson[] }
    ).proxies;
    expect(second[0]).toMatchObject({ listen: keepListen, toxics: [{ name: 'noop_downstream' }] });
    expect(second[1]).toMatchObject({ listen: first[1]!.listen, upstream: 'b:2', toxics: [] });
  });

  it('validates every entry first: a blank name at entry 2 creates nothing', async () => {
    const n1 = uniqueName('valid');
    defer(() => http(backend, 'DELETE', `/proxies/${n1}`));
    const res = await post('/populate', [
      { name: n1, listen: '127.0.0.1:0', upstream: 'a:1' },
      { name: '', upstream: 'a:1' },
    ]);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.text).toBe('{"error":"missing required field: name at proxy 2","status":400,"proxies":null}');
    expect((await http(backend, 'GET', `/proxies/${n1}`)).status).toBe(404);
  });

  it('is not atomic: a bad listen on entry 2 keeps entry 1 and skips entry 3', async () => {
    const [n1, n2, n3] = [uniqueName('na'), uniqueName('na'), uniqueName('na')];
    for (const n of [n1, n2, n3]) defer(() => http(backend, 'DELETE', `/proxies/${n}`));
    const res = await post('/populate', [
      { name: n1, listen: '127.0.0.1:0', upstream: 'a:1' },
      { name: n2, listen: 'local373', upstream: 'a:1' },
      { name: n3, listen: '127.0.0.1:0', upstream: 'a:1' },
    ]);
    expect(res.status).toBeGreaterThanOrEqual(400);
    const body = JSON.parse(res.text) as ErrorJson & { proxies: ProxyJson[] };
    expect(body.error).toContain('missing port in address');
    expect(body.proxies.map((p) => p.name)).toEqual([n1]);
    expect((await http(backend, 'GET', `/proxies/${n1}`)).status).toBe(200);
    expect((await http(backend, 'GET', `/proxies/${n2}`)).status).toBe(404);
    expect((await http(backend, 'GET', `/proxies/${n3}`)).status).toBe(404);
  });

  it('answers an empty array with {"proxies":null} and works through the node client', async () => {
    const empty = await post('/populate', []);
    expect(empty.status).toBe(201);
    expect(empty.text).toBe('{"proxies":null}');
    const [n1, n2] = [uniqueName('cli'), uniqueName('cli')];
    defer(() => http(backend, 'DELETE', `/proxies/${n1}`));
    defer(() => http(backend, 'DELETE', `/proxies/${n2}`));
    const made = await backend.client.populate([
      { name: n1, listen: '127.0.0.1:0', upstream: 'a:1' },
      { name: n2, listen: '127.0.0.1:0', upstream: 'a:2' },
    ]);
    expect(Object.keys(made).sort()).toEqual([n1, n2].sort());
    const toxic = await made[n1]!.addToxic({
      name: 'after-populate',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 5, jitter: 0 },
    });
    expect(toxic.name).toBe('after-populate');
  });
});
