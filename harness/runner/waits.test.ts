/**
 * Every wait is bounded and ends in the History. The workload and drain run against a small real
 * HTTP server standing in for an orchestrator that never creates or never starts a bead (the
 * states a fault leaves behind), so the bounded paths are exercised without minutes of chaos.
 */
import { describe, expect, it } from 'vitest';
import { History } from '../history/index.ts';
import { loadScenarioText } from '../scenario/index.ts';
import type { ApiClient } from './api-client.ts';
import { drain } from './drain.ts';
import { json, startFakeOrchestrator } from './fake-orchestrator.test-helper.ts';
import { planWorkload } from './plan.ts';
import { expiredWaits, openWaits, startWait, waitBudgets, WAIT_EXPIRED } from './waits.ts';
import { RunTimeoutError } from './errors.ts';
import { runWorkload } from './workload.ts';

/** An orchestrator answering POST /beads with `submitStatus` and GET /beads/:id with `bead` (404 when undefined). */
function orchestrator(submitStatus: number, bead: { status: string } | undefined): Promise<ApiClient> {
  return startFakeOrchestrator((req, res) => {
    if (req.method === 'POST') json(res, submitStatus, submitStatus < 300 ? '{"beads":[{"id":"steady-0"}]}' : '{"error":{"code":"ORCH_UNAVAILABLE"}}');
    else if (bead === undefined) json(res, 404, '{"error":{"code":"ORCH_NOT_FOUND"}}');
    else json(res, 200, { bead });
  });
}

const scenario = loadScenarioText(
  'name: w\nkind: integration\nworkload: [{ name: steady, beads: 1, cancel: { fraction: 1, afterStart: 100ms } }]\ntimeouts: { drain: 2s, total: 1m }\n',
  'scenarios/integration/w.yaml',
);

async function run(apiClient: ApiClient, budgets = { startOfBead: 5_000, notCreatedGrace: 200 }) {
  const history = new History();
  const t0 = performance.now();
  await runWorkload({
    plan: planWorkload(scenario),
    api: apiClient,
    history,
    now: () => performance.now() - t0,
    signal: new AbortController().signal,
    budgets,
    pollMs: 20,
  });
  return { history, ms: performance.now() - t0 };
}

describe('bounded waits', () => {
  it('derives every budget from the scenario', () => {
    expect(waitBudgets(scenario)).toEqual({ startOfBead: 2000, drain: 2000, recovery: 2000, notCreatedGrace: 2000 });
  });

  it('names the waits still open when timeouts.total cuts the run, in the HARN_RUNNER_TIMEOUT message', () => {
    let now = 1_000;
    const history = new History({ clock: () => now });
    startWait(history, 'recovery').ok('healthy');
    now = 58_240;
    startWait(history, 'recovery');
    now = 59_000;
    startWait(history, 'drain', ['b1']);
    const waits = openWaits(history);
    expect(waits).toEqual([
      { what: 'recovery', sinceMs: 58_240 },
      { what: 'drain', sinceMs: 59_000 },
    ]);
    const err = new RunTimeoutError(60_000, 'workload', waits);
    expect(err.code).toBe('HARN_RUNNER_TIMEOUT');
    expect(err.message).toBe('the run exceeded timeouts.total (60000 ms) during the workload phase, waiting for recovery (since 58.2 s), drain (since 59.0 s)');
    expect(new RunTimeoutError(60_000, 'drain').message).toBe('the run exceeded timeouts.total (60000 ms) during the drain phase');
  });

  it('records the cancel of a bead whose submit failed as fail, with why, after the grace', async () => {
    const { history } = await run(await orchestrator(503, undefined));
    const cancel = history.operations().find((o) => o.kind === 'cancel')!;
    expect(cancel.outcome).toBe('fail');
    expect(cancel.code).toBe('cancel-never-created');
    expect(cancel.message).toMatch(/^bead steady-\d+ does not exist: its submission ended (fail|unknown) \(waited \d+ ms\)$/);
    expect(expiredWaits(history.toJSON().entries)).toEqual([{ what: 'cancel', at: expect.any(Number), message: cancel.message }]);
  });

  it('gives up a cancel whose bead never starts at the start-of-bead deadline', async () => {
    const { history } = await run(await orchestrator(201, { status: 'queued' }), { startOfBead: 300, notCreatedGrace: 200 });
    const cancel = history.operations().find((o) => o.kind === 'cancel')!;
    expect(cancel).toMatchObject({ outcome: 'fail', code: 'cancel-not-started' });
    expect(cancel.message).toMatch(/did not start within 300 ms \(timeouts\.drain\); its submission ended ok/);
  });

  it('records a cancel of a bead that finished first as fail, not silence', async () => {
    const { history } = await run(await orchestrator(201, { status: 'succeeded' }));
    expect(history.operations().find((o) => o.kind === 'cancel')).toMatchObject({ outcome: 'fail', code: 'cancel-already-finished' });
  });

  it('records a drain that ran out as an expired wait naming the beads still open', async () => {
    const apiClient = await orchestrator(201, { status: 'running' });
    const history = new History();
    history.invoke({ kind: 'submit', beadIds: ['steady-0'] }).ok({ status: 201 });
    const result = await drain({ api: apiClient, history, timeoutMs: 300, signal: new AbortController().signal, pollMs: 50 });
    expect(result).toMatchObject({ drained: false, pending: ['steady-0'] });
    const wait = history.operations().find((o) => o.kind === 'wait')!;
    expect(wait).toMatchObject({ outcome: 'fail', code: WAIT_EXPIRED, process: 'drain', beadIds: ['steady-0'] });
    expect(wait.message).toMatch(/^1 bead\(s\) not terminal after \d+ ms \(timeouts\.drain 300 ms\): steady-0$/);
  });
});
