/**
 * Start-up recovery: rebuild the live beads — the snapshot (snapshot.ts), then the log after its
 * position, then the outbox, in the order the flush will commit them — rebuild the ready queue to
 * match, and put every in-flight bead (queued, running, retrying, or ready but not yet recorded as
 * queued) back in line to resume from its last checkpoint. Finished beads are not loaded: they are
 * read back from the log when asked for (reads.ts). So start-up reads the snapshot and the tail,
 * not the history.
 */
import type { PendingEvent } from '../events/index.ts';
import { blockingDependencies, type Bead, type FinishedDependency } from '../scheduler/index.ts';
import type { RuntimeContext } from './context.ts';
import type { SubmittedData } from './beads.ts';
import { isFinished, recordLost, recordQueued } from './outcomes.ts';
import { readBeadRecords, type WorkflowSubmittedData } from './reads.ts';
import { loadSnapshot, type LogProjection, type StoredEvent } from './snapshot.ts';

/** What recovery found. */
export interface RecoveryReport {
  /** Beads rebuilt in memory: the live ones (finished beads are read back from the log on demand). */
  beads: number;
  /** Events read: the log after the snapshot's position, plus the outbox. */
  events: number;
  /** Log position the snapshot started from (0: no usable snapshot, the whole log was read). */
  snapshotPosition: number;
  /** In-flight beads put back in line. */
  resumed: string[];
  /** Beads whose running attempt died with the previous process (BeadWorkerLost appended). */
  lostAttempts: number;
}

/**
 * Rebuilds ctx.table / ctx.workflows / ctx.queue from the snapshot plus the log's tail (and the
 * outbox), then re-queues in-flight beads. Returns the projection, which the Snapshotter keeps current.
 */
export async function recover(ctx: RuntimeContext, snapshotPath: string): Promise<{ report: RecoveryReport; projection: LogProjection }> {
  const { projection, snapshotPosition, tail } = await readLive(ctx, snapshotPath);
  // Finished beads stay in the log only: from now on a submit reads unknown ids back (service.ts).
  if (projection.dropped) ctx.table.markPartial();
  for (const [workflowId, submitted] of projection.workflows) {
    const data = submitted.data as WorkflowSubmittedData;
    ctx.workflows.set(workflowId, data.beadIds);
  }
  // Test-only `forget-keys-on-restart`: no submit idempotency key is reloaded, so a client's retry
  // of an acknowledged submit (service-assigned ids) after the restart creates new beads.
  const forgetKeys = ctx.options.defects.includes('forget-keys-on-restart');
  if (forgetKeys) ctx.log.warn({ defect: 'forget-keys-on-restart' }, 'TEST DEFECT: submit idempotency keys not reloaded');
  const remember: typeof ctx.table.rememberSubmit = (...args) => {
    if (!forgetKeys) ctx.table.rememberSubmit(...args);
  };
  for (const [key, stored] of projection.keys) remember(key, stored.fingerprint, stored.beadIds, stored.workflowId, undefined, true);
  const beads: Bead[] = [];
  const fold = (beadId: string, event: StoredEvent | PendingEvent): void => {
    let record = ctx.table.get(beadId);
    if (event.type === 'BeadSubmitted' && record === undefined) {
      const data = event.data as SubmittedData;
      record = ctx.table.create(data, event.at);
      beads.push(data.bead);
      if (data.idempotencyKey !== undefined && data.fingerprint !== undefined) {
        const workflowKey = data.workflowId === undefined ? undefined : ctx.table.submitFor(data.idempotencyKey);
        if (workflowKey === undefined) {
          const ids = data.workflowId === undefined ? [beadId] : (ctx.workflows.get(data.workflowId) ?? [beadId]);
          remember(data.idempotencyKey, data.fingerprint, ids, data.workflowId, undefined, data.assignedIds ?? true);
        }
      }
    }
    if (record !== undefined) ctx.table.fold(record, event.type, event.data, event.idempotencyKey, event.at);
  };
  for (const [beadId, events] of projection.beads) for (const event of events) fold(beadId, event);
  // Outboxed events come after every committed one: that is the order the flush commits them in.
  const pending = ctx.store.pendingEvents();
  for (const event of pending) {
    if (event.stream.startsWith('workflow:') && event.type === 'WorkflowSubmitted') {
      const data = event.data as WorkflowSubmittedData;
      ctx.workflows.set(data.workflowId, data.beadIds);
      if (data.idempotencyKey !== undefined && data.fingerprint !== undefined) {
        remember(data.idempotencyKey, data.fingerprint, data.beadIds, data.workflowId, undefined, data.assignedIds ?? true);
      }
    } else if (event.stream.startsWith('bead:')) {
      fold(event.stream.slice('bead:'.length), event);
    }
  }
  const inFlight = await rebuildQueue(ctx, beads);
  noteFinishedUnits(ctx);
  const report = { beads: beads.length, events: tail + pending.length, snapshotPosition, ...(await resume(ctx, inFlight)) };
  return { report, projection };
}

/** Hands every finished standalone bead and finished workflow to retention (bounded memory after a restart too). */
function noteFinishedUnits(ctx: RuntimeContext): void {
  for (const record of ctx.table.values()) {
    if (record.workflowId === undefined && isFinished(record)) ctx.retention.noteFinished(`bead:${record.bead.id}`);
  }
  for (const [workflowId, beadIds] of ctx.workflows) {
    if (
      beadIds.every((id) => {
        const r = ctx.table.get(id);
        return r !== undefined && isFinished(r);
      })
    )
      ctx.retention.noteFinished(`workflow:${workflowId}`);
  }
}

/** A remote DB may still be coming up: retry retryable read failures this long. */
const RECOVERY_READ_PATIENCE_MS = 30_000;

async function readLive(ctx: RuntimeContext, snapshotPath: string): Promise<{ projection: LogProjection; snapshotPosition: number; tail: number }> {
  const deadline = performance.now() + RECOVERY_READ_PATIENCE_MS;
  for (;;) {
    try {
      const projection = await loadSnapshot(snapshotPath, ctx.store, ctx.log);
      const snapshotPosition = projection.position;
      const tail = await projection.catchUp(ctx.store);
      return { projection, snapshotPosition, tail };
    } catch (err) {
      if ((err as { retryable?: boolean }).retryable !== true || performance.now() > deadline) throw err;
      ctx.log.warn({ err }, 'recovery: the log is not readable yet; retrying');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/**
 * Adds every bead to the queue, then walks it in dependency order, replaying each bead's logged
 * outcome (succeeded / failed / cancelled) so dependents end up exactly where the log says.
 * Returns the beads that were taken but have no outcome: the in-flight ones (still `running` in
 * the queue; resume() puts them back in line).
 */
async function rebuildQueue(ctx: RuntimeContext, beads: Bead[]): Promise<string[]> {
  const { queue, table } = ctx;
  // Dependencies outside the live set finished long ago: their final status comes from the log.
  const outside = beads.flatMap((b) => blockingDependencies(b)).filter((id) => !table.has(id));
  const finished = await readBeadRecords(ctx.store, outside);
  const limit = queue.concurrency;
  queue.setConcurrency(Infinity);
  if (beads.length > 0) {
    queue.add(beads, (id) => {
      const record = finished.get(id);
      if (record === undefined || !isFinished(record)) return undefined;
      return { status: record.state.status as FinishedDependency['status'], ...(record.blockedBy === undefined ? {} : { blockedBy: record.blockedBy }) };
    });
  }
  const inFlight: string[] = [];
  for (let bead = queue.take(); bead !== undefined; bead = queue.take()) {
    const status = table.get(bead.id)!.state.status;
    if (status === 'succeeded') queue.markSucceeded(bead.id);
    else if (status === 'failed') queue.markFailed(bead.id);
    else if (status === 'cancelled') queue.markCancelled(bead.id);
    else inFlight.push(bead.id);
  }
  // Beads that never became ready (a dependency still open, failed or cancelled) but are finished in the log.
  for (const record of table.values()) {
    const qs = queue.status(record.bead.id);
    if (record.state.status === 'cancelled' && qs !== 'cancelled') queue.markCancelled(record.bead.id);
  }
  queue.setConcurrency(limit);
  return inFlight;
}

async function resume(ctx: RuntimeContext, inFlight: string[]): Promise<{ resumed: string[]; lostAttempts: number }> {
  let candidates = inFlight;
  if (ctx.options.defects.includes('lose-on-restart') && candidates.length > 0) {
    const [lost, ...rest] = candidates;
    // Left "running" in the queue with nothing behind it, and hidden from the reconciler.
    ctx.forgotten.add(lost!);
    candidates = rest;
    ctx.log.warn({ defect: 'lose-on-restart', beadId: lost }, 'TEST DEFECT: in-flight bead forgotten at start-up');
  }
  let lostAttempts = 0;
  await Promise.all(
    candidates.map(async (id) => {
      const record = ctx.table.get(id)!;
      if (record.state.status === 'running') {
        lostAttempts++;
        // The previous process died with this attempt on a worker (which exited with it); recordLost re-queues.
        await recordLost(ctx, record, record.state.attempts, record.state.workerId ?? 'unknown', 'orchestrator restarted');
      } else {
        ctx.queue.requeue(id);
        await recordQueued(ctx, [id], 'resume after restart');
      }
    }),
  );
  return { resumed: candidates, lostAttempts };
}
