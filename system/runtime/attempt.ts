/**
 * One attempt of one bead on one leased worker: take a session (made ahead) and its events from
 * the worker's one stream (worker-link.ts), append BeadStarted, prompt (resuming from the last checkpoint), append a StepCheckpointed per
 * checkpoint event, and end with exactly one AttemptEnd. The caller (dispatcher.ts) turns that end
 * into the bead's next event; this module never decides retries.
 *
 * Ending early (cancel, shutdown, timeout, a killed runner, a stalled worker): `stop(reason)`
 * aborts the agent's session and waits up to ABORT_GRACE_MS for its `session.error`; a worker
 * that does not answer is stopped (SIGTERM, then SIGKILL), so no zombie run keeps applying side
 * effects behind a newer attempt.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { stateFor } from '../agent/simulated.ts';
import { hasCode } from '../errors.ts';
import { type EventSubscription, type WorkerClient, type WorkerEvent, type WorkerHandle } from '../worker/index.ts';
import type { SessionInfo } from '../worker/protocol.ts';
import { workerLink, type WorkerLink } from './worker-link.ts';
import type { BeadRecord } from './beads.ts';
import type { Journal } from './journal.ts';

/** How long an aborted agent gets to confirm with `session.error` before its worker is stopped. */
export const ABORT_GRACE_MS = 2000;

/** How often an attempt cut off from its (live) worker tries to reach it again. */
export const RECONNECT_INTERVAL_MS = 250;

/** Why an attempt was asked to end before its agent did. */
export type StopReason = 'cancel' | 'shutdown' | 'timeout' | 'lost';

/** How an attempt ended. */
export type AttemptEnd =
  | { kind: 'succeeded'; result: unknown }
  | { kind: 'failed'; error: { type: string; message: string; nonRetryable?: boolean; code?: string }; retryable: boolean }
  | { kind: 'lost'; reason: string }
  | { kind: 'cancel' | 'shutdown' | 'timeout'; reason: string };

/** A running attempt, as the reconciler and cancel see it. */
export class Attempt {
  readonly beadId: string;
  readonly number: number;
  readonly worker: WorkerHandle;
  /** performance.now() of the last sign of progress (any worker event, heartbeats included). */
  lastProgressAt = performance.now();
  sessionID: string | undefined;
  /**
   * True while the worker is alive (its IPC heartbeats arrive) but cannot be reached over the
   * network (a partition): its run goes on, and the attempt catches up once it reconnects.
   */
  unreachable = false;
  /** How the worker is reached (through its agent proxy when there is one). */
  #client!: WorkerClient;
  /** The worker's one event stream and its sessions made ahead (worker-link.ts). */
  #link!: WorkerLink;
  /** The session's current event route (replaced after a reconnect); closed when the attempt ends. */
  #subscription: EventSubscription | undefined;
  /** Highest step whose StepCheckpointed this attempt recorded (or resumed from). */
  #lastStep = 0;
  /** True once the worker accepted the prompt: only then is there a run to abort. */
  #prompted = false;
  #stopReason: { reason: StopReason; detail: string } | undefined;
  #onStop: (() => void) | undefined;
  readonly #stopped: Promise<void>;

  constructor(beadId: string, number: number, worker: WorkerHandle) {
    this.beadId = beadId;
    this.number = number;
    this.worker = worker;
    this.#stopped = new Promise((resolve) => (this.#onStop = resolve));
  }

  get stopReason(): StopReason | undefined {
    return this.#stopReason?.reason;
  }

  /** Asks the attempt to end (first reason wins). */
  stop(reason: StopReason, detail: string = reason): void {
    if (this.#stopReason !== undefined) return;
    this.#stopReason = { reason, detail };
    this.#onStop?.();
  }

  /** Runs the attempt to its end. Never throws: every failure is an AttemptEnd. */
  async run(
    record: BeadRecord,
    journal: Journal,
    options: {
      doubleStep: boolean;
      skipStep?: boolean;
      startTwice?: boolean;
      heartbeatTimeoutMs?: number;
      onPrompted: () => void;
      onEvent?: (event: WorkerEvent) => void;
    },
  ): Promise<AttemptEnd> {
    const timer = setTimeout(() => this.stop('timeout', `bead timed out after ${record.bead.timeoutMs} ms`), record.bead.timeoutMs);
    let subscription: EventSubscription | undefined;
    try {
      this.#link = workerLink(this.worker);
      this.#client = await this.#link.client();
      // Usually made ahead by the previous attempt, and the stream is already open: no round trip.
      this.sessionID = await this.#link.session();
      subscription = await this.#link.events(this.sessionID);
      this.#subscription = subscription;
      const checkpoint = resumePoint(record, options.doubleStep, options.skipStep === true);
      this.#lastStep = checkpoint?.step ?? 0;
      const started = { attempt: this.number, workerId: this.worker.id, fromStep: checkpoint?.step ?? 0 };
      this.#write(journal.bead(record, 'BeadStarted', started, `${record.bead.id}:started:${this.number}`));
      // Test-only `start-twice`: the same attempt started again, under a key of its own.
      if (options.startTwice === true) this.#write(journal.bead(record, 'BeadStarted', started, `${record.bead.id}:started:${this.number}:again`));
      if (this.#stopReason !== undefined) return await this.#abort(record, journal, subscription);
      await this.#client.promptAsync(this.sessionID, {
        beadId: record.bead.id,
        input: agentInput(record),
        seed: record.seed,
        attempt: this.number,
        ...(checkpoint !== undefined && checkpoint.step > 0 ? { fromCheckpoint: checkpoint } : {}),
      });
      this.#prompted = true;
      options.onPrompted();
      return await this.#follow(record, journal, subscription, options.onEvent, options.heartbeatTimeoutMs ?? 3000);
    } catch (err) {
      if (hasCode(err, 'ORCH_AGENT_INVALID_INPUT') || (err as { details?: { workerCode?: string } }).details?.workerCode === 'ORCH_AGENT_INVALID_INPUT') {
        return { kind: 'failed', error: { type: 'AgentInvalidInput', message: (err as Error).message, nonRetryable: true }, retryable: false };
      }
      if (this.#stopReason !== undefined && this.#stopReason.reason !== 'lost') return this.#endFor(this.#stopReason);
      await this.#ensureDead();
      return { kind: 'lost', reason: this.#stopReason?.detail ?? `worker ${this.worker.id}: ${(err as Error).message}` };
    } finally {
      clearTimeout(timer);
      subscription?.close();
      this.#subscription?.close();
      // Not waiting for what it recorded to be durable: the worker and the runner slot are free as
      // soon as the agent is done. The appends commit in issue order behind (the outcome, issued
      // next by the runner, after the last checkpoint); the journal logs any that fail.
    }
  }

  /**
   * Issues an append without waiting for it: the log actor's mailbox keeps the order (BeadStarted,
   * then each checkpoint, then the outcome), and appends of many beads share group commits.
   */
  #write(append: Promise<unknown>): void {
    append.catch(() => {});
  }

  async #follow(
    record: BeadRecord,
    journal: Journal,
    first: EventSubscription,
    onEvent: ((event: WorkerEvent) => void) | undefined,
    heartbeatTimeoutMs: number,
  ): Promise<AttemptEnd> {
    let subscription = first;
    let next = subscription.next();
    for (;;) {
      const event = await Promise.race([next.catch((err: unknown) => ({ lost: err })), this.#stopped.then(() => 'stop' as const)]);
      if (event === 'stop') return this.#abort(record, journal, subscription, next);
      if (event === undefined || 'lost' in event) {
        // The stream broke. A worker whose IPC heartbeats still arrive is alive and still running
        // our session: the NETWORK failed (a partition). Killing it would re-run every step it
        // finishes meanwhile, so keep it, and catch up from its session once it answers again.
        const alive = this.worker.alive && performance.now() - this.worker.lastHeartbeatAt <= heartbeatTimeoutMs;
        if (!alive) throw event === undefined ? new Error('event stream closed') : event.lost;
        subscription.close();
        const resumed = await this.#reconnect(record, journal, heartbeatTimeoutMs);
        if (resumed === 'stop') return this.#abort(record, journal, subscription);
        if ('end' in resumed) return resumed.end;
        subscription = resumed.subscription;
        this.#subscription = subscription;
        next = subscription.next();
        continue;
      }
      next = subscription.next();
      this.lastProgressAt = performance.now();
      if (this.unreachable) {
        // The stream was silent long enough to be called a partition, yet it lives: events may
        // have been dropped meanwhile (a blackhole drops, it does not delay). Resync from the session.
        const end = await this.#resync(record, journal).catch(() => undefined);
        if (end !== undefined) return end;
      }
      onEvent?.(event);
      const end = this.#onEvent(record, journal, event);
      if (end !== undefined) return end;
    }
  }

  #onEvent(record: BeadRecord, journal: Journal, event: WorkerEvent): AttemptEnd | undefined {
    if (!('sessionID' in event.properties) || event.properties.sessionID !== this.sessionID) return undefined;
    if (event.type === 'checkpoint') {
      const { step, state } = event.properties;
      if (step <= this.#lastStep) return undefined; // already recorded while catching up
      this.#lastStep = step;
      this.#write(journal.bead(record, 'StepCheckpointed', { step, state }, `checkpoint:${record.bead.id}:${step}`));
      return undefined;
    }
    if (event.type === 'session.idle') return { kind: 'succeeded', result: compactResult(event.properties.result ?? null) };
    if (event.type === 'session.error') {
      const { error } = event.properties;
      if (this.#stopReason !== undefined) return this.#endFor(this.#stopReason);
      const failure = { type: error.type, message: error.message, nonRetryable: !error.retryable, code: error.code };
      return { kind: 'failed', error: failure, retryable: error.retryable };
    }
    return undefined;
  }

  /**
   * Aborts the session and waits for its end event, still recording checkpoints that arrive
   * meanwhile (a step that finished is durable and must not run again). A run that finished just
   * before the abort landed succeeded. A worker that stays silent is stopped.
   */
  async #abort(record: BeadRecord, journal: Journal, subscription: EventSubscription, pending?: Promise<WorkerEvent | undefined>): Promise<AttemptEnd> {
    const reason = this.#stopReason!;
    if (this.#prompted && this.sessionID !== undefined && this.worker.alive) {
      const deadline = performance.now() + ABORT_GRACE_MS;
      // A frozen worker never answers: the abort call gets the same grace as its confirmation.
      await Promise.race([this.#client.abort(this.sessionID).catch(() => false), sleep(ABORT_GRACE_MS)]);
      let next = pending ?? subscription.next();
      for (;;) {
        const event = await raceTimeout(next, deadline - performance.now());
        if (event === undefined) {
          await this.worker.stop();
          break;
        }
        next = subscription.next();
        const end = this.#onEvent(record, journal, event);
        if (end !== undefined) {
          if (end.kind === 'succeeded') return end;
          break;
        }
      }
    }
    // A run that confirmed its abort left a healthy worker; one that did not was stopped above.
    return this.#endFor(reason);
  }

  /**
   * Waits out a partition: retries every RECONNECT_INTERVAL_MS to subscribe again and read the
   * session (subscribe FIRST, so nothing that happens after the read is missed), records the
   * checkpoints the broken stream never delivered (the simulated agent's state for step k is
   * `stateFor(seed, k)`), and either ends (the run finished meanwhile) or follows the new stream.
   * Throws when the worker dies or goes silent on IPC too (then it is a lost worker, not a partition).
   */
  async #reconnect(
    record: BeadRecord,
    journal: Journal,
    heartbeatTimeoutMs: number,
  ): Promise<'stop' | { end: AttemptEnd } | { subscription: EventSubscription }> {
    this.unreachable = true;
    while (this.#stopReason === undefined) {
      if (!this.worker.alive || performance.now() - this.worker.lastHeartbeatAt > heartbeatTimeoutMs) {
        this.unreachable = false;
        throw new Error(`worker ${this.worker.id} died while unreachable`);
      }
      let subscription: EventSubscription | undefined;
      try {
        subscription = await this.#link.events(this.sessionID!);
        const end = await this.#resync(record, journal);
        this.lastProgressAt = performance.now();
        if (end !== undefined) {
          subscription.close();
          return { end };
        }
        return { subscription };
      } catch {
        subscription?.close();
        await Promise.race([sleep(RECONNECT_INTERVAL_MS), this.#stopped]);
      }
    }
    this.unreachable = false;
    return 'stop';
  }

  /** Reads the session, records the checkpoints the stream missed, and returns its end if it ended. */
  async #resync(record: BeadRecord, journal: Journal): Promise<AttemptEnd | undefined> {
    const info = await this.#client.getSession(this.sessionID!);
    this.unreachable = false;
    this.#catchUp(record, journal, info);
    return info.status === 'idle' ? this.#onEvent(record, journal, sessionEndEvent(this.sessionID!, record.bead.id, info)) : undefined;
  }

  /** Records StepCheckpointed for the steps the session finished that the stream never delivered. */
  #catchUp(record: BeadRecord, journal: Journal, info: SessionInfo): void {
    for (let step = this.#lastStep + 1; step <= info.step; step++) {
      this.#lastStep = step;
      this.#write(journal.bead(record, 'StepCheckpointed', { step, state: stateFor(record.seed, step) }, `checkpoint:${record.bead.id}:${step}`));
    }
  }

  /** A lost attempt's worker may still be running the agent: make sure it is not. */
  async #ensureDead(): Promise<void> {
    if (this.worker.alive) await this.worker.destroy();
  }

  #endFor(reason: { reason: StopReason; detail: string }): AttemptEnd {
    return reason.reason === 'lost' ? { kind: 'lost', reason: reason.detail } : { kind: reason.reason, reason: reason.detail };
  }
}

/** Results above this size keep a digest of their `payload` instead of the payload (events are small facts, ≤ 1 MiB). */
export const MAX_INLINE_PAYLOAD_BYTES = 64 * 1024;

/** The result as recorded: a big `payload` string is replaced by its size and sha256. */
export function compactResult(result: unknown): unknown {
  const payload = (result as { payload?: unknown } | null)?.payload;
  if (typeof payload !== 'string' || payload.length <= MAX_INLINE_PAYLOAD_BYTES) return result;
  const { payload: _dropped, ...rest } = result as Record<string, unknown>;
  return { ...rest, payloadBytes: Buffer.byteLength(payload), payloadSha256: createHash('sha256').update(payload).digest('hex') };
}

/** The agent part of a bead's input: `input.agent` (system/agent/input.ts), else the defaults. */
export function agentInput(record: BeadRecord): unknown {
  return record.bead.input.agent ?? {};
}

/** The end of a finished session as its stream would have told it (for an attempt catching up). */
function sessionEndEvent(sessionID: string, beadId: string, info: SessionInfo): WorkerEvent {
  return info.error !== undefined
    ? { type: 'session.error', properties: { sessionID, beadId, error: info.error } }
    : { type: 'session.idle', properties: { sessionID, beadId, ...(info.result !== undefined ? { result: info.result } : {}) } };
}

/** The checkpoint to resume from. `double-step` (test-only defect) resumes one step too early. */
function resumePoint(record: BeadRecord, doubleStep: boolean, skipStep = false): { step: number; state: string } | undefined {
  const checkpoint = record.checkpoint;
  if (checkpoint === undefined || checkpoint.step === 0) return checkpoint;
  // Test-only `skip-step`: resume at checkpoint + 2, so step checkpoint + 1 never runs.
  if (skipStep) return { step: checkpoint.step + 1, state: stateFor(record.seed, checkpoint.step + 1) };
  if (!doubleStep) return checkpoint;
  return { step: checkpoint.step - 1, state: stateFor(record.seed, checkpoint.step - 1) };
}

/** The event, or undefined when the stream ends, fails or `ms` passes first. */
async function raceTimeout(next: Promise<WorkerEvent | undefined>, ms: number): Promise<WorkerEvent | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), Math.max(0, ms))));
  try {
    return await Promise.race([next.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
