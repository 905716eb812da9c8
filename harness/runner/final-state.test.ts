import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Surreal } from 'surrealdb';
import { sdkWebSocket } from '../env/surreal/websocket.ts';
import { startSurrealServer } from '../env/surreal/server.ts';
import { ApiClient } from './api-client.ts';
import { LOG_PAGE, OYA_DATABASE, OYA_NAMESPACE, readEventLog, readFinalState } from './final-state.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

const CREDENTIALS = { username: 'root', password: 'root' };

/** A served SurrealDB holding `beads` beads of `perBead` events each (BeadSubmitted first), positions 1…n. */
async function logOf(beads: number, perBead: number): Promise<string> {
  const srv = await startSurrealServer({ user: CREDENTIALS.username, pass: CREDENTIALS.password });
  cleanups.push(() => srv.destroy());
  const db = new Surreal({ websocketImpl: sdkWebSocket });
  cleanups.push(() => db.close());
  await db.connect(srv.url, { reconnect: false, namespace: OYA_NAMESPACE, database: OYA_DATABASE, authentication: CREDENTIALS });
  const rows: Record<string, unknown>[] = [];
  for (let seq = 1; seq <= perBead; seq++) {
    for (let b = 1; b <= beads; b++) {
      const type = seq === 1 ? 'BeadSubmitted' : seq === perBead ? 'BeadSucceeded' : 'StepCheckpointed';
      const data = seq === 1 ? { bead: { id: `b${b}` }, idempotencyKey: `submit:b${b}` } : seq === perBead ? {} : { step: seq - 1, state: null };
      rows.push({ stream: `bead:b${b}`, seq, type, data, idempotencyKey: `b${b}:${seq}`, at: new Date(0).toISOString() });
    }
  }
  rows.forEach((row, i) => (row.position = i + 1));
  for (let i = 0; i < rows.length; i += 2_000) await db.query('INSERT INTO event $rows RETURN NONE', { rows: rows.slice(i, i + 2_000) }).collect();
  return srv.url;
}

/** An HTTP server answering GET /beads/:id with `answer(id, nth call for that id)`. */
async function apiOf(answer: (id: string, call: number) => { status: number; body: unknown } | Promise<{ status: number; body: unknown }>): Promise<ApiClient> {
  const calls = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const id = decodeURIComponent(req.url!.replace(/^\/beads\//, ''));
    const call = (calls.get(id) ?? 0) + 1;
    calls.set(id, call);
    void Promise.resolve(answer(id, call)).then(({ status, body }) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  const { port } = server.address() as { port: number };
  const api = new ApiClient({ baseUrl: () => `http://127.0.0.1:${port}` });
  cleanups.push(() => api.close());
  return api;
}

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'oya-final-state-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const DOWN = { status: 503, body: { error: { code: 'ORCH_DB_UNAVAILABLE', message: 'database is down (operation "read")', details: {} } } };

describe('readEventLog', () => {
  it('reads a log longer than a page, every event once, in position order', async () => {
    const url = await logOf(LOG_PAGE + 3, 2);
    const events = await readEventLog({ url, ...CREDENTIALS });
    expect(events).toHaveLength(2 * (LOG_PAGE + 3));
    expect(events.map((e) => e.position)).toEqual(Array.from({ length: events.length }, (_, i) => i + 1));
  });
});

describe('readFinalState', () => {
  it('reads every bead through the API, retrying a 503 while the orchestrator reconnects, in the ids order', async () => {
    const url = await logOf(30, 3);
    const api = await apiOf((id, call) => (id === 'b7' && call <= 2 ? DOWN : { status: 200, body: { bead: { id, status: 'succeeded', attempts: 1 } } }));
    const ids = Array.from({ length: 30 }, (_, i) => `b${i + 1}`);
    const final = await readFinalState({ api, beadIds: ids, db: { url, ...CREDENTIALS }, dataDir: await dataDir() });
    expect(Object.keys(final.apiBeads)).toEqual(ids);
    expect(final.apiBeads.b7).toMatchObject({ status: 'succeeded' });
    expect(final.logBeads.b7).toMatchObject({ status: 'succeeded', idempotencyKey: 'submit:b7' });
    expect(final.events).toHaveLength(90);
  });

  it('reads again the stream of a bead that ended between the log read and its GET; one the log never ends stays open', async () => {
    const url = await logOf(3, 3);
    const db = new Surreal({ websocketImpl: sdkWebSocket });
    cleanups.push(() => db.close());
    await db.connect(url, { reconnect: false, namespace: OYA_NAMESPACE, database: OYA_DATABASE, authentication: CREDENTIALS });
    // b2 and b3 are still running when the log is read (their BeadSucceeded, positions 8 and 9, not yet there).
    const ends = (
      await db.query<[Record<string, unknown>[]]>("SELECT * OMIT id FROM event WHERE type = 'BeadSucceeded' AND stream IN ['bead:b2', 'bead:b3']").collect()
    )[0];
    await db.query("DELETE event WHERE type = 'BeadSucceeded' AND stream IN ['bead:b2', 'bead:b3']").collect();
    const api = await apiOf(async (id) => {
      // b2 ends while the harness asks for it (the write lands before the answer, as the orchestrator's settle does); b3's end never reaches the log.
      if (id === 'b2') await db.query('INSERT INTO event $rows RETURN NONE', { rows: ends.filter((e) => e.stream === 'bead:b2') }).collect();
      return { status: 200, body: { bead: { id, status: 'succeeded', attempts: 1 } } };
    });
    const final = await readFinalState({ api, beadIds: ['b1', 'b2', 'b3'], db: { url, ...CREDENTIALS }, dataDir: await dataDir() });
    expect(final.logBeads.b2).toMatchObject({ status: 'succeeded' });
    expect(final.events.filter((e) => e.stream === 'bead:b2').map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(final.events.map((e) => e.position)).toEqual([...final.events.map((e) => e.position)].sort((a, b) => a - b));
    expect(final.logBeads.b3?.status).not.toBe('succeeded');
    expect(final.events).toHaveLength(8);
  });

  it('fails with the status and code when the 503 outlasts the retry window', async () => {
    const url = await logOf(3, 2);
    const api = await apiOf((id) => (id === 'b2' ? DOWN : { status: 200, body: { bead: { id, status: 'succeeded', attempts: 1 } } }));
    const read = readFinalState({ api, beadIds: ['b1', 'b2', 'b3'], db: { url, ...CREDENTIALS }, dataDir: await dataDir(), apiRetryMs: 500 });
    await expect(read).rejects.toMatchObject({
      code: 'HARN_RUNNER_FINAL_STATE',
      message: expect.stringContaining('GET /beads/b2 answered 503 ORCH_DB_UNAVAILABLE'),
    });
  });
});
