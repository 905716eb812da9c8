/**
 * Execution, as actors under the supervision tree (so /admin kills hit the real parts):
 *
 * - `universe/scheduling/dispatcher` takes ready beads off the queue while a runner is free and
 *   hands each to one. A killed dispatcher loses nothing: its state is the queue, and the
 *   reconciler kicks it again every tick.
 * - `universe/workers/runner-<i>` (one per pool slot) runs one bead at a time: lease a worker,
 *   run an Attempt, release the worker, record its end (outcomes.ts) and take the next bead while
 *   that record becomes durable behind it. A killed runner aborts its
 *   attempt (ctx.signal) and the bead resumes from its last checkpoint on another runner.
 */
import { actor, type ActorContext, type ActorRef, type Behaviour } from '../actors/index.ts';
import type { WorkerHandle } from '../worker/index.ts';
import { Attempt, type AttemptEnd } from './attempt.ts';
import type { BeadRecord } from './beads.ts';
import type { RuntimeContext } from './context.ts';
import { isFinished, recordCancelled, recordFailure, recordInterrupted, recordLost, recordSucceeded, recordFailed } from './outcomes.ts';

/**
 * The `leak` test defect keeps every worker event here forever, with 16 KiB of ballast on the V8
 * heap (what heap snapshots and the heap-slope gate see) and 16 KiB off it (a Buffer: only RSS
 * sees it). A few hundred KiB per second at a CI rate: a leak the leak lane must find in a minute.
 */
class LeakedEventArchive {
  readonly entries: unknown[] = [];
  keep(event: unknown): void {
    this.entries.push({ event, heap: new Array<number>(2048).fill(0), native: Buffer.alloc(16 * 1024, 1) });
  }
}
const leaked = new LeakedEventArchive();

export type RunnerMessage = { type: 'run'; beadId: string; takenAt: number };
export type DispatcherMessage = { type: 'kick' };

/** Path of runner `i`. */
export const runnerPath = (i: number): string => `universe/workers/runner-${i}`;
export const DISPATCHER_PATH = 'universe/scheduling/dispatcher';

/** The dispatcher's spec: on every kick, fill free runners from the ready queue. */
export function dispatcherSpec(ctx: RuntimeContext, runners: () => ActorRef<RunnerMessage>[]) {
  return actor<DispatcherMessage>('dispatcher', () => ({
    handle() {
      if (ctx.state !== 'running') return;
      const refs = runners();
      for (let i = 0; i < ctx.runners.length; i++) {
        if (ctx.runners[i] !== null) continue;
        const bead = ctx.queue.take();
        if (bead === undefined) return;
        ctx.runners[i] = bead.id;
        refs[i]!.tell({ type: 'run', beadId: bead.id, takenAt: performance.now() });
      }
    },
  }));
}

/** Runner `i`'s spec. */
export function runnerSpec(ctx: RuntimeContext, index: number) {
  return actor<RunnerMessage>(
    `runner-${index}`,
    (): Behaviour<RunnerMessage> => ({
      async handle(msg, actorCtx) {
        try {
          await runBead(ctx, msg, actorCtx);
        } catch (err) {
          ctx.log.error({ err, beadId: msg.beadId, runner: index }, 'runner failed; the reconciler will repair the bead');
        } finally {
          if (ctx.runners[index] === msg.beadId) ctx.runners[index] = null;
          ctx.kick();
        }
      },
    }),
    { shutdown: 10_000 },
  );
}

/** Read afresh: a cancel may land while the lease awaits, and TypeScript keeps the narrowing of the first check across it. */
function cancelRequested(record: BeadRecord): boolean {
  return record.state.cancelRequested;
}

async function runBead(ctx: RuntimeContext, msg: RunnerMessage, actorCtx: ActorContext<RunnerMessage, void>): Promise<void> {
  const record = ctx.table.get(msg.beadId);
  if (record === undefined || isFinished(record)) return;
  if (record.state.cancelRequested) return recordCancelled(ctx, record, 'cancelled before it started');
  const worker = await lease(ctx, [actorCtx.signal, ctx.drain.signal]);
  if (worker === undefined) {
    // Killed or shutting down before a worker was free: the bead goes back to the queue.
    if (ctx.queue.status(record.bead.id) === 'running') ctx.queue.requeue(record.bead.id);
    if (ctx.state === 'running') ctx.kick();
    return;
  }
  if (cancelRequested(record)) {
    ctx.pool?.release(worker);
    return recordCancelled(ctx, record, 'cancelled before it started');
  }
  const attempt = new Attempt(record.bead.id, record.state.attempts + 1, worker);
  ctx.attempts.set(record.bead.id, attempt);
  const onKill = (): void => attempt.stop('lost', `runner ${actorCtx.path} was killed`);
  actorCtx.signal.addEventListener('abort', onKill, { once: true });
  let end: AttemptEnd;
  try {
    end = await attempt.run(record, ctx.journal, {
      doubleStep: ctx.options.defects.includes('double-step'),
      skipStep: ctx.options.defects.includes('skip-step'),
      startTwice: ctx.options.defects.includes('start-twice'),
      heartbeatTimeoutMs: ctx.options.heartbeatTimeoutMs,
      onPrompted: () => ctx.metrics.dispatchSeconds.observe((performance.now() - msg.takenAt) / 1000),
      ...(ctx.options.defects.includes('leak') ? { onEvent: (event) => leaked.keep(event) } : {}),
    });
  } finally {
    actorCtx.signal.removeEventListener('abort', onKill);
    ctx.attempts.delete(record.bead.id);
    ctx.releasedAt.set(worker.id, Date.now());
    ctx.pool?.release(worker);
  }
  ctx.log.debug({ beadId: record.bead.id, attempt: attempt.number, end: end.kind }, 'attempt ended');
  // The end is folded (and the queue moved) synchronously inside recordEnd; only its durability
  // is left, and it must not hold this runner: the slot goes back to the dispatcher now.
  recordBehind(ctx, record.bead.id, recordEnd(ctx, record.bead.id, attempt, end));
}

/** Keeps `work` in ctx.behind until it settles; a failure is logged (the reconciler repairs from the log). */
function recordBehind(ctx: RuntimeContext, beadId: string, work: Promise<void>): void {
  const tracked: Promise<void> = work
    .catch((err: unknown) => ctx.log.error({ err, beadId }, 'recording an attempt end failed; the reconciler will repair the bead'))
    .finally(() => ctx.behind.delete(tracked));
  ctx.behind.add(tracked);
}

/** Turns an attempt's end into the bead's next event. */
async function recordEnd(ctx: RuntimeContext, beadId: string, attempt: Attempt, end: AttemptEnd): Promise<void> {
  const record = ctx.table.get(beadId)!;
  switch (end.kind) {
    case 'succeeded':
      return recordSucceeded(ctx, record, attempt.number, end.result);
    case 'failed':
      return recordFailure(ctx, record, attempt.number, end.error, end.retryable);
    case 'lost':
      ctx.metrics.corrections.inc({ kind: end.reason.includes('stalled') ? 'stalled' : end.reason.includes('was killed') ? 'runner_killed' : 'worker_exited' });
      return recordLost(ctx, record, attempt.number, attempt.worker.id, end.reason);
    case 'cancel':
      return recordCancelled(ctx, record, 'cancelled while running');
    case 'timeout':
      return recordFailed(ctx, record, attempt.number, { type: 'BeadTimeout', message: end.reason, nonRetryable: true });
    case 'shutdown':
      // The last checkpoint is durable; the restart resumes it.
      return recordInterrupted(ctx, record, attempt.number, attempt.worker.id, 'orchestrator shutdown');
  }
}

/**
 * A worker from the pool, or undefined when the runner is killed or the orchestrator stops first
 * (one of `signals` aborts). Listens on each signal and removes
 * the listeners afterwards, rather than combining them with AbortSignal.any: on Node 20 every
 * AbortSignal.any() call leaves a WeakRef on its long-lived sources, one per bead, for ever (the
 * leak soak found it).
 */
async function lease(ctx: RuntimeContext, signals: AbortSignal[]): Promise<WorkerHandle | undefined> {
  const pool = ctx.pool;
  if (pool === undefined || signals.some((s) => s.aborted)) return undefined;
  const acquiring = pool.acquire();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    for (const s of signals) s.addEventListener('abort', onAbort, { once: true });
  });
  const worker = await Promise.race([acquiring.catch(() => undefined), aborted]);
  for (const s of signals) s.removeEventListener('abort', onAbort!);
  if (worker === undefined) {
    // The acquire may still resolve later: give that worker straight back.
    void acquiring.then(
      (late) => pool.release(late),
      () => {},
    );
    return undefined;
  }
  if (ctx.state !== 'running') {
    pool.release(worker);
    return undefined;
  }
  return worker;
}
