/**
 * Every way a request can be wrong, over real HTTP: each gets its status and stable code, reaches
 * no service method that writes, and leaves the server answering /health.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { OyaError } from '../errors.ts';
import { MAX_BODY_DEPTH } from './body.ts';
import { startTestApi, type TestApi } from './fixtures/test-api.ts';

/** After a bad request: the server still answers and nothing was written. */
async function expectUnharmed(t: TestApi, writesBefore = 0): Promise<void> {
  expect(await t.healthStatus()).toBe(200);
  expect(t.service.writes).toBe(writesBefore);
  expect(t.service.beads.size).toBe(0);
}

/** Sends raw bytes on a fresh socket and resolves with everything the server sent back. */
function rawExchange(port: number, write: (send: (data: string) => boolean) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString()));
    socket.on('close', () => resolve(received));
    socket.on('error', (err) => (received ? resolve(received) : reject(err)));
    socket.on('connect', () => write((data) => !socket.destroyed && socket.write(data)));
  });
}

describe('malformed and invalid bodies', () => {
  it('answers 400 ORCH_API_MALFORMED_JSON for broken JSON and for an empty body', async () => {
    const t = await startTestApi();
    for (const body of ['{"title": "x",', '']) {
      const res = await t.call('POST', '/beads', { body, headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('ORCH_API_MALFORMED_JSON');
    }
    expect(t.service.calls).not.toContain('submit');
    await expectUnharmed(t);
  });

  it('answers 400 ORCH_API_INVALID_BODY naming every wrong field path, also inside a workflow', async () => {
    const t = await startTestApi();
    const bead = await t.call('POST', '/beads', { json: { title: 7, priority: 9, colour: 'red' } });
    expect(bead.status).toBe(400);
    expect(bead.json.error.code).toBe('ORCH_API_INVALID_BODY');
    expect(bead.json.error.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(['colour', 'priority', 'title']);

    const wf = await t.call('POST', '/beads', { json: { workflow: { beads: [{ title: 'ok' }, { title: 'b', dependsOn: [3] }] } } });
    expect(wf.status).toBe(400);
    expect(wf.json.error.details.issues).toEqual([expect.objectContaining({ path: 'workflow.beads[1].dependsOn[0]' })]);

    for (const json of [[], 'a string', null, { workflow: { beads: [] } }]) {
      const res = await t.call('POST', '/beads', { json });
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('ORCH_API_INVALID_BODY');
    }
    expect(t.service.calls).not.toContain('submit');
    await expectUnharmed(t);
  });

  it('refuses a bad Idempotency-Key header and a bad cancel body with 400', async () => {
    const t = await startTestApi();
    const key = await t.call('POST', '/beads', { json: { title: 'x' }, headers: { 'idempotency-key': 'k'.repeat(201) } });
    expect(key.status).toBe(400);
    const cancel = await t.call('POST', '/beads/x/cancel', { json: { reason: 5 } });
    expect(cancel.status).toBe(400);
    expect(cancel.json.error.details.issues[0]?.path).toBe('reason');
    await expectUnharmed(t);
  });

  it('answers 415 ORCH_API_UNSUPPORTED_MEDIA_TYPE for a non-JSON content type or none', async () => {
    const t = await startTestApi();
    for (const headers of [{ 'content-type': 'text/plain' }, { 'content-type': 'application/x-www-form-urlencoded' }, {} as Record<string, string>]) {
      const res = await t.call('POST', '/beads', { body: '{"title":"x"}', headers });
      expect(res.status).toBe(415);
      expect(res.json.error.code).toBe('ORCH_API_UNSUPPORTED_MEDIA_TYPE');
    }
    // Parameters and +json suffixes are still JSON.
    expect((await t.call('POST', '/beads', { body: '{"title":"x"}', headers: { 'content-type': 'application/json; charset=utf-8' } })).status).toBe(201);
    expect((await t.call('POST', '/beads', { body: '{"title":"y"}', headers: { 'content-type': 'application/merge-patch+json' } })).status).toBe(201);
  });
});

describe('deeply nested bodies (depth limit, MAX_BODY_DEPTH)', () => {
  it('answers 400 ORCH_API_INVALID_BODY for a 50,000-deep input, arrays or objects, and keeps serving', async () => {
    const t = await startTestApi();
    const depth = 50_000;
    const deepArray = `{"title":"deep","input":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const deepObject = `{"title":"deep","input":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
    for (const body of [deepArray, deepObject]) {
      const res = await t.call('POST', '/beads', { body, headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('ORCH_API_INVALID_BODY');
      expect(res.json.error.message).toContain(`deeper than ${MAX_BODY_DEPTH}`);
    }
    expect(t.service.calls).not.toContain('submit');
    await expectUnharmed(t);
    // The same server still takes a normal submit afterwards.
    expect((await t.call('POST', '/beads', { json: { title: 'after' } })).status).toBe(201);
  });

  it('accepts an input exactly at the limit and refuses one level more', async () => {
    const t = await startTestApi();
    // The body object is level 1 and `input` level 2, so the arrays inside it may add limit - 2.
    const nested = (levels: number) => `{"title":"d","input":{"a":${'['.repeat(levels)}${']'.repeat(levels)}}}`;
    const atLimit = await t.call('POST', '/beads', { body: nested(MAX_BODY_DEPTH - 2), headers: { 'content-type': 'application/json' } });
    expect(atLimit.status).toBe(201);
    const over = await t.call('POST', '/beads', { body: nested(MAX_BODY_DEPTH - 1), headers: { 'content-type': 'application/json' } });
    expect(over.status).toBe(400);
    expect(over.json.error.code).toBe('ORCH_API_INVALID_BODY');
  });
});

describe("workflow DAG rules (the scheduler's validateDag)", () => {
  it('answers 400 ORCH_DAG_CYCLE with the full cycle path, also through tracker-style dependencies', async () => {
    const t = await startTestApi();
    const beads = [
      { id: 'a', title: 'A', dependsOn: ['b'] },
      { id: 'b', title: 'B', dependencies: [{ depends_on_id: 'c' }] },
      { id: 'c', title: 'C', dependsOn: ['a'] },
    ];
    const res = await t.call('POST', '/beads', { json: { workflow: { id: 'wf', beads } } });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'ORCH_DAG_CYCLE', details: { cycle: ['a', 'b', 'c', 'a'] } });
    expect(res.json.error.message).toContain('a -> b -> c -> a');
    expect(t.service.calls).not.toContain('submit');
    await expectUnharmed(t);
  });

  it('answers 400 for a duplicate id, a self-dependency and an unknown dependency; accepts a known one', async () => {
    const t = await startTestApi();
    const dup = await t.call('POST', '/beads', {
      json: {
        workflow: {
          beads: [
            { id: 'x', title: '1' },
            { id: 'x', title: '2' },
          ],
        },
      },
    });
    expect(dup.json.error).toMatchObject({ code: 'ORCH_DAG_DUPLICATE_ID', details: { beadId: 'x' } });
    const self = await t.call('POST', '/beads', { json: { id: 's', title: 'S', dependsOn: ['s'] } });
    expect(self.status).toBe(400);
    expect(self.json.error.details.issues).toEqual([expect.objectContaining({ path: 'dependsOn[0]' })]);
    // Only the service knows which beads exist: it applies validateDag with them as known ids.
    const unknown = await t.call('POST', '/beads', { json: { workflow: { beads: [{ id: 'u', title: 'U', dependsOn: ['ghost'] }] } } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toMatchObject({ code: 'ORCH_DAG_UNKNOWN_DEPENDENCY', details: { beadId: 'u', dependsOnId: 'ghost' } });
    await expectUnharmed(t);

    expect((await t.call('POST', '/beads', { json: { id: 'base', title: 'B' } })).status).toBe(201);
    const known = await t.call('POST', '/beads', { json: { workflow: { beads: [{ id: 'next', title: 'N', dependsOn: ['base'] }] } } });
    expect(known.status).toBe(201);
    expect(known.json.beads[0]?.status).toBe('pending');
  });
});

describe('oversize bodies (413 ORCH_API_BODY_TOO_LARGE)', () => {
  it('refuses a declared Content-Length over the limit before reading any of it', async () => {
    const t = await startTestApi({ bodyLimitBytes: 1024 });
    // Claims 10 GB but sends nothing: only an answer that never waits for the body can arrive.
    const reply = await rawExchange(t.api.port, (send) => {
      send('POST /beads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n');
    });
    expect(reply).toMatch(/^HTTP\/1\.1 413 /);
    expect(reply).toContain('"code":"ORCH_API_BODY_TOO_LARGE"');
    expect(reply.toLowerCase()).toContain('connection: close');
    expect(t.service.calls).toEqual([]);
    await expectUnharmed(t);
  });

  it('stops a chunked body at the limit while it streams: an endless body still gets 413', async () => {
    const t = await startTestApi({ bodyLimitBytes: 64 * 1024 });
    const reply = await rawExchange(t.api.port, (send) => {
      send('POST /beads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
      const chunk = 'x'.repeat(8192);
      const pump = setInterval(() => {
        if (!send(`${chunk.length.toString(16)}\r\n${chunk}\r\n`)) clearInterval(pump);
      }, 1);
      setTimeout(() => clearInterval(pump), 10_000).unref();
    });
    expect(reply).toMatch(/^HTTP\/1\.1 413 /);
    expect(t.service.calls).toEqual([]);
    await expectUnharmed(t);
  });

  it('refuses a 2 MiB body under the default 1 MiB limit, sent by a normal client', async () => {
    const t = await startTestApi();
    const body = JSON.stringify({ title: 'big', description: 'd'.repeat(2 * 1024 * 1024) });
    const res = await t.call('POST', '/beads', { body, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(413);
    expect(res.json.error.details.limitBytes).toBe(1_048_576);
    expect(t.service.calls).toEqual([]);
    await expectUnharmed(t);
  });

  it('accepts a body of exactly the limit and refuses one byte more, through a normal client', async () => {
    const t = await startTestApi({ bodyLimitBytes: 200 });
    const body = (size: number) => {
      const base = '{"title":"' + '"}';
      return '{"title":"' + 'a'.repeat(size - base.length) + '"}';
    };
    const ok = await t.call('POST', '/beads', { body: body(200), headers: { 'content-type': 'application/json' } });
    expect(ok.status).toBe(201);
    const over = await t.call('POST', '/beads', { body: body(201), headers: { 'content-type': 'application/json' } });
    expect(over.status).toBe(413);
    expect(over.json.error).toMatchObject({ code: 'ORCH_API_BODY_TOO_LARGE', details: { limitBytes: 200 } });
    expect(t.service.beads.size).toBe(1);
  });
});

describe('routing and query errors', () => {
  it('answers 404 for an unknown route and 405 with Allow for a known path with another method', async () => {
    const t = await startTestApi();
    const unknown = await t.call('GET', '/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('ORCH_API_NOT_FOUND');
    const wrongMethod = await t.call('DELETE', '/beads/abc');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.json.error.code).toBe('ORCH_API_METHOD_NOT_ALLOWED');
    expect(wrongMethod.headers['allow']).toBe('GET');
    expect((await t.call('GET', '/beads')).headers['allow']).toBe('POST');
    await expectUnharmed(t);
  });

  it('keeps the connection usable after an error that left a small body unread', async () => {
    const t = await startTestApi();
    const reply = await rawExchange(t.api.port, (send) => {
      send('POST /health HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{"title":"x"}');
      send('GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    });
    expect(reply.split(/(?=HTTP\/1\.1 )/).map((r) => r.slice(0, 12))).toEqual(['HTTP/1.1 405', 'HTTP/1.1 200']);
  });

  it('answers 400 ORCH_API_INVALID_QUERY for bad, unknown or repeated /events parameters', async () => {
    const t = await startTestApi();
    for (const query of ['limit=0', 'limit=1001', 'limit=abc', 'from=-1', 'from=1.5', 'colour=red', 'limit=1&limit=2', 'stream=']) {
      const res = await t.call('GET', `/events?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.json.error.code).toBe('ORCH_API_INVALID_QUERY');
    }
    expect(t.service.calls).not.toContain('events');
    await expectUnharmed(t);
  });
});

describe('errors thrown by the service', () => {
  it('maps a non-OyaError to 500 ORCH_API_INTERNAL without its message or stack, and logs it', async () => {
    const t = await startTestApi();
    t.service.fault = new Error('secret: db password is hunter2');
    const res = await t.call('GET', '/beads/x');
    expect(res.status).toBe(500);
    expect(res.json).toEqual({ error: { code: 'ORCH_API_INTERNAL', message: 'internal error', details: {} } });
    expect(res.text).not.toContain('hunter2');
    const logged = t.logs.find((l) => l['level'] === 50);
    expect((logged?.['err'] as { message: string }).message).toContain('hunter2');
    await expectUnharmed(t);
  });

  it('maps OyaErrors by the table, by their own httpStatus, then by code naming and retryability', async () => {
    const t = await startTestApi();
    const withStatus = Object.assign(new OyaError('ORCH_TEST_QUOTA', 'quota exceeded'), { httpStatus: 429 });
    const cases: Array<[OyaError, number]> = [
      [new OyaError('ORCH_DAG_CYCLE', 'cycle a -> b -> a', { details: { path: ['a', 'b', 'a'] } }), 400],
      [withStatus, 429],
      [new OyaError('ORCH_TEST_THING_NOT_FOUND', 'gone'), 404],
      [new OyaError('ORCH_TEST_DB_TIMEOUT', 'slow', { retryable: true }), 503],
      [new OyaError('ORCH_TEST_WEIRD', 'odd', { retryable: true }), 503],
      [new OyaError('ORCH_TEST_WEIRD', 'odd'), 500],
    ];
    for (const [fault, status] of cases) {
      t.service.fault = fault;
      const res = await t.call('POST', '/beads', { json: { title: 'x' } });
      expect(res.status).toBe(status);
      expect(res.json.error.code).toBe(fault.code);
      if (status === 503) expect(res.headers['retry-after']).toBe('1');
    }
    expect(t.logs.filter((l) => l['level'] === 40)).toHaveLength(cases.length);
    await expectUnharmed(t);
  });
});
