/**
 * Classification against real sockets: a node:http server on port 0 answering each way the
 * orchestrator's API can, driven with undici (the client the harness uses).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { History } from './history.ts';
import { classifyError, classifyStatus, track } from './classify.ts';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    switch (req.url) {
      case '/created':
        reply(201, { beads: [{ id: 'b-7', status: 'queued' }] });
        return;
      case '/conflict':
        reply(409, { error: { code: 'ORCH_API_IDEMPOTENCY_MISMATCH', message: 'different body' } });
        return;
      case '/crash':
        reply(500, { error: { code: 'ORCH_API_INTERNAL', message: 'boom' } });
        return;
      case '/shutting-down':
        reply(503, { error: { code: 'ORCH_API_SHUTTING_DOWN', message: 'bye' } });
        return;
      case '/reset':
        req.socket.destroy();
        return; // the request arrived; the answer never will
      case '/hang':
        return; // never answers: the client's headers timeout fires
      default:
        reply(404, { error: { code: 'ORCH_API_NOT_FOUND' } });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** POSTs like the harness will: parse the JSON body, keep the status. */
async function post(path: string, timeoutMs = 5_000) {
  const res = await request(`${base}${path}`, { method: 'POST', body: '{}', headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  return { status: res.statusCode, body: (await res.body.json()) as { beads?: { id: string }[]; error?: { code: string } } };
}

describe('track() over real HTTP', () => {
  it.each([
    ['/created', 'ok', 201, undefined],
    ['/conflict', 'fail', 409, 'ORCH_API_IDEMPOTENCY_MISMATCH'],
    ['/crash', 'unknown', 500, 'ORCH_API_INTERNAL'],
    ['/shutting-down', 'fail', 503, 'ORCH_API_SHUTTING_DOWN'],
  ])('POST %s → %s', async (path, outcome, status, code) => {
    const history = new History();
    const tracked = await track(history, { kind: 'submit', idempotencyKey: path }, () => post(path), {
      describe: (res) => ({ beadIds: res.body.beads?.map((b) => b.id) }),
    });
    expect(tracked.outcome).toBe(outcome);
    const [op] = history.operations();
    expect(op).toMatchObject({ outcome, status });
    expect(op?.code).toBe(code);
    if (outcome === 'ok') expect(op?.beadIds).toEqual(['b-7']);
  });

  it('a connection reset after the request was sent is unknown', async () => {
    const history = new History();
    const tracked = await track(history, { kind: 'submit' }, () => post('/reset'));
    expect(tracked.outcome).toBe('unknown');
    expect(history.operations()[0]?.code).toMatch(/UND_ERR_SOCKET|ECONNRESET/);
  });

  it('a response that never comes (headers timeout) is unknown', async () => {
    const history = new History();
    const tracked = await track(history, { kind: 'submit' }, () => post('/hang', 200));
    expect(tracked.outcome).toBe('unknown');
    expect(history.operations()[0]?.code).toBe('UND_ERR_HEADERS_TIMEOUT');
  });

  it('a refused connection is fail: nothing was sent (also through fetch, which wraps it in cause)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const history = new History();
    const viaUndici = await track(history, { kind: 'submit' }, () => request(`http://127.0.0.1:${port}/beads`, { method: 'POST' }));
    const viaFetch = await track(history, { kind: 'submit' }, () => fetch(`http://127.0.0.1:${port}/beads`, { method: 'POST' }));
    expect([viaUndici.outcome, viaFetch.outcome]).toEqual(['fail', 'fail']);
    expect(history.operations().map((o) => o.code)).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);
  });
});

describe('classification rules', () => {
  it('maps statuses', () => {
    expect([200, 201, 400, 404, 409, 413, 500, 502, 503].map((s) => classifyStatus(s))).toEqual([
      'ok',
      'ok',
      'fail',
      'fail',
      'fail',
      'fail',
      'unknown',
      'unknown',
      'unknown',
    ]);
  });

  it('honours an explicit notApplied / applied flag anywhere in the cause chain', () => {
    const inner = Object.assign(new Error('queue full'), { notApplied: true });
    expect(classifyError(new Error('wrapped', { cause: inner }))).toBe('fail');
    expect(classifyError(Object.assign(new Error('x'), { code: 'ECONNREFUSED', applied: true }))).toBe('unknown');
    expect(classifyError(new DOMException('aborted', 'AbortError'))).toBe('unknown');
    expect(classifyError('weird')).toBe('unknown');
  });
});
