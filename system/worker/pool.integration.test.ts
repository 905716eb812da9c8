/**
 * The worker pool with real worker processes: leases, death and respawn, crash loops, missed
 * heartbeats, parallel stop. Pools are small (2 cores): 2–3 workers.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWorkerPool, WorkerPool, type WorkerPoolEvents, type WorkerPoolOptions } from './pool.ts';
import { WORKER_ENV } from './protocol.ts';
import { isProcessRunning as isAlive } from '../util/process.ts';

let dir: string;
const cleanups: (() => unknown)[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oya-pool-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function pool(options: Partial<WorkerPoolOptions>): Promise<WorkerPool> {
  const p = await startWorkerPool({ sideEffectsDir: dir, ...options });
  cleanups.push(() => p.destroy());
  return p;
}
function nextEvent<K extends keyof WorkerPoolEvents>(p: WorkerPool, name: K, timeoutMs = 15_000): Promise<WorkerPoolEvents[K][0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${name} event within ${timeoutMs} ms`)), timeoutMs);
    const listener = (info: WorkerPoolEvents[K][0]): void => {
      clearTimeout(timer);
      resolve(info);
    };
    p.once(name, listener as Parameters<typeof p.once<K>>[1]);
  });
}

describe('worker pool', () => {
  it('leases idle workers, makes the next caller wait, and hands a released worker to the waiter', async () => {
    const p = await pool({ size: 2 });
    expect(p.stats).toMatchObject({ size: 2, live: 2, idle: 2 });
    const a = await p.acquire();
    const b = await p.acquire();
    expect(a.pid).not.toBe(b.pid);
    await expect(p.acquire({ timeoutMs: 100 })).rejects.toMatchObject({ code: 'ORCH_WORKER_POOL_ACQUIRE_TIMEOUT' });
    const waiting = p.acquire({ timeoutMs: 5000 });
    p.release(a);
    expect(await waiting).toBe(a);
    p.release(a);
    p.release(b);
    p.release(b); // double release is a no-op
    expect(p.stats).toMatchObject({ idle: 2, leased: 0 });
  });

  it('notices a killed worker at once and respawns its slot', async () => {
    const p = await pool({ size: 2, backoff: { initialMs: 50 } });
    const victim = await p.acquire();
    const died = nextEvent(p, 'died');
    const respawned = nextEvent(p, 'respawned');
    const killedAt = performance.now();
    process.kill(victim.pid, 'SIGKILL');
    const death = await died;
    expect(performance.now() - killedAt).toBeLessThan(1000);
    expect(death).toMatchObject({ pid: victim.pid, reason: 'exit', leased: true, exit: { signal: 'SIGKILL' } });
    const replacement = await respawned;
    expect(replacement.slot).toBe(death.slot);
    expect(replacement.worker.pid).not.toBe(victim.pid);
    expect(await replacement.worker.client.health()).toMatchObject({ healthy: true });
    p.release(victim); // a dead worker's release is ignored
    expect(p.stats).toMatchObject({ live: 2, idle: 2, leased: 0 });
  });

  it('a crash-looping slot backs off (capped) while the other workers keep serving', async () => {
    const failures: number[] = [];
    const p = await pool({
      size: 2,
      envFor: (slot) => (slot === 0 ? { [WORKER_ENV.crashOnStart]: '1' } : undefined),
      backoff: { initialMs: 50, factor: 2, maxMs: 400, jitter: 0 },
    });
    p.on('spawnFailed', (info) => failures.push(info.retryInMs));
    expect(p.stats.live).toBe(1);
    const worker = await p.acquire({ timeoutMs: 1000 });
    expect(await worker.client.health()).toMatchObject({ healthy: true });
    p.release(worker);
    const deadline = performance.now() + 20_000;
    while (failures.length < 4 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    // Slot 0 already failed once during fill (50 ms), then 100, 200, 400, 400...
    expect(failures.slice(0, 4)).toEqual([100, 200, 400, 400]);
    expect(p.stats.live).toBe(1);
  });

  it('declares a worker that stops heartbeating dead after the timeout, SIGKILLs and replaces it', async () => {
    const p = new WorkerPool({
      sideEffectsDir: dir,
      size: 1,
      heartbeatTimeoutMs: 1500,
      envFor: (_slot, generation) => (generation === 0 ? { [WORKER_ENV.muteHeartbeats]: '1' } : undefined),
      backoff: { initialMs: 50 },
    });
    cleanups.push(() => p.destroy());
    let started = 0;
    p.once('spawned', () => (started = performance.now())); // the worker's last sign of life: ready
    const died = nextEvent(p, 'died', 10_000);
    await p.fill();
    const [mute] = p.workers();
    const death = await died;
    const silentFor = performance.now() - started;
    expect(death).toMatchObject({ reason: 'heartbeat', pid: mute!.pid, exit: { signal: 'SIGKILL' } });
    expect(silentFor).toBeGreaterThanOrEqual(1200);
    expect(silentFor).toBeLessThan(5000);
    const { worker } = await nextEvent(p, 'respawned');
    await new Promise((r) => setTimeout(r, 2000)); // the healthy replacement outlives the timeout
    expect(worker.alive).toBe(true);
  });

  it('stop() stops all workers in parallel and closes the pool', async () => {
    const p = await pool({ size: 3 });
    const pids = p.workers().map((w) => w.pid);
    const leased = await p.acquire();
    const started = performance.now();
    await p.stop();
    // Three sequential graceful stops would take about 3× one; in parallel they take about one.
    expect(performance.now() - started).toBeLessThan(3000);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(leased.alive).toBe(false);
    await expect(p.acquire()).rejects.toMatchObject({ code: 'ORCH_WORKER_POOL_CLOSED' });
    await p.stop(); // idempotent
  });
});
