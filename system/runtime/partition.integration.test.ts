/**
 * A network partition between the orchestrator and its workers, for real: the orchestrator
 * reaches each worker through a Toxiproxy proxy `agent-<workerId>` (workerProxyUrl), and the test
 * blackholes those proxies both ways while a bead runs. The worker's IPC heartbeats still arrive,
 * so the orchestrator must keep it (not kill it and re-run steps), show the pool degraded, and
 * catch up once the partition heals: the bead succeeds once, every step's checkpoint is in the
 * log, and no side effect was applied twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Toxiproxy } from 'toxiproxy-node-client';
import { startToxiproxyServer } from '../../harness/env/toxiproxy/index.ts';
import { silentLogger } from './log.ts';
import { startOrchestrator, type OrchestratorHandle } from './orchestrator.ts';
import { Cleanups, allEvents, http, sideEffects, tempDir, waitFor, waitForBeads } from './test-helpers.ts';

const cleanups = new Cleanups();
let orch: OrchestratorHandle;
let toxiproxy: Toxiproxy;
let dataDir: string;

beforeAll(async () => {
  const tp = await startToxiproxyServer({ port: 0, seed: 1 });
  cleanups.add(() => tp.close());
  toxiproxy = new Toxiproxy(tp.url);
  dataDir = await tempDir(cleanups);
  orch = await startOrchestrator(
    { port: 0, dataDir, workers: 1, reconcileTickMs: 100, heartbeatTimeoutMs: 1000, workerProxyUrl: tp.url },
    { logger: silentLogger },
  );
  cleanups.add(() => orch.destroy());
});
afterAll(() => cleanups.run());

describe('agent partition', () => {
  it('routes each worker through its own agent proxy', async () => {
    const proxies = await waitFor('an agent proxy', async () => {
      const all = Object.values(await toxiproxy.getAll()).filter((p) => p.name.startsWith('agent-'));
      return all.length === 1 ? all : undefined;
    });
    expect(proxies[0]!.name).toMatch(/^agent-w0\.\d+$/);
  });

  it('waits out a partition without re-running steps, then records the run once', async () => {
    const submit = await http(orch.url, 'POST', '/beads', { id: 'cut', title: 'cut off mid-run', input: { agent: { steps: 8, stepTime: '250ms' } } });
    expect(submit.status).toBe(201);
    await waitFor('bead running', async () => (await http(orch.url, 'GET', '/beads/cut')).body.bead.status === 'running');
    await waitFor('first checkpoint', async () => ((await http(orch.url, 'GET', '/beads/cut')).body.bead.lastCheckpointStep ?? 0) >= 1);

    const [proxy] = Object.values(await toxiproxy.getAll()).filter((p) => p.name.startsWith('agent-'));
    const toxics = await Promise.all(
      (['upstream', 'downstream'] as const).map((stream) =>
        proxy!.addToxic({ name: `cut-${stream}`, type: 'timeout', stream, toxicity: 1, attributes: { timeout: 0 } }),
      ),
    );
    // The SSE stream goes silent (3 s idle timeout) while IPC heartbeats go on: unreachable, not dead.
    const degraded = await waitFor(
      'pool degraded by the partition',
      async () => {
        const health = await http(orch.url, 'GET', '/health');
        return health.body.components.pool?.unreachable === 1 ? health : undefined;
      },
      10_000,
    );
    expect(degraded.status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await Promise.all(toxics.map((t) => t.remove()));

    const { cut } = await waitForBeads(orch.url, ['cut'], 30_000);
    expect(cut).toMatchObject({ status: 'succeeded', attempts: 1, lastCheckpointStep: 8 });
    const events = await allEvents(orch.url, 'bead:cut');
    const steps = events.filter((e) => e.type === 'StepCheckpointed').map((e) => e.data.step);
    expect(steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(events.filter((e) => e.type === 'BeadSucceeded')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'BeadWorkerLost')).toHaveLength(0);
    const applied = await sideEffects(dataDir, 'cut');
    expect(applied.map((r) => r.step).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    await waitFor('healthy again', async () => (await http(orch.url, 'GET', '/health')).status === 200, 10_000);
  }, 60_000);
});
