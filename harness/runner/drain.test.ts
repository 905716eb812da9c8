/**
 * The drain against a small real HTTP server (fake-orchestrator.test-helper.ts) whose beads end when the test says: it confirms
 * what ended, stops each round at the first bead still open (so polling does not load the system
 * it measures), and after the deadline names exactly the beads still open.
 */
import { describe, expect, it } from 'vitest';
import { History } from '../history/index.ts';
import type { ApiClient } from './api-client.ts';
import { DRAIN_CONCURRENCY, drain } from './drain.ts';
import { json, startFakeOrchestrator, stopFakeOrchestrator } from './fake-orchestrator.test-helper.ts';

/** Serves GET /beads/:id from `beads` (404 when absent) and counts the GETs per id. */
async function orchestrator(
  beads: Map<string, Record<string, unknown>>,
  onGet: (id: string, count: number) => void = () => {},
): Promise<{ api: ApiClient; gets: Map<string, number> }> {
  const gets = new Map<string, number>();
  const api = await startFakeOrchestrator((req, res) => {
    const id = decodeURIComponent(req.url!.replace(/^\/beads\//, ''));
    gets.set(id, (gets.get(id) ?? 0) + 1);
    onGet(id, gets.get(id)!);
    const bead = beads.get(id);
    if (bead === undefined) json(res, 404, '{"error":{"code":"ORCH_NOT_FOUND"}}');
    else json(res, 200, { bead });
  });
  return { api, gets };
}

function submitted(ids: string[]): History {
  const history = new History();
  history.invoke({ kind: 'submit', beadIds: ids }).ok({ status: 201 });
  return history;
}

const ids = (n: number, prefix = 'b'): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
const signal = new AbortController().signal;

describe('drain', () => {
  it('confirms every bead once when all have ended (no bead read twice)', async () => {
    const all = ids(200);
    const { api: client, gets } = await orchestrator(new Map(all.map((id) => [id, { status: 'succeeded' }])));
    const result = await drain({ api: client, history: submitted(all), timeoutMs: 5_000, signal, pollMs: 20 });
    expect(result).toMatchObject({ drained: true, pending: [] });
    expect(gets.size).toBe(200);
    expect(Math.max(...gets.values())).toBe(1);
  });

  it('stops each round at the first open bead and resumes there once it ends', async () => {
    const all = ids(100);
    const beads = new Map<string, Record<string, unknown>>(all.map((id, i) => [id, { status: i < 10 ? 'succeeded' : 'running' }]));
    // Everything ends at b-10's 4th read (3 rounds found it open, the 4th finds it ended).
    const { api: client, gets } = await orchestrator(beads, (id, count) => {
      if (id === 'b-10' && count === 4) all.forEach((other) => beads.set(other, { status: 'failed' }));
    });
    const result = await drain({ api: client, history: submitted(all), timeoutMs: 60_000, signal, pollMs: 5 });
    expect(result.drained).toBe(true);
    // While b-10 was open, each round read it and at most DRAIN_CONCURRENCY - 1 beads behind it.
    const rounds = gets.get('b-10')!;
    expect(rounds).toBe(4);
    const total = [...gets.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(100 + rounds * DRAIN_CONCURRENCY);
    expect(gets.get('b-99')).toBe(1);
  });

  it('counts blocked beads and never-created indeterminate ones as owed nothing', async () => {
    const beads = new Map<string, Record<string, unknown>>([['b-0', { status: 'blocked', blockedBy: 'b-x' }]]);
    const { api: client } = await orchestrator(beads);
    const history = submitted(['b-0']);
    history.invoke({ kind: 'submit', beadIds: ['m-0'] }).unknown(new Error('timeout'));
    const result = await drain({ api: client, history, timeoutMs: 2_000, signal, pollMs: 20 });
    expect(result).toMatchObject({ drained: true, pending: [] });
  });

  it('after the deadline names exactly the beads still open, not the ones the rounds never reached', async () => {
    const all = ids(30);
    const beads = new Map<string, Record<string, unknown>>(all.map((id) => [id, { status: 'succeeded' }]));
    beads.set('b-0', { status: 'running' });
    beads.set('b-20', { status: 'queued' });
    const { api: client } = await orchestrator(beads);
    const history = submitted(all);
    const result = await drain({ api: client, history, timeoutMs: 200, signal, pollMs: 20 });
    expect(result).toMatchObject({ drained: false, pending: ['b-0', 'b-20'] });
    const wait = history.operations().find((o) => o.kind === 'wait')!;
    expect(wait.message).toMatch(/^2 bead\(s\) not terminal after \d+ ms \(timeouts\.drain 200 ms\): b-0, b-20$/);
  });

  it('keeps polling while the API is unreachable, bounded by the deadline', async () => {
    const { api: client } = await orchestrator(new Map());
    await stopFakeOrchestrator();
    const started = performance.now();
    const result = await drain({ api: client, history: submitted(['b-0']), timeoutMs: 300, signal, pollMs: 20 });
    expect(result).toMatchObject({ drained: false, pending: ['b-0'] });
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
