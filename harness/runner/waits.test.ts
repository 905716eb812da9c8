/**
 * Every wait is bounded and ends in the History. The workload and drain run against a small real
 * HTTP server standing in for an orchestrator that never creates or never starts a bead (the
 * states a fault leaves behind), so the bounded paths are exercised without minutes of chaos.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { History } from '../history/index.ts';
import { loadScenarioText } from '../scenario/index.ts';
import { ApiClient } from './api-client.ts';
import { drain } from './drain.ts';
import { planWorkload } from './plan.ts';
import { expiredWaits, waitBudgets, WAIT_EXPIRED } from './waits.ts';
import { runWorkload } from './workload.ts';

let server: Server | undefined;
let api: ApiClient | undefined;
afterEach(async () => {
  await api?.destroy();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
  api = undefined;
});

/** An HTTP server answering POST /beads with `submitStatus` and GET /beads/:id with `bead` (404 when undefined). */
async function orchestrator(submitStatus: number, bead: { status: string } | undefined): Promise<ApiClient> {
  server = createServer((req, res) => {
    req.resume();
    if (req.method === 'POST')
      return res
        .writeHead(submitStatus, { 'content-type': 'application/json' })
        .end(submitStatus < 300 ? '{"beads":[{"id":"steady-0"}]}' : '{"error":{"code":"ORCH_UNAVAILABLE"}}');
    if (bead === undefined) return res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"ORCH_NOT_FOUND"}}');
    return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ bead }));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  api = new ApiClient({ baseUrl: () => `http://127.0.0.1:${(server!.address() as AddressInfo).port}` });
  return api;
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
