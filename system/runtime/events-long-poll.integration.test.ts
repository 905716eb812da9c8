/**
 * `GET /events?wait=` is a long-poll on the real log: a parked read answers with the next commit
 * (any stream, or only its own stream's), answers an empty page when its wait runs out, and never
 * holds a graceful shutdown for the rest of its wait. The harness tails the log this way to learn
 * when outcomes became readable (harness/runner/log-observer.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from './log.ts';
import { startOrchestrator, type OrchestratorHandle } from './orchestrator.ts';
import { Cleanups, allEvents, http, tempDir, waitForBeads } from './test-helpers.ts';

const cleanups = new Cleanups();
let orch: OrchestratorHandle;
let base: string;

beforeAll(async () => {
  orch = await startOrchestrator({ port: 0, dataDir: await tempDir(cleanups), workers: 1, reconcileTickMs: 200 }, { logger: silentLogger });
  cleanups.add(() => orch.destroy());
  base = orch.url;
});
afterAll(() => cleanups.run());

const bead = (id: string) => ({ id, title: `bead ${id}`, input: { agent: { steps: 1, stepTime: '10ms' } } });
const head = async (): Promise<number> => (await allEvents(base)).at(-1)?.cursor ?? 0;

describe('GET /events?wait=', () => {
  it('answers a parked read with the next commit, after the write that made it', async () => {
    const from = await head();
    const parked = http(base, 'GET', `/events?from=${from}&wait=20000`);
    // Give the read time to park: if it answered before the submit, the page would be empty.
    await new Promise((r) => setTimeout(r, 200));
    const t0 = performance.now();
    expect((await http(base, 'POST', '/beads', bead('lp-1'))).status).toBe(201);
    const reply = await parked;
    expect(reply.status).toBe(200);
    expect(reply.body.events.length).toBeGreaterThan(0);
    expect(reply.body.events[0]!.cursor).toBeGreaterThan(from);
    expect(reply.body.events.map((e) => e.stream)).toContain('bead:lp-1');
    // Woken by the commit, not by the end of its 20 s wait (generous bound for a loaded machine).
    expect(performance.now() - t0).toBeLessThan(10_000);
    await waitForBeads(base, ['lp-1']);
  });

  it('with a stream, sleeps through other streams’ commits and wakes for its own', async () => {
    expect((await http(base, 'POST', '/beads', bead('lp-other'))).status).toBe(201);
    await waitForBeads(base, ['lp-other']);
    const from = await head();
    const parked = http(base, 'GET', `/events?stream=bead:lp-mine&from=${from}&wait=20000`);
    await new Promise((r) => setTimeout(r, 100));
    expect((await http(base, 'POST', '/beads', bead('lp-noise'))).status).toBe(201);
    await waitForBeads(base, ['lp-noise']);
    expect((await http(base, 'POST', '/beads', bead('lp-mine'))).status).toBe(201);
    const reply = await parked;
    expect(reply.status).toBe(200);
    expect(reply.body.events.length).toBeGreaterThan(0);
    expect(new Set(reply.body.events.map((e) => e.stream))).toEqual(new Set(['bead:lp-mine']));
    await waitForBeads(base, ['lp-mine']);
  });

  it('answers an empty page once its wait runs out', async () => {
    const from = await head();
    const t0 = performance.now();
    const reply = await http(base, 'GET', `/events?from=${from}&wait=300`);
    expect(reply.status).toBe(200);
    expect(reply.body.events).toEqual([]);
    expect(reply.body.next).toBeUndefined();
    // It did wait (timers may fire a little early on a busy machine, never much).
    expect(performance.now() - t0).toBeGreaterThanOrEqual(250);
  });

  it('refuses a wait beyond 25 s with ORCH_API_INVALID_QUERY', async () => {
    for (const wait of ['25001', '-1', 'soon']) {
      const reply = await http(base, 'GET', `/events?wait=${wait}`);
      expect(reply.status).toBe(400);
      expect(reply.body.error.code).toBe('ORCH_API_INVALID_QUERY');
    }
  });
});

describe('a parked read during shutdown', () => {
  it('ends with the graceful close instead of holding it for its wait', async () => {
    const own = await startOrchestrator({ port: 0, dataDir: await tempDir(cleanups), workers: 1, reconcileTickMs: 200 }, { logger: silentLogger });
    cleanups.add(() => own.destroy());
    const parked = http(own.url, 'GET', '/events?from=1000000&wait=25000').then(
      (reply) => reply.status,
      () => 'connection closed',
    );
    await new Promise((r) => setTimeout(r, 200));
    const t0 = performance.now();
    await own.close();
    // The API's own drain deadline is 10 s and the wait 25 s: well under either means the wait ended on close.
    expect(performance.now() - t0).toBeLessThan(8_000);
    expect([200, 503, 'connection closed']).toContain(await parked);
  });
});
