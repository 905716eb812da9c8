/**
 * The bead routes over real HTTP: submit (bead and workflow), idempotent retries, get, cancel,
 * and the read-only routes the checkers use (events, metrics, health).
 */
import { describe, expect, it } from 'vitest';
import { startTestApi } from './fixtures/test-api.ts';

describe('POST /beads', () => {
  it('creates one bead with defaults filled in: 201, Location, and the bead readable by GET', async () => {
    const { call, service } = await startTestApi();
    const res = await call('POST', '/beads', { json: { title: 'write the parser', input: { steps: 3 } } });
    expect(res.status).toBe(201);
    const [bead] = res.json.beads;
    expect(bead).toMatchObject({ title: 'write the parser', status: 'ready', priority: 2, dependsOn: [] });
    expect(res.headers['location']).toBe(`/beads/${bead?.id}`);
    const got = await call('GET', res.headers['location'] as string);
    expect(got.status).toBe(200);
    expect(got.json.bead).toEqual(bead);
    expect(service.beads.size).toBe(1);
  });

  it('makes a retry with the same Idempotency-Key safe: 200, the same bead, one bead in total', async () => {
    const { call, service } = await startTestApi();
    const headers = { 'idempotency-key': 'req-42' };
    const first = await call('POST', '/beads', { json: { title: 't', input: { steps: 2 } }, headers });
    // Same request, other key order and explicit defaults: the same request.
    const retry = await call('POST', '/beads', { json: { input: { steps: 2 }, priority: 2, maxAttempts: 3, title: 't' }, headers });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json).toEqual(first.json);
    expect(service.beads.size).toBe(1);
  });

  it('answers 409 ORCH_API_IDEMPOTENCY_MISMATCH when a key is reused with a different body, creating nothing', async () => {
    const { call, service, healthStatus } = await startTestApi();
    const headers = { 'idempotency-key': 'req-7' };
    expect((await call('POST', '/beads', { json: { title: 'a' }, headers })).status).toBe(201);
    const writes = service.writes;
    const res = await call('POST', '/beads', { json: { title: 'b' }, headers });
    expect(res.status).toBe(409);
    expect(res.json.error).toMatchObject({ code: 'ORCH_API_IDEMPOTENCY_MISMATCH', details: { key: 'key:req-7' } });
    expect(service.writes).toBe(writes);
    expect(await healthStatus()).toBe(200);
  });

  it('treats a client-given id as the idempotency key: same body → 200, different body → 409', async () => {
    const { call, service } = await startTestApi();
    expect((await call('POST', '/beads', { json: { id: 'bd-a1', title: 'x' } })).status).toBe(201);
    const again = await call('POST', '/beads', { json: { id: 'bd-a1', title: 'x' } });
    expect(again.status).toBe(200);
    expect(again.json.beads[0]?.id).toBe('bd-a1');
    const clash = await call('POST', '/beads', { json: { id: 'bd-a1', title: 'other' } });
    expect(clash.status).toBe(409);
    expect(clash.json.error.code).toBe('ORCH_API_IDEMPOTENCY_MISMATCH');
    expect(service.beads.size).toBe(1);
  });

  it('creates a workflow DAG and replays it on retry', async () => {
    const { call, service } = await startTestApi();
    const workflow = {
      id: 'wf-1',
      beads: [
        { id: 'a', title: 'A' },
        { id: 'b', title: 'B', dependsOn: ['a'], priority: 0 },
      ],
    };
    const res = await call('POST', '/beads', { json: { workflow } });
    expect(res.status).toBe(201);
    expect(res.json.workflowId).toBe('wf-1');
    expect(res.json.beads.map((b: { id: string }) => b.id)).toEqual(['a', 'b']);
    expect(res.json.beads[1]).toMatchObject({ workflowId: 'wf-1', dependsOn: ['a'], priority: 0 });
    expect(res.headers['location']).toBeUndefined();
    const retry = await call('POST', '/beads', { json: { workflow } });
    expect(retry.status).toBe(200);
    expect(retry.json).toEqual(res.json);
    expect(service.beads.size).toBe(2);
  });
});

describe('GET /beads/:id and POST /beads/:id/cancel', () => {
  it('answers 404 ORCH_API_NOT_FOUND for an unknown id on get and cancel', async () => {
    const { call, service, healthStatus } = await startTestApi();
    for (const [method, path] of [
      ['GET', '/beads/nope'],
      ['POST', '/beads/nope/cancel'],
    ] as const) {
      const res = await call(method, path);
      expect(res.status).toBe(404);
      expect(res.json.error).toMatchObject({ code: 'ORCH_API_NOT_FOUND', details: { id: 'nope' } });
    }
    expect(service.writes).toBe(0);
    expect(await healthStatus()).toBe(200);
  });

  it('cancels a waiting bead (bare or with a reason), then refuses a second cancel with 409', async () => {
    const { call, service } = await startTestApi();
    await call('POST', '/beads', { json: { id: 'c1', title: 'x' } });
    await call('POST', '/beads', { json: { id: 'c2', title: 'y' } });
    const bare = await call('POST', '/beads/c1/cancel');
    expect(bare.status).toBe(200);
    expect(bare.json.bead.status).toBe('cancelled');
    const withReason = await call('POST', '/beads/c2/cancel', { json: { reason: 'superseded' } });
    expect(withReason.status).toBe(200);
    expect(service.log.at(-1)).toMatchObject({ stream: 'bead:c2', type: 'BeadCancelled', data: { reason: 'superseded' } });
    const again = await call('POST', '/beads/c1/cancel');
    expect(again.status).toBe(409);
    expect(again.json.error).toMatchObject({ code: 'ORCH_API_BEAD_FINISHED', details: { id: 'c1', status: 'cancelled' } });
  });

  it('refuses to cancel a bead that already succeeded (409) and leaves it succeeded', async () => {
    const { call, service } = await startTestApi();
    await call('POST', '/beads', { json: { id: 'done', title: 'x' } });
    service.finish('done', 'succeeded');
    const res = await call('POST', '/beads/done/cancel');
    expect(res.status).toBe(409);
    expect((await call('GET', '/beads/done')).json.bead.status).toBe('succeeded');
  });
});

describe('read-only routes', () => {
  it('pages the event log with stream, from and limit', async () => {
    const { call } = await startTestApi();
    for (const id of ['e1', 'e2', 'e3']) await call('POST', '/beads', { json: { id, title: id } });
    await call('POST', '/beads/e2/cancel');
    const first = await call('GET', '/events?limit=2');
    expect(first.status).toBe(200);
    expect(first.json.events.map((e: { cursor: number }) => e.cursor)).toEqual([1, 2]);
    expect(first.json.next).toBe(2);
    const rest = await call('GET', `/events?from=${first.json.next}&limit=10`);
    expect(rest.json.events.map((e: { cursor: number }) => e.cursor)).toEqual([3, 4]);
    expect(rest.json.next).toBeUndefined();
    const stream = await call('GET', '/events?stream=bead:e2');
    expect(stream.json.events.map((e: { type: string; seq: number }) => [e.type, e.seq])).toEqual([
      ['BeadSubmitted', 1],
      ['BeadCancelled', 2],
    ]);
  });

  it('serves Prometheus text from the service registry', async () => {
    const { call } = await startTestApi();
    await call('POST', '/beads', { json: { title: 'm' } });
    const res = await call('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.text).toMatch(/^oya_beads_submitted_total 1$/m);
  });

  it('reports health 200 when every component is ok and 503 with the report when one is not', async () => {
    const { call, service } = await startTestApi();
    const ok = await call('GET', '/health');
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ status: 'ok', accepting: true, components: { db: { status: 'ok' }, outbox: { status: 'ok' } } });
    service.components['db'] = { status: 'down', detail: 'connection refused' };
    const down = await call('GET', '/health');
    expect(down.status).toBe(503);
    expect(down.json).toMatchObject({ status: 'unavailable', components: { db: { status: 'down', detail: 'connection refused' }, pool: { status: 'ok' } } });
  });

  it('keeps accepting beads while the DB is down: the outbox decision belongs to the service', async () => {
    const { call, service } = await startTestApi();
    service.components['db'] = { status: 'down' };
    expect((await call('POST', '/beads', { json: { title: 'buffered' } })).status).toBe(201);
  });
});
