/**
 * Phase `orchestrator`: the run dir (the orchestrator's data dir and log), the orchestrator as a
 * real process (startSut), the API client, the memory/CPU sampler that also drives progress, and
 * the fault timeline, each registering its release right after it exists.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { makeOwnedTempDir } from '../../env/temp-dirs.ts';
import { journalPath } from '../../report/journal.ts';
import { ApiClient } from '../api-client.ts';
import { FaultTimeline, sutEnvForFaults } from '../faults/index.ts';
import { startMemorySampler } from '../measure.ts';
import type { RunContext } from '../run-context.ts';
import { startSut } from '../sut.ts';

export async function orchestratorPhase(ctx: RunContext): Promise<void> {
  const { scenario, resources, state, cleanup } = ctx;
  const env = state.env!;
  const runDir = await makeOwnedTempDir(`oya-run-${scenario.name.slice(0, 40)}-`);
  cleanup.push('remove run dir', () => rm(runDir, { recursive: true, force: true }));
  resources.runDir = runDir;
  resources.dataDir = join(runDir, 'data');
  const logFile = join(runDir, 'orchestrator.log');
  state.logFile = logFile;
  cleanup.push('keep orchestrator log', async () => {
    const dest = journalPath(ctx.reportDir, scenario.kind, scenario.name).replace(/\.json$/, '.orchestrator.log');
    await mkdir(join(ctx.reportDir, scenario.kind), { recursive: true });
    await copyFile(logFile, dest).then(
      () => (ctx.artifacts.orchestratorLog = dest),
      () => undefined,
    );
  });

  const sut = await startSut({
    dataDir: resources.dataDir,
    dbUrl: env.dbUrl,
    dbCredentials: env.dbCredentials,
    workers: scenario.system.workers,
    seed: scenario.seed,
    reconcileTickMs: scenario.system.reconcileTick,
    heartbeatTimeoutMs: scenario.system.timeouts.heartbeat,
    defects: scenario.system.defects,
    logFile,
    stopTimeoutMs: scenario.system.timeouts.shutdown + 5_000,
    ...(scenario.system.admin ? { adminToken: randomBytes(16).toString('hex') } : {}),
    // Leak runs read the orchestrator's heap and take snapshots through its inspector.
    ...(scenario.kind === 'leak' ? { inspect: true } : {}),
    // agent.partition: the orchestrator reaches its workers through Toxiproxy agent proxies.
    env: sutEnvForFaults(scenario.faults, env),
  });
  // Graceful after a complete run; after a failure or timeout, SIGKILL every process group.
  cleanup.push('stop orchestrator', async () => {
    if (ctx.signal.aborted || state.phase !== 'done') sut.destroy();
    else await sut.close();
    await sut.logClosed;
  });
  resources.sutPids = sut.pids as number[];
  resources.sutPort = sut.port;
  state.sut = sut;

  const api = new ApiClient({ baseUrl: () => sut.url, adminToken: () => sut.adminToken });
  cleanup.push('close API client', () => api.destroy());
  state.api = api;

  // Beads finished, for progress: each orchestrator process counts from zero, so a restart (a
  // new pid) keeps what the previous ones reported instead of starting the count over.
  const finishedByPid = new Map<number, { done: number; failed: number }>();
  const memory = startMemorySampler(api, ctx.clock.now, 1000, {
    pid: () => sut.pid,
    dbPid: () => env.db.pid,
    // Elapsed read now, not the sample's start: a sample begun during set-up may end after the clock's zero moved.
    onSample: (s) => {
      if (s.pid !== undefined && s.done !== undefined) finishedByPid.set(s.pid, { done: s.done, failed: s.failed ?? 0 });
      const total = [...finishedByPid.values()].reduce((a, b) => ({ done: a.done + b.done, failed: a.failed + b.failed }), { done: 0, failed: 0 });
      ctx.options.onProgress?.({ elapsedMs: Math.max(0, ctx.clock.now()), ...total, phase: state.phase });
    },
  });
  cleanup.push('stop memory sampler', () => memory.stop());
  state.memory = memory;

  const timeline = new FaultTimeline({
    env,
    sut,
    api,
    plan: ctx.plan,
    seed: scenario.seed,
    now: ctx.clock.now,
    signal: ctx.signal,
    recoveryTimeoutMs: ctx.budgets.recovery,
    history: ctx.history,
  });
  state.timeline = timeline;
  cleanup.push('heal faults', async () => {
    const errors = await timeline.healAll(true);
    if (errors.length > 0) throw new Error(errors.join('; '));
  });
}
