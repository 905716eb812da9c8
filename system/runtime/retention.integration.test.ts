/**
 * Bounded memory, end to end: with a retention of 2 finished beads, finished beads leave the
 * runtime's table (the oya_beads_in_memory gauge says so), and everything a client can do with
 * them still works from the log — GET, resubmit (replay or 409), cancel (409), depend on them,
 * page their events by cursor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from './log.ts';
import { startOrchestrator, type OrchestratorHandle } from './orchestrator.ts';
import { Cleanups, allEvents, http, tempDir, waitFor, waitForBeads, type EventReply } from './test-helpers.ts';

const cleanups = new Cleanups();
let orch: OrchestratorHandle;
let base: string;

beforeAll(async () => {
  const dataDir = await tempDir(cleanups);
  orch = await startOrchestrator(
    { port: 0, dataDir, workers: 2, reconcileTickMs: 200, retainFinishedBeads: 2, retainFinishedMs: 3_600_000 },
    { logger: silentLogger },
  );
  cleanups.add(() => orch.destroy());
  base = orch.url;
});
afterAll(() => cleanups.run());

const bead = (id: string, agent: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  id,
  title: `bead ${id}`,
  input: { agent: { steps: 2, ...agent } },
  ...extra,
});

async function gauge(name: string): Promise<number> {
  const { text } = await http(base, 'GET', '/metrics');
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1]);
}

describe('finished beads leave memory and are read back from the log', () => {
  const ids = ['r-1', 'r-2', 'r-3', 'r-4', 'r-5', 'r-6'];

  beforeAll(async () => {
    for (const id of ids) expect((await http(base, 'POST', '/beads', bead(id, { output: { id } }), { 'idempotency-key': `k-${id}` })).status).toBe(201);
    await waitForBeads(base, ids);
    // The count bound holds once every outcome is durable (eviction follows the outcome's commit).
    await waitFor('finished beads evicted down to the bound', async () => (await gauge('oya_beads_in_memory')) <= 2);
  });

  it('answers GET /beads/:id of an evicted bead from the log, result included', async () => {
    const reply = await http(base, 'GET', '/beads/r-1');
    expect(reply.status).toBe(200);
    expect(reply.body.bead).toMatchObject({
      id: 'r-1',
      status: 'succeeded',
      attempts: 1,
      result: expect.objectContaining({ output: { id: 'r-1' } }),
      idempotencyKey: 'key:k-r-1',
      lastCheckpointStep: 2,
    });
    expect((await http(base, 'GET', '/beads/never-submitted')).status).toBe(404);
    expect(await gauge('oya_submit_keys_in_memory')).toBeLessThanOrEqual(2);
  });

  it('replays a resubmit of an evicted bead (same key, same body) and refuses a different body with 409', async () => {
    const again = await http(base, 'POST', '/beads', bead('r-2', { output: { id: 'r-2' } }), { 'idempotency-key': 'k-r-2' });
    expect(again.status).toBe(200);
    expect(again.body.beads[0]).toMatchObject({ id: 'r-2', status: 'succeeded' });
    const other = await http(base, 'POST', '/beads', bead('r-2', { output: 'different' }), { 'idempotency-key': 'k-r-2' });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('ORCH_API_IDEMPOTENCY_MISMATCH');
    const reusedId = await http(base, 'POST', '/beads', bead('r-3', { output: 'other' }));
    expect(reusedId.status).toBe(409);
    const events = await allEvents(base, 'bead:r-2');
    expect(events.filter((e) => e.type === 'BeadSubmitted')).toHaveLength(1);
  });

  it('answers a cancel of an evicted bead with 409 ORCH_API_BEAD_FINISHED', async () => {
    const reply = await http(base, 'POST', '/beads/r-1/cancel', {});
    expect(reply.status).toBe(409);
    expect(reply.body.error.code).toBe('ORCH_API_BEAD_FINISHED');
  });

  it('runs a bead that depends on an evicted succeeded bead, and blocks one behind an evicted failed bead', async () => {
    expect((await http(base, 'POST', '/beads', bead('r-fail', { failAt: 1, failRetryable: false }))).status).toBe(201);
    await waitForBeads(base, ['r-fail']);
    // Push r-fail out of memory with two more finished beads.
    for (const id of ['r-7', 'r-8']) expect((await http(base, 'POST', '/beads', bead(id))).status).toBe(201);
    await waitForBeads(base, ['r-7', 'r-8']);
    await waitFor('r-fail evicted', async () => (await gauge('oya_beads_in_memory')) <= 2);

    expect((await http(base, 'POST', '/beads', bead('after-ok', {}, { dependsOn: ['r-4'] }))).status).toBe(201);
    expect((await http(base, 'POST', '/beads', bead('after-fail', {}, { dependsOn: ['r-fail'] }))).status).toBe(201);
    const views = await waitForBeads(base, ['after-ok', 'after-fail']);
    expect(views['after-ok']).toMatchObject({ status: 'succeeded' });
    expect(views['after-fail']).toMatchObject({ status: 'failed', blockedBy: 'r-fail', attempts: 0 });
    expect((await http(base, 'POST', '/beads', bead('after-ghost', {}, { dependsOn: ['no-such-bead'] }))).status).toBe(400);
  });

  it('keeps a workflow whole until its outcome, then evicts it and still answers for it', async () => {
    const wf = { workflow: { id: 'r-wf', beads: [bead('r-wf-a'), bead('r-wf-b', {}, { dependsOn: ['r-wf-a'] })] } };
    expect((await http(base, 'POST', '/beads', wf, { 'idempotency-key': 'k-wf' })).status).toBe(201);
    await waitForBeads(base, ['r-wf-a', 'r-wf-b']);
    await waitFor('workflow outcome', async () => (await allEvents(base, 'workflow:r-wf')).some((e) => e.type === 'WorkflowSucceeded'));
    for (const id of ['r-9', 'r-10', 'r-11']) expect((await http(base, 'POST', '/beads', bead(id))).status).toBe(201);
    await waitForBeads(base, ['r-9', 'r-10', 'r-11']);
    await waitFor('workflow evicted', async () => (await gauge('oya_beads_in_memory')) <= 2);
    const replay = await http(base, 'POST', '/beads', wf, { 'idempotency-key': 'k-wf' });
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({
      workflowId: 'r-wf',
      beads: [
        { id: 'r-wf-a', status: 'succeeded' },
        { id: 'r-wf-b', status: 'succeeded' },
      ],
    });
  });
});

describe('GET /events?stream= pages by cursor', () => {
  it('walks a stream page by page to the same events as one read, and honours a cursor from another stream', async () => {
    // A second bead submitted while the first runs puts foreign positions between its events.
    expect((await http(base, 'POST', '/beads', bead('paged', { steps: 5, stepTime: '30ms' }))).status).toBe(201);
    expect((await http(base, 'POST', '/beads', bead('interleaved', { steps: 5, stepTime: '10ms' }))).status).toBe(201);
    await waitForBeads(base, ['paged', 'interleaved']);
    const whole = (await http(base, 'GET', '/events?stream=bead:paged&limit=1000')).body.events;
    expect(whole.length).toBeGreaterThanOrEqual(8);
    const paged: EventReply[] = [];
    let from = 0;
    for (;;) {
      const reply = await http(base, 'GET', `/events?stream=bead:paged&limit=2&from=${from}`);
      expect(reply.status).toBe(200);
      expect(reply.body.events.length).toBeLessThanOrEqual(2);
      paged.push(...reply.body.events);
      if (reply.body.next === undefined) break;
      from = reply.body.next;
    }
    expect(paged).toEqual(whole);
    // A cursor that is a position of another stream starts after it (located by search over seq).
    const own = new Set(whole.map((e) => e.cursor));
    const [first, last] = [whole[0]!, whole.at(-1)!];
    const inside = Array.from({ length: last.cursor - first.cursor }, (_, i) => first.cursor + i).filter((p) => !own.has(p));
    expect(inside.length).toBeGreaterThan(0);
    for (const foreign of [first.cursor - 1, ...inside]) {
      const fromForeign = (await http(base, 'GET', `/events?stream=bead:paged&limit=1000&from=${foreign}`)).body.events;
      expect(fromForeign).toEqual(whole.filter((e) => e.cursor > foreign));
    }
    const beyond = (await http(base, 'GET', `/events?stream=bead:paged&from=${last.cursor}`)).body.events;
    expect(beyond).toEqual([]);
  });
});
