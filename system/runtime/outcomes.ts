/**
 * What happens to a bead after an attempt ends, a cancel lands or a dependency finishes: the
 * event that records it and the ready-queue transition that goes with it, side by side.
 *
 * Exactly-once outcomes: every terminal event of a bead (BeadSucceeded, BeadFailed,
 * BeadCancelled) is appended under ONE key, `<bead>:outcome`. A second, different outcome for the
 * same bead (a zombie attempt, a cancel racing a success) is refused by the store's unique index
 * (ORCH_IDEMPOTENCY_CONFLICT) and by the table's key set, so the log can never hold two.
 *
 * Each function ISSUES all its appends (and makes its queue transitions) synchronously, before
 * its first await: the fold into the table is immediate, the log actor's mailbox keeps the order,
 * and a runner can hand its slot back at once while durability completes behind (dispatcher.ts).
 * Nothing here waits for one commit before issuing the next append.
 */
import { TERMINAL_BEAD_STATUSES, workflowStream } from '../events/index.ts';
import type { BeadRecord } from './beads.ts';
import type { RuntimeContext } from './context.ts';

/** Lost attempts (worker died, stalled) allowed beyond maxAttempts before the bead fails: chaos must not fail beads. */
export const EXTRA_LOST_ATTEMPTS = 5;
/** Retry backoff: first delay, doubled per attempt, capped. */
export const RETRY_BASE_MS = 100;
export const RETRY_MAX_MS = 5000;

type FailureData = { type: string; message: string; nonRetryable?: boolean; code?: string };

const outcomeKey = (id: string): string => `${id}:outcome`;

/** True when the bead has a terminal status (nothing more may be recorded for it). */
export function isFinished(record: BeadRecord): boolean {
  return TERMINAL_BEAD_STATUSES.has(record.state.status);
}

/** Appends BeadQueued for beads that became ready (next attempt number in the key: idempotent across restarts). */
export async function recordQueued(ctx: RuntimeContext, ids: readonly string[], reason: string): Promise<void> {
  const writes: Promise<unknown>[] = [];
  for (const id of ids) {
    const record = ctx.table.get(id);
    if (record === undefined || isFinished(record)) continue;
    writes.push(ctx.journal.bead(record, 'BeadQueued', { reason }, `${id}:queued:${record.state.attempts + 1}`));
  }
  // Dispatch now: the runner's BeadStarted queues behind BeadQueued in the log actor's mailbox.
  if (ids.length > 0) ctx.kick();
  await Promise.all(writes);
}

/** The attempt succeeded: record it once, release dependents. */
export async function recordSucceeded(ctx: RuntimeContext, record: BeadRecord, attempt: number, result: unknown): Promise<void> {
  const id = record.bead.id;
  if (isFinished(record)) return;
  // The test-only `dependent-early` defect releases a dependent when its FIRST dependency succeeds.
  const releaseEarly = ctx.options.defects.includes('dependent-early');
  const ready = ctx.queue.status(id) === 'running' ? ctx.queue.markSucceeded(id, { releaseEarly }) : [];
  const outcome = ctx.journal.bead(record, 'BeadSucceeded', { attempt, result }, outcomeKey(id));
  ctx.metrics.succeeded.inc();
  await Promise.all([
    outcome,
    recordQueued(ctx, ready, `dependencies of ${id} succeeded`),
    recordWorkflowEnd(ctx, record),
    startAfterOutcome(ctx, record, attempt),
    doubleOutcome(ctx, record, attempt),
  ]);
}

/** The test-only `double-outcome` defect: the succeeded attempt also fails, under a key of its own. */
async function doubleOutcome(ctx: RuntimeContext, record: BeadRecord, attempt: number): Promise<void> {
  if (!ctx.options.defects.includes('double-outcome')) return;
  const id = record.bead.id;
  ctx.log.warn({ defect: 'double-outcome', beadId: id }, 'TEST DEFECT: a second outcome for one attempt');
  const error = { type: 'DefectSecondOutcome', message: 'test-only double-outcome defect', nonRetryable: true };
  await ctx.journal.bead(record, 'BeadFailed', { attempt, error }, `${outcomeKey(id)}:again`);
}

/** The test-only `start-after-outcome` defect: one more BeadStarted, appended after the bead's outcome. */
async function startAfterOutcome(ctx: RuntimeContext, record: BeadRecord, attempt: number): Promise<void> {
  if (!ctx.options.defects.includes('start-after-outcome')) return;
  const id = record.bead.id;
  ctx.log.warn({ defect: 'start-after-outcome', beadId: id }, 'TEST DEFECT: BeadStarted appended after the outcome');
  // The table's projection swallows it (terminal states are sticky): only the log shows it.
  await ctx.journal.bead(record, 'BeadStarted', { attempt: attempt + 1, workerId: 'defect', fromStep: 0 }, `${id}:started:${attempt + 1}`);
}

/** The attempt failed: retry after a backoff, or fail for good (and block dependents). */
export async function recordFailure(ctx: RuntimeContext, record: BeadRecord, attempt: number, error: FailureData, retryable: boolean): Promise<void> {
  const id = record.bead.id;
  if (isFinished(record)) return;
  if (retryable && record.state.attempts < record.bead.maxAttempts) {
    const delayMs = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (attempt - 1));
    const scheduled = ctx.journal.bead(record, 'BeadRetryScheduled', { attempt, delayMs, error }, `${id}:retry:${attempt}`);
    ctx.metrics.retries.inc();
    // The timer is set before the await: a retrying bead without one is a lost retry to the reconciler.
    scheduleRetry(ctx, record, delayMs);
    await scheduled;
    return;
  }
  await recordFailed(ctx, record, attempt, error);
}

/** Fails the bead for good; its transitive dependents are recorded as failed (attempt 0, blockedBy). */
export async function recordFailed(ctx: RuntimeContext, record: BeadRecord, attempt: number, error: FailureData): Promise<void> {
  const id = record.bead.id;
  if (isFinished(record)) return;
  const status = ctx.queue.status(id);
  if (status === 'running' && ctx.options.defects.includes('release-on-failure')) return releaseOnFailure(ctx, record, attempt, error);
  const blocked = status === 'running' ? ctx.queue.markFailed(id) : [];
  const writes: Promise<unknown>[] = [ctx.journal.bead(record, 'BeadFailed', { attempt, error }, outcomeKey(id))];
  ctx.metrics.failed.inc();
  for (const depId of blocked) {
    const dep = ctx.table.get(depId);
    if (dep === undefined || isFinished(dep)) continue;
    const depError = { type: 'DependencyFailed', message: `dependency ${id} failed`, nonRetryable: true };
    writes.push(ctx.journal.bead(dep, 'BeadFailed', { attempt: 0, error: depError, blockedBy: id }, outcomeKey(depId)));
    ctx.metrics.failed.inc();
  }
  // After every outcome is folded: each affected workflow once (a dependent may be in another one).
  writes.push(...workflowEnds(ctx, [record, ...blocked.map((depId) => ctx.table.get(depId))]));
  await Promise.all(writes);
}

/**
 * The test-only `release-on-failure` defect: the bead fails, but the queue is told it succeeded,
 * so its dependents are queued and run instead of ending failed, blocked by it.
 */
async function releaseOnFailure(ctx: RuntimeContext, record: BeadRecord, attempt: number, error: FailureData): Promise<void> {
  const id = record.bead.id;
  const ready = ctx.queue.markSucceeded(id);
  ctx.log.warn({ defect: 'release-on-failure', beadId: id, released: ready }, 'TEST DEFECT: dependents of a failed bead released');
  const failed = ctx.journal.bead(record, 'BeadFailed', { attempt, error }, outcomeKey(id));
  ctx.metrics.failed.inc();
  await Promise.all([failed, recordQueued(ctx, ready, `dependencies of ${id} ended`), ...workflowEnds(ctx, [record])]);
}

/** The attempt's worker died or stalled: record it and run again from the last checkpoint. */
export async function recordLost(ctx: RuntimeContext, record: BeadRecord, attempt: number, workerId: string, reason: string): Promise<void> {
  const id = record.bead.id;
  if (isFinished(record)) return;
  if (record.state.status !== 'running') {
    // The attempt died before its BeadStarted was issued (the worker's link failed while it
    // connected: a worker that crashed just before it was leased). The log never saw it start, so
    // there is nothing to end: a BeadWorkerLost here would be illegal in 'queued', and the next
    // attempt, numbered from the log, would end that same attempt number a second time. The bead
    // is still queued in the log; it only goes back to the dispatcher's queue.
    ctx.log.warn({ beadId: id, attempt, workerId, reason }, 'attempt lost before it started; re-queued');
    if (ctx.queue.status(id) === 'running') ctx.queue.requeue(id);
    if (ctx.state === 'running') ctx.kick();
    return;
  }
  const lost = ctx.journal.bead(record, 'BeadWorkerLost', { attempt, workerId, reason }, `${id}:lost:${attempt}`);
  if (record.state.attempts >= record.bead.maxAttempts + EXTRA_LOST_ATTEMPTS) {
    const failure = { type: 'WorkerLost', message: `gave up after ${record.state.attempts} attempts: ${reason}`, nonRetryable: true };
    await Promise.all([lost, recordFailed(ctx, record, attempt, failure)]);
    return;
  }
  if (ctx.queue.status(id) === 'running') ctx.queue.requeue(id);
  await Promise.all([lost, recordQueued(ctx, [id], `resume after worker lost: ${reason}`)]);
}

/**
 * The orchestrator is shutting down and stopped the attempt: BeadInterrupted ends the attempt in
 * the log (a running bead has no legal way to be queued again without an end), then BeadQueued
 * (keyed by the next attempt) makes the restart resume it from its last checkpoint.
 */
export async function recordInterrupted(ctx: RuntimeContext, record: BeadRecord, attempt: number, workerId: string, reason: string): Promise<void> {
  const id = record.bead.id;
  if (isFinished(record)) return;
  const interrupted =
    record.state.status === 'running' ? ctx.journal.bead(record, 'BeadInterrupted', { attempt, workerId, reason }, `${id}:interrupted:${attempt}`) : undefined;
  // The queue is left as it is: nothing dispatches any more, and the restart rebuilds it from the log.
  await Promise.all([interrupted, recordQueued(ctx, [id], reason)]);
}

/** Cancels the bead (not running, or its attempt already stopped); dependents are recorded as cancelled. */
export async function recordCancelled(ctx: RuntimeContext, record: BeadRecord, reason: string): Promise<void> {
  const id = record.bead.id;
  if (isFinished(record)) return;
  clearTimeout(ctx.retryTimers.get(id));
  ctx.retryTimers.delete(id);
  const blocked = ctx.queue.markCancelled(id);
  const writes: Promise<unknown>[] = [ctx.journal.bead(record, 'BeadCancelled', { reason }, outcomeKey(id))];
  ctx.metrics.cancelled.inc();
  for (const depId of blocked) {
    const dep = ctx.table.get(depId);
    if (dep === undefined || isFinished(dep)) continue;
    writes.push(ctx.journal.bead(dep, 'BeadCancelled', { reason: 'blocked_by_cancellation', blockedBy: id }, outcomeKey(depId)));
    ctx.metrics.cancelled.inc();
  }
  writes.push(recordWorkflowEnd(ctx, record));
  await Promise.all(writes);
}

/** After the backoff: BeadQueued and back in the ready queue. */
export function scheduleRetry(ctx: RuntimeContext, record: BeadRecord, delayMs: number): void {
  const id = record.bead.id;
  const timer = setTimeout(() => {
    ctx.retryTimers.delete(id);
    if (isFinished(record) || ctx.state !== 'running') return;
    if (ctx.queue.status(id) === 'running') ctx.queue.requeue(id);
    void recordQueued(ctx, [id], 'retry').catch((err: unknown) => ctx.log.error({ err, beadId: id }, 'could not re-queue a retry'));
  }, delayMs);
  timer.unref();
  ctx.retryTimers.set(id, timer);
}

/** recordWorkflowEnd once per distinct workflow of `records`. */
function workflowEnds(ctx: RuntimeContext, records: Array<BeadRecord | undefined>): Promise<void>[] {
  const seen = new Map<string, BeadRecord>();
  for (const r of records) if (r?.workflowId !== undefined && !seen.has(r.workflowId)) seen.set(r.workflowId, r);
  return [...seen.values()].map((r) => recordWorkflowEnd(ctx, r));
}

/** Records WorkflowSucceeded / WorkflowFailed / WorkflowCancelled once every bead of the workflow finished. */
async function recordWorkflowEnd(ctx: RuntimeContext, record: BeadRecord): Promise<void> {
  const workflowId = record.workflowId;
  if (workflowId === undefined) return;
  const beads = (ctx.workflows.get(workflowId) ?? []).map((id) => ctx.table.get(id));
  if (beads.some((b) => b === undefined || !isFinished(b))) return;
  const failed = beads.find((b) => b!.state.status === 'failed' && b!.blockedBy === undefined);
  const cancelled = beads.some((b) => b!.state.status === 'cancelled');
  const key = `workflow:${workflowId}:outcome`;
  const stream = workflowStream(workflowId);
  if (failed !== undefined) {
    await ctx.journal.append(stream, { type: 'WorkflowFailed', data: { failedBeadId: failed.bead.id } }, key);
  } else if (cancelled) {
    await ctx.journal.append(stream, { type: 'WorkflowCancelled', data: {} }, key);
  } else {
    await ctx.journal.append(stream, { type: 'WorkflowSucceeded', data: {} }, key);
  }
}
