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
import { parseBead, parseWorkflow, validateDag, blockingDependencies, type Bead, type FinishedDependency } from '../scheduler/index.ts';
import { workflowStream, type EventRecord } from '../events/index.ts';
import { toView, type BeadRecord, type SubmittedData } from './beads.ts';
import { readBeadRecord, readBeadRecords, readStreamPage, readWorkflowSubmitted } from './reads.ts';
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
      // Report only what is durable: the table is folded when an append is issued, and the
      // runtime no longer waits for the commit; the answer does (usually a few ms at most).
      if (ctx.table.has(id)) await ctx.journal.settled(id);
      const record = ctx.table.get(id) ?? (await readBeadRecord(ctx.store, id));
      return record === undefined ? undefined : toView(record);
    },
    cancel: (id, opts) => cancel(ctx, id, opts.reason ?? 'cancelled by request'),
    // Through the executor, so a throw is a rejection, as from an async function.
    health: () => new Promise((resolve) => resolve(healthReport(ctx, memory))),
    events: (q, signal) => events(ctx, q, signal),
    metricsText: () => ctx.metrics.registry.metrics(),
    admin: createAdmin(ctx),
    accepting: () => ctx.state === 'running',
  };
}

/**
 * Everything from the last await on is synchronous: "is this key or id known?", validation,
 * registering the beads and ISSUING their appends cannot interleave with another submit, and the
 * appends enter the log actor's mailbox in order (BeadSubmitted before BeadQueued before anything
 * a runner appends). Only then does the submit wait for durability — so concurrent submits share
 * group commits instead of queueing behind a lock.
 *
 * Before that stretch, the ids the request names that are not in memory are read back from the
 * log (retention.ts evicts finished beads): a resubmit of an evicted bead, a reused id, or a
 * dependency on an evicted bead is then decided exactly as if it were still in memory. While
 * memory holds the whole log (`table.partial` false) there is nothing to read back, so a DB
 * outage does not refuse the submit: its events go to the outbox. Once something was evicted, a
 * submit naming ids not in memory needs the log, and an outage answers it 503 (retryable).
 */
async function submit(ctx: RuntimeContext, req: SubmitRequest, opts: SubmitOptions): Promise<SubmitResult> {
  const key = opts.idempotencyKey;
  const knownBefore = key === undefined ? undefined : ctx.table.submitFor(key);
  if (knownBefore !== undefined) return answerKnown(ctx, key!, knownBefore, opts.fingerprint);
  const gone = await readNamedFromLog(ctx, req);
  // The awaits above let other submits run: look again.
  const known = key === undefined ? undefined : ctx.table.submitFor(key);
  if (known !== undefined) return answerKnown(ctx, key!, known, opts.fingerprint);
  const replay = await replayEvicted(ctx, gone, key, opts.fingerprint);
  if (replay !== undefined) return replay;
  const exists = (id: string): boolean => ctx.table.has(id) || gone.beads.has(id);
  const { beads, workflowId } = validate(ctx, req, key, exists);
  if (workflowId !== undefined && gone.workflow !== undefined) throw new IdempotencyMismatchError(key ?? `workflow:${workflowId}`);
  for (const bead of beads) if (gone.beads.has(bead.id)) throw new IdempotencyMismatchError(key ?? `bead:${bead.id}`);
  const assignedIds = req.kind === 'bead' ? req.bead.id === undefined : req.workflow.id === undefined && req.workflow.beads.every((b) => b.id === undefined);

  const now = new Date().toISOString();
  const writes: Promise<unknown>[] = [];
  if (workflowId !== undefined) {
    const data = {
      workflowId,
      beadIds: beads.map((b) => b.id),
      edges: edgesOf(beads),
      ...(key === undefined ? {} : { idempotencyKey: key }),
      fingerprint: opts.fingerprint,
      assignedIds,
    };
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
      assignedIds,
    };
    const record = ctx.table.create(data, now);
    writes.push(ctx.journal.bead(record, 'BeadSubmitted', data, `${bead.id}:submitted`));
    return record;
  });
  const ready = ctx.queue.add(beads, (id) => finishedDependency(gone.beads.get(id)));
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
  if (key !== undefined)
    ctx.table.rememberSubmit(
      key,
      opts.fingerprint,
      beads.map((b) => b.id),
      workflowId,
      durable,
      assignedIds,
    );
  ctx.metrics.submitted.inc(records.length);
  if (ctx.options.defects.includes('phantom-bead') && req.kind === 'bead' && !phantomCreated.has(ctx)) await submitPhantom(ctx, req);
  if (ctx.options.defects.includes('ack-before-durable')) {
    // Test-only: the answer goes out while the appends are still held (journal.ts), not yet durable.
    ctx.log.warn({ defect: 'ack-before-durable', beadIds: beads.map((b) => b.id) }, 'TEST DEFECT: submit acknowledged before its commit');
  } else {
    await durable;
  }
  return { created: true, beads: records.map((record) => toView(record)), ...(workflowId === undefined ? {} : { workflowId }) };
}

/** `phantom-bead`: the runtimes that already made their one phantom. */
const phantomCreated = new WeakSet<RuntimeContext>();

/**
 * Test-only `phantom-bead`: the first bead submit of a process also creates `phantom-<id>`, a
 * copy no request named and no key covers — a bead nothing could have created (the harness's
 * `unexpected` check). It runs like any other bead.
 */
async function submitPhantom(ctx: RuntimeContext, req: Extract<SubmitRequest, { kind: 'bead' }>): Promise<void> {
  phantomCreated.add(ctx);
  const id = `phantom-${req.bead.id ?? randomUUID()}`;
  ctx.log.warn({ defect: 'phantom-bead', beadId: id }, 'TEST DEFECT: a bead no request asked for');
  await submit(ctx, { kind: 'bead', bead: { ...req.bead, id, dependsOn: [], dependencies: [] } }, { fingerprint: `defect:${id}` });
}

/** A retry of a submit still in memory: the original beads (read back if evicted since). */
type KnownSubmit = NonNullable<ReturnType<RuntimeContext['table']['submitFor']>>;

async function answerKnown(ctx: RuntimeContext, key: string, known: KnownSubmit, fingerprint: string): Promise<SubmitResult> {
  if (known.fingerprint !== fingerprint) throw new IdempotencyMismatchError(key);
  await known.durable; // a retry racing the original answers once the original is durable
  const beads = await viewsOf(ctx, known.beadIds);
  return { created: false, beads, ...(known.workflowId === undefined ? {} : { workflowId: known.workflowId }) };
}

/** Evicted beads (and the workflow) a request names by id, read back from the log. */
interface NamedInLog {
  beads: Map<string, BeadRecord>;
  workflow: { id: string; data: Awaited<ReturnType<typeof readWorkflowSubmitted>> & object } | undefined;
}

async function readNamedFromLog(ctx: RuntimeContext, req: SubmitRequest): Promise<NamedInLog> {
  // Nothing evicted, nothing left in the log at start-up: an id not in memory is in the log neither.
  if (!ctx.table.partial) return { beads: new Map(), workflow: undefined };
  const named = new Set<string>();
  const beadsOf = req.kind === 'bead' ? [req.bead] : req.workflow.beads;
  for (const bead of beadsOf) {
    if (bead.id !== undefined) named.add(bead.id);
    for (const dep of bead.dependsOn ?? []) named.add(dep);
    for (const dep of bead.dependencies ?? []) named.add(dep.depends_on_id);
  }
  const missing = [...named].filter((id) => !ctx.table.has(id));
  const beads = missing.length === 0 ? new Map<string, BeadRecord>() : await readBeadRecords(ctx.store, missing);
  let workflow: NamedInLog['workflow'];
  if (req.kind === 'workflow' && req.workflow.id !== undefined && !ctx.workflows.has(req.workflow.id)) {
    const data = await readWorkflowSubmitted(ctx.store, req.workflow.id);
    if (data !== undefined) workflow = { id: req.workflow.id, data };
  }
  return { beads, workflow };
}

/**
 * The request is a retry of an evicted submit when a bead or workflow it names by id was
 * submitted under the same key with the same fingerprint: answer with the original beads.
 */
async function replayEvicted(ctx: RuntimeContext, gone: NamedInLog, key: string | undefined, fingerprint: string): Promise<SubmitResult | undefined> {
  // Test-only `forget-keys-on-restart` forgets these keys too: they are reloaded from the log.
  if (key === undefined || ctx.options.defects.includes('forget-keys-on-restart')) return undefined;
  if (gone.workflow !== undefined) {
    const { data } = gone.workflow;
    if (data.idempotencyKey !== key) return undefined;
    if (data.fingerprint !== fingerprint) throw new IdempotencyMismatchError(key);
    return { created: false, beads: await viewsOf(ctx, data.beadIds), workflowId: data.workflowId };
  }
  for (const record of gone.beads.values()) {
    if (record.idempotencyKey !== key) continue;
    if (record.fingerprint !== fingerprint) throw new IdempotencyMismatchError(key);
    if (record.workflowId === undefined) return { created: false, beads: [toView(record)] };
    const data = await readWorkflowSubmitted(ctx.store, record.workflowId);
    return { created: false, beads: await viewsOf(ctx, data?.beadIds ?? [record.bead.id]), workflowId: record.workflowId };
  }
  return undefined;
}

/** Views of beads by id, from memory or read back from the log. */
async function viewsOf(ctx: RuntimeContext, ids: readonly string[]): Promise<BeadView[]> {
  const inLog = await readBeadRecords(
    ctx.store,
    ids.filter((id) => !ctx.table.has(id)),
  );
  return ids.flatMap((id) => {
    const record = ctx.table.get(id) ?? inLog.get(id);
    return record === undefined ? [] : [toView(record)];
  });
}

/** An evicted bead as the ready queue sees a forgotten dependency. */
function finishedDependency(record: BeadRecord | undefined): FinishedDependency | undefined {
  if (record === undefined || !isFinished(record)) return undefined;
  return { status: record.state.status as FinishedDependency['status'], ...(record.blockedBy === undefined ? {} : { blockedBy: record.blockedBy }) };
}

/** Validates a submit whole (schema, ids, DAG against known beads, agent scripts); writes nothing. */
function validate(
  ctx: RuntimeContext,
  req: SubmitRequest,
  key: string | undefined,
  exists: (id: string) => boolean,
): { beads: Bead[]; workflowId: string | undefined } {
  let beads: Bead[];
  let workflowId: string | undefined;
  if (req.kind === 'bead') {
    const id = req.bead.id ?? `b-${randomUUID()}`;
    if (exists(id)) throw new IdempotencyMismatchError(key ?? `bead:${id}`);
    const bead = parseBead({ ...req.bead, id });
    validateDag([{ id, dependsOn: blockingDependencies(bead) }], exists);
    beads = [bead];
  } else {
    workflowId = req.workflow.id ?? `wf-${randomUUID()}`;
    const withIds = req.workflow.beads.map((b) => ({ ...b, id: b.id ?? `b-${randomUUID()}` }));
    beads = parseWorkflow({ ...req.workflow, id: workflowId, beads: withIds }, exists).beads;
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
  if (record === undefined) {
    // Not in memory: evicted (so finished) or unknown.
    const evicted = await readBeadRecord(ctx.store, id);
    if (evicted === undefined) throw new NotFoundError(`bead "${id}" not found`, { id });
    throw new BeadAlreadyFinishedError(id, evicted.state.status);
  }
  if (isFinished(record)) throw new BeadAlreadyFinishedError(id, record.state.status);
  if (!record.state.cancelRequested) await ctx.journal.bead(record, 'BeadCancelRequested', { reason }, `${id}:cancel-requested`);
  const attempt = ctx.attempts.get(id);
  if (attempt !== undefined && ctx.options.defects.includes('cancel-without-stop')) {
    // Test-only: the bead is recorded cancelled while its agent keeps running (and applying steps).
    ctx.log.warn({ defect: 'cancel-without-stop', beadId: id }, 'TEST DEFECT: cancelled without stopping the agent');
    await recordCancelled(ctx, record, reason);
  } else if (attempt !== undefined) {
    attempt.stop('cancel');
  } else if (!ctx.runners.includes(id) && !isFinished(record)) {
    // Not on a worker (pending, ready, or waiting for a retry): cancel it here and now.
    if (ctx.forgotten.has(id)) ctx.forgotten.delete(id);
    await recordCancelled(ctx, record, reason);
  }
  // A running bead ends when its agent confirmed the abort (or its worker was stopped).
  const deadline = performance.now() + CANCEL_WAIT_MS;
  while (!isFinished(record) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  // The answer comes after the fsync of what it reports (the runner does not wait for it).
  await ctx.journal.settled(id);
  return toView(record);
}

/**
 * One page of the log. With `wait`, an empty page is a long-poll: it parks until a commit (any
 * stream: a stream's page is read again and may still be empty), the deadline, or the request's
 * end, and answers the page as it is then. The position is taken before each read (commit-watch.ts).
 */
async function events(ctx: RuntimeContext, q: { stream?: string; from?: number; limit: number; wait?: number }, signal?: AbortSignal): Promise<EventPage> {
  const from = q.from ?? 0;
  const read = (): Promise<EventRecord[]> =>
    q.stream === undefined
      ? ctx.store.readAll({ afterCursor: String(from), limit: q.limit }).then((page) => page.events)
      : readStreamPage(ctx.store, q.stream, from, q.limit);
  const deadline = performance.now() + (q.wait ?? 0);
  let seen = ctx.store.committedPosition;
  let records = await read();
  // Only while there is wait left: a commit that landed during the read of a `wait=0` page (or the
  // last read of a long-poll) would otherwise buy another read nobody asked for.
  while (records.length === 0 && ctx.state === 'running' && performance.now() < deadline) {
    const outcome = await ctx.store.commitAfter(seen, deadline - performance.now(), signal);
    if (outcome !== 'committed') break;
    seen = ctx.store.committedPosition;
    records = await read();
  }
  const views = records.map((e) => ({
    cursor: e.position,
    stream: e.stream,
    seq: e.seq,
    type: e.type,
    data: e.data,
    at: e.at,
    idempotencyKey: e.idempotencyKey,
  }));
  return views.length === q.limit ? { events: views, next: views[views.length - 1]!.cursor } : { events: views };
}

function edgesOf(beads: Bead[]): [string, string][] {
  return beads.flatMap((b) => blockingDependencies(b).map((dep): [string, string] => [dep, b.id]));
}
