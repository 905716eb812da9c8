/**
 * Real worker processes over real HTTP, SSE, IPC and signals.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findDoubleApplied, readSideEffects } from '../agent/side-effects.ts';
import { stateFor } from '../agent/simulated.ts';
import { WorkerClient, type EventSubscription } from './client.ts';
import { startWorker, WORKER_KILL_GRACE_MS, type StartWorkerOptions, type WorkerHandle } from './process.ts';
import { WORKER_CRASH_EXIT_CODE, WORKER_ENV, type WorkerEvent } from './protocol.ts';
import { isProcessRunning as isAlive } from '../util/process.ts';

let dir: string;
const cleanups: (() => unknown)[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oya-worker-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function worker(id: string, extra: Partial<StartWorkerOptions> = {}): Promise<WorkerHandle> {
  const handle = await startWorker({ id, sideEffectsDir: dir, ...extra });
  cleanups.push(() => handle.destroy());
  return handle;
}
async function subscribe(handle: WorkerHandle): Promise<EventSubscription> {
  const sub = await handle.client.subscribe();
  cleanups.push(() => sub.close());
  return sub;
}
async function collectUntilEnd(sub: EventSubscription, sessionID: string): Promise<WorkerEvent[]> {
  const seen: WorkerEvent[] = [];
  for await (const event of sub) {
    if (event.type === 'server.heartbeat') continue;
    seen.push(event);
    if ((event.type === 'session.idle' || event.type === 'session.error') && event.properties.sessionID === sessionID) break;
  }
  return seen;
}

describe('worker process', () => {
  it('runs a bead to completion over HTTP + SSE, heartbeating its progress over IPC', async () => {
    const w = await worker('w-complete');
    expect(await w.client.health()).toMatchObject({ healthy: true, workerId: 'w-complete', pid: w.pid });
    const heartbeats: number[] = [];
    w.events.on('heartbeat', (hb) => heartbeats.push(hb.sessions[0]?.step ?? -1));
    const sub = await subscribe(w);
    const sessionID = await w.client.createSession();
    await w.client.promptAsync(sessionID, { beadId: 'bead-1', input: { steps: 4, stepTime: '300ms', output: { answer: 42 } }, seed: 7 });
    const events = await collectUntilEnd(sub, sessionID);

    expect(events.map((e) => e.type)).toEqual(['session.status', ...[1, 2, 3, 4].flatMap(() => ['step.started', 'checkpoint']), 'session.idle']);
    const checkpoints = events.filter((e) => e.type === 'checkpoint').map((e) => e.properties);
    expect(checkpoints.map((c) => [c.step, c.state])).toEqual([1, 2, 3, 4].map((s) => [s, stateFor(7, s)]));
    const idle = events.at(-1) as Extract<WorkerEvent, { type: 'session.idle' }>;
    expect(idle.properties.result).toMatchObject({ beadId: 'bead-1', output: { answer: 42 }, executedSteps: [1, 2, 3, 4] });
    expect(await w.client.getSession(sessionID)).toMatchObject({ status: 'idle', step: 4 });
    expect((await readSideEffects(dir)).map((r) => [r.key, r.pid])).toEqual([1, 2, 3, 4].map((s) => [`bead-1:${s}`, w.pid]));
    // 1.2 s of steps at one heartbeat per 500 ms: at least one heartbeat saw the run in progress.
    expect(heartbeats.some((step) => step >= 0)).toBe(true);
  });

  it('rejects a malformed prompt with 400 and a second prompt to a busy session with 409', async () => {
    const w = await worker('w-bad');
    const sessionID = await w.client.createSession();
    await expect(w.client.promptAsync(sessionID, { beadId: 'b', input: { steps: 'many' }, seed: 1 })).rejects.toMatchObject({
      code: 'ORCH_WORKER_REQUEST_FAILED',
      details: { status: 400, workerCode: 'ORCH_AGENT_INVALID_INPUT' },
    });
    await w.client.promptAsync(sessionID, { beadId: 'b', input: { steps: 1, hangAt: 1 }, seed: 1 });
    await expect(w.client.promptAsync(sessionID, { beadId: 'b', input: { steps: 1 }, seed: 1 })).rejects.toMatchObject({
      details: { status: 409, workerCode: 'ORCH_WORKER_SESSION_BUSY' },
    });
    await expect(w.client.getSession('ses_missing')).rejects.toMatchObject({ details: { status: 404 } });
  });

  it('crashAt kills the worker hard and the exit event arrives at once', async () => {
    const w = await worker('w-crash');
    const sub = await subscribe(w);
    let exitAt = 0;
    w.events.once('exit', () => (exitAt = performance.now()));
    const sessionID = await w.client.createSession();
    await w.client.promptAsync(sessionID, { beadId: 'bead-c', input: { steps: 5, stepTime: 50, crashAt: 3 }, seed: 1 });
    let crashStepAt = 0;
    await expect(
      (async () => {
        for await (const event of sub) if (event.type === 'step.started' && event.properties.step === 3) crashStepAt = performance.now();
      })(),
    ).rejects.toMatchObject({ code: 'ORCH_WORKER_EVENT_STREAM_LOST' });
    expect(await w.exited).toEqual({ code: WORKER_CRASH_EXIT_CODE, signal: null });
    expect(w.alive).toBe(false);
    expect(crashStepAt).toBeGreaterThan(0);
    expect(exitAt - crashStepAt).toBeLessThan(1000);
    expect((await readSideEffects(dir)).map((r) => r.step)).toEqual([1, 2]);
  });

  it('abort stops a running session, which ends with a retryable session.error; the worker lives on', async () => {
    const w = await worker('w-abort');
    const sub = await subscribe(w);
    const sessionID = await w.client.createSession();
    await w.client.promptAsync(sessionID, { beadId: 'bead-a', input: { steps: 3, stepTime: 10, hangAt: 2 }, seed: 1 });
    for await (const event of sub) if (event.type === 'step.started' && event.properties.step === 2) break;
    expect(await w.client.abort(sessionID)).toBe(true);
    const outcome = await WorkerClient.waitForSessionEnd(sub, sessionID, 5000);
    expect(outcome.kind).toBe('error');
    expect(outcome.kind === 'error' && outcome.event.properties.error).toMatchObject({ type: 'MessageAbortedError', retryable: true });
    expect(await w.client.getSession(sessionID)).toMatchObject({ status: 'idle', step: 1 });
    expect(w.alive).toBe(true);
    expect((await readSideEffects(dir)).map((r) => r.step)).toEqual([1]);
  });

  it('a bead resumed on a new worker from its last checkpoint skips finished steps: each side effect once', async () => {
    const input = { steps: 5, stepTime: 30, crashAt: 4, crashTimes: 1 };
    const first = await worker('w-first');
    const sub1 = await subscribe(first);
    const s1 = await first.client.createSession();
    await first.client.promptAsync(s1, { beadId: 'bead-r', input, seed: 3, attempt: 1 });
    let last: { step: number; state: string } | undefined;
    await expect(
      (async () => {
        for await (const e of sub1) if (e.type === 'checkpoint') last = { step: e.properties.step, state: e.properties.state };
      })(),
    ).rejects.toMatchObject({ code: 'ORCH_WORKER_EVENT_STREAM_LOST' });
    expect(last?.step).toBe(3);

    const second = await worker('w-second');
    const sub2 = await subscribe(second);
    const s2 = await second.client.createSession();
    await second.client.promptAsync(s2, { beadId: 'bead-r', input, seed: 3, attempt: 2, fromCheckpoint: last! });
    const events = await collectUntilEnd(sub2, s2);
    expect(events.filter((e) => e.type === 'step.started').map((e) => e.properties.step)).toEqual([4, 5]);
    expect(events.at(-1)).toMatchObject({ type: 'session.idle', properties: { result: { executedSteps: [4, 5], resumedFrom: 3, state: stateFor(3, 5) } } });

    const records = await readSideEffects(dir);
    expect(records.map((r) => r.key)).toEqual([1, 2, 3, 4, 5].map((s) => `bead-r:${s}`));
    expect(records.map((r) => r.pid)).toEqual([first.pid, first.pid, first.pid, second.pid, second.pid]);
    expect(findDoubleApplied(records)).toEqual([]);
  });

  it('the event stream of a killed worker fails fast instead of hanging', async () => {
    const w = await worker('w-dies');
    const sub = await subscribe(w);
    const started = performance.now();
    void w.destroy();
    await expect(sub.next().then(() => sub.next())).rejects.toMatchObject({ code: 'ORCH_WORKER_EVENT_STREAM_LOST' });
    expect(performance.now() - started).toBeLessThan(3000);
    expect(await w.exited).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('stop() ends a worker with SIGTERM; a worker that ignores SIGTERM is SIGKILLed after the grace period', async () => {
    const polite = await worker('w-polite');
    const t0 = performance.now();
    expect(await polite.stop()).toEqual({ code: 0, signal: null });
    expect(performance.now() - t0).toBeLessThan(WORKER_KILL_GRACE_MS);
    expect(await polite.stop()).toEqual({ code: 0, signal: null }); // idempotent

    const stubborn = await worker('w-stubborn', { env: { [WORKER_ENV.ignoreSigterm]: '1' } });
    const t1 = performance.now();
    const exit = await stubborn.stop();
    const took = performance.now() - t1;
    expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(took).toBeGreaterThanOrEqual(WORKER_KILL_GRACE_MS - 50);
    expect(took).toBeLessThan(WORKER_KILL_GRACE_MS + 3000);
  });

  it('a graceful stop during a run ends the session with a retryable abort before the stream closes', async () => {
    const w = await worker('w-graceful');
    const sub = await subscribe(w);
    const sessionID = await w.client.createSession();
    await w.client.promptAsync(sessionID, { beadId: 'bead-g', input: { steps: 3, stepTime: '10s' }, seed: 1 });
    for await (const event of sub) if (event.type === 'step.started') break;
    const stopped = w.stop();
    const outcome = await WorkerClient.waitForSessionEnd(sub, sessionID, 5000);
    expect(outcome.kind === 'error' && outcome.event.properties.error).toMatchObject({ type: 'MessageAbortedError', retryable: true });
    expect(await stopped).toEqual({ code: 0, signal: null });
    expect(await readSideEffects(dir)).toEqual([]);
  });

  it('a worker that dies before ready rejects startWorker with ORCH_WORKER_EXITED', async () => {
    await expect(startWorker({ id: 'w-dead', sideEffectsDir: dir, env: { [WORKER_ENV.crashOnStart]: '1' } })).rejects.toMatchObject({
      code: 'ORCH_WORKER_EXITED',
      details: { code: WORKER_CRASH_EXIT_CODE },
    });
  });

  it('workers exit by themselves when their parent is SIGKILLed (IPC disconnect and ppid poll)', async () => {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const parentScript = fileURLToPath(new URL('./fixtures/parent-of-workers.ts', import.meta.url));
    const parent = spawn(process.execPath, ['--import', tsx, parentScript, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let pids: number[] = [];
    cleanups.push(() => {
      parent.kill('SIGKILL');
      for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    });
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: parent.stdout }).once('line', resolve);
      parent.once('exit', (code) => reject(new Error(`parent exited early with ${code}`)));
    });
    pids = (JSON.parse(line) as { pids: number[] }).pids;
    expect(pids).toHaveLength(2);
    expect(pids.every(isAlive)).toBe(true);

    parent.kill('SIGKILL');
    const killedAt = performance.now();
    while (pids.some(isAlive) && performance.now() - killedAt < 5000) await new Promise((r) => setTimeout(r, 20));
    expect(pids.filter(isAlive)).toEqual([]);
    // IPC disconnect is immediate and the ppid poll runs every 250 ms; 2 s leaves room for a busy machine.
    expect(performance.now() - killedAt).toBeLessThan(2000);
  });

  it('a worker whose parent dies while it is still loading exits too (no orphan)', async () => {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const parentScript = fileURLToPath(new URL('./fixtures/parent-dies-while-worker-loads.ts', import.meta.url));
    const parent = spawn(process.execPath, ['--import', tsx, parentScript, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let pids: number[] = [];
    cleanups.push(() => {
      parent.kill('SIGKILL');
      for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    });
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: parent.stdout }).once('line', resolve);
      parent.once('exit', (code, signal) => reject(new Error(`parent exited before printing (${code ?? signal})`)));
    });
    pids = (JSON.parse(line) as { pids: number[] }).pids;
    expect(pids).toHaveLength(1);
    // The worker needs ~1 s to load; then it must notice at once that its parent is gone.
    const deadline = performance.now() + 15_000;
    while (pids.some(isAlive) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(pids.filter(isAlive)).toEqual([]);
  }, 30_000);
});
