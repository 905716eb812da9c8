/**
 * A pool of N warm worker processes.
 *
 * Each of the N slots holds at most one live worker. When a worker dies — it exited (noticed at
 * once from its `exit` event), or it missed heartbeats for `heartbeatTimeoutMs` (then it is
 * SIGKILLed) — its slot respawns it after an exponential backoff with jitter. A slot whose
 * workers keep dying backs off up to `backoff.maxMs` and keeps trying; the other slots serve work
 * meanwhile, so one crash-looping worker never takes the pool down.
 *
 * Leases: `acquire()` hands out an idle worker (FIFO waiters), `release()` gives it back. A leased
 * worker that dies is simply gone: its holder learns it from the worker's own `exit` event.
 */
import { EventEmitter } from 'node:events';
import { availableParallelism } from 'node:os';
import { backoffDelay, type BackoffOptions } from './backoff.ts';
import { PoolAcquireTimeoutError, PoolClosedError } from './errors.ts';
import { startWorker, type WorkerExit, type WorkerHandle } from './process.ts';

/** Options of a worker pool. */
export interface WorkerPoolOptions {
  /** Number of workers. @default 20 */
  size?: number;
  sideEffectsDir: string;
  /** Environment for every worker. */
  env?: Record<string, string>;
  /** Extra environment per slot and generation (0 = first worker of the slot), e.g. test flags. */
  envFor?: (slot: number, generation: number) => Record<string, string> | undefined;
  /** A worker silent this long is declared dead and SIGKILLed. @default 3000 */
  heartbeatTimeoutMs?: number;
  /** Respawn backoff. */
  backoff?: BackoffOptions;
  /** A worker that lived this long resets its slot's failure count. @default 10000 */
  stableAfterMs?: number;
  /**
   * Workers started at once. Start-up is CPU-bound (less so since workers run the compiled bundle,
   * bundle.ts), so more than one per core only slows every start down (measured with tsx workers,
   * 20 on 2 cores: 9.6 s at 2, 14 s at 4, 15 s at 8).
   * @default os.availableParallelism()
   */
  startConcurrency?: number;
  /** Passed to startWorker. */
  startTimeoutMs?: number;
  killGraceMs?: number;
  /** Random source for jitter, [0, 1). @default Math.random */
  random?: () => number;
}

/** Why a worker left the pool. */
export type WorkerDeathReason = 'exit' | 'heartbeat';

/** Events for metrics and logs. */
export interface WorkerPoolEvents {
  /** Every successful start, first or not. */
  spawned: [info: { slot: number; generation: number; worker: WorkerHandle }];
  /** A start that replaced an earlier worker (or failed start) of the slot. */
  respawned: [info: { slot: number; generation: number; worker: WorkerHandle }];
  died: [info: { slot: number; workerId: string; pid: number; reason: WorkerDeathReason; exit: WorkerExit; leased: boolean }];
  spawnFailed: [info: { slot: number; generation: number; error: unknown; retryInMs: number }];
}

interface Slot {
  index: number;
  generation: number;
  worker?: WorkerHandle;
  startedAt: number;
  failures: number;
  deathReason?: WorkerDeathReason;
  retryTimer?: NodeJS.Timeout;
}

interface Waiter {
  resolve: (worker: WorkerHandle) => void;
  reject: (err: unknown) => void;
  timer?: NodeJS.Timeout;
}

/** Counts of the pool's workers. */
export interface PoolStats {
  size: number;
  live: number;
  idle: number;
  leased: number;
  waiting: number;
}

/** A pool of warm workers; create it with `startWorkerPool`. */
export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
  readonly #options: WorkerPoolOptions;
  readonly #slots: Slot[];
  readonly #idle: WorkerHandle[] = [];
  readonly #leased = new Set<WorkerHandle>();
  readonly #waiters: Waiter[] = [];
  readonly #heartbeatTimeoutMs: number;
  readonly #watchdog: NodeJS.Timeout;
  #closed = false;
  #stopping?: Promise<void>;
  readonly #starting = new Set<Promise<void>>();
  #running = 0;
  readonly #queued: (() => void)[] = [];

  constructor(options: WorkerPoolOptions) {
    super();
    this.#options = options;
    this.#heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 3000;
    this.#slots = Array.from({ length: options.size ?? 20 }, (_, index) => ({ index, generation: 0, startedAt: 0, failures: 0 }));
    // Checks often relative to the timeout so a silent worker is caught within ~10% of it.
    this.#watchdog = setInterval(() => this.#checkHeartbeats(), Math.max(50, this.#heartbeatTimeoutMs / 10));
    this.#watchdog.unref();
  }

  /** Starts every slot once; resolves when each has a worker or has failed once (and is retrying). */
  async fill(): Promise<void> {
    await Promise.all(this.#slots.map((slot) => this.#spawn(slot)));
  }

  /** Live workers (idle and leased). */
  workers(): WorkerHandle[] {
    return this.#slots.flatMap((slot) => (slot.worker?.alive ? [slot.worker] : []));
  }

  /** Current counts. */
  get stats(): PoolStats {
    return { size: this.#slots.length, live: this.workers().length, idle: this.#idle.length, leased: this.#leased.size, waiting: this.#waiters.length };
  }

  /** An idle worker, waiting up to `timeoutMs` (default: forever) for one to free up or start. */
  acquire(options: { timeoutMs?: number } = {}): Promise<WorkerHandle> {
    if (this.#closed) return Promise.reject(new PoolClosedError());
    const worker = this.#idle.shift();
    if (worker) {
      this.#leased.add(worker);
      return Promise.resolve(worker);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject };
      if (options.timeoutMs !== undefined) {
        const timeoutMs = options.timeoutMs;
        waiter.timer = setTimeout(() => {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          reject(new PoolAcquireTimeoutError(timeoutMs));
        }, timeoutMs);
      }
      this.#waiters.push(waiter);
    });
  }

  /** Gives a leased worker back. Releasing a dead or unknown worker is a no-op. */
  release(worker: WorkerHandle): void {
    if (!this.#leased.delete(worker)) return;
    if (worker.alive && !this.#closed) this.#offer(worker);
  }

  /** Stops every worker in parallel (SIGTERM, grace, SIGKILL) and rejects waiters. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= this.#shutdown((w) => w.stop());
    return this.#stopping;
  }

  /** Same as stop(). */
  close(): Promise<void> {
    return this.stop();
  }

  /** SIGKILLs every worker now. */
  destroy(): Promise<void> {
    this.#stopping ??= this.#shutdown((w) => w.destroy());
    return this.#stopping;
  }

  async #shutdown(end: (worker: WorkerHandle) => Promise<WorkerExit>): Promise<void> {
    this.#closed = true;
    clearInterval(this.#watchdog);
    for (const waiter of this.#waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(new PoolClosedError());
    }
    for (const slot of this.#slots) clearTimeout(slot.retryTimer);
    await Promise.allSettled([...this.#starting]);
    this.#idle.length = 0;
    await Promise.all(this.workers().map(end));
  }

  #offer(worker: WorkerHandle): void {
    const waiter = this.#waiters.shift();
    if (!waiter) return void this.#idle.push(worker);
    clearTimeout(waiter.timer);
    this.#leased.add(worker);
    waiter.resolve(worker);
  }

  /** The flag read afresh: close() may land while a spawn awaits, and TypeScript keeps the narrowing of #closed across awaits. */
  #isClosed(): boolean {
    return this.#closed;
  }

  async #spawn(slot: Slot): Promise<void> {
    if (this.#closed) return;
    const generation = slot.generation++;
    await this.#throttle(async () => {
      if (this.#closed) return;
      let worker: WorkerHandle;
      try {
        worker = await startWorker({
          id: `w${slot.index}.${generation}`,
          sideEffectsDir: this.#options.sideEffectsDir,
          env: { ...this.#options.env, ...this.#options.envFor?.(slot.index, generation) },
          ...(this.#options.startTimeoutMs !== undefined && { startTimeoutMs: this.#options.startTimeoutMs }),
          ...(this.#options.killGraceMs !== undefined && { killGraceMs: this.#options.killGraceMs }),
        });
      } catch (error) {
        slot.failures++;
        const retryInMs = this.#scheduleRespawn(slot);
        this.emit('spawnFailed', { slot: slot.index, generation, error, retryInMs });
        return;
      }
      if (this.#isClosed()) {
        await worker.destroy();
        return;
      }
      slot.worker = worker;
      slot.startedAt = performance.now();
      slot.deathReason = undefined;
      worker.events.once('exit', (exit) => this.#onExit(slot, worker, exit));
      this.emit('spawned', { slot: slot.index, generation, worker });
      if (generation > 0) this.emit('respawned', { slot: slot.index, generation, worker });
      this.#offer(worker);
    });
  }

  #onExit(slot: Slot, worker: WorkerHandle, exit: WorkerExit): void {
    const leased = this.#leased.delete(worker);
    const idleAt = this.#idle.indexOf(worker);
    if (idleAt >= 0) this.#idle.splice(idleAt, 1);
    if (slot.worker === worker) slot.worker = undefined;
    if (this.#closed) return;
    const reason = slot.deathReason ?? 'exit';
    this.emit('died', { slot: slot.index, workerId: worker.id, pid: worker.pid, reason, exit, leased });
    const stableAfterMs = this.#options.stableAfterMs ?? 10_000;
    slot.failures = performance.now() - slot.startedAt >= stableAfterMs ? 1 : slot.failures + 1;
    this.#scheduleRespawn(slot);
  }

  #scheduleRespawn(slot: Slot): number {
    const delay = backoffDelay(slot.failures, this.#options.backoff, this.#options.random);
    slot.retryTimer = setTimeout(() => void this.#spawn(slot), delay);
    return delay;
  }

  #checkHeartbeats(): void {
    const now = performance.now();
    for (const slot of this.#slots) {
      const worker = slot.worker;
      if (!worker?.alive || slot.deathReason) continue;
      if (now - worker.lastHeartbeatAt > this.#heartbeatTimeoutMs) {
        slot.deathReason = 'heartbeat';
        void worker.destroy(); // its exit event then respawns the slot
      }
    }
  }

  /** Runs `task` with at most `startConcurrency` starts in flight. */
  #throttle(task: () => Promise<void>): Promise<void> {
    const limit = this.#options.startConcurrency ?? availableParallelism();
    const run = async (): Promise<void> => {
      this.#running++;
      try {
        await task();
      } finally {
        this.#running--;
        this.#queued.shift()?.();
      }
    };
    const done = this.#running < limit ? run() : new Promise<void>((resolve) => this.#queued.push(() => void run().then(resolve, resolve)));
    this.#starting.add(done);
    const forget = (): void => void this.#starting.delete(done);
    done.then(forget, forget);
    return done;
  }
}

/** Starts a pool and fills it. Workers that fail to start keep retrying in the background. */
export async function startWorkerPool(options: WorkerPoolOptions): Promise<WorkerPool> {
  const pool = new WorkerPool(options);
  await pool.fill();
  return pool;
}
