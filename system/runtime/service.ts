/**
 * The BeadService the REST API fronts (system/api/service.ts), backed by the runtime: submits are
 * validated whole, then written (BeadSubmitted, with the idempotency key and fingerprint so a
 * retry is recognised even after a restart), then queued. A request that fails validation writes
 * nothing. Reads come from the in-memory table, which is folded from the same events.
 */
import { randomUUID } from 'node:crypto';
import { resolveAgentInput } from '../agent/input.ts';
import { AgentInputError } from '../agent/errors.ts';
import { BeadAlreadyFinishedError, IdempotencyMismatchError, NotFoundError } from '../api/index.ts';
import type { BeadService, BeadView, EventPage, SubmitOptions, SubmitRequest, SubmitResult } from '../api/index.ts';
import { parseBead, parseWorkflow, validateDag, blockingDependencies, type Bead } from '../scheduler/index.ts';
import { workflowStream, type EventRecord } from '../events/index.ts';
import { toView, type SubmittedData } from './beads.ts';
import type { RuntimeContext } from './context.ts';
import { createAdmin } from './admin.ts';
import { healthReport } from './health.ts';
import { isFinished, recordCancelled, recordQueued } from './outcomes.ts';
import type { ReconcilerMemory } from './reconciler.ts';

/** How long cancel() waits for a running bead's agent to stop before answering with its current view. */
const CANCEL_WAIT_MS = 5000;

/** Builds the service over a runtime context. */
export function createBeadService(ctx: RuntimeContext, memory: ReconcilerMemory): BeadService {
  return {
    submit: (req, opts) => submit(ctx, req, opts),
    async get(id) {
      const record = ctx.table.get(id);
      return record === undefined ? undefined : toView(record);
    },
    cancel: (id, opts) => cancel(ctx, id, opts.reason ?? 'cancelled by request'),
    health: async () => healthReport(ctx, memory),
    events: (q) => events(ctx, q),
    metricsText: () => ctx.metrics.registry.metrics(),
    admin: createAdmin(ctx),
    accepting: () => ctx.state === 'running',
  };
}

/**
 * Everything up to the last append is synchronous (no await): "is this key or id known?",
 * validation, registering the beads and ISSUING their appends cannot interleave with another
 * submit, and the appends enter the log actor's mailbox in order (BeadSubmitted before BeadQueued
 * before anything a runner appends). Only then does the submit wait for durability — so
 * concurrent submits share group commits instead of queueing behind a lock.
 */
async function submit(ctx: RuntimeContext, req: SubmitRequest, opts: SubmitOptions): Promise<SubmitResult> {
  const key = opts.idempotencyKey;
  const known = key === undefined ? undefined : ctx.table.submitFor(key);
  if (known !== undefined) {
    if (known.fingerprint !== opts.fingerprint) throw new IdempotencyMismatchError(key!);
    await known.durable; // a retry racing the original answers once the original is durable
    const beads = known.beadIds.map((id) => toView(ctx.table.get(id)!));
    return { created: false, beads, ...(known.workflowId === undefined ? {} : { workflowId: known.workflowId }) };
  }
  const { beads, workflowId } = validate(ctx, req, key);

  const now = new Date().toISOString();
  const writes: Promise<unknown>[] = [];
  if (workflowId !== undefined) {
    const data = { workflowId, beadIds: beads.map((b) => b.id), edges: edgesOf(beads), ...(key === undefined ? {} : { idempotencyKey: key }), fingerprint: opts.fingerprint };
    writes.push(ctx.journal.append(workflowStream(workflowId), { type: 'WorkflowSubmitted', data }, `workflow:${workflowId}:submitted`));
    ctx.workflows.set(workflowId, data.beadIds);
  }
  const records = beads.map((bead) => {
    const data: SubmittedData = {
      beadId: bead.id,
      ...(workflowId === undefined ? {} : { workflowId }),
      priority: bead.priority,
      maxAttempts: bead.maxAttempts,
      input: bead.input,
      bead,
      seed: `${ctx.options.seed}:${bead.id}`,
      ...(key === undefined ? {} : { idempotencyKey: key }),
      fingerprint: opts.fingerprint,
    };
    const record = ctx.table.create(data, now);
    writes.push(ctx.journal.bead(record, 'BeadSubmitted', data, `${bead.id}:submitted`));
    return record;
  });
  const ready = ctx.queue.add(beads);
  writes.push(recordQueued(ctx, ready, 'submitted'));
  // A dependency that already failed or was cancelled blocks the new bead at once: record it.
  for (const record of records) {
    const entry = ctx.queue.entry(record.bead.id);
    if (entry.status === 'blocked_by_failure') {
      const error = { type: 'DependencyFailed', message: `dependency ${entry.blockedBy} failed`, nonRetryable: true };
      writes.push(ctx.journal.bead(record, 'BeadFailed', { attempt: 0, error, blockedBy: entry.blockedBy }, `${record.bead.id}:outcome`));
      ctx.metrics.failed.inc();
    } else if (entry.status === 'blocked_by_cancellation') {
      writes.push(ctx.journal.bead(record, 'BeadCancelled', { reason: 'blocked_by_cancellation', blockedBy: entry.blockedBy }, `${record.bead.id}:outcome`));
      ctx.metrics.cancelled.inc();
    }
  }
  const durable = Promise.all(writes);
  durable.catch(() => {}); // awaited below; a racing retry awaits it too
  if (key !== undefined) ctx.table.rememberSubmit(key, opts.fingerprint, beads.map((b) => b.id), workflowId, durable);
  ctx.metrics.submitted.inc(records.length);
  await durable;
  return { created: true, beads: records.map((record) => toView(record)), ...(workflowId === undefined ? {} : { workflowId }) };
}

/** Validates a submit whole (schema, ids, DAG against known beads, agent scripts); writes nothing. */
function validate(ctx: RuntimeContext, req: SubmitRequest, key: string | undefined): { beads: Bead[]; workflowId: string | undefined } {
  let beads: Bead[];
  let workflowId: string | undefined;
  if (req.kind === 'bead') {
    const id = req.bead.id ?? `b-${randomUUID()}`;
    if (ctx.table.has(id)) throw new IdempotencyMismatchError(key ?? `bead:${id}`);
    const bead = parseBead({ ...req.bead, id });
    validateDag([{ id, dependsOn: blockingDependencies(bead) }], (dep) => ctx.table.has(dep));
    beads = [bead];
  } else {
    workflowId = req.workflow.id ?? `wf-${randomUUID()}`;
    const withIds = req.workflow.beads.map((b) => ({ ...b, id: b.id ?? `b-${randomUUID()}` }));
    beads = parseWorkflow({ ...req.workflow, id: workflowId, beads: withIds }, (id) => ctx.table.has(id)).beads;
  }
  for (const bead of beads) {
    try {
      resolveAgentInput(bead.input.agent ?? {});
    } catch (err) {
      if (err instanceof AgentInputError) throw new AgentInputError(`bead ${bead.id}: ${err.message}`, { ...err.details, beadId: bead.id });
      throw err;
    }
  }
  return { beads, workflowId };
}

async function cancel(ctx: RuntimeContext, id: string, reason: string): Promise<BeadView> {
  const record = ctx.table.get(id);
  if (record === undefined) throw new NotFoundError(`bead "${id}" not found`, { id });
  if (isFinished(record)) throw new BeadAlreadyFinishedError(id, record.state.status);
  if (!record.state.cancelRequested) await ctx.journal.bead(record, 'BeadCancelRequested', { reason }, `${id}:cancel-requested`);
  const attempt = ctx.attempts.get(id);
  if (attempt !== undefined) {
    attempt.stop('cancel');
  } else if (!ctx.runners.includes(id) && !isFinished(record)) {
    // Not on a worker (pending, ready, or waiting for a retry): cancel it here and now.
    if (ctx.forgotten.has(id)) ctx.forgotten.delete(id);
    await recordCancelled(ctx, record, reason);
  }
  // A running bead ends when its agent confirmed the abort (or its worker was stopped).
  const deadline = performance.now() + CANCEL_WAIT_MS;
  while (!isFinished(record) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return toView(record);
}

async function events(ctx: RuntimeContext, q: { stream?: string; from?: number; limit: number }): Promise<EventPage> {
  const from = q.from ?? 0;
  let records: EventRecord[];
  if (q.stream === undefined) {
    records = (await ctx.store.readAll({ afterCursor: String(from), limit: q.limit })).events;
  } else {
    records = (await ctx.store.read(q.stream)).filter((e) => e.position > from).slice(0, q.limit);
  }
  const views = records.map((e) => ({ cursor: e.position, stream: e.stream, seq: e.seq, type: e.type, data: e.data, at: e.at, idempotencyKey: e.idempotencyKey }));
  return views.length === q.limit ? { events: views, next: views[views.length - 1]!.cursor } : { events: views };
}

function edgesOf(beads: Bead[]): [string, string][] {
  return beads.flatMap((b) => blockingDependencies(b).map((dep): [string, string] => [dep, b.id]));
}
