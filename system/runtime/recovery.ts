/**
 * Start-up recovery: rebuild every bead from the log (committed events, then the outbox, in the
 * order the flush will commit them), rebuild the ready queue to match, and put every in-flight
 * bead (queued, running, retrying, or ready but not yet recorded as queued) back in line to
 * resume from its last checkpoint. One bulk pass, not one bead at a time, so a big backlog is
 * running again within seconds.
 */
import type { EventRecord, PendingEvent } from '../events/index.ts';
import type { Bead } from '../scheduler/index.ts';
import type { RuntimeContext } from './context.ts';
import type { SubmittedData } from './beads.ts';
import { isFinished, recordLost, recordQueued } from './outcomes.ts';

const PAGE = 1000;

/** What recovery found. */
export interface RecoveryReport {
  beads: number;
  events: number;
  /** In-flight beads put back in line. */
  resumed: string[];
  /** Beads whose running attempt died with the previous process (BeadWorkerLost appended). */
  lostAttempts: number;
}

/** Replays the log into ctx.table / ctx.queue, then re-queues in-flight beads. */
export async function recover(ctx: RuntimeContext): Promise<RecoveryReport> {
  const events = await readEverything(ctx);
  const beads: Bead[] = [];
  for (const event of events) {
    if (event.stream.startsWith('workflow:') && event.type === 'WorkflowSubmitted') {
      const data = event.data as { workflowId: string; beadIds: string[]; idempotencyKey?: string; fingerprint?: string; assignedIds?: boolean };
      ctx.workflows.set(data.workflowId, data.beadIds);
      if (data.idempotencyKey !== undefined && data.fingerprint !== undefined) {
        // Logs written before the flag existed: keep the key (it may be the only way back to the beads).
        ctx.table.rememberSubmit(data.idempotencyKey, data.fingerprint, data.beadIds, data.workflowId, undefined, data.assignedIds ?? true);
      }
      continue;
    }
    if (!event.stream.startsWith('bead:')) continue;
    const beadId = event.stream.slice('bead:'.length);
    let record = ctx.table.get(beadId);
    if (event.type === 'BeadSubmitted' && record === undefined) {
      const data = event.data as SubmittedData;
      record = ctx.table.create(data, event.at);
      beads.push(data.bead);
      if (data.idempotencyKey !== undefined && data.fingerprint !== undefined && data.workflowId === undefined) {
        ctx.table.rememberSubmit(data.idempotencyKey, data.fingerprint, [beadId], undefined, undefined, data.assignedIds ?? true);
      }
    }
    if (record !== undefined) ctx.table.fold(record, event.type, event.data, event.idempotencyKey, event.at);
  }
  const inFlight = rebuildQueue(ctx, beads);
  noteFinishedUnits(ctx);
  return { beads: beads.length, events: events.length, ...(await resume(ctx, inFlight)) };
}

/** Hands every finished standalone bead and finished workflow to retention (bounded memory after a restart too). */
function noteFinishedUnits(ctx: RuntimeContext): void {
  for (const record of ctx.table.values()) {
    if (record.workflowId === undefined && isFinished(record)) ctx.retention.noteFinished(`bead:${record.bead.id}`);
  }
  for (const [workflowId, beadIds] of ctx.workflows) {
    if (beadIds.every((id) => { const r = ctx.table.get(id); return r !== undefined && isFinished(r); })) ctx.retention.noteFinished(`workflow:${workflowId}`);
  }
}

/** A remote DB may still be coming up: retry retryable read failures this long. */
const RECOVERY_READ_PATIENCE_MS = 30_000;

async function readEverything(ctx: RuntimeContext): Promise<Array<EventRecord | PendingEvent>> {
  const deadline = performance.now() + RECOVERY_READ_PATIENCE_MS;
  for (;;) {
    try {
      return await readOnce(ctx);
    } catch (err) {
      if ((err as { retryable?: boolean }).retryable !== true || performance.now() > deadline) throw err;
      ctx.log.warn({ err }, 'recovery: the log is not readable yet; retrying');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

async function readOnce(ctx: RuntimeContext): Promise<Array<EventRecord | PendingEvent>> {
  const all: Array<EventRecord | PendingEvent> = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await ctx.store.readAll({ ...(cursor === undefined ? {} : { afterCursor: cursor }), limit: PAGE });
    all.push(...page.events);
    if (page.events.length < PAGE) break;
    cursor = page.nextCursor;
  }
  // Outboxed events come after every committed one: that is the order the flush commits them in.
  all.push(...ctx.store.pendingEvents());
  return all;
}

/**
 * Adds every bead to the queue, then walks it in dependency order, replaying each bead's logged
 * outcome (succeeded / failed / cancelled) so dependents end up exactly where the log says.
 * Returns the beads that were taken but have no outcome: the in-flight ones (still `running` in
 * the queue; resume() puts them back in line).
 */
function rebuildQueue(ctx: RuntimeContext, beads: Bead[]): string[] {
  const { queue, table } = ctx;
  const limit = queue.concurrency;
  queue.setConcurrency(Infinity);
  if (beads.length > 0) queue.add(beads);
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
