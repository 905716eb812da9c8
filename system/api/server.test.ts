/**
 * Server lifecycle and plumbing over real sockets: request ids, log lines, refusing work while
 * shutting down, draining in-flight requests on close(), cutting them on destroy(), and options.
 */
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ApiOptionsError, startApiServer } from './server.ts';
import { MapBeadService } from './fixtures/map-bead-service.ts';
import { startTestApi } from './fixtures/test-api.ts';

/** A gate the service waits on: a submit stays in flight until `open()`. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(5);
  }
}

describe('request ids and logs', () => {
  it('echoes a sane X-Request-Id, replaces a bad one, and logs one debug line per request and a warn per error', async () => {
    const t = await startTestApi();
    const given = await t.call('GET', '/health', { headers: { 'x-request-id': 'trace-123' } });
    expect(given.headers['x-request-id']).toBe('trace-123');
    const replaced = await t.call('GET', '/nope', { headers: { 'x-request-id': 'bad id with spaces ' + 'x'.repeat(200) } });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);

    const requestLines = t.logs.filter((l) => l['msg'] === 'request');
    expect(requestLines.map((l) => [l['level'], l['reqId'], l['status']])).toEqual([
      [20, 'trace-123', 200],
      [20, replaced.headers['x-request-id'], 404],
    ]);
    const warns = t.logs.filter((l) => l['level'] === 40);
    expect(warns).toEqual([expect.objectContaining({ reqId: replaced.headers['x-request-id'], code: 'ORCH_API_NOT_FOUND', status: 404 })]);
  });
});

describe('request metrics', () => {
  it('counts requests by route pattern and status in the given registry', async () => {
    const registry = new Registry();
    const t = await startTestApi({ registry });
    await t.call('POST', '/beads', { json: { id: 'm1', title: 'x' } });
    await t.call('GET', '/beads/m1');
    await t.call('GET', '/beads/other');
    await t.call('GET', '/nope');
    const text = await registry.metrics();
    expect(text).toContain('oya_api_requests_total{method="POST",route="/beads",status="201"} 1');
    expect(text).toContain('oya_api_requests_total{method="GET",route="/beads/:id",status="200"} 1');
    expect(text).toContain('oya_api_requests_total{method="GET",route="/beads/:id",status="404"} 1');
    expect(text).toContain('oya_api_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(text).toMatch(/oya_api_request_duration_seconds_count\{method="GET",route="\/beads\/:id"\} 2/);
  });
});

describe('shutting down', () => {
  it('refuses new work with 503 ORCH_API_SHUTTING_DOWN once the service stops accepting, but still serves reads', async () => {
    const t = await startTestApi();
    await t.call('POST', '/beads', { json: { id: 'r1', title: 'x' } });
    t.service.isAccepting = false;
    const writes = t.service.writes;
    for (const [path, json] of [
      ['/beads', { title: 'late' }],
      ['/beads/r1/cancel', undefined],
    ] as const) {
      const res = await t.call('POST', path, { json });
      expect(res.status).toBe(503);
      expect(res.json.error.code).toBe('ORCH_API_SHUTTING_DOWN');
      expect(res.headers['retry-after']).toBe('1');
    }
    expect(t.service.writes).toBe(writes);
    expect((await t.call('GET', '/beads/r1')).json.bead.status).toBe('ready');
    const health = await t.call('GET', '/health');
    expect(health.status).toBe(503);
    expect(health.json.accepting).toBe(false);
  });

  it('close() lets an in-flight request finish, refuses new connections, answers 503 on a busy connection, and is idempotent', async () => {
    const t = await startTestApi();
    const held = gate();
    t.service.gate = held.promise;
    const inFlight = t.call('POST', '/beads', { json: { id: 'slow', title: 'x' } });
    await until(() => t.service.calls.includes('submit'));

    // A second connection with its own request in flight, to send a follow-up on once closing.
    const busy = connect(t.api.port, '127.0.0.1');
    let busyReply = '';
    busy.on('data', (d: Buffer) => (busyReply += d.toString()));
    const busyClosed = new Promise((resolve) => busy.on('close', resolve));
    busy.write('POST /beads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n{"id":"slow2","title":"y"}\n');
    await until(() => t.service.calls.filter((c) => c === 'submit').length === 2);

    let closed = false;
    const closing = t.api.close().then(() => (closed = true));
    expect(t.api.close()).toBe(t.api.close());
    busy.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');

    const refused = new Promise((resolve, reject) => connect(t.api.port, '127.0.0.1').on('connect', resolve).on('error', reject));
    await expect(refused).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await sleep(100);
    expect(closed).toBe(false);

    held.open();
    const res = await inFlight;
    expect(res.status).toBe(201);
    await closing;
    await busyClosed;
    // The busy connection's request completed, told the client to go, and was closed; the request
    // pipelined behind it was refused (503) and, as HTTP/1.1 allows, dropped with the connection.
    const replies = busyReply.split(/(?=HTTP\/1\.1 )/);
    expect(replies[0]).toMatch(/^HTTP\/1\.1 201 /);
    expect(replies[0]!.toLowerCase()).toContain('connection: close');
    expect(replies.slice(1).every((r) => r.startsWith('HTTP/1.1 503'))).toBe(true);
    expect(t.logs).toContainEqual(expect.objectContaining({ level: 40, path: '/health', code: 'ORCH_API_SHUTTING_DOWN' }));
    expect([...t.service.beads.keys()].sort()).toEqual(['slow', 'slow2']);
  });

  it('close() gives up on a request that outlives closeTimeoutMs and destroys its connection', async () => {
    const t = await startTestApi({ closeTimeoutMs: 200 });
    t.service.gate = new Promise(() => {}); // never opens
    const stuck = t.call('POST', '/beads', { json: { title: 'stuck' } }).catch((err: unknown) => err);
    await until(() => t.service.calls.includes('submit'));
    const started = Date.now();
    await t.api.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await stuck).toBeInstanceOf(Error);
  });

  it('destroy() cuts in-flight requests at once and is safe to repeat', async () => {
    const t = await startTestApi();
    t.service.gate = new Promise(() => {});
    const stuck = t.call('POST', '/beads', { json: { title: 'stuck' } }).catch((err: unknown) => err);
    await until(() => t.service.calls.includes('submit'));
    t.api.destroy();
    t.api.destroy();
    expect(await stuck).toBeInstanceOf(Error);
    await t.api.close();
  });
});

describe('options', () => {
  it('listens on loopback by default and rejects bad options with ORCH_API_INVALID_OPTIONS', async () => {
    const service = new MapBeadService();
    const api = await startApiServer({ service, port: 0, logger: pino({ level: 'silent' }) });
    try {
      expect(api.url).toBe(`http://127.0.0.1:${api.port}`);
    } finally {
      await api.close();
    }
    await expect(startApiServer({ service, port: -1 })).rejects.toBeInstanceOf(ApiOptionsError);
    await expect(startApiServer({ service, port: 0, bodyLimitBytes: 0 })).rejects.toMatchObject({ code: 'ORCH_API_INVALID_OPTIONS' });
    await expect(startApiServer({ service, port: 0, admin: { token: 'short' } })).rejects.toMatchObject({ code: 'ORCH_API_INVALID_OPTIONS' });
  });
});
