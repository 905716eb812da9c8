/**
 * A remote SurrealDB (a real server process) that dies mid-run and comes back: work goes on,
 * events wait in the durable outbox and reach the log in order, exactly once. With the
 * `skip-outbox` test defect, the same outage loses events — which is what the defect is for.
 * A submit during the outage is accepted too (outboxed) while memory holds every bead of the log;
 * once something was evicted, an id not in memory needs the log and the submit answers 503.
 */
import { afterEach, expect, it } from 'vitest';
import { spawnSurrealServer, type SpawnedSurrealServer } from '../../harness/env/surreal/spawn.ts';
import type { Defect } from './config.ts';
import { silentLogger } from './log.ts';
import { startOrchestrator } from './orchestrator.ts';
import { Cleanups, allEvents, http, sideEffects, tempDir, waitFor, waitForBeads, type EventReply } from './test-helpers.ts';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

async function surreal(path: string, port = 0): Promise<SpawnedSurrealServer> {
  const server = await spawnSurrealServer({ path, port, implementation: 'embedded' });
  cleanups.add(() => server.destroy());
  return server;
}

/** Runs one bead through a DB outage; returns the bead's events as the log finally holds them. */
async function runThroughOutage(defects: Defect[]): Promise<{ events: EventReply[]; status: string; outboxSeen: number }> {
  const dir = await tempDir(cleanups);
  let db = await surreal(`${dir}/surreal`);
  const orch = await startOrchestrator({ port: 0, dataDir: `${dir}/oya`, workers: 2, db: db.url, dbTimeoutMs: 500, defects }, { logger: silentLogger });
  cleanups.add(() => orch.destroy());
  await http(orch.url, 'POST', '/beads', { id: 'through', title: 'through', input: { agent: { steps: 12, stepTime: '100ms' } } });
  await waitFor('the first checkpoint', async () => (await sideEffects(`${dir}/oya`, 'through')).length >= 1);
  await db.destroy();
  // While the DB is away the API still answers from memory, and health says why it is degraded.
  const outboxSeen = await waitFor(
    'events to go to the outbox',
    async () => {
      const health = await http(orch.url, 'GET', '/health');
      return health.body.components.outbox.size > 0 ? health.body.components.outbox.size : undefined;
    },
    10_000,
  ).catch(() => 0);
  await waitFor('the agent to finish during the outage', async () => (await sideEffects(`${dir}/oya`, 'through')).length >= 12, 20_000);
  db = await surreal(`${dir}/surreal`, db.port);
  await waitFor(
    'the DB to be back and the outbox drained',
    async () => {
      const { components } = (await http(orch.url, 'GET', '/health')).body;
      return components.db.status === 'ok' && components.outbox.size === 0;
    },
    20_000,
  );
  const status = (await waitForBeads(orch.url, ['through'])).through.status;
  return { events: await allEvents(orch.url, 'bead:through'), status, outboxSeen };
}

it('keeps every event through a DB outage: outboxed, flushed in order, gapless, one outcome', async () => {
  const { events, status, outboxSeen } = await runThroughOutage([]);
  expect(status).toBe('succeeded');
  expect(outboxSeen).toBeGreaterThan(0);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect(events.filter((e) => e.type === 'StepCheckpointed').map((e) => e.data.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  expect(events.filter((e) => e.type === 'BeadSucceeded')).toHaveLength(1);
});

it('skip-outbox (test defect): the same outage loses the events appended meanwhile', async () => {
  const { events } = await runThroughOutage(['skip-outbox']);
  const steps = events.filter((e) => e.type === 'StepCheckpointed').map((e) => e.data.step);
  expect(steps.length).toBeLessThan(12);
});

/** POST /beads of a one-bead workflow `id` whose bead is `<id>.a`. */
const submitWorkflow = (url: string, id: string) =>
  http(url, 'POST', '/beads', { workflow: { id, title: id, beads: [{ id: `${id}.a`, title: 'a', input: { agent: { steps: 1, stepTime: '50ms' } } }] } });

it('accepts a workflow submitted while the DB is away (found by oya explore: 503 ORCH_DB_UNAVAILABLE from the read-back)', async () => {
  const dir = await tempDir(cleanups);
  let db = await surreal(`${dir}/surreal`);
  const orch = await startOrchestrator(
    { port: 0, dataDir: `${dir}/oya`, workers: 2, db: db.url, dbTimeoutMs: 500, retainFinishedMs: 0 },
    { logger: silentLogger },
  );
  cleanups.add(() => orch.destroy());
  await db.destroy();
  // Nothing was evicted yet: an id the table does not hold is not in the log either.
  const during = await submitWorkflow(orch.url, 'during');
  expect(during.status, JSON.stringify(during.body)).toBe(201);
  db = await surreal(`${dir}/surreal`, db.port);
  expect((await waitForBeads(orch.url, ['during.a']))['during.a'].status).toBe('succeeded');
  // retainFinishedMs 0: the finished workflow leaves memory, after which an unknown id may be an
  // evicted one, so a submit during the next outage needs the log (retryable 503).
  await waitFor('the finished workflow to be evicted', async () => (await http(orch.url, 'GET', '/metrics')).text.includes('\noya_beads_in_memory 0\n'));
  await db.destroy();
  const after = await submitWorkflow(orch.url, 'after');
  expect([after.status, after.body.error.code]).toEqual([503, 'ORCH_DB_UNAVAILABLE']);
});
